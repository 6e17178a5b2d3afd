#include "daemon/sla/explain_text.h"

#include <cstdio>

namespace frontdesk {

std::string SameDayReason(const Calendar& cal, const TargetClock& c, const SlaDuration& target) {
  Timestamp plain = cal.CloseOfBusinessDay(c.started_at, std::nullopt);
  if (target.cutoff_minute && cal.CloseOfBusinessDay(c.started_at, target.cutoff_minute) != plain) {
    char cutoff[16];
    std::snprintf(cutoff, sizeof cutoff, "%02d:%02d", *target.cutoff_minute / 60, *target.cutoff_minute % 60);
    return std::string("started after the ") + cutoff + " cutoff: due at the close of the next business day";
  }
  if (!cal.HasWorkLeftToday(c.started_at)) {
    return "started outside working hours: due at the close of the next business day";
  }
  return "due at the close of the business day it started on";
}

std::string Human(int64_t seconds) {
  if (seconds < 0) return "-" + Human(-seconds);
  int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60, s = seconds % 60;
  std::string out;
  if (d) out += std::to_string(d) + "d ";
  if (h) out += std::to_string(h) + "h ";
  if (m) out += std::to_string(m) + "m ";
  if (s || out.empty()) out += std::to_string(s) + "s ";
  out.pop_back();
  return out;
}

std::string SkippedLines(const Calendar& cal, Timestamp from, Timestamp until) {
  std::string out;
  Timestamp cursor = from;
  int shown = 0;
  for (const Interval& i : cal.OpenIntervals(from, until)) {
    if (i.first > cursor && (i.first - cursor).count() >= 60 && shown < 12) {
      int64_t holiday = cal.HolidaySeconds(cursor, i.first);
      const char* why = holiday == 0                             ? "outside working hours"
                        : holiday == (i.first - cursor).count() ? "holiday"
                                                                 : "outside working hours and holiday";
      out += "  skipped   " + cal.FormatLocal(cursor) + " -> " + cal.FormatLocal(i.first) + " (" + why + ")\n";
      ++shown;
    }
    cursor = i.second;
  }
  return out;
}

std::string StaleNote(const Calendar& cal, const TargetClock& c, Timestamp due) {
  if (c.due_at == due || c.breached_at) return "";
  return " (stored: " + (c.due_at ? cal.FormatLocal(*c.due_at) : std::string("none")) +
         ", from an older calendar; the daemon recomputes it when it reloads or starts)";
}

}  // namespace frontdesk
