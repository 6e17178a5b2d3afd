// policy_loader.h: reads the routing and SLA sections of the config:
// [calendar.NAME], [[sla]] (with [[sla.escalation]]), [[route]] and
// [escalation]. Errors are added to the shared ConfigErrors, with places.
// Used only by the loader; not thread-safe.
#pragma once

#include <toml++/toml.h>

#include "config/config.h"
#include "config/table_reader.h"
#include "daemon/base/status.h"

namespace frontdesk {

inline constexpr std::string_view kSameBusinessDay = "same_business_day";

// "2d", "4h", "1d 4h", "90m": d counts working days of the calendar, the
// rest business time; or "same_business_day".
Result<SlaDuration> ParseSlaDuration(std::string_view text);
// A policy's `cutoff`, "15:00", as a minute of the day.
Result<int> ParseCutoff(std::string_view text);
// Gives the policy's cutoff to each of its same_business_day targets.
void ApplyCutoff(SlaPolicyConfig& policy);
// "75%", "-30m", "+2h": when an escalation level fires.
Status ParseLevelAt(const std::string& at, EscalationLevel* level);
// "09:00-17:30"; the end may be "24:00". A window cannot cross midnight:
// "22:00-06:00" is refused, and the error names the two windows that mean
// the same ("22:00-24:00" on one day, "00:00-06:00" on the next).
Result<TimeWindow> ParseTimeWindow(std::string_view text);

void ReadCalendars(TableReader& root, Config& config, ConfigErrors& errors);
void ReadSlas(TableReader& root, Config& config, ConfigErrors& errors);
void ReadRoutes(TableReader& root, Config& config, ConfigErrors& errors);
void ReadEscalation(TableReader& root, Config& config, ConfigErrors& errors);

}  // namespace frontdesk
