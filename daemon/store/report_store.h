// report_store.h: the facts the KPI report is made of, for one period and
// scope, read in one snapshot. Every fact comes from the tickets table and
// the per-target SLA state, so the report agrees with `sla explain`.
//
// Whole UTC hours come from the hourly cache (schema v9, kpi_hours) when it
// holds them, and everything else from the tables. The cache holds exactly
// what the tables would give, because triggers delete an hour whenever a
// write changes one of its facts; FillCache() writes the hours missing.
// A report over a year reads 8,760 small blobs instead of millions of rows.
// Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/report_facts.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct ReportScope {
  Timestamp from, to;  // [from, to)
  Timestamp now;       // for the backlog's ages
  std::optional<std::string> queue;  // the ticket's queue now
  std::optional<std::string> agent;  // the ticket's assignee now
  bool backlog = true;  // false: the facts alone (the open backlog costs a count of every open ticket)
};

enum class FactSource {
  kCacheAndTables,  // cached hours where whole in the period, tables for the rest
  kTablesOnly,      // the tables alone, to check the cache against
};

// Where the facts of one report came from.
struct FactsRead {
  int64_t cached_hours = 0;   // decoded from kpi_hours
  int64_t table_ranges = 0;   // stretches read from the tables
  int64_t damaged_hours = 0;  // cached but unreadable, read from the tables
};

struct CacheFill {
  int64_t hours = 0;  // hours written
  int64_t facts = 0;  // facts in them
};

class ReportStore {
 public:
  explicit ReportStore(Store& store) : db_(store.db()) {}

  // Hands every fact in the scope's period and scope to `sink`, and returns
  // the open backlog as of scope.now (the period does not narrow it).
  Result<std::vector<BacklogFact>> Facts(const ReportScope& scope, FactSink& sink,
                                         FactSource source = FactSource::kCacheAndTables,
                                         FactsRead* read = nullptr);

  // Caches up to `max_hours` of the hours before the one `before` falls in
  // that have no cache row, oldest first, from the first ticket on. Call it
  // inside a write transaction. Returns what it wrote; none when all is
  // cached.
  Result<CacheFill> FillCache(Timestamp before, int64_t max_hours);

  // Decodes every cached hour and deletes those that fail, so the next
  // fill writes them again. Reports already read such an hour from the
  // tables (and warn); this is the repair. Inside a write transaction.
  Result<int64_t> DropDamagedHours();

 private:
  Status ReadTables(int64_t from, int64_t to, FactSink& sink);

  Db& db_;
};

}  // namespace frontdesk
