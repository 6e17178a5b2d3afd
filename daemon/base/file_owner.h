// file_owner.h: who owns a file and who we run as, in words, for errors
// that must name the permission at fault and the command that fixes it
// ("owner root:frontdesk, mode 0640; this process runs as nobody").
// Thread-safe only as getpwuid/getgrgid are: call them from one thread
// at a time (commands and start-up paths do).
#pragma once

#include <sys/types.h>

#include <string>

namespace frontdesk {

// "frontdesk", or "uid 998" when the user has no name.
std::string UserName(uid_t uid);
// "frontdesk", or "gid 998".
std::string GroupName(gid_t gid);
// The permission bits as chmod takes them: "0640".
std::string ModeString(mode_t mode);

}  // namespace frontdesk
