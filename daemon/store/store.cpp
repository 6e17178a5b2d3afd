#include "daemon/store/store.h"

#include "daemon/store/schema.h"

#include <unistd.h>

namespace frontdesk {

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const StoreOptions& options) {
  DbOptions db_options;
  db_options.busy_timeout = options.busy_timeout;
  db_options.create = options.migrate;
  if (!options.migrate && path != ":memory:" && access(path.c_str(), F_OK) != 0) {
    return Status::Unavailable("database " + path +
                               " does not exist; run 'frontdesk migrate' or start 'frontdesk serve'");
  }
  Result<std::unique_ptr<Db>> db = Db::Open(path, db_options);
  if (!db.ok()) return db.status();
  if (options.migrate) {
    Result<int> version = ReadSchemaVersion(**db);
    if (!version.ok()) return version.status();
    if (options.before_migrate && *version >= 1 && *version < LatestSchemaVersion()) {
      Status s = options.before_migrate(**db, *version);
      if (!s.ok()) return s;
    }
    Result<int> applied = Migrate(**db);
    if (!applied.ok()) return applied.status();
  } else {
    Result<int> version = ReadSchemaVersion(**db);
    if (!version.ok()) return version.status();
    if (*version != LatestSchemaVersion()) {
      return Status::Unavailable("database " + path + " is at schema version " +
                                 std::to_string(*version) + ", this frontdesk needs " +
                                 std::to_string(LatestSchemaVersion()) +
                                 "; run 'frontdesk migrate'");
    }
  }
  return std::unique_ptr<Store>(new Store(std::move(*db)));
}

Result<int> Store::SchemaVersion() { return ReadSchemaVersion(*db_); }

Status Store::CheckIntegrity() {
  Result<Stmt> st = db_->Prepare("PRAGMA integrity_check");
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  std::string answer = *row ? st->Text(0) : "no answer";
  if (answer != "ok") return Status::Internal("integrity_check: " + answer);
  return Status::Ok();
}

Status Store::Optimize() {
  Status s = db_->Exec("PRAGMA analysis_limit=1000");
  if (!s.ok()) return s;
  return db_->Exec("PRAGMA optimize=0x10002");
}

Status Store::Checkpoint() { return db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

TxnRunner DirectTxnRunner(Store& store) {
  return [&store](const std::function<Status(Store&)>& job) -> Status {
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(store.db());
    if (!txn.ok()) return txn.status();
    Status s = job(store);
    if (!s.ok()) return s;
    return (*txn)->Commit();
  };
}

}  // namespace frontdesk
