#include "daemon/base/secret_file.h"

#include <fstream>
#include <sstream>

namespace frontdesk {

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
