// logging.h: one spdlog logger on stdout. Under systemd (JOURNAL_STREAM set)
// lines carry no timestamp, since journald adds its own. Call SetupLogging()
// once, before any thread starts; SetLogLevel() is thread-safe.
#pragma once

#include <string>

#include "daemon/base/status.h"

namespace frontdesk {

// `to_stdout` for the daemon (journald reads stdout); commands log to
// stderr, so that their own output on stdout stays clean for scripts.
void SetupLogging(bool to_stdout);
Status SetLogLevel(const std::string& level);

}  // namespace frontdesk
