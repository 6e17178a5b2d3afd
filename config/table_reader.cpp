#include "config/table_reader.h"

#include "config/values.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include <re2/re2.h>

namespace frontdesk {

void ConfigErrors::Add(const toml::source_position& pos, std::string_view key,
                       std::string_view message) {
  std::string e = file_ + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": ";
  if (!key.empty()) {
    e += key;
    e += ": ";
  }
  e += message;
  items_.push_back({pos.line, pos.column, std::move(e)});
}

void ConfigErrors::AddIn(const toml::source_position& near, const std::string& file, uint32_t line,
                         uint32_t column, std::string_view key, std::string_view message) {
  std::string e = file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  if (!key.empty()) {
    e += key;
    e += ": ";
  }
  e += message;
  items_.push_back({near.line, near.column, std::move(e)});
}

std::vector<std::string> ConfigErrors::items() const {
  std::vector<Item> sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Item& a, const Item& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::vector<std::string> out;
  for (Item& i : sorted) out.push_back(std::move(i.text));
  return out;
}

std::string_view TomlTypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

std::string TableReader::KeyPath(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

toml::source_position TableReader::PositionOf(std::string_view key) const {
  const toml::node* n = table_.get(key);
  return n ? n->source().begin : table_.source().begin;
}

void TableReader::Error(std::string_view key, std::string_view message) {
  errors_.Add(PositionOf(key), KeyPath(key), message);
}

void TableReader::ErrorAt(const toml::source_position& pos, std::string_view key,
                          std::string_view message) {
  errors_.Add(pos, KeyPath(key), message);
}

const toml::node* TableReader::Get(std::string_view key) {
  known_.emplace(key);
  return table_.get(key);
}

void TableReader::String(std::string_view key, std::string* out, bool required, size_t max_len) {
  const toml::node* n = Get(key);
  if (!n) {
    if (required) errors_.Add(Position(), KeyPath(key), "missing required key");
    return;
  }
  const auto* s = n->as_string();
  if (!s) {
    Error(key, "expected a string, got " + std::string(TomlTypeName(*n)));
    return;
  }
  if (s->get().size() > max_len) {
    Error(key, "longer than " + std::to_string(max_len) + " characters");
    return;
  }
  *out = s->get();
}

void TableReader::Int(std::string_view key, int64_t* out, int64_t min, int64_t max) {
  const toml::node* n = Get(key);
  if (!n) return;
  const auto* i = n->as_integer();
  if (!i) {
    Error(key, "expected an integer, got " + std::string(TomlTypeName(*n)));
    return;
  }
  if (i->get() < min || i->get() > max) {
    Error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                   ", got " + std::to_string(i->get()));
    return;
  }
  *out = i->get();
}

void TableReader::Int(std::string_view key, int* out, int min, int max) {
  int64_t v = *out;
  Int(key, &v, min, max);
  *out = static_cast<int>(v);
}

bool TableReader::Percent(std::string_view key, double* out) {
  const toml::node* n = Get(key);
  if (!n) return false;
  std::optional<double> v;
  if (const auto* i = n->as_integer()) v = static_cast<double>(i->get());
  if (const auto* f = n->as_floating_point()) v = f->get();
  if (!v) {
    Error(key, "expected a percentage such as 90 or 99.5, got " + std::string(TomlTypeName(*n)));
    return false;
  }
  if (!(*v > 0 && *v <= 100)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", *v);
    Error(key, std::string("must be above 0 and at most 100 (percent), got ") + buf);
    return false;
  }
  *out = *v;
  return true;
}

void TableReader::Bool(std::string_view key, bool* out) {
  const toml::node* n = Get(key);
  if (!n) return;
  const auto* b = n->as_boolean();
  if (!b) {
    Error(key, "expected a boolean, got " + std::string(TomlTypeName(*n)));
    return;
  }
  *out = b->get();
}

void TableReader::Duration(std::string_view key, std::chrono::milliseconds* out,
                           std::chrono::milliseconds min, std::chrono::milliseconds max) {
  const toml::node* n = Get(key);
  if (!n) return;
  const auto* s = n->as_string();
  if (!s) {
    Error(key, "expected a duration string such as \"30s\" or \"4h\", got " +
                   std::string(TomlTypeName(*n)));
    return;
  }
  Result<std::chrono::milliseconds> d = ParseDuration(s->get());
  if (!d.ok()) {
    Error(key, d.status().message());
    return;
  }
  if (*d < min || *d > max) {
    Error(key, "must be between " + std::to_string(min.count()) + "ms and " +
                   std::to_string(max.count()) + "ms, got \"" + s->get() + "\"");
    return;
  }
  *out = *d;
}

void TableReader::Duration(std::string_view key, std::chrono::seconds* out,
                           std::chrono::seconds min, std::chrono::seconds max) {
  std::chrono::milliseconds ms = *out;
  const toml::node* n = table_.get(key);
  Duration(key, &ms, min, max);
  if (n && n->is_string() && ms.count() % 1000 != 0) {
    Error(key, "must be a whole number of seconds");
    return;
  }
  *out = std::chrono::duration_cast<std::chrono::seconds>(ms);
}

void TableReader::ByteSize(std::string_view key, int64_t* out, int64_t min, int64_t max) {
  const toml::node* n = Get(key);
  if (!n) return;
  int64_t v = 0;
  if (const auto* i = n->as_integer()) {
    v = i->get();
  } else if (const auto* s = n->as_string()) {
    Result<int64_t> r = ParseByteSize(s->get());
    if (!r.ok()) {
      Error(key, r.status().message());
      return;
    }
    v = *r;
  } else {
    Error(key, "expected a size such as \"10MiB\" or an integer, got " +
                   std::string(TomlTypeName(*n)));
    return;
  }
  if (v < min || v > max) {
    Error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                   " bytes, got " + std::to_string(v));
    return;
  }
  *out = v;
}

