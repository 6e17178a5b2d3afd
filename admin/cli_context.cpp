#include "admin/cli_context.h"

#include "daemon/base/secret_file.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "config/loader.h"
#include "daemon/serve/daemon.h"
#include "daemon/store/backup.h"

namespace frontdesk {

std::unique_ptr<Config> CliContext::LoadConfigOrReport() {
  Result<std::string> path = ResolveConfigPath(config_flag, std::getenv("FRONTDESK_CONFIG"));
  if (!path.ok()) {
    std::cerr << "frontdesk: " << path.status().message() << "\n";
    return nullptr;
  }
  Result<Config> config = LoadConfigFile(*path);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return nullptr;
  }
  for (const std::string& w : FilesOthersCanRead(*config)) std::cerr << "frontdesk: warning: " << w << "\n";
  return std::make_unique<Config>(std::move(*config));
}

std::unique_ptr<Store> CliContext::OpenStoreOrReport(const Config& config, bool migrate) {
  if (migrate) {
    // A data_dir under a folder that does not exist yet (/srv/frontdesk/data
    // on a fresh box) is made whole, and each folder made is named, so
    // that its owner and mode can be checked.
    Result<std::vector<MadeDirectory>> made = CreateDataDirectory(config.server.data_dir);
    if (!made.ok()) {
      std::cerr << "frontdesk: " << made.status().message() << "\n";
      return nullptr;
    }
    for (const MadeDirectory& d : *made) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", d.mode);
      std::cerr << "frontdesk: created the directory " << d.path << " (mode " << mode << ")\n";
    }
    Status s = EnsureDataDir(config.server);
    if (!s.ok()) {
      std::cerr << "frontdesk: " << s.message() << "\n";
      return nullptr;
    }
  }
  StoreOptions options;
  options.busy_timeout = config.server.busy_timeout;
  options.migrate = migrate;
  if (!config.server.database_password_file.empty()) {
    Result<std::string> password = ReadSecretFile(config.server.database_password_file, "database.password_file");
    if (!password.ok()) {
      std::cerr << "frontdesk: " << password.status().message() << "\n";
      return nullptr;
    }
    options.password = *password;
  }
  if (migrate && config.backup.before_migrate) {
    options.before_migrate = BackupBeforeMigrate(config.server.PathIn(config.backup.dir), *clock);
  }
  Result<std::unique_ptr<Store>> store = Store::Open(config.server.DatabasePath(), options);
  if (!store.ok()) {
    std::cerr << "frontdesk: " << store.status().message() << "\n";
    return nullptr;
  }
  return std::move(*store);
}

}  // namespace frontdesk
