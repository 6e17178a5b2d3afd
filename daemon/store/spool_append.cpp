#include "daemon/store/spool_append.h"

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "daemon/store/lock_holder.h"

namespace frontdesk {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct Finalize {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

// SQLite's own handler (sqlite3_busy_timeout) sleeps 1, 2, 5, 10, 15, 20,
// 25, 25, 25, 50, 50 and then 100 ms between tries, so a mailgate that finds
// the daemon filing a chunk slept on for tens of milliseconds after the lock
// was free, and at four at a time the queue behind it grew. Tries every
// 200 us instead take the lock within a fraction of a millisecond of its
// release; a try is a few lock calls on the -shm file.
struct BusyWait {
  std::chrono::steady_clock::time_point deadline;
};

int RetryUntilDeadline(void* arg, int /*tries*/) {
  if (std::chrono::steady_clock::now() >= static_cast<BusyWait*>(arg)->deadline) return 0;
  usleep(200);
  return 1;
}

// The WAL's size, in frames, past which a mailgate that is the last
// connection to close folds it into the database (AppendToSpool). About 60
// messages of 8 KB; SQLite's own autocheckpoint is at 1,000.
constexpr int kFoldFrames = 256;

// Replaces the autocheckpoint (which would sync while this connection's
// frames may be unsynced) and keeps the WAL's size for the close.
int NoteWalFrames(void* frames, sqlite3* /*db*/, const char* /*schema*/, int wal_frames) {
  *static_cast<int*>(frames) = wal_frames;
  return SQLITE_OK;
}

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
  // Declared before the connection, which may use it until it is closed.
  BusyWait wait{std::chrono::steady_clock::now() + std::chrono::milliseconds(where.busy_timeout_ms)};
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(where.db_path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, CloseDb> db(handle);
  auto fail = [&](SpoolAppendResult::Kind kind) {
    out.kind = kind;
    int code = db ? sqlite3_errcode(db.get()) : rc;
    if ((code & 0xff) == SQLITE_BUSY && code != SQLITE_BUSY_SNAPSHOT) {
      out.error = "database is locked: " + LockedAdvice(where.db_path);
      return out;
    }
    out.error = where.db_path + ": " + (db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc));
    std::string file = ReadOnlyFile(where.db_path);
    if (!file.empty()) {
      out.error += "; " + file + " is not writable by this user (it may have been left read-only while the " +
                   "database was): give it the database's owner and mode";
    }
    return out;
  };
  if (rc != SQLITE_OK) return fail(SpoolAppendResult::Kind::kNotReady);
  sqlite3_busy_handler(db.get(), RetryUntilDeadline, &wait);
  sqlite3_stmt* raw_version = nullptr;
  if (sqlite3_prepare_v2(db.get(), "PRAGMA user_version", -1, &raw_version, nullptr) != SQLITE_OK) {
    return fail(SpoolAppendResult::Kind::kTemporaryFailure);
  }
  std::unique_ptr<sqlite3_stmt, Finalize> version(raw_version);
  rc = sqlite3_step(version.get());
  if (rc != SQLITE_ROW) return fail(SpoolAppendResult::Kind::kTemporaryFailure);
  if (sqlite3_column_int(version.get(), 0) < where.min_schema) return fail(SpoolAppendResult::Kind::kNotReady);
  version.reset();

  // That read opened the WAL, if the database is in WAL mode (it always is
  // once the daemon has opened it; Db::Open sets it).
  sqlite3_file* wal = nullptr;
  sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
  bool in_wal = wal != nullptr && wal->pMethods != nullptr;
  // A commit with synchronous=FULL syncs the WAL while it holds the write
  // lock, so every mailgate and the daemon queued behind each other's
  // fsync: a few milliseconds each on a busy disk, and four mailgates at a
  // time went no faster than one. Here the commit writes the frames
  // without a sync, and the sync follows once the lock is released, before
  // the exit 0: the mail is as durable when the MTA hears of it, and the
  // syncs of concurrent mailgates overlap. This is safe because nothing can
  // overwrite the frames before they reach the disk: the WAL restarts only
  // after a checkpoint has copied every frame into the database and synced
  // it, and this connection runs no checkpoint of its own while unsynced
  // (autocheckpoint is replaced by the hook below, and a close folds only
  // after synchronous is FULL again). Outside WAL mode the commit syncs as
  // usual.
  int frames = 0;
  if (in_wal) {
    sqlite3_wal_hook(db.get(), NoteWalFrames, &frames);
    // Until synchronous is FULL again, a close must not fold the WAL: a
    // fold without syncs, followed by the WAL's removal, could lose what
    // other connections committed.
    sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  }
  if (sqlite3_exec(db.get(), in_wal ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=FULL", nullptr, nullptr,
                   nullptr) != SQLITE_OK) {
    return fail(SpoolAppendResult::Kind::kTemporaryFailure);
  }

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
  // A single statement commits on its own (autocommit).
  rc = sqlite3_step(insert.get());
  if (rc != SQLITE_DONE) return fail(SpoolAppendResult::Kind::kTemporaryFailure);
  out.id = sqlite3_last_insert_rowid(db.get());
  insert.reset();
  if (in_wal) {
    // The sync of the whole WAL file: these frames, and any written before
    // them. The first sync of a WAL this process created also syncs its
    // directory (SQLite's unix VFS does that).
    rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
    if (rc != SQLITE_OK) {
      out.kind = SpoolAppendResult::Kind::kTemporaryFailure;
      out.error = where.db_path + "-wal: " + sqlite3_errstr(rc) + " while syncing the spooled message";
      return out;
    }
    // While the daemon runs it checkpoints, and a close cannot: it holds
    // the database open. When no one else has it open, the last connection
    // to close folds the WAL into the database; a process that does so
    // once the WAL has grown keeps the next one from reading it all back
    // to rebuild its index, while folding on every close would add three
    // syncs to each message.
    if (frames >= kFoldFrames &&
        sqlite3_exec(db.get(), "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) == SQLITE_OK) {
      sqlite3_db_config(db.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
    }
  }
  out.kind = SpoolAppendResult::Kind::kSpooled;
  return out;
}

}  // namespace frontdesk
