#include "daemon/base/file_owner.h"

#include <grp.h>
#include <pwd.h>

#include <cstdio>

namespace frontdesk {

std::string UserName(uid_t uid) {
  passwd* pw = getpwuid(uid);
  return pw ? pw->pw_name : "uid " + std::to_string(uid);
}

std::string GroupName(gid_t gid) {
  group* gr = getgrgid(gid);
  return gr ? gr->gr_name : "gid " + std::to_string(gid);
}

std::string ModeString(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace frontdesk
