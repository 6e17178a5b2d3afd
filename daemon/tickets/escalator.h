// escalator.h: one escalation sweep, shared by `frontdesk escalate` (cron),
// the daemon's tick and POST /api/v1/escalations/run. It reads only the
// tickets whose next_due_at has passed (an index range, so its cost follows
// the due tickets, not the open ones) and processes them in chunks, each in
// one write transaction; the levels that fire are applied through
// TicketService. Exactly-once comes from the store, not from here: several
// sweeps may run at once. Also the recompute of due times after a config
// change. After the sweep, it checks the service standards
// (standards.h), so the breaches it recorded count at once.
// Thread-safe (no state of its own).
#pragma once

#include <functional>

#include "config/config.h"
#include "daemon/sla/engine.h"
#include "daemon/store/store.h"

namespace frontdesk {

// Each level that fires is applied through TicketService.
Result<SweepReport> RunEscalations(Store& reader, const Config& config, const SlaEngine& sla, const TxnRunner& run,
                                   Timestamp now, int limit, bool dry_run);

// Recomputes the due times of every running clock with `sla`'s calendars
// (SlaEngine::Recompute), after the calendars or policies changed: a page
// of tickets per write transaction, so intake waits at most one page.
Result<RecomputeReport> RecomputeDueTimes(const SlaEngine& sla, const TxnRunner& run, Timestamp now);

}  // namespace frontdesk
