#include "daemon/base/clock.h"

#include <date/date.h>

#include <sstream>

namespace frontdesk {

Timestamp SystemClock::Now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string FormatRfc3339(Timestamp t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

std::optional<Timestamp> ParseRfc3339(std::string_view text) {
  // date::parse is lenient about trailing text, so check the shape first:
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  auto digits = [&](size_t pos, size_t n) {
    if (pos + n > text.size()) return false;
    for (size_t i = pos; i < pos + n; ++i)
      if (text[i] < '0' || text[i] > '9') return false;
    return true;
  };
  if (text.size() < 20 || !digits(0, 4) || text[4] != '-' || !digits(5, 2) || text[7] != '-' ||
      !digits(8, 2) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !digits(11, 2) || text[13] != ':' || !digits(14, 2) || text[16] != ':' || !digits(17, 2)) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  std::chrono::seconds offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    if (!digits(pos + 1, 2) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(pos + 4, 2)) {
      return std::nullopt;
    }
    int hh = std::stoi(std::string(text.substr(pos + 1, 2)));
    int mm = std::stoi(std::string(text.substr(pos + 4, 2)));
    if (hh > 23 || mm > 59) return std::nullopt;
    offset = std::chrono::hours(hh) + std::chrono::minutes(mm);
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  std::string head(text.substr(0, 19));
  head[10] = 'T';
  std::istringstream in(head);
  date::sys_seconds local;
  in >> date::parse("%Y-%m-%dT%H:%M:%S", local);
  if (in.fail()) return std::nullopt;
  return local - offset;
}

}  // namespace frontdesk
