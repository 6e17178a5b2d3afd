#include "config/loader.h"

#include <arpa/inet.h>
#include <date/tz.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "config/customer_texts.h"
#include "config/mail_loader.h"
#include "config/policy_loader.h"
#include "config/table_reader.h"
#include "config/template_loader.h"
#include "config/values.h"
#include "daemon/base/file_owner.h"
#include "daemon/base/locale_format.h"
#include "daemon/base/secret_file.h"
#include "daemon/base/text.h"

namespace frontdesk {
namespace {

constexpr int64_t kMiB = 1024 * 1024;
// Both listeners' connections together. cpp-httplib tests sockets with
// select(), which cannot take a descriptor past 1023; this leaves room for
// the database, the logs and the mail clients.
constexpr int kMaxConnections = 900;
using std::chrono::milliseconds;
using std::chrono::seconds;

// [database]: which engine and where. [server] database keeps naming the
// SQLite file when there is no [database] table.
void ReadDatabase(TableReader& r, Config& config) {
  ServerConfig& s = config.server;
  r.String("url", &s.database_url, /*required=*/true, 4096);
  r.String("password_file", &s.database_password_file, false, 4096);
  r.Finish();
  const std::string& url = s.database_url;
  bool postgres = s.DatabaseIsPostgres();
  if (!url.empty() && !postgres && url.rfind("sqlite://", 0) != 0) {
    r.Error("url", "must start with sqlite:// (sqlite:///var/lib/frontdesk/frontdesk.db) or postgres:// "
                   "(postgres://frontdesk@db1,db2/frontdesk?target_session_attrs=read-write)");
  }
  if (url == "sqlite://" || url == "sqlite:///") r.Error("url", "names no file: sqlite:///path/to/frontdesk.db");
  if (!s.database_password_file.empty()) {
    if (!postgres) r.Error("password_file", "is for a postgres:// url; an SQLite file has no password");
    if (s.database_password_file.front() != '/') {
      s.database_password_file = DirectoryOf(config.path) + "/" + s.database_password_file;
    }
    if (access(s.database_password_file.c_str(), R_OK) != 0) {
      r.Error("password_file", "cannot read " + s.database_password_file);
    }
  }
  size_t at = url.find('@');
  bool user_password = at != std::string::npos && url.substr(0, at).find(':', url.find("://") + 3) != std::string::npos;
  if (postgres && (url.find("password=") != std::string::npos || user_password)) {
    r.Error("url", "holds a password; put it in password_file (mode 0640) instead, so that logs and "
                   "`frontdesk check-config` never show it");
  }
}

void ReadServer(TableReader& r, ServerConfig& s) {
  r.String("data_dir", &s.data_dir);
  r.String("database", &s.database);
  r.Listen("public_listen", &s.public_listen);
  r.Listen("admin_listen", &s.admin_listen);
  r.Bool("admin_allow_remote", &s.admin_allow_remote);
  r.StringList("trusted_proxies", &s.trusted_proxies);
  r.String("base_url", &s.base_url);
  r.Int("public_threads", &s.public_threads, 2, 1024);
  r.Int("public_max_threads", &s.public_max_threads, 2, 4096);
  r.Int("admin_threads", &s.admin_threads, 1, 256);
  r.Int("admin_max_threads", &s.admin_max_threads, 1, 1024);
  r.ByteSize("max_body_bytes", &s.max_body_bytes, 1024, 1024 * kMiB);
  r.ByteSize("max_header_bytes", &s.max_header_bytes, 1024, 1 * kMiB);
  r.ByteSize("buffered_body_bytes", &s.buffered_body_bytes, 0, 16 * kMiB);
  r.ByteSize("body_memory_bytes", &s.body_memory_bytes, 1 * kMiB, 64 * 1024 * kMiB);
  r.Int("public_max_connections", &s.public_max_connections, 1, kMaxConnections);
  r.Int("admin_max_connections", &s.admin_max_connections, 1, kMaxConnections);
  r.Int("max_connections_per_address", &s.max_connections_per_address, 1, kMaxConnections);
  r.Int("public_max_pending", &s.public_max_pending, 0, 100000);
  r.Int("admin_max_pending", &s.admin_max_pending, 0, 100000);
  r.Duration("header_timeout", &s.header_timeout, seconds(1), seconds(3600));
  r.Duration("request_timeout", &s.request_timeout, seconds(1), seconds(86400));
  r.Duration("read_timeout", &s.read_timeout, seconds(1), seconds(3600));
  r.Duration("write_timeout", &s.write_timeout, seconds(1), seconds(3600));
  r.Duration("keep_alive_timeout", &s.keep_alive_timeout, seconds(0), seconds(300));
  r.Int("keep_alive_max_requests", &s.keep_alive_max_requests, 1, 100000);
  r.Duration("busy_timeout", &s.busy_timeout, milliseconds(0), milliseconds(600000));
  r.Finish();

  for (size_t i = 0; i < s.trusted_proxies.size(); ++i) {
    in6_addr a6;
    in_addr a4;
    const std::string& ip = s.trusted_proxies[i];
    if (inet_pton(AF_INET, ip.c_str(), &a4) != 1 && inet_pton(AF_INET6, ip.c_str(), &a6) != 1) {
      r.Error("trusted_proxies", "\"" + ip + "\" is not an IP address");
    }
  }
  if (s.public_max_threads < s.public_threads) r.Error("public_max_threads", "must be at least public_threads");
  if (s.admin_max_threads < s.admin_threads) r.Error("admin_max_threads", "must be at least admin_threads");
  if (s.public_max_connections + s.admin_max_connections > kMaxConnections) {
    r.Error("admin_max_connections",
            "public_max_connections + admin_max_connections must be at most " +
                std::to_string(kMaxConnections) +
                ": cpp-httplib cannot serve a socket numbered 1024 or more, and the daemon needs "
                "descriptors of its own");
  }
  if (s.header_timeout > s.request_timeout) r.Error("header_timeout", "must be at most request_timeout");
  if (s.body_memory_bytes < s.max_body_bytes) {
    r.Error("body_memory_bytes", "must be at least max_body_bytes, or the largest body could never be read");
  }
  if (s.data_dir.empty()) r.Error("data_dir", "must not be empty");
  if (s.database.empty()) r.Error("database", "must not be empty");
  if (s.base_url.rfind("http://", 0) != 0 && s.base_url.rfind("https://", 0) != 0) {
    r.Error("base_url", "must start with http:// or https://");
  }
  while (!s.base_url.empty() && s.base_url.back() == '/') s.base_url.pop_back();
  if (s.public_listen.host == s.admin_listen.host && s.public_listen.port == s.admin_listen.port) {
    r.Error("admin_listen", "must differ from public_listen");
  }
  if (!IsLoopbackHost(s.admin_listen.host) && !s.admin_allow_remote) {
    r.Error("admin_listen",
            "is not a loopback address; the admin API should stay on 127.0.0.1 or ::1 "
            "(set admin_allow_remote = true to allow it)");
  }
}

bool ValidQueueName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

// The language code of `tag`, or an error at `key` when Frontdesk has no
// words in it.
std::string CheckLanguage(TableReader& r, const std::string& key, const std::string& tag) {
  std::string base = BaseLanguage(tag);
  if (base.empty() || !IsSupportedLanguage(base) || !IsCustomerLanguage(base)) {
    std::string known;
    for (const std::string& l : CustomerLanguages()) known += (known.empty() ? "" : ", ") + l;
    r.Error(key, "unknown language \"" + tag + "\"; Frontdesk writes to customers in " + known +
                     " (a BCP 47 tag such as \"pl\" or \"de-AT\")");
    return "";
  }
  return base;
}

void ReadLocale(TableReader& root, Config& config, ConfigErrors& errors) {
  const toml::table* t = root.Table("locale");
  if (!t) return;
  TableReader r(*t, "locale", errors);
  std::string language;
  r.String("language", &language, false, 64);
  std::vector<std::string> form;
  r.StringList("form_languages", &form);
  r.Finish();
  if (!language.empty()) {
    std::string base = CheckLanguage(r, "language", language);
    if (!base.empty()) config.locale.language = base;
  }
  for (const std::string& l : form) {
    std::string base = CheckLanguage(r, "form_languages", l);
    if (!base.empty() && std::find(config.locale.form_languages.begin(), config.locale.form_languages.end(), base) ==
                             config.locale.form_languages.end()) {
      config.locale.form_languages.push_back(base);
    }
  }
}

// Each queue's customer templates in its language: a part the config
// leaves built-in takes the built-in words of that language.
void LocalizeTemplates(Config& config) {
  for (QueueConfig& q : config.queues) {
    const std::string& language = config.LanguageOf(q.name);
    if (language == "en") continue;
    for (const std::string& kind : CustomerTemplateKinds()) {
      const MailTemplate* words = BuiltinCustomerTemplate(kind, language);
      if (!words) continue;
      MailTemplate t = config.Template(q.name, kind);
      if (t.subject_origin == "built-in") t.subject = words->subject;
      if (t.text_origin == "built-in") t.text = words->text;
      if (t.html_origin == "built-in") t.html = words->html;
      q.templates[kind] = std::move(t);
    }
  }
}

void ReadQueues(TableReader& root, Config& config, ConfigErrors& errors) {
  std::vector<const toml::table*> tables = root.ArrayOfTables("queue");
  std::map<std::string, std::string> address_owner;  // address -> queue key path
  std::map<std::string, toml::source_position> names;
  std::string default_name;
  bool have_default = false;
  for (size_t i = 0; i < tables.size(); ++i) {
    TableReader r(*tables[i], "queue[" + std::to_string(i) + "]", errors);
    QueueConfig q;
    r.String("name", &q.name, /*required=*/true, 64);
    r.String("display_name", &q.display_name, false, 200);
    r.AddressList("addresses", &q.addresses);
    r.AddressList("comment_addresses", &q.comment_addresses);
    r.AddressList("agents", &q.agents);
    r.Address("lead", &q.lead);
    r.Bool("default", &q.is_default);
    r.String("timezone", &q.timezone, false, 64);
    r.String("language", &q.language, false, 64);
    (void)r.Table("templates");  // read with the other templates
    r.Finish();
    if (!q.language.empty()) q.language = CheckLanguage(r, "language", q.language);
    if (!q.timezone.empty()) {
      try {
        (void)date::locate_zone(q.timezone);
      } catch (const std::exception&) {
        r.Error("timezone", "unknown time zone \"" + q.timezone + "\"; use an IANA name such as \"Europe/Berlin\"");
      }
    }

    if (tables[i]->get("name") && !q.name.empty() && !ValidQueueName(q.name)) {
      r.Error("name", "\"" + q.name + "\" is not a valid queue name; use 1 to 64 of a-z, 0-9, '-' and '_'");
    }
    if (!q.name.empty()) {
      auto [it, inserted] = names.emplace(q.name, r.PositionOf("name"));
      if (!inserted) {
        r.Error("name", "duplicate queue name \"" + q.name + "\" (first defined at " +
                            std::to_string(it->second.line) + ":" +
                            std::to_string(it->second.column) + ")");
      }
    }
    // An inbound address must lead to exactly one queue.
    auto claim = [&](const std::vector<std::string>& list, std::string_view key) {
      const toml::array* arr = tables[i]->get_as<toml::array>(key);
      for (size_t j = 0; j < list.size(); ++j) {
        std::string here = r.KeyPath(key);
        auto [it, inserted] = address_owner.emplace(list[j], here);
        if (!inserted) {
          toml::source_position pos = r.PositionOf(key);
          if (arr) {
            for (const auto& e : *arr) {
              auto parsed = e.is_string() ? ParseMailAddress(*e.value<std::string>())
                                          : Result<std::string>(Status::Invalid(""));
              if (parsed.ok() && *parsed == list[j]) pos = e.source().begin;
            }
          }
          r.ErrorAt(pos, key, "address \"" + list[j] + "\" is already used by " + it->second);
        }
      }
    };
    claim(q.addresses, "addresses");
    claim(q.comment_addresses, "comment_addresses");

    if (q.is_default) {
      if (have_default) {
        r.Error("default", "only one queue may be the default; \"" + default_name + "\" already is");
      } else {
        have_default = true;
        default_name = q.name;
      }
    }
    config.queues.push_back(std::move(q));
  }
  if (config.queues.empty()) {
    errors.Add({1, 1}, "queue", "at least one [[queue]] is required");
  }
}

void ReadConsole(TableReader& root, Config& config, ConfigErrors& errors) {
  const toml::table* t = root.Table("console");
  if (!t) return;
  TableReader r(*t, "console", errors);
  ConsoleConfig& c = config.console;
  r.Bool("enabled", &c.enabled);
  r.AddressList("admins", &c.admins);
  r.Duration("idle_timeout", &c.idle_timeout, std::chrono::minutes(5), std::chrono::hours(24 * 30));
  r.Duration("max_age", &c.max_age, std::chrono::hours(1), std::chrono::hours(24 * 366));
  r.String("trusted_proxy_header", &c.trusted_proxy_header, false, 64);
  r.Finish();
  for (const std::string& a : c.admins) {
    if (!config.IsAgent(a)) r.Error("admins", a + " is not an agent of any queue; add it to a queue's agents first");
  }
  const std::string& h = c.trusted_proxy_header;
  if (!h.empty() && !std::all_of(h.begin(), h.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-'; })) {
    r.Error("trusted_proxy_header", "must be a header name such as \"X-Remote-User\"");
  }
}

void ReadLogging(TableReader& r, LoggingConfig& l) {
  r.OneOf("level", &l.level, {"trace", "debug", "info", "warn", "error", "critical", "off"});
  r.Finish();
}

bool ValidFieldName(const std::string& n) {
  if (n.empty() || n.size() > 32) return false;
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// The origin a browser names in its Origin header for pages under `url`:
// "scheme://host[:port]" in lower case, without the scheme's default port,
// an IPv6 host in its short form. The form compares the header with it as
// text, so a spelling a browser never sends would match nothing. With
// `origin_only` nothing may follow but one "/" (allowed_origins); a
// base_url may go on with a path. Returns the error text without the
// place, or "" once `*out` is set.
std::string WebOrigin(std::string_view url, bool origin_only, std::string* out) {
  const std::string text = AsciiLower(url);
  std::string scheme = text.rfind("https://", 0) == 0  ? "https"
                       : text.rfind("http://", 0) == 0 ? "http"
                                                       : "";
  if (scheme.empty()) return "it must start with http:// or https://";
  std::string_view rest = std::string_view(text).substr(scheme.size() + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (origin_only && end != std::string_view::npos && rest.substr(end) != "/") {
    return "it is not an origin: leave out everything after the host and port (\"" + scheme +
           "://" + std::string(authority) + "\")";
  }
  if (authority.find('@') != std::string_view::npos) return "it holds a user name";
  std::string host;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    std::string inner(authority.substr(1, close == std::string_view::npos ? 0 : close - 1));
    in6_addr a6;
    char canonical[INET6_ADDRSTRLEN];
    if (close == std::string_view::npos || inet_pton(AF_INET6, inner.c_str(), &a6) != 1 ||
        !inet_ntop(AF_INET6, &a6, canonical, sizeof canonical)) {
      return "its host is not an IPv6 address in brackets";
    }
    host = std::string("[") + canonical + "]";
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return "it has text after the IPv6 address";
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
  } else {
    size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) port = authority.substr(colon + 1);
    for (char c : host) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
        return "\"" + host + "\" is not a host name (write an international name in its xn-- form)";
      }
    }
  }
  if (host.empty()) return "the host is missing";
  std::string suffix;
  if (has_port) {
    std::optional<int64_t> n = ParseDigits(port, 5);
    if (!n || *n < 1 || *n > 65535) return "the port must be a number from 1 to 65535";
    if (*n != (scheme == "https" ? 443 : 80)) suffix = ":" + std::to_string(*n);
  }
  *out = scheme + "://" + host + suffix;
  return "";
}

// Each allowed_origins entry is stored as a browser would send it, so that
// one written with capitals or a default port still matches. One with a
// path is refused rather than cut: a browser never sends a path, and the
// writer may have meant to allow less than the whole site.
void ReadAllowedOrigins(TableReader& r, FormConfig& f) {
  std::vector<std::string> raw;  // read to mark the key and report what is no string
  r.StringList("allowed_origins", &raw);
  const toml::node* node = r.table().get("allowed_origins");
  const toml::array* list = node ? node->as_array() : nullptr;
  if (!list) return;  // absent, or already reported
  for (size_t i = 0; i < list->size(); ++i) {
    const auto* entry = list->get(i)->as_string();
    if (!entry) continue;  // already reported
    std::string key = "allowed_origins[" + std::to_string(i) + "]";
    std::string origin;
    std::string why = entry->get() == "null"
                          ? "browsers send Origin: null from sandboxed pages and local files, "
                            "which are refused whatever the config says"
                          : WebOrigin(entry->get(), true, &origin);
    if (!why.empty()) {
      r.ErrorAt(entry->source().begin, key, "\"" + entry->get() + "\": " + why);
    } else if (std::find(f.allowed_origins.begin(), f.allowed_origins.end(), origin) !=
               f.allowed_origins.end()) {
      r.ErrorAt(entry->source().begin, key, "duplicate origin \"" + origin + "\"");
    } else {
      f.allowed_origins.push_back(origin);
    }
  }
}

// The form's own origin comes from server.base_url, whether or not there is
// a [form] table. Only what the server table's own check lets through (the
// scheme) is checked here.
void ReadPublicOrigin(const toml::table& root, Config& config, ConfigErrors& errors) {
  const std::string& url = config.server.base_url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return;
  std::string why = WebOrigin(url, false, &config.form.public_origin);
  if (why.empty()) return;
  const toml::node* node = root.at_path("server.base_url").node();
  errors.Add(node ? node->source().begin : root.source().begin, "server.base_url", why);
}

void ReadForm(TableReader& r, FormConfig& f, const Config& config, ConfigErrors& errors) {
  r.String("queue", &f.queue, false, 64);
  r.String("title", &f.title, false, 200);
  r.String("intro", &f.intro, false, 2000);
  r.String("submit_label", &f.submit_label, false, 100);
  r.String("thanks_title", &f.thanks_title, false, 200);
  r.String("thanks_text", &f.thanks_text, false, 2000);
  r.Bool("require_name", &f.require_name);
  r.Int("max_name_chars", &f.max_name_chars, 1, 1000);
  r.Int("max_subject_chars", &f.max_subject_chars, 1, 1000);
  r.Int("max_message_chars", &f.max_message_chars, 1, 1000000);
  r.Int("max_attachments", &f.max_attachments, 0, 100);
  r.ByteSize("max_attachment_bytes", &f.max_attachment_bytes, 1, 1024 * kMiB);
  r.Int("rate_limit", &f.rate_limit, 1, 1000000);
  r.Duration("rate_limit_window", &f.rate_limit_window, seconds(1), seconds(7 * 86400));
  ReadAllowedOrigins(r, f);
  std::vector<const toml::table*> fields = r.ArrayOfTables("field");
  r.Finish();
  if (!f.queue.empty() && !config.FindQueue(f.queue)) {
    r.Error("queue", "unknown queue \"" + f.queue + "\"");
  }
  static const char* kReserved[] = {"name", "email", "subject", "message", "attachment",
                                    "form_token", "website"};
  for (size_t i = 0; i < fields.size(); ++i) {
    TableReader fr(*fields[i], "form.field[" + std::to_string(i) + "]", errors);
    FormField field;
    fr.String("name", &field.name, true, 32);
    fr.String("label", &field.label, true, 200);
    fr.OneOf("kind", &field.kind, {"text", "textarea", "select"});
    fr.StringList("options", &field.options);
    fr.Bool("required", &field.required);
    fr.Int("max_chars", &field.max_chars, 1, 100000);
    fr.Finish();
    if (fields[i]->get("name") && !field.name.empty()) {
      if (!ValidFieldName(field.name)) {
        fr.Error("name", "\"" + field.name + "\" is not a valid field name; use 1 to 32 of a-z, 0-9 and '_'");
      }
      for (const char* reserved : kReserved) {
        if (field.name == reserved) fr.Error("name", "\"" + field.name + "\" is a built-in field of the form");
      }
      for (const FormField& other : f.fields) {
        if (other.name == field.name) fr.Error("name", "duplicate field name \"" + field.name + "\"");
      }
    }
    if (field.kind == "select" && field.options.empty()) {
      fr.Error("kind", "a select field needs options");
    }
    if (field.kind != "select" && fields[i]->get("options")) {
      fr.Error("options", "only a select field has options");
    }
    f.fields.push_back(std::move(field));
  }
}

}  // namespace

