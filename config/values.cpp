#include "config/values.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <vector>

namespace frontdesk {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of digits into *out; false on overflow or no digits.
bool ReadNumber(std::string_view text, size_t* pos, int64_t* out) {
  size_t start = *pos;
  int64_t v = 0;
  while (*pos < text.size() && IsDigit(text[*pos])) {
    int d = text[*pos] - '0';
    if (v > (std::numeric_limits<int64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
    ++*pos;
  }
  *out = v;
  return *pos > start;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  const Status bad = Status::Invalid("expected a duration such as \"30m\", \"4h\" or \"3d 2h\", got \"" +
                                     std::string(text) + "\"");
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {
      {"w", 7 * 86400000LL}, {"d", 86400000LL}, {"h", 3600000LL},
      {"m", 60000LL},        {"s", 1000LL},     {"ms", 1LL},
  };
  size_t pos = 0;
  int64_t total = 0;
  int last_unit = -1;
  bool any = false;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    int64_t n = 0;
    if (!ReadNumber(text, &pos, &n)) return bad;
    size_t ustart = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view uname = text.substr(ustart, pos - ustart);
    int idx = -1;
    for (int i = 0; i < static_cast<int>(std::size(kUnits)); ++i)
      if (kUnits[i].name == uname) idx = i;
    if (idx < 0 || idx <= last_unit) return bad;
    last_unit = idx;
    if (n > std::numeric_limits<int64_t>::max() / kUnits[idx].ms) return bad;
    total += n * kUnits[idx].ms;
    if (total < 0) return bad;
    any = true;
  }
  if (!any) return bad;
  return std::chrono::milliseconds(total);
}

Result<int64_t> ParseByteSize(std::string_view text) {
  const Status bad = Status::Invalid("expected a size such as \"512KiB\", \"10MiB\" or a number of bytes, got \"" +
                                     std::string(text) + "\"");
  size_t pos = 0;
  int64_t n = 0;
  if (!ReadNumber(text, &pos, &n)) return bad;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  std::string_view unit = text.substr(pos);
  int64_t mult = 0;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KiB") mult = 1024;
  else if (unit == "MiB") mult = 1024 * 1024;
  else if (unit == "GiB") mult = 1024LL * 1024 * 1024;
  else if (unit == "KB" || unit == "kB") mult = 1000;
  else if (unit == "MB") mult = 1000 * 1000;
  else if (unit == "GB") mult = 1000LL * 1000 * 1000;
  else return bad;
  if (n > std::numeric_limits<int64_t>::max() / mult) return bad;
  return n * mult;
}

Result<std::string> ParseMailAddress(std::string_view text) {
  auto bad = [&](std::string why) {
    return Status::Invalid("invalid mail address \"" + std::string(text) + "\": " + why);
  };
  if (text.empty()) return bad("it is empty");
  if (text.size() > 254) return bad("longer than 254 characters");
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) return bad("it contains white space or a control character");
    if (c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' || c == '"' ||
        c == '\\' || c == '[' || c == ']') {
      return bad("it contains '" + std::string(1, static_cast<char>(c)) +
                 "'; give the bare address, as in user@example.com");
    }
  }
  size_t at = text.rfind('@');
  if (at == std::string_view::npos) return bad("it has no '@'");
  std::string_view local = text.substr(0, at);
  std::string_view domain = text.substr(at + 1);
  if (local.empty() || local.size() > 64) return bad("the part before '@' must be 1 to 64 characters");
  if (local.find('@') != std::string_view::npos) return bad("it has more than one '@'");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return bad("the part before '@' has a misplaced dot");
  if (domain.empty()) return bad("the domain is empty");
  // Domain labels: letters, digits, hyphens (and UTF-8 for IDN), no empty label.
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return bad("the domain has an empty or overlong label");
    if (label.front() == '-' || label.back() == '-') return bad("a domain label starts or ends with '-'");
    for (unsigned char c : label) {
      if (!(std::isalnum(c) || c == '-' || c >= 0x80)) return bad("the domain contains '" + std::string(1, static_cast<char>(c)) + "'");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // Mail systems treat the local part case-insensitively in practice, and a
  // helpdesk must not split one customer into two by case.
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const Status bad = Status::Invalid("expected HOST:PORT with an IP address, such as \"127.0.0.1:8080\" or \"[::1]:8081\", got \"" +
                                     std::string(text) + "\"");
  ListenAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return bad;
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
    in6_addr a6;
    if (inet_pton(AF_INET6, out.host.c_str(), &a6) != 1) return bad;
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad;
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    in_addr a4;
    if (inet_pton(AF_INET, out.host.c_str(), &a4) != 1) return bad;
  }
  size_t pos = 0;
  int64_t port = 0;
  if (!ReadNumber(port_text, &pos, &port) || pos != port_text.size() || port < 1 || port > 65535)
    return bad;
  out.port = static_cast<int>(port);
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

bool IsLoopbackHost(std::string_view host) {
  return host == "::1" || host == "localhost" || host.substr(0, 4) == "127.";
}

Result<std::string> ResolveConfigPath(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  if (env && *env) return std::string(env);
  for (const char* candidate : {"./frontdesk.toml", "/etc/frontdesk/frontdesk.toml"}) {
    if (access(candidate, F_OK) == 0) return std::string(candidate);
  }
  return Status::NotFound(
      "no config file: pass --config PATH, set FRONTDESK_CONFIG, or create ./frontdesk.toml "
      "or /etc/frontdesk/frontdesk.toml");
}

std::string DirectoryOf(const std::string& file) {
  size_t slash = file.rfind('/');
  return slash == std::string::npos ? "." : file.substr(0, slash == 0 ? 1 : slash);
}

bool ServerConfig::DatabaseIsPostgres() const {
  return database_url.rfind("postgres://", 0) == 0 || database_url.rfind("postgresql://", 0) == 0;
}

std::string ServerConfig::DatabasePath() const {
  if (DatabaseIsPostgres()) return database_url;
  if (database_url.rfind("sqlite://", 0) == 0) {
    std::string file = database_url.substr(9);
    return !file.empty() && file.front() == '/' ? file : data_dir + "/" + file;
  }
  if (!database.empty() && database.front() == '/') return database;
  if (database == ":memory:") return database;
  return data_dir + "/" + database;
}

std::string ServerConfig::PathIn(const std::string& dir) const {
  if (!dir.empty() && dir.front() == '/') return dir;
  return data_dir + "/" + dir;
}

}  // namespace frontdesk
