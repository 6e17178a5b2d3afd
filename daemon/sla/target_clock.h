// target_clock.h: the SLA clock of one target of one ticket, as pure functions of
// (clock state, calendar, policy, now). A clock counts business seconds
// while it runs; a pause freezes what is left, so a resumed clock continues
// from where it stopped and never breaches the instant it resumes. The
// store keeps a TargetClock per (ticket, target, cycle). Thread-safe (no
// shared state).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/model/sla_clock.h"
#include "daemon/sla/calendar.h"

namespace frontdesk {

// Starts a clock at `now`. The target's business length is fixed here (a
// target in working days becomes the business seconds those days hold from
// `now`), so later pauses and resumes work on seconds alone.
TargetClock StartClock(const Calendar& cal, std::string target, int64_t cycle,
                       const SlaDuration& length, Timestamp now, bool paused);
// Business seconds counted so far, at `now`.
int64_t Consumed(const TargetClock& c, const Calendar& cal, Timestamp now);
void Pause(TargetClock& c, const Calendar& cal, Timestamp now);
void Resume(TargetClock& c, const Calendar& cal, Timestamp now);
// Stops the clock as met at `now`: records the business seconds it took,
// and the breach if it was late.
void Meet(TargetClock& c, const Calendar& cal, Timestamp now);
// Reopens a met clock (resolution after a reopen): it continues with what
// was left when it was met; the time in between does not count.
void Reopen(TargetClock& c, const Calendar& cal, Timestamp now, bool paused);
// Records the breach when the clock has run past its target by `now`, at
// the instant its business time ran out by the calendar as it is now (not
// at `now`, nor at a due time stored under an older calendar). Returns
// true when this call recorded it.
bool CheckBreach(TargetClock& c, const Calendar& cal, Timestamp now);

// The instant a running clock's business time runs out, by the calendar as
// it is now; nothing while it is paused or done. When the stored due_at is
// the same business instant (an opening after a closed stretch, where a
// working-days target lands), it is the stored one.
std::optional<Timestamp> DueAt(const TargetClock& c, const Calendar& cal);
// Brings a running, not yet breached clock's due_at in line with DueAt()
// after its calendar changed. Returns true when due_at moved. A breach
// already recorded is a fact and keeps its time; a paused clock keeps its
// remaining business time, and gets its due time when it resumes.
bool RefreshDue(TargetClock& c, const Calendar& cal);

// When a ladder level fires: the instant the clock's consumed business time
// reaches the level's threshold. Nothing while the clock is paused or done.
std::optional<Timestamp> LevelTime(const TargetClock& c, const Calendar& cal, const EscalationLevel& level);
// The level's threshold in consumed business seconds.
int64_t LevelThreshold(const TargetClock& c, const EscalationLevel& level);

}  // namespace frontdesk
