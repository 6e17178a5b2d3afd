// sqlite_db.h: the SQLite engine behind Db: one file, WAL, one writer at a
// time. For the store only; backup and the mailgate's spool reach the raw
// handle through it.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "daemon/store/db.h"

namespace frontdesk {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Turns an SQLite result code into a Status: BUSY and LOCKED become kBusy,
// disk and I/O errors kIo, constraint violations kConflict.
Status SqliteStatus(int rc, sqlite3* db, std::string_view what);

class SqliteStmt final : public StmtImpl {
 public:
  SqliteStmt(StmtPtr stmt, sqlite3* db) : stmt_(std::move(stmt)), db_(db) {}
  void BindInt(int index, int64_t v) override;
  void BindText(int index, std::string_view text) override;
  void BindBlob(int index, std::string_view bytes) override;
  void BindNull(int index, NullOf type) override;
  Result<bool> Step() override;
  void Reset() override;
  int64_t Int(int col) const override { return sqlite3_column_int64(stmt_.get(), col); }
  std::string_view TextView(int col) const override;
  std::string_view Blob(int col) const override;
  bool IsNull(int col) const override { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

 private:
  void NoteBind(int rc);
  StmtPtr stmt_;
  sqlite3* db_;
  Status bind_error_;
};

class SqliteDb final : public Db {
 public:
  // Opens or creates the file, then sets WAL, synchronous=FULL, foreign keys
  // and the busy timeout. ":memory:" works for tests.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, const DbOptions& options);

  Engine engine() const override { return Engine::kSqlite; }
  Status Exec(std::string_view sql) override;
  Result<Stmt> Prepare(std::string_view sql) override;
  int64_t LastInsertId() override { return sqlite3_last_insert_rowid(db_.get()); }
  int Changes() const override { return sqlite3_changes(db_.get()); }
  bool InTransaction() const override { return sqlite3_get_autocommit(db_.get()) == 0; }
  Status BeginWrite() override { return Exec("BEGIN IMMEDIATE"); }
  Status BeginRead() override { return Exec("BEGIN DEFERRED"); }
  SqliteDb* AsSqlite() override { return this; }
  sqlite3* raw() const { return db_.get(); }

 private:
  SqliteDb(SqlitePtr db, std::string path) : Db(std::move(path)), db_(std::move(db)) {}

  // Statements are declared after the handle so they are finalised first.
  SqlitePtr db_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStmt>> cache_;
};

}  // namespace frontdesk
