#include "daemon/base/secret_file.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace frontdesk {

std::string ReadableByOthers(const std::string& path, const std::string& what) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !(st.st_mode & S_IROTH)) return "";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
  return what + " " + path + " can be read by any user of this machine (mode " + mode + "); run: chmod o-rwx " + path;
}

Result<std::string> ReadSecretFile(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot read " + key + " " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string secret = buf.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return Status::Unavailable(key + " " + path + " is empty");
  return secret;
}

}  // namespace frontdesk
