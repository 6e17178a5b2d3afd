#include "daemon/store/json_rows.h"

namespace frontdesk {
namespace {

// A JSON string: quotes and backslashes escaped, control characters as
// \u00XX; every other byte as it is.
void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

}  // namespace

JsonRows& JsonRows::Row() {
  if (row_open_) out_ += "},";
  out_ += '{';
  row_open_ = true;
  first_key_ = true;
  return *this;
}

void JsonRows::Key(std::string_view key) {
  if (!first_key_) out_ += ',';
  first_key_ = false;
  AppendString(out_, key);
  out_ += ':';
}

JsonRows& JsonRows::Add(std::string_view key, int64_t value) {
  Key(key);
  out_ += std::to_string(value);
  return *this;
}

JsonRows& JsonRows::Add(std::string_view key, std::string_view text) {
  Key(key);
  AppendString(out_, text);
  return *this;
}

JsonRows& JsonRows::Add(std::string_view key, const std::optional<int64_t>& value) {
  if (value) return Add(key, *value);
  Key(key);
  out_ += "null";
  return *this;
}

JsonRows& JsonRows::Add(std::string_view key, const std::optional<std::string>& text) {
  if (text) return Add(key, std::string_view(*text));
  Key(key);
  out_ += "null";
  return *this;
}

std::string JsonRows::Take() {
  if (row_open_) out_ += '}';
  out_ += ']';
  std::string done = std::move(out_);
  out_ = "[";
  row_open_ = false;
  first_key_ = true;
  return done;
}

}  // namespace frontdesk
