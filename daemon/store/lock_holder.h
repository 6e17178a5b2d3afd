// lock_holder.h: names the process that holds an SQLite database's write
// lock, so that "database is locked" can say who holds it. Header-only,
// because the quick mailgate's executable links only the few sources it
// needs (see CMakeLists.txt), and db.cpp uses it too. Thread-safe.
#pragma once

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace frontdesk {

// SQLite's write lock is a POSIX lock on one byte: in WAL mode byte 120 of
// the -shm file (after two copies of the 48-byte index header and the
// 24-byte checkpoint record), in rollback mode the RESERVED byte of the
// database (0x40000001). It is read from /proc/locks rather than with
// F_GETLK, because that needs a descriptor on the file, and closing any
// descriptor of a file drops every POSIX lock this process holds on it,
// SQLite's own included.
//
// Returns "pid 1234 (frontdesk serve --config /etc/frontdesk/frontdesk.toml)",
// "this process (pid 1234)" when another connection of ours holds it, or ""
// when nobody holds it now (it was released meanwhile) or it cannot be told.
inline std::string WriteLockHolder(const std::string& db_path) {
  struct Target {
    std::string file;
    unsigned long long byte;
  };
  for (const Target& t : {Target{db_path + "-shm", 120}, Target{db_path, 0x40000001ull}}) {
    struct stat st {};
    if (stat(t.file.c_str(), &st) != 0) continue;
    std::ifstream locks("/proc/locks");
    std::string line;
    while (std::getline(locks, line)) {
      // "3: POSIX  ADVISORY  WRITE 21360 fe:00:10954945 120 120"
      char kind[16], mode[16], type[16], end[24];
      long pid = 0;
      unsigned major_dev = 0, minor_dev = 0;
      unsigned long long ino = 0, start = 0;
      if (std::sscanf(line.c_str(), "%*d: %15s %15s %15s %ld %x:%x:%llu %llu %23s", kind, mode, type, &pid, &major_dev,
                      &minor_dev, &ino, &start, end) != 9) {
        continue;
      }
      if (std::string(type) != "WRITE" || ino != st.st_ino || major_dev != major(st.st_dev) ||
          minor_dev != minor(st.st_dev) || start > t.byte) {
        continue;
      }
      if (std::string(end) != "EOF" && std::stoull(end) < t.byte) continue;
      if (pid <= 0) return "";
      if (pid == getpid()) return "this process (pid " + std::to_string(pid) + ")";
      std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
      std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
      while (!args.empty() && args.back() == '\0') args.pop_back();
      for (char& c : args) c = c == '\0' ? ' ' : c;
      if (args.size() > 120) args = args.substr(0, 117) + "...";
      return "pid " + std::to_string(pid) + (args.empty() ? "" : " (" + args + ")");
    }
  }
  return "";
}

// The sentence that follows "database is locked" in an error: who held the
// write lock, and what to do about it.
inline std::string LockedAdvice(const std::string& db_path) {
  std::string holder = WriteLockHolder(db_path);
  std::string who = holder.empty() ? "another connection" : holder;
  return who + " held the write lock of " + db_path +
         " longer than [server] busy_timeout allows; retry later (an MTA retries mailgate's exit 75 by itself), "
         "and if it persists, end that process's open transaction or raise busy_timeout";
}

}  // namespace frontdesk
