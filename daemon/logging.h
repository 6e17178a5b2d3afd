// logging.h: one spdlog logger on stdout. Under systemd (JOURNAL_STREAM set)
// lines carry no timestamp, since journald adds its own. Call SetupLogging()
// once, before any thread starts; SetLogLevel() is thread-safe.
#pragma once

#include <string>

#include "daemon/status.h"

namespace frontdesk {

void SetupLogging();
Status SetLogLevel(const std::string& level);

}  // namespace frontdesk
