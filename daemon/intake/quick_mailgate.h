// quick_mailgate.h: `frontdesk mailgate` while the daemon runs. An MTA
// starts one process per message, and loading Frontdesk's libraries (GMime,
// libcurl, OpenSSL, ...) costs a process far more than storing the message,
// so this path links only SQLite and toml++: it reads the few settings it
// needs, spools the raw bytes in one durable commit, and exits 0. The
// daemon, which holds the serve lock on the data directory, files the
// spooled message within moments, through the same intake as all mail.
// Without a daemon, or for any argument this path does not know, it steps
// aside and the full command runs (parse, thread, route, commit).
#pragma once

#include <optional>

namespace frontdesk {

// The exit code, or nothing when the full command line must run instead.
std::optional<int> QuickMailgate(int argc, char** argv);

}  // namespace frontdesk
