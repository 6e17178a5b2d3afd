// quick_mailgate.h: `frontdesk mailgate` while the daemon runs. An MTA
// starts one process per message, so what that process costs bounds how
// fast mail can arrive. This path links no database and no TOML parser: it
// finds `[server] data_dir` in the config text (config/data_dir_scan.h),
// hands the message to the daemon over data_dir/mailgate.sock
// (mailgate_wire.h), and exits 0 once the daemon has committed it to the
// spool. The daemon files it within moments, through the same intake as
// all mail.
// Without a daemon, when the scan is unsure, or for any argument this path
// does not know, it steps aside and the full command runs; a message it has
// already read is put back on stdin for it.
#pragma once

#include <optional>

namespace frontdesk {

// The exit code, or nothing when the full command line must run instead.
std::optional<int> QuickMailgate(int argc, char** argv);

}  // namespace frontdesk
