#include "admin/backup_command.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <iostream>

#include "daemon/base/unique_fd.h"
#include "daemon/serve/daemon.h"
#include "daemon/store/backup.h"

namespace frontdesk {
namespace {

struct BackupFlags {
  std::string dir;
  int keep = 0;
  std::string file;
};

int Backup(CliContext& ctx, const BackupFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitTempFail;
  std::string dir = config->server.PathIn(f.dir.empty() ? config->backup.dir : f.dir);
  int keep = f.keep > 0 ? f.keep : config->backup.keep;
  Result<BackupInfo> b = WriteBackup(store->db(), dir, ctx.clock->Now());
  if (!b.ok()) {
    std::cerr << "frontdesk: backup: " << b.status().message() << "\n";
    return b.status().transient() ? kExitTempFail : kExitFailure;
  }
  std::cout << b->path << ": " << b->bytes << " bytes, schema version " << b->schema_version
            << ", integrity ok\n";
  Result<std::vector<std::string>> removed = PruneBackups(dir, keep);
  if (!removed.ok()) {
    std::cerr << "frontdesk: backup: keeping the last " << keep << ": " << removed.status().message() << "\n";
    return kExitFailure;
  }
  for (const std::string& r : *removed) std::cout << "removed " << r << "\n";
  return kExitOk;
}

int Restore(CliContext& ctx, const BackupFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  Status s = EnsureDataDir(config->server);
  if (!s.ok()) {
    std::cerr << "frontdesk: restore: " << s.message() << "\n";
    return kExitFailure;
  }
  // serve's lock, held for the whole restore: serve cannot be running, nor
  // start halfway through.
  std::string lock_path = ServeLockPath(config->server);
  UniqueFd lock(open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (!lock) {
    std::cerr << "frontdesk: restore: " << LockOpenError(lock_path, errno) << "\n";
    return kExitFailure;
  }
  if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    std::cerr << "frontdesk: restore: frontdesk serve is running on " << config->server.data_dir
              << "; stop it first (systemctl stop frontdesk)\n";
    return kExitTempFail;
  }
  Result<int> version = VerifyBackup(f.file);
  if (!version.ok()) {
    std::cerr << "frontdesk: restore: " << version.status().message() << "\n";
    return kExitFailure;
  }
  std::string db_path = config->server.DatabasePath();
  std::string dir = config->server.PathIn(config->backup.dir);
  if (access(db_path.c_str(), F_OK) == 0) {
    // What is there now is kept too: a restore can be undone.
    DbOptions o;
    Result<std::unique_ptr<Db>> current = Db::Open(db_path, o);
    Result<BackupInfo> kept = current.ok() ? WriteBackup(**current, dir, ctx.clock->Now(), "pre-restore")
                                           : Result<BackupInfo>(current.status());
    if (!kept.ok()) {
      std::cerr << "frontdesk: restore: could not keep the current database first: " << kept.status().message()
                << "\n";
      return kExitFailure;
    }
    std::cout << "kept the current database as " << kept->path << "\n";
  }
  s = RestoreBackup(f.file, db_path);
  if (!s.ok()) {
    std::cerr << "frontdesk: restore: " << s.message() << "\n";
    return kExitFailure;
  }
  std::cout << db_path << ": restored from " << f.file << " (schema version " << *version
            << "; serve migrates it if it is older)\n";
  return kExitOk;
}

}  // namespace

void AddBackupCommands(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto flags = std::make_shared<BackupFlags>();
  CLI::App* backup = app.add_subcommand(
      "backup",
      "Copy the database with SQLite's online backup API, check the copy's integrity, and keep the last "
      "[backup] keep copies. Safe while serve, mailgate and cron write.");
  backup->add_option("--dir", flags->dir, "Where to write the copy (default: [backup] dir, in the data directory)");
  backup->add_option("--keep", flags->keep, "How many copies to keep (default: [backup] keep)")
      ->check(CLI::PositiveNumber);
  backup->callback([&ctx, &exit_code, flags] { exit_code = Backup(ctx, *flags); });

  CLI::App* restore = app.add_subcommand(
      "restore",
      "Put a backup back in place of the database, after checking it and keeping the current one as a backup. "
      "serve must be stopped.");
  restore->add_option("FILE", flags->file, "The backup file")->required();
  restore->callback([&ctx, &exit_code, flags] { exit_code = Restore(ctx, *flags); });
}

}  // namespace frontdesk
