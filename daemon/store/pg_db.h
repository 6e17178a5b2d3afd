// pg_db.h: the PostgreSQL engine behind Db, over libpq. The store's SQL is
// written with SQLite's numbered parameters (?1); a statement is rewritten to
// PostgreSQL's ($1) and prepared on the server the first time it runs, typed
// from the values bound to it then. Results are fetched whole, in text
// form, except for a statement that returns bytea: it asks for binary
// results from its second run on, so the bytes come as they are, not as hex.
//
// The connection follows a failover by itself: when the server is gone
// (a crash, a promoted standby, a restart), the next statement outside a
// transaction reconnects with the same conninfo, so a multi-host URL with
// target_session_attrs=read-write finds the new primary. A transaction that
// was open when the server went away fails as kUnavailable, to be retried.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/store/db.h"

namespace frontdesk {

struct PgConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultCloser>;

// Rewrites ?N to $N and a bare ? to the next number, outside quotes and
// comments; `params` gets the highest number used.
std::string PgPlaceholders(std::string_view sql, int* params);

class PgDb;

class PgStmt final : public StmtImpl {
 public:
  PgStmt(PgDb& db, std::string name, std::string sql, int params);
  void BindInt(int index, int64_t v) override;
  void BindText(int index, std::string_view text) override;
  void BindBlob(int index, std::string_view bytes) override;
  void BindNull(int index, NullOf type) override;
  Result<bool> Step() override;
  void Reset() override;
  int64_t Int(int col) const override;
  std::string_view TextView(int col) const override;
  std::string_view Blob(int col) const override;
  bool IsNull(int col) const override;

 private:
  enum class Kind { kNull, kNullInt, kNullText, kInt, kText, kBlob };
  Status Execute();
  Status PrepareOnServer();
  static bool WantsBinary(const PGresult* r);
  void Set(int index, Kind kind, std::string value);

  PgDb& db_;
  std::string name_;
  std::string sql_;
  int params_;
  uint64_t prepared_in_ = 0;  // the connection generation it was prepared in; 0: not yet
  std::vector<Kind> kinds_;
  std::vector<std::string> values_;
  Status bind_error_;
  PgResultPtr result_;
  bool executed_ = false;
  bool result_types_known_ = false;
  bool binary_results_ = false;  // results in binary form (WantsBinary)
  int row_ = -1;
  mutable std::vector<std::string> decoded_;
  mutable std::vector<int> decoded_row_;
};

class PgDb final : public Db {
 public:
  // Connects to the server `url` names (a postgres:// URL, hosts may be a
  // list). Fails as kUnavailable when no server answers.
  static Result<std::unique_ptr<PgDb>> Open(const std::string& url, const DbOptions& options);

  Engine engine() const override { return Engine::kPostgres; }
  Status Exec(std::string_view sql) override;
  Result<Stmt> Prepare(std::string_view sql) override;
  int64_t LastInsertId() override;
  int Changes() const override { return changes_; }
  bool InTransaction() const override;
  Status BeginWrite() override;
  Status BeginRead() override;
  Status Commit() override;

  // Turns a failed result (or a lost connection when `result` is null) into
  // a Status: unique and foreign key violations become kConflict, a
  // serialization failure, a deadlock or a lock timeout kBusy, a lost or
  // read-only server kUnavailable, a full disk kIo.
  Status ResultStatus(const PGresult* result, std::string_view what);

  // The connection, after reconnecting when it was lost outside a
  // transaction. Null when the server still cannot be reached.
  PGconn* Live(Status* why);
  uint64_t generation() const { return generation_; }
  void NoteChanges(const PGresult* result);

 private:
  PgDb(std::string url, std::string redacted, const DbOptions& options);
  Status Connect();

  std::string url_;
  DbOptions options_;
  PgConnPtr conn_;
  uint64_t generation_ = 0;
  int changes_ = 0;
  int next_name_ = 0;
  std::unordered_map<std::string, std::unique_ptr<PgStmt>> cache_;
};

}  // namespace frontdesk
