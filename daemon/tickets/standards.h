// standards.h: service standards, judged. A standard says what share of a
// policy's target should be met in time ("90% of first responses"); it is
// judged per queue over a rolling period, from the same facts as the KPI
// report (ReportStore), so a report over that period and queue shows the
// same figures. When a queue's rate falls below a standard, its lead (else
// its agents) is told once: an event, a mail listing the tickets that
// missed the target, and a row in standard_state. Again only after the rate
// has recovered and fallen again. docs/METRICS.md has the definition.
// Thread-safe (no state of its own).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/store/standard_store.h"
#include "daemon/store/store.h"

namespace frontdesk {

// A rate beside its standard. `percent` and `by` (percent - standard, in
// points) are none when no target was decided.
struct StandardVerdict {
  std::optional<double> percent, by;
  bool below = false;  // decided some, and met fewer than the standard asks
  const char* word = "none";  // "met", "below" or "none"
};
StandardVerdict JudgeStandard(int64_t met, int64_t decided, double standard);

// One queue's rolling rate for one standard.
struct StandardReading {
  StandardKey key;
  ServiceStandard standard;
  Timestamp from, to;  // [from, to): the period up to now, its last second included
  int64_t met = 0, decided = 0;
  // Tickets whose target was missed in the period, in the order they
  // breached, with when.
  std::vector<std::pair<int64_t, Timestamp>> missed;
  StandardVerdict verdict() const { return JudgeStandard(met, decided, standard.percent); }
};

// Every standard of every policy, in every queue of the config, as of now.
Result<std::vector<StandardReading>> ReadStandards(Store& reader, const Config& config, Timestamp now);

struct StandardsCheck {
  int fell = 0, recovered = 0;
  std::vector<std::string> lines;  // what happened, or would (dry run)
};

// Compares every reading with its state: tells of each new fall, records
// each recovery. Safe beside other checks (the store decides who tells).
Result<StandardsCheck> CheckStandards(Store& reader, const Config& config, const TxnRunner& run, Timestamp now,
                                      bool dry_run);

}  // namespace frontdesk
