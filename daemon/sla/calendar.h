// calendar.h: business-time arithmetic over a CalendarConfig. Working
// windows are local wall-clock times in the calendar's IANA zone; each is
// turned into real (UTC) instants day by day, so a window that spans a DST
// change counts the hours that really passed. Everything here is a pure
// function of its arguments. A Calendar is immutable and thread-safe.
#pragma once

#include <date/tz.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/base/status.h"

namespace frontdesk {

using Interval = std::pair<Timestamp, Timestamp>;  // [first, second)

class Calendar {
 public:
  static Result<Calendar> Build(const CalendarConfig& config);

  const std::string& name() const { return config_.name; }
  const std::string& timezone() const { return config_.timezone; }
  bool IsOpen(Timestamp t) const;
  // Business seconds in [from, to); 0 when to <= from.
  int64_t BusinessSeconds(Timestamp from, Timestamp to) const;
  // The instant at which `seconds` of business time have passed since
  // `from`. Adding 0 returns `from`, even outside working hours.
  Timestamp AddBusinessSeconds(Timestamp from, int64_t seconds) const;
  // The same point of the working day `days` working days later. A time
  // outside working hours counts as the next opening. A business day is a
  // local day's windows, with a night shift's morning window counted in
  // the day the shift starts (see CarriedUntil).
  Timestamp AddWorkingDays(Timestamp from, int days) const;
  // The close of the business day `from` falls on: the end of its last
  // working window, while some of its working time is still ahead and,
  // with a cutoff (a minute from the midnight that business day starts
  // at), `from` is before it. Otherwise the close of the next day that has
  // working time. A day that holidays close in part closes where its last
  // open window ends.
  Timestamp CloseOfBusinessDay(Timestamp from, std::optional<int> cutoff_minute) const;
  // Whether the business day `from` falls on still has working time ahead
  // of it (before the opening and in a break count), so that a same-day
  // target without a cutoff closes that day.
  bool HasWorkLeftToday(Timestamp from) const;
  // Working days, then business seconds; or the close of the business day.
  Timestamp Add(Timestamp from, const SlaDuration& d) const;
  // The open intervals that overlap [from, to), clipped to it.
  std::vector<Interval> OpenIntervals(Timestamp from, Timestamp to) const;
  // The working time in [from, to) that holidays close, so an explanation
  // can tell a holiday from a night.
  int64_t HolidaySeconds(Timestamp from, Timestamp to) const;
  // "Mon 2026-03-30 09:00 CEST", for people; with seconds
  // ("09:00:08") when the instant is not on a whole minute.
  std::string FormatLocal(Timestamp t) const;

 private:
  explicit Calendar(CalendarConfig config, const date::time_zone* zone)
      : config_(std::move(config)), zone_(zone) {}
  std::vector<Interval> DayIntervals(date::local_days day, bool holidays = true) const;
  std::vector<Interval> Intervals(Timestamp from, Timestamp to, bool holidays) const;
  date::local_days LocalDay(Timestamp t) const;
  // Where the first window of `day` ends, when that window belongs to the
  // business day before (a night shift's morning).
  std::optional<Timestamp> CarriedUntil(date::local_days day) const;
  // The windows of the business day that starts on the local day `day`.
  std::vector<Interval> BusinessDay(date::local_days day) const;
  std::pair<date::local_days, std::vector<Interval>> DayOf(Timestamp from) const;

  CalendarConfig config_;
  const date::time_zone* zone_;  // owned by the tz database; null for 24x7
};

}  // namespace frontdesk
