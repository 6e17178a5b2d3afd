#include "daemon/sla/target_clock.h"

#include <algorithm>

namespace frontdesk {

TargetClock StartClock(const Calendar& cal, std::string target, int64_t cycle,
                       const SlaDuration& length, Timestamp now, bool paused) {
  TargetClock c;
  c.target = std::move(target);
  c.cycle = cycle;
  c.started_at = now;
  Timestamp due = cal.Add(now, length);
  // Measured from the first business instant, so "1d" started at night is
  // one whole working day.
  c.total_seconds = cal.BusinessSeconds(now, due);
  if (c.total_seconds <= 0) c.total_seconds = length.seconds > 0 ? length.seconds : 1;
  c.remaining_seconds = c.total_seconds;
  if (paused) {
    c.paused_since = now;
  } else {
    c.running_since = now;
    c.due_at = due;
  }
  return c;
}

int64_t Consumed(const TargetClock& c, const Calendar& cal, Timestamp now) {
  int64_t used = c.total_seconds - c.remaining_seconds;
  if (c.running_since) used += cal.BusinessSeconds(*c.running_since, now);
  return used;
}

void Pause(TargetClock& c, const Calendar& cal, Timestamp now) {
  if (!c.running_since || c.finished()) return;
  CheckBreach(c, cal, now);
  c.remaining_seconds -= cal.BusinessSeconds(*c.running_since, now);
  c.running_since.reset();
  c.paused_since = now;
  if (!c.breached_at) c.due_at.reset();
}

void Resume(TargetClock& c, const Calendar& cal, Timestamp now) {
  if (!c.paused_since || c.finished()) return;
  c.paused_seconds += (now - *c.paused_since).count();
  c.paused_since.reset();
  c.running_since = now;
  if (c.remaining_seconds > 0) c.due_at = cal.AddBusinessSeconds(now, c.remaining_seconds);
}

void Meet(TargetClock& c, const Calendar& cal, Timestamp now) {
  if (c.finished()) return;
  CheckBreach(c, cal, now);
  c.business_seconds = Consumed(c, cal, now);
  if (c.running_since) {
    c.remaining_seconds -= cal.BusinessSeconds(*c.running_since, now);
    c.running_since.reset();
  }
  if (c.paused_since) {
    c.paused_seconds += (now - *c.paused_since).count();
    c.paused_since.reset();
  }
  c.met_at = now;
}

void Reopen(TargetClock& c, const Calendar& cal, Timestamp now, bool paused) {
  if (!c.finished()) return;
  c.met_at.reset();
  c.business_seconds.reset();
  if (paused) {
    c.paused_since = now;
    return;
  }
  c.running_since = now;
  if (c.remaining_seconds > 0) c.due_at = cal.AddBusinessSeconds(now, c.remaining_seconds);
}

bool CheckBreach(TargetClock& c, const Calendar& cal, Timestamp now) {
  if (c.breached_at || c.finished() || !c.running_since) return false;
  std::optional<Timestamp> due = DueAt(c, cal);
  if (!due || *due > now) return false;
  // The breach happened when the last second of the target ran out, which
  // may be before this check.
  c.due_at = due;
  c.breached_at = due;
  return true;
}

std::optional<Timestamp> DueAt(const TargetClock& c, const Calendar& cal) {
  if (!c.running_since || c.finished()) return std::nullopt;
  int64_t left = std::max<int64_t>(c.remaining_seconds, 0);
  Timestamp due = cal.AddBusinessSeconds(*c.running_since, left);
  // A target in working days is due at an opening ("Friday 18:00 + 1d is
  // Tuesday 09:00"), and the close of the day before is the same business
  // instant. While the calendar still puts exactly the remaining business
  // time before the stored due time, that one stands: an unchanged
  // calendar moves nothing.
  if (c.due_at && *c.due_at > due && cal.BusinessSeconds(*c.running_since, *c.due_at) == left) return c.due_at;
  return due;
}

bool RefreshDue(TargetClock& c, const Calendar& cal) {
  if (c.breached_at) return false;
  std::optional<Timestamp> due = DueAt(c, cal);
  if (!due || due == c.due_at) return false;
  c.due_at = due;
  return true;
}

int64_t LevelThreshold(const TargetClock& c, const EscalationLevel& level) {
  if (level.at_percent) return (c.total_seconds * *level.at_percent + 99) / 100;
  return c.total_seconds + level.at_offset_seconds.value_or(0);
}

std::optional<Timestamp> LevelTime(const TargetClock& c, const Calendar& cal, const EscalationLevel& level) {
  if (!c.running_since || c.finished()) return std::nullopt;
  int64_t used_before = c.total_seconds - c.remaining_seconds;
  int64_t need = LevelThreshold(c, level) - used_before;
  return cal.AddBusinessSeconds(*c.running_since, std::max<int64_t>(need, 0));
}

}  // namespace frontdesk
