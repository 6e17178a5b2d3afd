#include "daemon/store/backup.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "daemon/base/unique_fd.h"
#include "daemon/store/schema.h"
#include "daemon/store/sqlite_db.h"

namespace frontdesk {
namespace {

constexpr const char* kPrefix = "frontdesk-";
constexpr const char* kSuffix = ".db";

struct BackupCloser {
  void operator()(sqlite3_backup* b) const { sqlite3_backup_finish(b); }
};

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

Status SyncPath(const std::string& path, bool directory) {
  UniqueFd fd(open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC));
  if (!fd) return Status::Io(Errno("open " + path));
  if (fsync(fd.get()) != 0) return Status::Io(Errno("fsync " + path));
  return Status::Ok();
}

bool IsBackupName(const std::string& name) {
  return name.size() > std::strlen(kPrefix) + std::strlen(kSuffix) && name.rfind(kPrefix, 0) == 0 &&
         name.compare(name.size() - std::strlen(kSuffix), std::string::npos, kSuffix) == 0;
}

// Copies every page of `from` into `to` in one step: one snapshot, however
// long the copy takes.
Status CopyPages(sqlite3* from, sqlite3* to, const std::string& what) {
  std::unique_ptr<sqlite3_backup, BackupCloser> b(sqlite3_backup_init(to, "main", from, "main"));
  if (!b) return SqliteStatus(sqlite3_errcode(to), to, what);
  int rc = sqlite3_backup_step(b.get(), -1);
  if (rc != SQLITE_DONE) return SqliteStatus(rc, to, what);
  rc = sqlite3_backup_finish(b.release());
  if (rc != SQLITE_OK) return SqliteStatus(rc, to, what);
  return Status::Ok();
}

}  // namespace

Result<BackupInfo> WriteBackup(Db& source, const std::string& dir, Timestamp now, const std::string& label) {
  if (source.AsSqlite() == nullptr) {
    return Status::Invalid("frontdesk backup copies an SQLite database; back up PostgreSQL with its own tools "
                           "(pg_dump, pg_basebackup, a standby), see docs/SCALING.md");
  }
  if (mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return Status::Io(Errno("create " + dir));
  std::time_t t = ToUnix(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  BackupInfo info;
  // Two copies in one second get -2, -3, ...: a copy never replaces another.
  std::string base = dir + "/" + kPrefix + stamp + (label.empty() ? "" : "-" + label);
  info.path = base + kSuffix;
  for (int n = 2; access(info.path.c_str(), F_OK) == 0; ++n) info.path = base + "-" + std::to_string(n) + kSuffix;
  std::string part = info.path + ".part";
  unlink(part.c_str());
  {
    Result<std::unique_ptr<Db>> dest = Db::Open(part, DbOptions{});
    if (!dest.ok()) return dest.status();
    Status s = CopyPages(source.AsSqlite()->raw(), (*dest)->AsSqlite()->raw(), "backup to " + part);
    // A copy is one self-contained file: no -wal beside it.
    if (s.ok()) s = (*dest)->Exec("PRAGMA journal_mode=DELETE");
    if (!s.ok()) {
      dest->reset();
      unlink(part.c_str());
      return s;
    }
  }
  Result<int> version = VerifyBackup(part);
  Status s = version.ok() ? SyncPath(part, false) : version.status();
  if (s.ok() && rename(part.c_str(), info.path.c_str()) != 0) s = Status::Io(Errno("rename " + part));
  if (!s.ok()) {
    unlink(part.c_str());
    return s;
  }
  s = SyncPath(dir, true);
  if (!s.ok()) return s;
  info.schema_version = *version;
  struct stat st;
  if (stat(info.path.c_str(), &st) == 0) info.bytes = st.st_size;
  return info;
}

Result<int> VerifyBackup(const std::string& path) {
  if (access(path.c_str(), R_OK) != 0) return Status::NotFound(Errno(path));
  DbOptions o;
  o.read_only = true;
  Result<std::unique_ptr<Db>> db = Db::Open(path, o);
  if (!db.ok()) return db.status();
  Result<Stmt> st = (*db)->Prepare("PRAGMA integrity_check");
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  std::string answer = *row ? st->Text(0) : "no answer";
  if (answer != "ok") return Status::Internal(path + ": integrity check: " + answer);
  Result<int> version = ReadSchemaVersion(**db);
  if (!version.ok()) return version.status();
  if (*version < 1) return Status::Invalid(path + " is not a Frontdesk database (schema version 0)");
  return *version;
}

Result<std::vector<std::string>> ListBackups(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    return Status::Io(Errno("read " + dir));
  }
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (IsBackupName(name)) out.push_back(dir + "/" + name);
  }
  closedir(d);
  // Oldest first by the time each was written; the name (which starts with
  // the time) breaks ties.
  std::vector<std::pair<timespec, std::string>> dated;
  for (std::string& p : out) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) continue;
    dated.emplace_back(st.st_mtim, std::move(p));
  }
  std::sort(dated.begin(), dated.end(), [](const auto& a, const auto& b) {
    if (a.first.tv_sec != b.first.tv_sec) return a.first.tv_sec < b.first.tv_sec;
    if (a.first.tv_nsec != b.first.tv_nsec) return a.first.tv_nsec < b.first.tv_nsec;
    return a.second < b.second;
  });
  out.clear();
  for (auto& [when, p] : dated) out.push_back(std::move(p));
  return out;
}

