// sla_clock.h: the stored state of one SLA clock: one target of one ticket
// in one cycle. daemon/sla/target_clock.h runs it; the store keeps it.
// A plain value; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "daemon/base/clock.h"

namespace frontdesk {

struct TargetClock {
  std::string target;  // first_response, next_response, resolution
  int64_t cycle = 0;
  Timestamp started_at;
  int64_t total_seconds = 0;      // the target in business seconds, fixed at start
  int64_t remaining_seconds = 0;  // left as of running_since (or of the pause)
  std::optional<Timestamp> running_since;  // null while paused or finished
  std::optional<Timestamp> paused_since;
  int64_t paused_seconds = 0;  // wall-clock seconds spent paused
  std::optional<Timestamp> due_at;
  std::optional<Timestamp> met_at;
  std::optional<Timestamp> breached_at;
  std::optional<int64_t> business_seconds;  // taken to be met

  bool finished() const { return met_at.has_value(); }
};

}  // namespace frontdesk
