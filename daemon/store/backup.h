// backup.h: copies of the database made with SQLite's online backup API. It
// reads one consistent snapshot while the daemon, mailgate and cron go on
// writing (WAL readers do not block writers), and a copy only counts once
// SQLite's integrity check has passed on it. Copies are single files
// (rollback journal), named frontdesk-YYYYMMDDTHHMMSSZ[-LABEL][-N].db.
// Not thread-safe; each call opens what it needs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/db.h"

namespace frontdesk {

struct BackupInfo {
  std::string path;
  int schema_version = 0;
  int64_t bytes = 0;
};

// Copies the database `source` is connected to into `dir` (created when
// missing) as frontdesk-TIME[-label].db: written to a .part file, checked,
// synced, then renamed into place.
Result<BackupInfo> WriteBackup(Db& source, const std::string& dir, Timestamp now, const std::string& label = "");

// Opens `path` read-only and runs the integrity check; the schema version
// it holds.
Result<int> VerifyBackup(const std::string& path);

// The backups in `dir`, oldest first (by when each was written).
Result<std::vector<std::string>> ListBackups(const std::string& dir);

// Removes the oldest backups in `dir` until `keep` remain; those removed.
Result<std::vector<std::string>> PruneBackups(const std::string& dir, int keep);

// Replaces the database at `db_path` with the contents of `backup`, through
// the backup API into a connection on `db_path` (so its WAL is handled).
// The caller makes sure nothing else has the database open.
Status RestoreBackup(const std::string& backup, const std::string& db_path);

// A StoreOptions::before_migrate hook: a backup labelled "pre-vN" (N the
// version it migrates to) in `dir`, before a migration touches the file.
std::function<Status(Db&, int)> BackupBeforeMigrate(std::string dir, const Clock& clock);

}  // namespace frontdesk
