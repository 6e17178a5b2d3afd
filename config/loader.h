// loader.h: reads frontdesk.toml into a validated Config. Every problem is
// collected, each as "FILE:LINE:COL: KEY: message", and returned together in
// one kInvalid Status, one error a line. `serve`, `check-config` and a reload
// all use this same code. Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "daemon/status.h"

namespace frontdesk {

// The config file to use: `flag` when given, else $FRONTDESK_CONFIG, else
// ./frontdesk.toml, else /etc/frontdesk/frontdesk.toml. `env` is the value of
// FRONTDESK_CONFIG, or nullptr.
Result<std::string> ResolveConfigPath(const std::string& flag, const char* env);

Result<Config> LoadConfigFile(const std::string& path);
// `name` is the file name used in error texts.
Result<Config> LoadConfigText(std::string_view text, const std::string& name);

}  // namespace frontdesk
