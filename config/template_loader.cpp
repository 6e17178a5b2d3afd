#include "config/template_loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxTemplateBytes = 256 * 1024;
const char* kParts[] = {"subject", "text", "html"};

// One part as written somewhere, and where.
struct WrittenPart {
  std::string source;
  std::string origin;  // "file:line:col"
};

// A template as one level (all queues, or one queue) writes it.
struct Written {
  std::map<std::string, WrittenPart> parts;  // subject, text, html
};

// 0-based line and column of `offset` in `s`.
std::pair<uint32_t, uint32_t> LineCol(std::string_view s, size_t offset) {
  uint32_t line = 0, col = 0;
  for (size_t i = 0; i < offset && i < s.size(); ++i) {
    if (s[i] == '\n') {
      ++line;
      col = 0;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// Where the value of a TOML string starts: past its quotes, and past the
// line break a multi-line string may open with.
toml::source_position ContentStart(std::string_view text, const toml::source_position& begin) {
  size_t line_start = 0;
  for (uint32_t l = 1; l < begin.line && line_start != std::string_view::npos; ++l) {
    line_start = text.find('\n', line_start);
    if (line_start != std::string_view::npos) ++line_start;
  }
  if (line_start == std::string_view::npos) return begin;
  std::string_view rest = text.substr(std::min(text.size(), line_start + begin.column - 1));
  bool multi = rest.substr(0, 3) == "\"\"\"" || rest.substr(0, 3) == "'''";
  size_t delim = multi ? 3 : 1;
  if (multi && (rest.substr(3, 1) == "\n" || rest.substr(3, 2) == "\r\n")) {
    return {begin.line + 1, 1};
  }
  return {begin.line, static_cast<uint32_t>(begin.column + delim)};
}

class TemplateReader {
 public:
  TemplateReader(std::string_view text, Config& config, ConfigErrors& errors)
      : text_(text), config_(config), errors_(errors) {
    fs::path p(config.path);
    dir_ = p.has_parent_path() ? p.parent_path() : fs::path(".");
    for (const SlaPolicyConfig& policy : config.slas) {
      for (const EscalationLevel& l : policy.escalations) {
        if (!IsTemplateKind(l.template_name)) custom_.insert(l.template_name);
      }
    }
  }

  // Reads [templates] or one queue's, named `path` in errors.
  std::map<std::string, Written> ReadLevel(const toml::table& table, const std::string& path) {
    std::map<std::string, Written> out;
    const toml::node* dir = nullptr;
    for (auto&& [key, node] : table) {
      std::string name(key.str());
      std::string kpath = path + "." + name;
      if (name == "dir") {
        dir = &node;
        continue;
      }
      if (!Known(name)) {
        errors_.Add(key.source().begin, kpath, "unknown template" + Suggestion());
        continue;
      }
      const toml::table* t = node.as_table();
      if (!t) {
        errors_.Add(node.source().begin, kpath, "expected a table with subject, text and html");
        continue;
      }
      for (auto&& [pk, pv] : *t) {
        std::string part(pk.str());
        if (std::find(std::begin(kParts), std::end(kParts), part) == std::end(kParts)) {
          errors_.Add(pk.source().begin, kpath + "." + part, "unknown key; a template has subject, text and html");
          continue;
        }
        const auto* s = pv.as_string();
        if (!s) {
          errors_.Add(pv.source().begin, kpath + "." + part, "expected a string, got " + std::string(TomlTypeName(pv)));
          continue;
        }
        if (s->get().size() > kMaxTemplateBytes) {
          errors_.Add(pv.source().begin, kpath + "." + part, "longer than 256 KiB");
          continue;
        }
        toml::source_position start = ContentStart(text_, pv.source().begin);
        auto where = [&](size_t offset) {
          auto [dl, dc] = LineCol(s->get(), offset);
          toml::source_position p = start;
          if (dl == 0) {
            p.column += dc;
          } else {
            p.line += dl;
            p.column = dc + 1;
          }
          return p;
        };
        auto report = [&](size_t offset, const std::string& message) {
          errors_.Add(where(offset), kpath + "." + part, message);
        };
        if (Check(name, part, s->get(), report)) {
          toml::source_position p = pv.source().begin;
          out[name].parts[part] = {s->get(), errors_.file() + ":" + std::to_string(p.line) + ":" +
                                                 std::to_string(p.column)};
        }
      }
    }
    if (dir) ReadDir(*dir, path, out);
    return out;
  }

  // Every name a level may define: the kinds, and the escalation levels'
  // own templates.
  bool Known(const std::string& name) const { return IsTemplateKind(name) || custom_.count(name); }
  const std::set<std::string>& custom() const { return custom_; }

 private:
  std::string Suggestion() const {
    std::string list;
    for (const std::string& k : TemplateKinds()) list += (list.empty() ? "" : ", ") + k;
    return "; known: " + list + ", or a name an escalation level gives as its template";
  }

  static std::string KindOf(const std::string& name) { return IsTemplateKind(name) ? name : "escalation"; }

  // Checks one part; reports through `report(offset, message)`.
  template <typename Report>
  bool Check(const std::string& name, const std::string& part, const std::string& source, Report report) {
    if (!IsValidUtf8(source)) {
      report(0, "not valid UTF-8");
      return false;
    }
    if (part == "subject") {
      size_t nl = source.find_first_of("\r\n");
      if (nl != std::string::npos) {
        report(nl, "a subject is one line");
        return false;
      }
    }
    std::string kind = KindOf(name);
    if (std::optional<TemplateProblem> p = CheckTemplate(source, TemplateVariables(kind))) {
      report(p->offset, p->message);
      return false;
    }
    if (part != "subject") {
      std::set<std::string> used = UsedVariables(source);
      for (const std::string& need : RequiredVariables(kind)) {
        if (!used.count(need)) {
          report(0, "must use {{" + need + "}}");
          return false;
        }
      }
    }
    return true;
  }

  void ReadDir(const toml::node& node, const std::string& path, std::map<std::string, Written>& out) {
    const toml::source_position near = node.source().begin;
    const auto* s = node.as_string();
    if (!s) {
      errors_.Add(near, path + ".dir", "expected a string, got " + std::string(TomlTypeName(node)));
      return;
    }
    fs::path dir(s->get());
    if (dir.is_relative()) dir = dir_ / dir;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      errors_.Add(near, path + ".dir", "\"" + dir.string() + "\" is not a directory");
      return;
    }
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
      if (e.is_regular_file(ec)) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      std::string ext = file.extension().string();
      std::string name = file.stem().string();
      if (ext != ".txt" && ext != ".html") continue;
      std::string kpath = path + "." + name;
      if (!Known(name)) {
        errors_.AddIn(near, file.string(), 1, 1, kpath, "not a template name" + Suggestion());
        continue;
      }
      std::ifstream in(file, std::ios::binary);
      std::ostringstream buf;
      buf << in.rdbuf();
      std::string content = buf.str();
      if (!in) {
        errors_.AddIn(near, file.string(), 1, 1, kpath, "cannot be read");
        continue;
      }
      if (content.size() > kMaxTemplateBytes) {
        errors_.AddIn(near, file.string(), 1, 1, kpath, "longer than 256 KiB");
        continue;
      }
      // name.txt: an optional "Subject: ..." line and a blank line, then
      // the text. name.html: the HTML part.
      std::vector<std::pair<std::string, size_t>> parts;  // part -> offset in the file
      if (ext == ".html") {
        parts.emplace_back("html", 0);
      } else {
        if (AsciiLower(content.substr(0, 8)) == "subject:") {
          size_t eol = content.find('\n');
          size_t body = eol == std::string::npos ? content.size() : eol + 1;
          if (content.compare(body, 1, "\n") == 0) ++body;
          else if (content.compare(body, 2, "\r\n") == 0) body += 2;
          parts.emplace_back("subject", 8);
          parts.emplace_back("text", body);
        } else {
          parts.emplace_back("text", 0);
        }
      }
      for (size_t i = 0; i < parts.size(); ++i) {
        const auto& [part, offset] = parts[i];
        std::string source;
        size_t lead = 0;
        if (part == "subject") {
          size_t eol = content.find('\n');
          std::string line = content.substr(8, eol == std::string::npos ? std::string::npos : eol - 8);
          if (!line.empty() && line.back() == '\r') line.pop_back();
          std::string_view trimmed = Trim(line);
          lead = trimmed.empty() ? 0 : static_cast<size_t>(trimmed.data() - line.data());
          source = std::string(trimmed);
        } else {
          source = content.substr(offset);
        }
        auto report = [&](size_t at, const std::string& message) {
          auto [l, c] = LineCol(content, offset + lead + at);
          errors_.AddIn(near, file.string(), l + 1, c + 1, kpath + "." + part, message);
        };
        Written& w = out[name];
        if (w.parts.count(part)) {
          report(0, "also written at " + w.parts[part].origin + "; keep one");
          continue;
        }
        if (Check(name, part, source, report)) {
          auto [l, c] = LineCol(content, offset);
          w.parts[part] = {source, file.string() + ":" + std::to_string(l + 1) + ":" + std::to_string(c + 1)};
        }
      }
    }
  }

  std::string_view text_;
  Config& config_;
  ConfigErrors& errors_;
  fs::path dir_;
  std::set<std::string> custom_;
};

// `base` with the parts `w` writes put over it.
MailTemplate Overlay(MailTemplate base, const Written& w) {
  for (const auto& [part, p] : w.parts) {
    if (part == "subject") {
      base.subject = p.source;
      base.subject_origin = p.origin;
    } else if (part == "text") {
      base.text = p.source;
      base.text_origin = p.origin;
    } else {
      base.html = p.source;
      base.html_origin = p.origin;
    }
  }
  return base;
}

}  // namespace

