#include "daemon/tickets/escalator.h"

#include <spdlog/spdlog.h>

#include "daemon/store/sla_store.h"
#include "daemon/tickets/standards.h"
#include "daemon/tickets/ticket_service.h"

namespace frontdesk {
namespace {
// Tickets per transaction: large enough that a run with a thousand due
// tickets costs a handful of fsyncs and statements, small enough that the
// daemon's writer is not held for long (a chunk takes about 60 ms on
// PostgreSQL over a million tickets; chunks of 500 were no faster).
constexpr size_t kChunk = 250;
// Tickets per recompute transaction: a page is three range reads and,
// when the calendars did not move anything, no write at all.
constexpr int kRecomputePage = 500;
// The breaches just recorded count in the standards' rates.
Result<SweepReport> CheckStandardsAfter(Store& reader, const Config& config, const TxnRunner& run, Timestamp now,
                                        bool dry_run, SweepReport report) {
  Result<StandardsCheck> check = CheckStandards(reader, config, run, now, dry_run);
  if (!check.ok()) return check.status();
  report.standards_fell = check->fell;
  report.standards_recovered = check->recovered;
  report.lines.insert(report.lines.end(), check->lines.begin(), check->lines.end());
  return report;
}

}  // namespace

Result<SweepReport> RunEscalations(Store& reader, const Config& config, const SlaEngine& sla, const TxnRunner& run,
                                   Timestamp now, int limit, bool dry_run) {
  SweepReport report;
  Result<std::vector<int64_t>> due = SlaStore(reader).DueTickets(now, limit);
  if (!due.ok()) return due.status();
  if (dry_run) {
    Status s = sla.SweepMany(reader, *due, now, true, &report, nullptr, nullptr);
    if (!s.ok()) return s;
    return CheckStandardsAfter(reader, config, run, now, true, report);
  }
  for (size_t start = 0; start < due->size(); start += kChunk) {
    size_t end = std::min(due->size(), start + kChunk);
    const std::vector<int64_t> ids(due->begin() + start, due->begin() + end);
    SweepReport chunk;
    Status s = run([&](Store& store) -> Status {
      chunk = SweepReport();
      return TicketService(store, config, sla).SweepDue(ids, now, &chunk);
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
  return CheckStandardsAfter(reader, config, run, now, false, report);
}

Result<RecomputeReport> RecomputeDueTimes(const SlaEngine& sla, const TxnRunner& run, Timestamp now) {
  RecomputeReport report;
  int64_t after_id = 0;
  for (;;) {
    RecomputeReport page_report;
    int64_t last_id = 0;
    Status s = run([&](Store& store) -> Status {
      page_report = RecomputeReport();
      Result<std::vector<RunningTicket>> page = SlaStore(store).RunningTickets(after_id, kRecomputePage);
      if (!page.ok()) return page.status();
      last_id = page->empty() ? 0 : page->back().id;
      return sla.Recompute(store, *page, now, &page_report);
    });
    if (!s.ok()) return s;
    if (last_id == 0) return report;
    report.tickets += page_report.tickets;
    report.moved += page_report.moved;
    report.damaged += page_report.damaged;
    after_id = last_id;
  }
}

}  // namespace frontdesk
