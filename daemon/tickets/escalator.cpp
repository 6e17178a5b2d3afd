#include "daemon/tickets/escalator.h"

#include <spdlog/spdlog.h>

#include "daemon/store/sla_store.h"
#include "daemon/tickets/ticket_service.h"

namespace frontdesk {
namespace {
// Tickets per transaction: large enough that a run with a thousand due
// tickets costs a handful of fsyncs, small enough that the daemon's writer
// is not held for long.
constexpr size_t kChunk = 250;
}  // namespace

Result<SweepReport> RunEscalations(Store& reader, const Config& config, const SlaEngine& sla, const TxnRunner& run,
                                   Timestamp now, int limit, bool dry_run) {
  SweepReport report;
  Result<std::vector<int64_t>> due = SlaStore(reader).DueTickets(now, limit);
  if (!due.ok()) return due.status();
  if (dry_run) {
    for (int64_t id : *due) {
      Status s = sla.Sweep(reader, id, now, true, &report, [](const EscalationAction&) { return Status::Ok(); });
      if (!s.ok()) return s;
    }
    return report;
  }
  for (size_t start = 0; start < due->size(); start += kChunk) {
    size_t end = std::min(due->size(), start + kChunk);
    SweepReport chunk;
    Status s = run([&](Store& store) -> Status {
      chunk = SweepReport();
      TicketService service(store, config, sla);
      auto fire = [&](const EscalationAction& a) { return service.Escalate(a, now); };
      for (size_t i = start; i < end; ++i) {
        Status t = sla.Sweep(store, (*due)[i], now, false, &chunk, fire);
        if (!t.ok()) return t;
      }
      return Status::Ok();
    });
    if (!s.ok()) {
      spdlog::error("escalation sweep: tickets {}..{} not processed: {}", (*due)[start], (*due)[end - 1], s.ToString());
      return s;
    }
    report.tickets += chunk.tickets;
    report.breaches += chunk.breaches;
    report.levels_fired += chunk.levels_fired;
    report.lines.insert(report.lines.end(), chunk.lines.begin(), chunk.lines.end());
  }
  return report;
}

}  // namespace frontdesk