Result<Config> LoadConfigText(std::string_view text, const std::string& name) {
  ConfigErrors errors(name);
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(name));
  } catch (const toml::parse_error& e) {
    errors.Add(e.source().begin, "", e.description());
    return Status::Invalid(errors.items().front());
  }

  Config config;
  config.path = name;
  TableReader top(root, "", errors);
  if (const toml::table* t = top.Table("server")) {
    TableReader r(*t, "server", errors);
    ReadServer(r, config.server);
  }
  if (const toml::table* t = top.Table("database")) {
    TableReader r(*t, "database", errors);
    ReadDatabase(r, config);
  }
  if (const toml::table* t = top.Table("logging")) {
    TableReader r(*t, "logging", errors);
    ReadLogging(r, config.logging);
  }
  ReadLocale(top, config, errors);
  ReadQueues(top, config, errors);
  if (const toml::table* t = top.Table("form")) {
    TableReader r(*t, "form", errors);
    ReadForm(r, config.form, config, errors);
  }
  ReadPublicOrigin(root, config, errors);
  // Calendars before policies, policies before routes: each refers back.
  ReadCalendars(top, config, errors);
  ReadSlas(top, config, errors);
  ReadRoutes(top, config, errors);
  ReadEscalation(top, config, errors);
  ReadMail(top, config, errors);
  ReadMailboxes(top, config, errors);
  ReadSmtp(top, config, errors);
  ReadCsat(top, config, errors);
  if (const toml::table* t = top.Table("backup")) {
    TableReader r(*t, "backup", errors);
    r.String("dir", &config.backup.dir, false, 4096);
    r.Int("keep", &config.backup.keep, 1, 10000);
    r.Bool("before_migrate", &config.backup.before_migrate);
    r.Finish();
    if (config.backup.dir.empty()) r.Error("dir", "must not be empty");
  }
  ReadConsole(top, config, errors);
  // After the queues and the policies: both name templates.
  ReadTemplates(top, text, config, errors);
  LocalizeTemplates(config);
  top.Finish();

  if (!errors.empty()) {
    std::string all;
    for (const std::string& e : errors.items()) {
      if (!all.empty()) all += '\n';
      all += e;
    }
    return Status::Invalid(all);
  }
  return config;
}

