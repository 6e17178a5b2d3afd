// loader.h: reads frontdesk.toml into a validated Config. Every problem is
// collected, each as "FILE:LINE:COL: KEY: message", and returned together in
// one kInvalid Status, one error a line. `serve`, `check-config` and a reload
// all use this same code. Thread-safe (no shared state).
#pragma once

#include <string>
#include <vector>
#include <string_view>

#include "config/config.h"
#include "config/values.h"
#include "daemon/base/status.h"

namespace frontdesk {

Result<Config> LoadConfigFile(const std::string& path);
// The config file and the password files it names that any user of the
// machine may read, each with the chmod that fixes it. check-config,
// serve and a reload print them as warnings.
std::vector<std::string> FilesOthersCanRead(const Config& config);
// `name` is the file name used in error texts.
Result<Config> LoadConfigText(std::string_view text, const std::string& name);

}  // namespace frontdesk
