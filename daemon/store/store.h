// store.h: the database of state, an SQLite file or a PostgreSQL database
// (db.h). Store opens it, applies migrations and hands out the per-area
// stores (tokens, tickets, outbox, ...), which share its connection. A
// Store and everything it hands out belong to one thread at a time; open
// one Store per thread that needs the database.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/store/db.h"

namespace frontdesk {

struct StoreOptions {
  std::chrono::milliseconds busy_timeout{5000};
  // Apply missing migrations on open (serve, migrate). Other commands open
  // with this off and refuse a database that is not at the latest version.
  bool migrate = false;
  // Called before migrations change a database that has data (version 1 or
  // later); an error stops the migration. For the automatic backup.
  std::function<Status(Db&, int from_version)> before_migrate;
  // PostgreSQL only: the password from [database] password_file.
  std::string password;
};

class Store {
 public:
  // `path` is an SQLite file, sqlite:///file, or a postgres:// URL.
  static Result<std::unique_ptr<Store>> Open(const std::string& path, const StoreOptions& options);

  Db& db() { return *db_; }
  // Reads the schema version: a cheap proof that the file is readable.
  Result<int> SchemaVersion();
  // Runs PRAGMA integrity_check; ok when SQLite answers "ok". On
  // PostgreSQL, which checks its own pages, ok when the server answers.
  Status CheckIntegrity();
  // Folds the WAL back into the main file, for a clean close (SQLite only).
  Status Checkpoint();
  // Refreshes the query planner's statistics where SQLite thinks they are
  // stale, reading a bounded sample of each index so it stays fast on a big
  // file. Without statistics the planner can pick an index that walks most
  // of the table for a filter with few matches. On PostgreSQL autovacuum
  // keeps them, and this does nothing.
  Status Optimize();

 private:
  explicit Store(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  std::unique_ptr<Db> db_;
};

// A directory CreateDataDirectory made, with the mode it got (after the umask).
struct MadeDirectory {
  std::string path;
  unsigned mode = 0;
};
// Creates the directory that holds the database, `dir`, and every missing
// parent, outermost first. `dir` itself gets 0750 (it holds the database
// and its backups), a parent 0755 so that the service user can pass
// through it. Returns what it made; nothing when `dir` already exists.
Result<std::vector<MadeDirectory>> CreateDataDirectory(const std::string& dir);

// Runs a job inside one write transaction and commits it: the daemon's
// WriteQueue, or DirectTxnRunner() in a command.
using TxnRunner = std::function<Status(const std::function<Status(Store&)>&)>;
// BEGIN IMMEDIATE on `store` for each job; for commands run from cron.
TxnRunner DirectTxnRunner(Store& store);

}  // namespace frontdesk
