#include "admin/cli_context.h"

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
    Status s = EnsureDataDir(config.server);
    if (!s.ok()) {
      std::cerr << "frontdesk: " << s.message() << "\n";
      return nullptr;
    }
  }
  StoreOptions options;
  options.busy_timeout = config.server.busy_timeout;
  options.migrate = migrate;
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
