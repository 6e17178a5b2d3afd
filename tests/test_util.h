// test_util.h: helpers shared by the unit tests: scratch directories that
// clean up after themselves.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "daemon/base/clock.h"

namespace frontdesk::testing {

// An RFC 3339 time for test tables; aborts the test on a typo.
inline Timestamp At(const char* rfc3339) {
  std::optional<Timestamp> t = ParseRfc3339(rfc3339);
  if (!t) throw std::invalid_argument(std::string("bad test time ") + rfc3339);
  return *t;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "frontdesk-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  std::string Write(const std::string& name, const std::string& content) const {
    std::ofstream(File(name), std::ios::binary) << content;
    return File(name);
  }

 private:
  std::string path_;
};

}  // namespace frontdesk::testing