void ReadCanned(TableReader& root, Config& config, ConfigErrors& errors) {
  const toml::table* all = root.Table("canned");
  if (!all) return;
  for (const auto& [key, node] : *all) {
    const std::string name(key.str());
    const std::string path = "canned." + name;
    const toml::table* t = node.as_table();
    if (!t) {
      errors.Add(node.source().begin, path, "expected a table: [canned." + name + "] with text = \"...\"");
      continue;
    }
    TableReader r(*t, path, errors);
    CannedReply c;
    r.String("title", &c.title, false, 200);
    r.String("text", &c.text, true, 20000);
    r.Finish();
    const bool name_ok = !name.empty() && name.size() <= 64 &&
                         std::all_of(name.begin(), name.end(), [](char ch) {
                           return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
                         });
    if (!name_ok) errors.Add(t->source().begin, path, "a canned reply's name is 1 to 64 of a-z, 0-9, '-' and '_'");
    if (c.text.empty()) continue;
    if (std::optional<TemplateProblem> p = CheckTemplate(c.text, CannedVariables())) {
      r.Error("text", p->message);
      continue;
    }
    if (c.title.empty()) c.title = name;
    config.canned[name] = c;
  }
}

void ReadTemplates(TableReader& root, std::string_view text, Config& config, ConfigErrors& errors) {
  ReadCanned(root, config, errors);
  TemplateReader reader(text, config, errors);
  std::map<std::string, Written> global;
  if (const toml::table* t = root.Table("templates")) global = reader.ReadLevel(*t, "templates");
  for (const std::string& kind : TemplateKinds()) {
    auto it = global.find(kind);
    config.templates[kind] = it == global.end() ? BuiltinTemplate(kind) : Overlay(BuiltinTemplate(kind), it->second);
  }
  // An escalation level's own template must be written, and be for mail.
  for (size_t i = 0; i < config.slas.size(); ++i) {
    for (size_t k = 0; k < config.slas[i].escalations.size(); ++k) {
      const EscalationLevel& l = config.slas[i].escalations[k];
      if (IsTemplateKind(l.template_name) && l.template_name != "escalation") {
        errors.Add({static_cast<uint32_t>(l.template_line), static_cast<uint32_t>(l.template_column)},
                   "sla[" + std::to_string(i) + "].escalation[" + std::to_string(k) + "].template",
                   "\"" + l.template_name + "\" is not an escalation template; use \"escalation\" or a name of your own");
      } else if (!IsTemplateKind(l.template_name)) {
        auto it = global.find(l.template_name);
        if (it == global.end()) {
          errors.Add({static_cast<uint32_t>(l.template_line), static_cast<uint32_t>(l.template_column)},
                     "sla[" + std::to_string(i) + "].escalation[" + std::to_string(k) + "].template",
                     "no template \"" + l.template_name + "\" under [templates]");
        } else {
          config.templates[l.template_name] = Overlay(config.templates["escalation"], it->second);
        }
      }
    }
  }
  // The queues' tables, whose errors ReadQueues already reported.
  const toml::array* queues = root.table().get_as<toml::array>("queue");
  for (size_t i = 0; queues && i < queues->size() && i < config.queues.size(); ++i) {
    const toml::table* q = (*queues)[i].as_table();
    const toml::table* t = q ? q->get_as<toml::table>("templates") : nullptr;
    if (!t) continue;
    std::map<std::string, Written> own = reader.ReadLevel(*t, "queue[" + std::to_string(i) + "].templates");
    for (const auto& [name, w] : own) {
      auto base = config.templates.find(name);
      config.queues[i].templates[name] =
          Overlay(base != config.templates.end() ? base->second : BuiltinTemplate(name), w);
    }
  }
}

}  // namespace frontdesk
