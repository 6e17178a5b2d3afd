#include "daemon/store/sqlite_db.h"

#include <fcntl.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "daemon/base/file_owner.h"
#include "daemon/base/unique_fd.h"
#include "daemon/store/lock_holder.h"

namespace frontdesk {

Status SqliteStatus(int rc, sqlite3* db, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: {
      const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
      if (rc == SQLITE_BUSY_SNAPSHOT) {
        msg += ": another connection wrote after this transaction began reading; run it again";
      } else if (file != nullptr && *file != '\0') {
        msg += ": " + LockedAdvice(file);
      }
      return Status::Busy(std::move(msg));
    }
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return Status::Io(std::move(msg));
    case SQLITE_CONSTRAINT:
      return Status::Conflict(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

void SqliteStmt::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteStatus(rc, db_, "bind");
}

void SqliteStmt::BindInt(int index, int64_t v) { NoteBind(sqlite3_bind_int64(stmt_.get(), index, v)); }

void SqliteStmt::BindText(int index, std::string_view text) {
  NoteBind(sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void SqliteStmt::BindNull(int index, NullOf /*type*/) { NoteBind(sqlite3_bind_null(stmt_.get(), index)); }

void SqliteStmt::BindBlob(int index, std::string_view bytes) {
  NoteBind(sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
}

void SqliteStmt::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_error_ = Status::Ok();
}

Result<bool> SqliteStmt::Step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, db_, "step");
}

std::string_view SqliteStmt::TextView(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_.get(), col);
  int n = sqlite3_column_bytes(stmt_.get(), col);
  return p ? std::string_view(reinterpret_cast<const char*>(p), n) : std::string_view();
}

std::string_view SqliteStmt::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_.get(), col);
  int n = sqlite3_column_bytes(stmt_.get(), col);
  return p ? std::string_view(static_cast<const char*>(p), n) : std::string_view();
}

namespace {

// SQLite opens a file it cannot write read-only without a word, and then
// every write fails far from the cause. This names the file at fault and
// the command that fixes it, and repairs the one case it safely can: a
// -wal or -shm of ours left read-only because the database was read-only
// when something opened it (SQLite gives them the database's mode).
Status CheckWritable(const std::string& path) {
  struct stat db {};
  if (stat(path.c_str(), &db) != 0) return Status::Ok();  // not there yet: open says so, or creates it
  std::string me = UserName(geteuid());
  auto refuse = [&](const std::string& file, const struct stat& st, const std::string& fix) {
    return Status::Io("database file " + file + " is read-only for " + me + " (mode " + ModeString(st.st_mode) +
                      ", owner " + UserName(st.st_uid) + "); nothing can be written. Fix: " + fix);
  };
  if (access(path.c_str(), W_OK) != 0) {
    return refuse(path, db, "chown " + me + ": " + path + " && chmod 0640 " + path);
  }
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return Status::Io("the directory " + dir + " is not writable by " + me + "; SQLite keeps its -wal and -shm files " +
                      "beside the database. Fix: chown " + me + ": " + dir);
  }
  for (const char* suffix : {"-wal", "-shm"}) {
    std::string file = path + suffix;
    struct stat st {};
    if (stat(file.c_str(), &st) != 0 || access(file.c_str(), W_OK) == 0) continue;
    if (st.st_uid == geteuid() && chmod(file.c_str(), db.st_mode & 0777) == 0) {
      spdlog::warn("{} was read-only, left so by a process that opened the database while it was read-only; "
                   "it now has the database's mode {}", file, ModeString(db.st_mode));
      continue;
    }
    // Never advise removing a -wal: it may hold committed transactions.
    return refuse(file, st, "chown " + me + ": " + file + " && chmod " + ModeString(db.st_mode) + " " + file);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, const DbOptions& options) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options.create) flags |= SQLITE_OPEN_CREATE;
  }
  // SQLite creates a database 0644 less the umask, and its -wal and -shm
  // with the database's mode. The database holds the signing secrets and
  // every ticket, so a new one is 0640 whatever the umask; an existing
  // file keeps the mode its owner gave it.
  if (!options.read_only && options.create && path != ":memory:" && path.rfind("file:", 0) != 0) {
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (fd) (void)fchmod(fd.get(), 0640);
  }
  bool plain_file = path != ":memory:" && path.rfind("file:", 0) != 0;
  if (!options.read_only && plain_file) {
    Status writable = CheckWritable(path);
    if (!writable.ok()) return writable;
  }
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqlitePtr handle(raw);
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, "open " + path);
  if (!options.read_only && sqlite3_db_readonly(raw, "main") == 1) {
    return Status::Io("database " + path + " could only be opened read-only (a read-only file system?); " +
                      "nothing can be written");
  }
  sqlite3_extended_result_codes(raw, 1);
  // SQLite's own busy handler backs off in steps of up to 100 ms, which
  // serialises short-lived writers (one mailgate per message) far more than
  // the lock itself does. Retry every millisecond until the timeout instead.
  static int (*const kRetry)(void*, int) = [](void* ms, int count) -> int {
    if (count >= static_cast<int>(reinterpret_cast<intptr_t>(ms))) return 0;
    usleep(1000);
    return 1;
  };
  sqlite3_busy_handler(raw, kRetry, reinterpret_cast<void*>(static_cast<intptr_t>(options.busy_timeout.count())));
  // Leaving the WAL unfolded on close (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE) was
  // measured and made one-process-per-message mailgate six times slower: the
  // next process must read the whole WAL to rebuild its index.

  std::unique_ptr<SqliteDb> db(new SqliteDb(std::move(handle), path));
  // WAL lets readers run beside the one writer; FULL makes a commit durable
  // before we acknowledge anything (promise 1).
  if (!options.read_only) {
    Status s = db->Exec("PRAGMA journal_mode=WAL");
    if (!s.ok()) return s;
  }
  for (const char* pragma : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                             "PRAGMA temp_store=MEMORY"}) {
    Status s = db->Exec(pragma);
    if (!s.ok()) return s;
  }
  return db;
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Status::Ok();
  // The statement's first line names what failed; SqliteStatus adds
  // SQLite's message once (sqlite3_exec's copy of it would repeat it).
  std::string_view what = sql.substr(0, std::min(sql.find('\n'), size_t{60}));
  return SqliteStatus(rc, db_.get(), what.empty() ? "exec" : what);
}

Result<Stmt> SqliteDb::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(rc, db_.get(), "prepare");
    it = cache_.emplace(std::string(sql), std::make_unique<SqliteStmt>(StmtPtr(raw), db_.get())).first;
  }
  return Stmt(it->second.get());
}

}  // namespace frontdesk
