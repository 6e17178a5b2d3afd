// presence.h: who else has a ticket open in the console, and whether they
// are writing: "bob@example.com is replying". Each open ticket page tells
// the daemon every 15 seconds (a short poll from console.js; a page without
// script is counted once, when it loads); a mark older than 45 seconds is
// gone. It locks nothing: it only warns. Kept in memory, per daemon.
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/base/clock.h"

namespace frontdesk {

class Presence {
 public:
  enum class State { kViewing, kReplying };
  struct Mark {
    std::string agent;
    State state = State::kViewing;
  };

  void Set(int64_t ticket_id, const std::string& agent, State state, Timestamp now);
  // The others on a ticket now, without `agent`, in name order.
  std::vector<Mark> Others(int64_t ticket_id, const std::string& agent, Timestamp now);
  // The same for many tickets at once (a queue page).
  std::map<int64_t, std::vector<Mark>> Others(const std::vector<int64_t>& tickets, const std::string& agent,
                                              Timestamp now);

 private:
  struct Entry {
    State state;
    Timestamp at;
  };
  void Prune(Timestamp now);

  std::mutex mu_;
  std::map<int64_t, std::map<std::string, Entry>> by_ticket_;
  Timestamp last_prune_;
};

// "bob@example.com is viewing, carol@example.com is replying", or "".
std::string PresenceText(const std::vector<Presence::Mark>& marks);

}  // namespace frontdesk