namespace {

// The cause decides what the operator does next: a wrong path, or a file
// that only the service user (or root) may read.
Status UnreadableConfig(const std::string& path, int err) {
  std::string out = path + ": cannot read the config file: " + std::strerror(err);
  if (err == ENOENT) {
    return Status::NotFound(
        out +
        ". Check the path given by --config or $FRONTDESK_CONFIG, or start from the commented "
        "example: /usr/share/doc/frontdesk/frontdesk.example.toml when installed, "
        "config/frontdesk.example.toml in the source");
  }
  if (err == EACCES) {
    std::string me = UserName(geteuid());
    return Status::Io(
        out + " (running as " + me +
        "). Run the command as a user who may read it: the installed config is root:frontdesk, "
        "mode 0640, so as frontdesk (runuser -u frontdesk -- frontdesk ...) or as root");
  }
  return Status::Io(out);
}

}  // namespace

Result<Config> LoadConfigFile(const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnreadableConfig(path, errno != 0 ? errno : EIO);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (buf.str().size() > 4 * kMiB) return Status::Invalid(path + ": the config file is over 4 MiB");
  return LoadConfigText(buf.str(), path);
}

std::string ListenAddress::ToString() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

const QueueConfig* Config::DefaultQueue() const {
  for (const QueueConfig& q : queues)
    if (q.is_default) return &q;
  return queues.empty() ? nullptr : &queues.front();
}

