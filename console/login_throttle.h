// login_throttle.h: slows down password guessing without locking anyone
// out. Failed logins are counted per client address and per account; after
// the third in a row, each further attempt from that address, or at that
// account, must wait 1 s, then 2, 4, ... up to 5 minutes after the last
// failure. A success clears the account's count and the address's. An
// attacker can never lock an agent out for longer than that wait, and a
// count forgets itself after an hour without failures. Per process (a
// second daemon counts apart). Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "daemon/base/clock.h"

namespace frontdesk {

class LoginThrottle {
 public:
  // How long the caller must still wait before trying; zero when it may now.
  std::chrono::seconds WaitFor(const std::string& address, const std::string& account, Timestamp now);
  void Failed(const std::string& address, const std::string& account, Timestamp now);
  void Succeeded(const std::string& address, const std::string& account);

 private:
  struct Entry {
    int failures = 0;
    Timestamp last;
  };
  static std::chrono::seconds Wait(const Entry& e, Timestamp now);
  void Prune(std::map<std::string, Entry>& m, Timestamp now);

  std::mutex mu_;
  std::map<std::string, Entry> by_address_, by_account_;
};

}  // namespace frontdesk
