#include "daemon/base/clock.h"

#include <date/date.h>

#include <sstream>

namespace frontdesk {

Timestamp SystemClock::Now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Written digit by digit: through a stream (date::format) a time cost about
// 5,000 instructions, a tenth of an escalation sweep's client time and a
// share of every page and API answer that lists tickets.
std::string FormatRfc3339(Timestamp t) {
  const auto day = std::chrono::floor<date::days>(t);
  const date::year_month_day ymd(day);
  const int year = static_cast<int>(ymd.year());
  // Years without four digits keep the library's own form.
  if (year < 0 || year > 9999 || !ymd.ok()) return date::format("%Y-%m-%dT%H:%M:%SZ", t);
  const auto seconds = static_cast<unsigned>((t - day).count());  // 0 to 86399
  char out[20];
  auto put = [&out](size_t at, unsigned value, size_t width) {
    for (size_t i = width; i-- > 0; value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(year), 4);
  out[4] = '-';
  put(5, static_cast<unsigned>(ymd.month()), 2);
  out[7] = '-';
  put(8, static_cast<unsigned>(ymd.day()), 2);
  out[10] = 'T';
  put(11, seconds / 3600, 2);
  out[13] = ':';
  put(14, seconds / 60 % 60, 2);
  out[16] = ':';
  put(17, seconds % 60, 2);
  out[19] = 'Z';
  return std::string(out, sizeof out);
}

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
