// db.h: RAII over the SQLite C API. A Db is one connection with a cache of
// prepared statements; a Stmt borrows one cached statement and resets it when
// it goes out of scope; a Txn rolls back unless Commit() ran.
// A Db is not thread-safe: give each thread its own, or guard it.
// This header is for the store only: SQL lives nowhere else.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <unordered_map>

#include "daemon/base/status.h"

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

// A statement borrowed from the Db cache. Binding indexes start at 1, column
// indexes at 0, as in SQLite.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s, sqlite3* db) : stmt_(s), db_(db) {}
  ~Stmt();
  Stmt(Stmt&& o) noexcept : stmt_(o.stmt_), db_(o.db_) { o.stmt_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int index, int64_t v);
  Stmt& Bind(int index, int v) { return Bind(index, static_cast<int64_t>(v)); }
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, std::nullopt_t);
  Stmt& Bind(int index, const std::optional<int64_t>& v);
  Stmt& Bind(int index, const std::optional<std::string>& v);
  Stmt& BindBlob(int index, std::string_view bytes);

  // Steps once: true when a row is ready, false when done.
  Result<bool> Step();
  // Steps to the end, for statements that return no rows.
  Status Run();
  // Steps to the end and returns `read(*this)` for every row.
  template <class Read>
  auto Rows(Read read) -> Result<std::vector<decltype(read(*this))>> {
    std::vector<decltype(read(*this))> out;
    for (;;) {
      Result<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return out;
      out.push_back(read(*this));
    }
  }
  // The first row read by `read`, or nothing when there is none.
  template <class Read>
  auto FirstRow(Read read) -> Result<std::optional<decltype(read(*this))>> {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<decltype(read(*this))>();
    return std::optional<decltype(read(*this))>(read(*this));
  }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const;
  // Valid until the next Step() or the end of the statement.
  std::string_view TextView(int col) const;
  std::string_view Blob(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  Status bind_error_;
};

struct DbOptions {
  std::chrono::milliseconds busy_timeout{5000};
  bool read_only = false;
  bool create = true;
};

class Db {
 public:
  // Opens or creates the file, then sets WAL, synchronous=FULL, foreign keys
  // and the busy timeout. ":memory:" works for tests.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, const DbOptions& options);

  // Runs SQL without parameters: pragmas and migrations only.
  Status Exec(std::string_view sql);
  // Returns the cached statement for this SQL text, preparing it the first
  // time. The text must be a constant: it is the cache key.
  Result<Stmt> Prepare(std::string_view sql);

  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_.get()); }
  int Changes() const { return sqlite3_changes(db_.get()); }
  sqlite3* raw() const { return db_.get(); }
  const std::string& path() const { return path_; }

 private:
  Db(SqlitePtr db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  // Statements are declared after the handle so they are finalised first.
  SqlitePtr db_;
  std::string path_;
  std::unordered_map<std::string, StmtPtr> cache_;
};

// A write transaction. BEGIN IMMEDIATE takes the write lock up front, so a
// writer waits in busy_timeout instead of failing half-way when a cron
// command and the daemon write at once.
class Txn {
 public:
  enum class Mode { kImmediate, kDeferred };
  static Result<std::unique_ptr<Txn>> Begin(Db& db, Mode mode = Mode::kImmediate);
  ~Txn();
  Status Commit();

 private:
  explicit Txn(Db& db) : db_(db) {}
  Db& db_;
  bool done_ = false;
};

}  // namespace frontdesk
