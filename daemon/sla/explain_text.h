// explain_text.h: the sentences `frontdesk sla explain` prints about a
// clock: a duration as people read it, why a same-day target is due when
// it is, the closed time a clock skipped, and a stored due time that an
// older calendar computed. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "config/config.h"
#include "daemon/model/sla_clock.h"
#include "daemon/sla/calendar.h"

namespace frontdesk {

// "1d 2h 3m 4s", leaving out the parts that are zero; "0s" for zero.
std::string Human(int64_t seconds);
// Why a same_business_day clock is due at the close it is due at.
std::string SameDayReason(const Calendar& cal, const TargetClock& c, const SlaDuration& target);
// The closed stretches in [from, until) of a minute or more, the first 12,
// one line each.
std::string SkippedLines(const Calendar& cal, Timestamp from, Timestamp until);
// When the stored due time was computed under another calendar (the
// command reads a config the daemon has not loaded yet), both are shown.
std::string StaleNote(const Calendar& cal, const TargetClock& c, Timestamp due);

}  // namespace frontdesk