const CalendarConfig* Config::FindCalendar(std::string_view name) const {
  for (const CalendarConfig& c : calendars)
    if (c.name == name) return &c;
  return nullptr;
}

const SlaPolicyConfig* Config::FindSla(std::string_view name) const {
  for (const SlaPolicyConfig& p : slas)
    if (p.name == name) return &p;
  return nullptr;
}

const MailTemplate& Config::Template(std::string_view queue, std::string_view name) const {
  if (const QueueConfig* q = FindQueue(queue)) {
    auto own = q->templates.find(name);
    if (own != q->templates.end()) return own->second;
  }
  auto it = templates.find(name);
  return it != templates.end() ? it->second : BuiltinTemplate(name);
}

const std::string& Config::LanguageOf(std::string_view queue) const {
  const QueueConfig* q = FindQueue(queue);
  return q && !q->language.empty() ? q->language : locale.language;
}

bool Config::IsConsoleAdmin(std::string_view address) const {
  return std::find(console.admins.begin(), console.admins.end(), address) != console.admins.end();
}

std::vector<std::string> Config::LeadsOf(std::string_view queue) const {
  const QueueConfig* q = FindQueue(queue);
  if (!q) return {};
  if (!q->lead.empty()) return {q->lead};
  return q->agents;
}

const QueueConfig* Config::FindQueue(std::string_view name) const {
  for (const QueueConfig& q : queues)
    if (q.name == name) return &q;
  return nullptr;
}

bool Config::IsAgent(std::string_view address) const {
  for (const QueueConfig& q : queues) {
    if (std::find(q.agents.begin(), q.agents.end(), address) != q.agents.end()) return true;
  }
  return false;
}

std::vector<std::string> FilesOthersCanRead(const Config& config) {
  std::vector<std::string> out;
  auto check = [&](const std::string& path, const std::string& what) {
    if (path.empty()) return;
    std::string w = ReadableByOthers(path, what);
    if (!w.empty()) out.push_back(w);
  };
  check(config.path, "the config file");
  check(config.smtp.password_file, "smtp.password_file");
  check(config.server.database_password_file, "database.password_file");
  for (const MailboxConfig& m : config.mailboxes) check(m.password_file, "mailbox " + m.name + " password_file");
  return out;
}

}  // namespace frontdesk
