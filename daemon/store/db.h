// db.h: the connection seam under the store. A Db is one connection to
// one engine (SQLite or PostgreSQL) with a cache of prepared statements; a
// Stmt borrows one cached statement and resets it when it goes out of
// scope; a Txn rolls back unless Commit() ran.
//
// The store writes its SQL once where the engines agree, with numbered
// parameters (?1, ?2, ...), and asks dialect() where they do not (upsert
// forms, full-text search, scalar max/min, planner hints).
// A Db is not thread-safe: give each thread its own, or guard it.
// This header is for the store only: SQL lives nowhere else.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"

namespace frontdesk {

enum class Engine { kSqlite, kPostgres };

// What a NULL stands in for. SQLite needs no type; PostgreSQL types a
// parameter when it prepares the statement, and cannot tell the type of a
// parameter seen only in "?1 IS NULL".
enum class NullOf { kUnknown, kInt, kText };

// One prepared statement of one engine, owned by its Db's cache.
class StmtImpl {
 public:
  virtual ~StmtImpl() = default;
  virtual void BindInt(int index, int64_t v) = 0;
  virtual void BindText(int index, std::string_view text) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  virtual void BindNull(int index, NullOf type) = 0;
  virtual Result<bool> Step() = 0;
  // Back to unexecuted, with no bindings.
  virtual void Reset() = 0;
  virtual int64_t Int(int col) const = 0;
  virtual std::string_view TextView(int col) const = 0;
  virtual std::string_view Blob(int col) const = 0;
  virtual bool IsNull(int col) const = 0;
};

// A statement borrowed from the Db cache. Binding indexes start at 1, column
// indexes at 0, as in SQLite.
class Stmt {
 public:
  explicit Stmt(StmtImpl* impl) : impl_(impl) {}
  ~Stmt() {
    if (impl_ != nullptr) impl_->Reset();
  }
  Stmt(Stmt&& o) noexcept : impl_(o.impl_) { o.impl_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int index, int64_t v) {
    impl_->BindInt(index, v);
    return *this;
  }
  Stmt& Bind(int index, int v) { return Bind(index, static_cast<int64_t>(v)); }
  Stmt& Bind(int index, std::string_view text) {
    impl_->BindText(index, text);
    return *this;
  }
  Stmt& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Stmt& Bind(int index, std::nullopt_t) {
    impl_->BindNull(index, NullOf::kUnknown);
    return *this;
  }
  Stmt& Bind(int index, const std::optional<int64_t>& v) {
    if (!v) impl_->BindNull(index, NullOf::kInt);
    return v ? Bind(index, *v) : *this;
  }
  Stmt& Bind(int index, const std::optional<std::string>& v) {
    if (!v) impl_->BindNull(index, NullOf::kText);
    return v ? Bind(index, std::string_view(*v)) : *this;
  }
  Stmt& BindBlob(int index, std::string_view bytes) {
    impl_->BindBlob(index, bytes);
    return *this;
  }

  // Steps once: true when a row is ready, false when done.
  Result<bool> Step() { return impl_->Step(); }
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

  int64_t Int(int col) const { return impl_->Int(col); }
  std::string Text(int col) const { return std::string(impl_->TextView(col)); }
  // Valid until the next Step() or the end of the statement.
  std::string_view TextView(int col) const { return impl_->TextView(col); }
  std::string_view Blob(int col) const { return impl_->Blob(col); }
  std::optional<std::string> OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  std::optional<int64_t> OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
  }
  bool IsNull(int col) const { return impl_->IsNull(col); }

 private:
  StmtImpl* impl_;
};

struct DbOptions {
  std::chrono::milliseconds busy_timeout{5000};
  bool read_only = false;
  bool create = true;
  // PostgreSQL only: the password, read from [database] password_file. An
  // empty one leaves it to the URL, ~/.pgpass or peer authentication.
  std::string password;
};

class SqliteDb;

// True for a location that names a PostgreSQL database (postgres:// or
// postgresql://); anything else is an SQLite file (sqlite:///path or a path).
bool IsPostgresUrl(std::string_view location);
// The file an SQLite location names: "sqlite:///var/x.db" is "/var/x.db".
std::string SqlitePathOf(std::string_view location);
// The location with any password in it replaced by "***", for logs and
// error messages.
std::string RedactedLocation(std::string_view location);

class Db {
 public:
  // Opens the database `location` names: an SQLite file (created when
  // missing and options.create) or a PostgreSQL server.
  static Result<std::unique_ptr<Db>> Open(const std::string& location, const DbOptions& options);

  virtual ~Db() = default;
  virtual Engine engine() const = 0;
  bool postgres() const { return engine() == Engine::kPostgres; }

  // Runs SQL without parameters: pragmas, transactions and migrations only.
  virtual Status Exec(std::string_view sql) = 0;
  // Returns the cached statement for this SQL text, preparing it the first
  // time. The text must not carry values: it is the cache key.
  virtual Result<Stmt> Prepare(std::string_view sql) = 0;
  // The rowid (SQLite) or sequence value (PostgreSQL) of the last insert
  // that made one on this connection.
  virtual int64_t LastInsertId() = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE statement.
  virtual int Changes() const = 0;
  // False once a transaction has ended, including when the engine rolled
  // it back by itself.
  virtual bool InTransaction() const = 0;
  // Starts a write transaction: the one writer at a time, as BEGIN
  // IMMEDIATE on SQLite and an advisory lock on PostgreSQL.
  virtual Status BeginWrite() = 0;
  // Starts a read-only transaction that sees one snapshot throughout.
  virtual Status BeginRead() = 0;
  // Ends the transaction; fails when the engine rolled it back instead.
  virtual Status Commit() { return Exec("COMMIT"); }
  // Where this connection points, without a password; for messages.
  const std::string& location() const { return location_; }
  // The SQLite file of this connection, or "" for PostgreSQL.
  virtual const std::string& path() const { return location_; }
  virtual SqliteDb* AsSqlite() { return nullptr; }

 protected:
  explicit Db(std::string location) : location_(std::move(location)) {}

 private:
  std::string location_;
};

// A list of ids bound as one parameter, so that a chunk of tickets is read
// in one statement: InIds gives the test of `column` against parameter
// `param`, and IdsParam the text to bind there (a PostgreSQL array, a JSON
// array for SQLite's json_each).
std::string InIds(const Db& db, std::string_view column, int param);
std::string IdsParam(const Db& db, const std::vector<int64_t>& ids);

// A transaction. A write one takes the write lock up front, so a writer
// waits in busy_timeout instead of failing half-way when a cron command and
// the daemon write at once.
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