void TableReader::Address(std::string_view key, std::string* out, bool required) {
  std::string text;
  const toml::node* n = table_.get(key);
  String(key, &text, required, 254 + 1);
  if (!n || !n->is_string()) return;
  Result<std::string> a = ParseMailAddress(text);
  if (!a.ok()) {
    Error(key, a.status().message());
    return;
  }
  *out = *a;
}

void TableReader::StringList(std::string_view key, std::vector<std::string>* out) {
  const toml::node* n = Get(key);
  if (!n) return;
  const auto* arr = n->as_array();
  if (!arr) {
    Error(key, "expected an array of strings, got " + std::string(TomlTypeName(*n)));
    return;
  }
  std::vector<std::string> v;
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::node& e = *arr->get(i);
    std::string item_key = std::string(key) + "[" + std::to_string(i) + "]";
    if (const auto* s = e.as_string()) {
      v.push_back(s->get());
    } else {
      errors_.Add(e.source().begin, KeyPath(item_key),
                  "expected a string, got " + std::string(TomlTypeName(e)));
    }
  }
  *out = std::move(v);
}

void TableReader::AddressList(std::string_view key, std::vector<std::string>* out) {
  const toml::node* n = table_.get(key);
  std::vector<std::string> raw;
  StringList(key, &raw);
  if (!n || !n->is_array()) return;
  const auto* arr = n->as_array();
  std::vector<std::string> v;
  for (size_t i = 0; i < arr->size(); ++i) {
    const auto* s = arr->get(i)->as_string();
    if (!s) continue;  // already reported
    Result<std::string> a = ParseMailAddress(s->get());
    std::string item_key = std::string(key) + "[" + std::to_string(i) + "]";
    if (!a.ok()) {
      errors_.Add(s->source().begin, KeyPath(item_key), a.status().message());
      continue;
    }
    bool dup = false;
    for (const std::string& seen : v) dup = dup || seen == *a;
    if (dup) {
      errors_.Add(s->source().begin, KeyPath(item_key), "duplicate address \"" + *a + "\"");
      continue;
    }
    v.push_back(*a);
  }
  *out = std::move(v);
}

void TableReader::Listen(std::string_view key, ListenAddress* out) {
  std::string text;
  const toml::node* n = table_.get(key);
  String(key, &text);
  if (!n || !n->is_string()) return;
  Result<ListenAddress> a = ParseListenAddress(text);
  if (!a.ok()) {
    Error(key, a.status().message());
    return;
  }
  *out = *a;
}

void TableReader::OneOf(std::string_view key, std::string* out,
                        std::initializer_list<std::string_view> allowed) {
  std::string text;
  const toml::node* n = table_.get(key);
  String(key, &text);
  if (!n || !n->is_string()) return;
  std::string list;
  for (std::string_view a : allowed) {
    if (a == text) {
      *out = text;
      return;
    }
    if (!list.empty()) list += ", ";
    list += a;
  }
  Error(key, "must be one of " + list + "; got \"" + text + "\"");
}

const toml::table* TableReader::Table(std::string_view key) {
  const toml::node* n = Get(key);
  if (!n) return nullptr;
  const auto* t = n->as_table();
  if (!t) Error(key, "expected a table, got " + std::string(TomlTypeName(*n)));
  return t;
}

std::vector<const toml::table*> TableReader::ArrayOfTables(std::string_view key) {
  std::vector<const toml::table*> out;
  const toml::node* n = Get(key);
  if (!n) return out;
  const auto* arr = n->as_array();
  if (!arr) {
    Error(key, "expected an array of tables ([[" + std::string(key) + "]]), got " +
                   std::string(TomlTypeName(*n)));
    return out;
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::node& e = *arr->get(i);
    if (const auto* t = e.as_table()) {
      out.push_back(t);
    } else {
      errors_.Add(e.source().begin, KeyPath(std::string(key) + "[" + std::to_string(i) + "]"),
                  "expected a table, got " + std::string(TomlTypeName(e)));
    }
  }
  return out;
}

void TableReader::Finish() {
  for (auto&& [k, v] : table_) {
    if (known_.count(k.str())) continue;
    std::string msg = "unknown key";
    std::string_view best;
    size_t best_d = 3;  // suggest only close matches
    for (const std::string& candidate : known_) {
      size_t d = EditDistance(k.str(), candidate);
      if (d < best_d) {
        best_d = d;
        best = candidate;
      }
    }
    if (!best.empty()) msg += " (did you mean '" + std::string(best) + "'?)";
    errors_.Add(k.source().begin, KeyPath(k.str()), msg);
  }
}

std::string RegexError(const std::string& pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  RE2 re(pattern, o);
  return re.ok() ? "" : re.error();
}

}  // namespace frontdesk
