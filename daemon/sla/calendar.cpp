#include "daemon/sla/calendar.h"

#include <algorithm>

namespace frontdesk {
namespace {

// How far a search for open time may run before it gives up: a calendar
// whose holidays close every window must not loop forever.
constexpr int kMaxDays = 3700;
const Timestamp kNever = FromUnix(253402300799);  // 9999-12-31T23:59:59Z

}  // namespace

Result<Calendar> Calendar::Build(const CalendarConfig& config) {
  if (config.always_open) return Calendar(config, nullptr);
  try {
    return Calendar(config, date::locate_zone(config.timezone));
  } catch (const std::exception& e) {
    return Status::Invalid("calendar " + config.name + ": unknown time zone \"" + config.timezone + "\"");
  }
}

date::local_days Calendar::LocalDay(Timestamp t) const {
  return date::floor<date::days>(zone_->to_local(t));
}

std::vector<Interval> Calendar::DayIntervals(date::local_days day, bool holidays) const {
  unsigned iso = date::weekday(day).iso_encoding();  // 1 = Monday
  std::vector<TimeWindow> windows = config_.week[iso - 1];
  date::year_month_day ymd(day);
  for (const Closure& c : config_.holidays) {
    if (!holidays) break;
    if (static_cast<int>(ymd.year()) != c.year || static_cast<unsigned>(ymd.month()) != static_cast<unsigned>(c.month) ||
        static_cast<unsigned>(ymd.day()) != static_cast<unsigned>(c.day)) {
      continue;
    }
    std::vector<TimeWindow> left;
    for (const TimeWindow& w : windows) {
      if (c.window.end_minute <= w.start_minute || c.window.start_minute >= w.end_minute) {
        left.push_back(w);
        continue;
      }
      if (w.start_minute < c.window.start_minute) left.push_back({w.start_minute, c.window.start_minute});
      if (c.window.end_minute < w.end_minute) left.push_back({c.window.end_minute, w.end_minute});
    }
    windows = left;
  }
  std::vector<Interval> out;
  for (const TimeWindow& w : windows) {
    // A start inside a DST gap moves to the end of the gap; an end inside a
    // repeated hour takes the later one, so the window keeps all its time.
    Timestamp start = date::floor<std::chrono::seconds>(
        zone_->to_sys(day + std::chrono::minutes(w.start_minute), date::choose::earliest));
    Timestamp end = date::floor<std::chrono::seconds>(
        zone_->to_sys(day + std::chrono::minutes(w.end_minute), date::choose::latest));
    if (start < end) out.emplace_back(start, end);
  }
  return out;
}

bool Calendar::IsOpen(Timestamp t) const {
  if (!zone_) return true;
  date::local_days d = LocalDay(t);
  for (date::local_days day : {d - date::days(1), d}) {
    for (const Interval& i : DayIntervals(day))
      if (i.first <= t && t < i.second) return true;
  }
  return false;
}

std::vector<Interval> Calendar::OpenIntervals(Timestamp from, Timestamp to) const {
  return Intervals(from, to, true);
}

int64_t Calendar::HolidaySeconds(Timestamp from, Timestamp to) const {
  int64_t closed = 0;
  for (const Interval& i : Intervals(from, to, false)) closed += (i.second - i.first).count();
  return closed - BusinessSeconds(from, to);
}

std::vector<Interval> Calendar::Intervals(Timestamp from, Timestamp to, bool holidays) const {
  std::vector<Interval> out;
  if (to <= from) return out;
  if (!zone_) {
    out.emplace_back(from, to);
    return out;
  }
  date::local_days last = LocalDay(to);
  for (date::local_days day = LocalDay(from) - date::days(1); day <= last; day += date::days(1)) {
    for (const Interval& i : DayIntervals(day, holidays)) {
      Timestamp a = std::max(i.first, from), b = std::min(i.second, to);
      if (a < b) out.emplace_back(a, b);
    }
  }
  return out;
}

int64_t Calendar::BusinessSeconds(Timestamp from, Timestamp to) const {
  if (to <= from) return 0;
  if (!zone_) return (to - from).count();
  int64_t total = 0;
  for (const Interval& i : OpenIntervals(from, to)) total += (i.second - i.first).count();
  return total;
}

Timestamp Calendar::AddBusinessSeconds(Timestamp from, int64_t seconds) const {
  if (seconds <= 0) return from;
  if (!zone_) return from + std::chrono::seconds(seconds);
  date::local_days day = LocalDay(from) - date::days(1);
  for (int n = 0; n < kMaxDays; ++n, day += date::days(1)) {
    for (const Interval& i : DayIntervals(day)) {
      if (i.second <= from) continue;
      Timestamp start = std::max(i.first, from);
      int64_t avail = (i.second - start).count();
      if (seconds <= avail) return start + std::chrono::seconds(seconds);
      seconds -= avail;
    }
  }
  return kNever;
}

// A night shift is written as two windows, "22:00-24:00" on one day and
// "00:00-06:00" on the next (a window cannot cross midnight). For working
// days and the close of a day the two are one business day, the day the
// shift starts: Monday 23:00 + 1d is Tuesday 23:00, and the close of
// Monday's business day is Tuesday 06:00. The windows' layout says which
// is a night shift: an evening window (touching windows joined) that
// starts at noon or later and runs to midnight, and a morning window that
// starts at midnight and ends by noon. Days open around the clock, or
// around the clock but for a break (00:00-03:00 and 04:00-24:00), stay
// days of their own.
std::optional<Timestamp> Calendar::CarriedUntil(date::local_days day) const {
  constexpr int kNoon = 12 * 60;
  unsigned iso = date::weekday(day).iso_encoding();  // 1 = Monday
  const std::vector<TimeWindow>& today = config_.week[iso - 1];
  const std::vector<TimeWindow>& before = config_.week[(iso + 5) % 7];
  if (today.empty() || before.empty()) return std::nullopt;
  // The morning: from midnight, through any windows touching it.
  size_t i = 0;
  int morning_end = 0;
  while (i < today.size() && today[i].start_minute == morning_end) morning_end = today[i++].end_minute;
  if (morning_end == 0 || morning_end > kNoon) return std::nullopt;
  // The evening before: to midnight, back through any windows touching it.
  size_t j = before.size();
  int evening_start = 1440;
  while (j > 0 && before[j - 1].end_minute == evening_start) evening_start = before[--j].start_minute;
  if (evening_start == 1440 || evening_start < kNoon) return std::nullopt;
  return date::floor<std::chrono::seconds>(
      zone_->to_sys(day + std::chrono::minutes(morning_end), date::choose::latest));
}

std::vector<Interval> Calendar::BusinessDay(date::local_days day) const {
  std::vector<Interval> out;
  std::optional<Timestamp> given_away = CarriedUntil(day);
  for (const Interval& i : DayIntervals(day)) {
    if (!given_away || i.first >= *given_away) out.push_back(i);
  }
  if (std::optional<Timestamp> taken = CarriedUntil(day + date::days(1))) {
    for (const Interval& i : DayIntervals(day + date::days(1))) {
      if (i.first < *taken) out.push_back(i);
    }
  }
  return out;
}

// The business day `from` belongs to while it still has working time ahead:
// the one before, when its shift runs on past midnight and is not over;
// otherwise the local day of `from`. Its intervals may all lie behind.
std::pair<date::local_days, std::vector<Interval>> Calendar::DayOf(Timestamp from) const {
  date::local_days day = LocalDay(from) - date::days(1);
  std::vector<Interval> iv = BusinessDay(day);
  if (!iv.empty() && iv.back().second > from) return {day, iv};
  day += date::days(1);
  return {day, BusinessDay(day)};
}

Timestamp Calendar::AddWorkingDays(Timestamp from, int days) const {
  if (days <= 0) return from;
  if (!zone_) return from + std::chrono::hours(24 * days);
  // Find the working day that `from` belongs to, and how far into it it is.
  auto [day, iv] = DayOf(from);
  for (int n = 0; n < kMaxDays && (iv.empty() || iv.back().second <= from); ++n) {
    day += date::days(1);
    iv = BusinessDay(day);
  }
  if (iv.empty() || iv.back().second <= from) return kNever;
  int64_t offset = 0;
  for (const Interval& i : iv) {
    if (i.second <= from) offset += (i.second - i.first).count();
    else if (i.first < from) offset += (from - i.first).count();
  }
  // Then the same offset into the day `days` working days later.
  int left = days;
  for (int n = 0; n < kMaxDays; ++n) {
    day += date::days(1);
    iv = BusinessDay(day);
    if (iv.empty()) continue;
    if (--left > 0) continue;
    int64_t length = 0;
    for (const Interval& i : iv) length += (i.second - i.first).count();
    if (offset >= length) return iv.back().second;
    return AddBusinessSeconds(iv.front().first, offset);
  }
  return kNever;
}

bool Calendar::HasWorkLeftToday(Timestamp from) const {
  if (!zone_) return true;
  std::vector<Interval> iv = DayOf(from).second;
  return !iv.empty() && iv.back().second > from;
}

Timestamp Calendar::CloseOfBusinessDay(Timestamp from, std::optional<int> cutoff_minute) const {
  if (!zone_) {
    // Always open, in UTC: the day ends at midnight.
    auto day = std::chrono::floor<date::days>(from);
    bool late = cutoff_minute && (from - day) >= std::chrono::minutes(*cutoff_minute);
    return day + date::days(late ? 2 : 1);
  }
  auto [day, iv] = DayOf(from);
  // The cutoff counts from the midnight the business day starts at, so on
  // a night shift 02:00 is later than a 23:00 cutoff.
  auto local = date::make_zoned(zone_, from).get_local_time();
  bool late = cutoff_minute && (local - day) >= std::chrono::minutes(*cutoff_minute);
  // Today, while some of its working time is still ahead (before the
  // opening, or in a break, counts) and the cutoff has not passed.
  if (!late && !iv.empty() && iv.back().second > from) return iv.back().second;
  for (int n = 0; n < kMaxDays; ++n) {
    day += date::days(1);
    iv = BusinessDay(day);
    if (!iv.empty()) return iv.back().second;
  }
  return kNever;
}

Timestamp Calendar::Add(Timestamp from, const SlaDuration& d) const {
  if (d.same_business_day) return CloseOfBusinessDay(from, d.cutoff_minute);
  return AddBusinessSeconds(AddWorkingDays(from, d.days), d.seconds);
}

// Seconds only when there are some: windows and most targets are whole
// minutes, so "09:00" reads best; but a "90m" target started at 17:24:08
// is due at 18:54:08, and printing "18:54" would make a clock that has not
// run out yet look breached for most of a minute.
std::string Calendar::FormatLocal(Timestamp t) const {
  bool whole_minute = ToUnix(t) % 60 == 0;
  if (!zone_) return date::format(whole_minute ? "%Y-%m-%d %H:%M UTC" : "%Y-%m-%d %H:%M:%S UTC", t);
  return date::format(whole_minute ? "%a %Y-%m-%d %H:%M %Z" : "%a %Y-%m-%d %H:%M:%S %Z", date::make_zoned(zone_, t));
}

}  // namespace frontdesk
