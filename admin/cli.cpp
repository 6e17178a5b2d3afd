#include "admin/cli.h"
#include "admin/cli_context.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "admin/agent_command.h"
#include "admin/backup_command.h"
#include "admin/migrate_db_command.h"
#include "admin/mail_commands.h"
#include "admin/policy_commands.h"
#include "admin/report_command.h"
#include "admin/routes.h"
#include "admin/token_command.h"
#include "config/loader.h"
#include "daemon/base/logging.h"
#include "daemon/base/signals.h"
#include "daemon/serve/daemon.h"
#include "daemon/store/backup.h"
#include "daemon/store/schema.h"

namespace frontdesk {


namespace {

int RunServe(CliContext& ctx) {
  // Before any thread exists, so every thread inherits the mask.
  sigset_t signals = BlockDaemonSignals();
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  Status s = SetLogLevel(config->logging.level);
  if (!s.ok()) spdlog::warn("{}", s.message());
  std::string path = config->path;
  Result<std::unique_ptr<Daemon>> daemon = Daemon::Create(path, std::move(*config), *ctx.clock);
  if (!daemon.ok()) {
    spdlog::critical("{}", daemon.status().message());
    return kExitFailure;
  }
  return (*daemon)->Run(signals, RegisterAdminRoutes);
}

int RunCheckConfig(CliContext& ctx) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  std::cout << config->path << ": ok\n";
  return kExitOk;
}

int RunMigrate(CliContext& ctx) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config, /*migrate=*/true);
  if (!store) return kExitFailure;
  Result<int> version = store->SchemaVersion();
  if (!version.ok()) {
    std::cerr << "frontdesk: " << version.status().message() << "\n";
    return kExitFailure;
  }
  std::cout << config->server.DatabasePath() << ": schema version " << *version << "\n";
  return kExitOk;
}

}  // namespace

int RunCommandLine(int argc, char** argv) {
  bool serving = false;
  for (int i = 1; i < argc; ++i) serving = serving || std::string_view(argv[i]) == "serve";
  SetupLogging(serving);
  SystemClock system_clock;
  // Tests pin the time of a whole process, daemon or command, with
  // FRONTDESK_FAKE_NOW; it is never meant for production, so say it loudly.
  std::unique_ptr<FakeClock> fake_clock;
  if (const char* fake = std::getenv("FRONTDESK_FAKE_NOW")) {
    std::optional<Timestamp> t = ParseRfc3339(fake);
    if (!t) {
      std::cerr << "frontdesk: FRONTDESK_FAKE_NOW must be an RFC 3339 time\n";
      return kExitUsage;
    }
    fake_clock = std::make_unique<FakeClock>(*t);
    spdlog::warn("FRONTDESK_FAKE_NOW is set: the clock is pinned at {}", FormatRfc3339(*t));
  }
  CliContext ctx;
  ctx.clock = fake_clock ? static_cast<const Clock*>(fake_clock.get()) : &system_clock;
  int exit_code = kExitOk;

  CLI::App app{"Frontdesk: a self-hosted helpdesk in one daemon and one SQLite file.", "frontdesk"};
  app.set_version_flag("--version", std::string("frontdesk ") + FRONTDESK_VERSION);
  app.option_defaults()->always_capture_default();
  app.add_option("-c,--config", ctx.config_flag,
                 "Config file. Default: $FRONTDESK_CONFIG, then ./frontdesk.toml, then "
                 "/etc/frontdesk/frontdesk.toml");
  app.require_subcommand(1);
  app.fallthrough();

  CLI::App* serve = app.add_subcommand(
      "serve",
      "Run the daemon: HTTP listeners and background work. SIGHUP reloads the config, "
      "SIGTERM drains and exits.");
  serve->callback([&] { exit_code = RunServe(ctx); });

  CLI::App* check = app.add_subcommand(
      "check-config", "Validate the config file. Exit 0, or print every error as FILE:LINE:COL and exit 1.");
  check->callback([&] { exit_code = RunCheckConfig(ctx); });

  CLI::App* migrate = app.add_subcommand(
      "migrate", "Create the database, or apply missing schema migrations to it. serve also does this at start.");
  migrate->callback([&] { exit_code = RunMigrate(ctx); });

  AddTokenCommands(app, ctx, exit_code);
  AddAgentCommands(app, ctx, exit_code);
  AddPolicyCommands(app, ctx, exit_code);
  AddReportCommand(app, ctx, exit_code);
  AddBackupCommands(app, ctx, exit_code);
  AddMigrateDbCommand(app, ctx, exit_code);
  AddMailCommands(app, ctx, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

}  // namespace frontdesk
