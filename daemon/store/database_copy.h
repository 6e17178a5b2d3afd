// database_copy.h: moves an SQLite installation into PostgreSQL
// (`frontdesk migrate-db`). Every row of every table is copied as it is,
// with its id; the search index is rebuilt from the messages; each id
// sequence is set past the highest id copied, so the next ticket gets the
// number SQLite would have given it. All of it is one transaction on the
// target: a copy that fails leaves the target as empty as it was.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "daemon/store/db.h"

namespace frontdesk {

struct TableCount {
  std::string table;
  int64_t source = 0;  // rows in the SQLite file
  int64_t target = 0;  // rows in PostgreSQL after the copy
};

struct CopyReport {
  int schema_version = 0;
  std::vector<TableCount> tables;
  int64_t indexed_messages = 0;
  int64_t next_ticket = 0;  // the number the next ticket gets
};

// Copies `from` (SQLite, at the latest schema version, held with its write
// lock so that nothing writes during the copy) into `to` (PostgreSQL, at
// the latest schema version, every table empty). `progress` hears each
// table as it is done.
Result<CopyReport> CopyDatabase(Db& from, Db& to,
                                const std::function<void(const TableCount&)>& progress);

// Gathers the planner's statistics and the visibility map for the copy
// `to` now holds; run after its commit, outside any transaction.
Status AnalyzeCopy(Db& to);

}  // namespace frontdesk
