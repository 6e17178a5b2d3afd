#include "daemon/store/spool_append.h"

#include <sqlite3.h>
#include <unistd.h>

#include <memory>

namespace frontdesk {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct Finalize {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

// Which of the database's files this user cannot write, for an error that
// names it; "" when all three can be written (or do not exist).
std::string ReadOnlyFile(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::string file = path + suffix;
    if (access(file.c_str(), F_OK) == 0 && access(file.c_str(), W_OK) != 0) return file;
  }
  return "";
}

}  // namespace

SpoolAppendResult AppendToSpool(const SpoolAppend& where, const std::string& raw) {
  SpoolAppendResult out;
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(where.db_path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, CloseDb> db(handle);
  auto fail = [&](SpoolAppendResult::Kind kind) {
    out.kind = kind;
    out.error = db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
    std::string file = ReadOnlyFile(where.db_path);
    if (!file.empty()) {
      out.error += "; " + file + " is not writable by this user (it may have been left read-only while the " +
                   "database was): give it the database's owner and mode";
    }
    return out;
  };
  if (rc != SQLITE_OK) return fail(SpoolAppendResult::Kind::kNotReady);
  sqlite3_busy_timeout(db.get(), static_cast<int>(where.busy_timeout_ms));
  // The daemon holds the database open and checkpoints it; a checkpoint on
  // this short-lived connection's close would only add fsyncs.
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  // The same durability as every other write: WAL is a property of the
  // file, synchronous of the connection.
  if (sqlite3_exec(db.get(), "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail(SpoolAppendResult::Kind::kTemporaryFailure);
  }
  sqlite3_stmt* raw_version = nullptr;
  if (sqlite3_prepare_v2(db.get(), "PRAGMA user_version", -1, &raw_version, nullptr) != SQLITE_OK) {
    return fail(SpoolAppendResult::Kind::kTemporaryFailure);
  }
  std::unique_ptr<sqlite3_stmt, Finalize> version(raw_version);
  rc = sqlite3_step(version.get());
  if (rc != SQLITE_ROW) return fail(SpoolAppendResult::Kind::kTemporaryFailure);
  if (sqlite3_column_int(version.get(), 0) < where.min_schema) return fail(SpoolAppendResult::Kind::kNotReady);
  version.reset();

  sqlite3_stmt* raw_insert = nullptr;
  rc = sqlite3_prepare_v2(db.get(),
                          "INSERT INTO inbound_spool(raw, source, queue, as_comment, received_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)",
                          -1, &raw_insert, nullptr);
  if (rc != SQLITE_OK) return fail(SpoolAppendResult::Kind::kTemporaryFailure);
  std::unique_ptr<sqlite3_stmt, Finalize> insert(raw_insert);
  sqlite3_bind_blob64(insert.get(), 1, raw.data(), raw.size(), SQLITE_STATIC);
  sqlite3_bind_text(insert.get(), 2, where.source.c_str(), -1, SQLITE_STATIC);
  if (where.queue) {
    sqlite3_bind_text(insert.get(), 3, where.queue->c_str(), -1, SQLITE_STATIC);
  } else {
    sqlite3_bind_null(insert.get(), 3);
  }
  sqlite3_bind_int(insert.get(), 4, where.as_comment ? 1 : 0);
  sqlite3_bind_int64(insert.get(), 5, where.received_at);
  // A single statement commits on its own (autocommit), and returns only
  // after the WAL is synced.
  rc = sqlite3_step(insert.get());
  if (rc != SQLITE_DONE) return fail(SpoolAppendResult::Kind::kTemporaryFailure);
  out.kind = SpoolAppendResult::Kind::kSpooled;
  out.id = sqlite3_last_insert_rowid(db.get());
  return out;
}

}  // namespace frontdesk
