#include "daemon/store/store.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "daemon/base/file_owner.h"
#include "daemon/store/schema.h"

namespace frontdesk {
namespace {

// The first directory on the way to `path` that this process may not
// enter, or "" when every one lets it in.
std::string FirstClosedDirectory(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (access(dir.c_str(), X_OK) != 0 && errno == EACCES) return dir;
  }
  return "";
}

// Why `path` cannot be opened, when it is not simply missing. A command
// run as the wrong user (an MTA pipe without user=, a cron job) cannot
// enter the data directory; "does not exist; run migrate" would send the
// operator to create a database that is already there.
Status UnreachableDatabase(const std::string& path, int err) {
  std::string me = UserName(geteuid());
  std::string dir = err == EACCES ? FirstClosedDirectory(path) : "";
  struct stat st {};
  if (dir.empty() || stat(dir.c_str(), &st) != 0) {
    return Status::Io("cannot reach database " + path + ": " + std::strerror(err) +
                      " (running as " + me + ")");
  }
  std::string owner = UserName(st.st_uid);
  return Status::Io("cannot reach database " + path + ": " + me + " may not enter the directory " +
                    dir + " (owner " + owner + ":" + GroupName(st.st_gid) + ", mode " +
                    ModeString(st.st_mode) + "). Fix: run this command as " + owner +
                    ", who owns the data (for an MTA pipe, user=" + owner + " on its transport)");
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const StoreOptions& options) {
  DbOptions db_options;
  db_options.busy_timeout = options.busy_timeout;
  db_options.create = options.migrate;
  db_options.password = options.password;
  bool file = !IsPostgresUrl(path);
  if (file && !options.migrate && path != ":memory:" && access(SqlitePathOf(path).c_str(), F_OK) != 0) {
    if (errno != ENOENT) return UnreachableDatabase(path, errno);
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
      return Status::Unavailable("database " + RedactedLocation(path) + " is at schema version " +
                                 std::to_string(*version) + ", this frontdesk needs " +
                                 std::to_string(LatestSchemaVersion()) +
                                 "; run 'frontdesk migrate'");
    }
  }
  return std::unique_ptr<Store>(new Store(std::move(*db)));
}

Result<int> Store::SchemaVersion() { return ReadSchemaVersion(*db_); }

Status Store::CheckIntegrity() {
  // PostgreSQL checks its own pages (data checksums, amcheck); a query
  // answering is the proof that matters here.
  if (db_->postgres()) return db_->Exec("SELECT 1");
  Result<Stmt> st = db_->Prepare("PRAGMA integrity_check");
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  std::string answer = *row ? st->Text(0) : "no answer";
  if (answer != "ok") return Status::Internal("integrity_check: " + answer);
  return Status::Ok();
}

Status Store::Optimize() {
  if (db_->postgres()) return Status::Ok();  // autovacuum keeps the statistics
  Status s = db_->Exec("PRAGMA analysis_limit=1000");
  if (!s.ok()) return s;
  return db_->Exec("PRAGMA optimize=0x10002");
}

Status Store::Checkpoint() {
  if (db_->postgres()) return Status::Ok();
  return db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Result<std::vector<MadeDirectory>> CreateDataDirectory(const std::string& dir) {
  std::string path = dir;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::vector<std::string> missing;  // innermost first
  for (std::string p = path; !p.empty() && p != "/" && p != ".";) {
    struct stat st {};
    if (stat(p.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) break;
      return Status::Io("cannot create data directory " + dir + ": " + p + " is not a directory");
    }
    // ENOTDIR: a file stands somewhere above; the walk up finds and names it.
    if (errno != ENOENT && errno != ENOTDIR) {
      return Status::Io("cannot create data directory " + dir + ": " + p + ": " +
                        std::strerror(errno));
    }
    missing.push_back(p);
    size_t slash = p.rfind('/');
    if (slash == std::string::npos) break;
    p = p.substr(0, slash == 0 ? 1 : slash);
  }
  std::vector<MadeDirectory> made;
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    mode_t mode = *it == path ? 0750 : 0755;
    if (mkdir(it->c_str(), mode) != 0) {
      if (errno == EEXIST) continue;  // made by someone else meanwhile
      return Status::Io("cannot create data directory " + dir + ": " + *it + ": " +
                        std::strerror(errno));
    }
    struct stat st {};
    made.push_back(
        {*it, stat(it->c_str(), &st) == 0 ? static_cast<unsigned>(st.st_mode & 07777) : mode});
  }
  return made;
}

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
