// The frontdesk executable: the quick mailgate path, or every other command
// from libfrontdesk.so, loaded from next to the executable (a build tree) or
// from the private library directory of an installation.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "daemon/intake/quick_mailgate.h"

namespace {

std::string ExecutableDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

}  // namespace

int main(int argc, char** argv) {
  if (std::optional<int> code = frontdesk::QuickMailgate(argc, argv)) return *code;
  bool mailgate = false;
  for (int i = 1; i < argc; ++i) mailgate = mailgate || std::strcmp(argv[i], "mailgate") == 0;
  std::string dir = ExecutableDir();
  std::string tried;
  for (const std::string& lib : {dir + "/libfrontdesk.so", dir + "/" FRONTDESK_LIBDIR_REL "/libfrontdesk.so"}) {
    void* handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      tried += std::string("\n  ") + dlerror();
      continue;
    }
    auto run = reinterpret_cast<int (*)(int, char**)>(dlsym(handle, "frontdesk_run"));
    if (run) return run(argc, argv);
    tried += "\n  " + lib + ": no frontdesk_run";
  }
  std::fprintf(stderr, "frontdesk: cannot load libfrontdesk.so:%s\n", tried.c_str());
  // An MTA keeps the message and retries; the installation needs repair.
  return mailgate ? 75 : 1;
}
