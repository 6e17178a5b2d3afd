// cli_context.h: what every command of the command line shares: the
// --config flag, the clock, loading the config and opening the database
// with the error printed, and the exit codes. Each *_command.h includes
// this, not the command line itself. Not thread-safe (one per process).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

// Exit codes (sysexits.h where they fit).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitDataErr = 65;
constexpr int kExitTempFail = 75;

struct CliContext {
  std::string config_flag;
  const Clock* clock = nullptr;

  // Resolves and loads the config; prints every error to stderr on failure.
  std::unique_ptr<Config> LoadConfigOrReport();
  // Opens the database of `config`; prints the error on failure. Only
  // `migrate` and `serve` migrate; other commands need an up-to-date file.
  std::unique_ptr<Store> OpenStoreOrReport(const Config& config, bool migrate = false);
};

}  // namespace frontdesk