Result<std::vector<std::string>> PruneBackups(const std::string& dir, int keep) {
  Result<std::vector<std::string>> all = ListBackups(dir);
  if (!all.ok()) return all.status();
  std::vector<std::string> removed;
  for (size_t i = 0; keep >= 0 && i + static_cast<size_t>(keep) < all->size(); ++i) {
    if (unlink((*all)[i].c_str()) != 0) return Status::Io(Errno("remove " + (*all)[i]));
    removed.push_back((*all)[i]);
  }
  return removed;
}

Status RestoreBackup(const std::string& backup, const std::string& db_path) {
  Result<int> version = VerifyBackup(backup);
  if (!version.ok()) return version.status();
  if (*version > LatestSchemaVersion()) {
    return Status::Invalid(backup + " is at schema version " + std::to_string(*version) +
                           ", newer than this frontdesk understands (" + std::to_string(LatestSchemaVersion()) + ")");
  }
  DbOptions ro;
  ro.read_only = true;
  Result<std::unique_ptr<Db>> from = Db::Open(backup, ro);
  if (!from.ok()) return from.status();
  if (IsPostgresUrl(db_path)) return Status::Invalid("frontdesk restore puts back an SQLite database; see docs/SCALING.md for PostgreSQL");
  Result<std::unique_ptr<Db>> to = Db::Open(db_path, DbOptions{});
  if (!to.ok()) return to.status();
  Status s = CopyPages((*from)->AsSqlite()->raw(), (*to)->AsSqlite()->raw(), "restore into " + db_path);
  if (!s.ok()) return s;
  return (*to)->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

std::function<Status(Db&, int)> BackupBeforeMigrate(std::string dir, const Clock& clock) {
  return [dir = std::move(dir), &clock](Db& db, int from_version) -> Status {
    (void)from_version;
    // PostgreSQL migrates inside one transaction; its backups are the
    // operator's own (pg_dump, a standby).
    if (db.AsSqlite() == nullptr) return Status::Ok();
    Result<BackupInfo> b = WriteBackup(db, dir, clock.Now(), "pre-v" + std::to_string(LatestSchemaVersion()));
    // Not transient: a migration must not go on without its backup.
    if (!b.ok()) return Status::Internal("backup before migrating: " + b.status().message());
    return Status::Ok();
  };
}

}  // namespace frontdesk
