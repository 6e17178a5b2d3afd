// sla_store.h: the SLA state of tickets: one row per (ticket, target,
// cycle), the escalation levels fired (whose primary key makes each fire
// once, whichever process sweeps), the policy snapshot, next_due_at, and the
// log of rejected requests. Writes expect the caller's transaction.
// Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "daemon/model/sla_clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

using FiredLevel = std::tuple<std::string, int64_t, int>;  // target, cycle, level

// A ticket with at least one running clock, as a recompute of due times
// reads it: only its running clocks, every level fired.
struct RunningTicket {
  int64_t id = 0;
  std::string snapshot;  // the policy snapshot; empty when it has none
  std::optional<Timestamp> next_due_at;
  std::vector<TargetClock> clocks;
  std::set<FiredLevel> fired;
};

// A ticket's SLA state as the escalation sweep reads it: its policy
// snapshot (none when it has no policy), every clock and every level fired.
struct SlaState {
  int64_t id = 0;
  std::optional<std::string> snapshot;
  std::vector<TargetClock> clocks;
  std::set<FiredLevel> fired;
};

// One level of one ticket, for the writes of many tickets at once.
struct FiredMark {
  int64_t ticket_id = 0;
  FiredLevel level;
};

// One clock of one ticket, for the writes of many tickets at once.
struct ClockSave {
  int64_t ticket_id = 0;
  TargetClock clock;
};

class SlaStore {
 public:
  explicit SlaStore(Store& store) : db_(store.db()) {}
  explicit SlaStore(Db& db) : db_(db) {}

  Result<std::vector<TargetClock>> Clocks(int64_t ticket_id);
  Status SaveClock(int64_t ticket_id, const TargetClock& c);
  // Moves one clock's due time, and nothing else about it.
  Status SetDue(int64_t ticket_id, const std::string& target, int64_t cycle, std::optional<Timestamp> due);
  // Up to `limit` tickets with a running clock, by id, after
  // `after_id`: three range reads per page, so recomputing every running
  // clock costs one pass over the clocks.
  Result<std::vector<RunningTicket>> RunningTickets(int64_t after_id, int limit);
  Result<std::set<FiredLevel>> Fired(int64_t ticket_id);
  Result<std::vector<std::pair<FiredLevel, Timestamp>>> FiredWithTimes(int64_t ticket_id);
  // True when this call recorded the level; false when it had fired before.
  Result<bool> MarkFired(int64_t ticket_id, const FiredLevel& level, Timestamp at);

  // The same for many tickets, each kind of row in one statement on
  // PostgreSQL, where every statement is a round trip; on SQLite, the
  // one-ticket statements above. For the escalation sweep, which reads and
  // writes a chunk of due tickets at a time.
  // The SLA state of the tickets of `ids` that exist, by id.
  Result<std::vector<SlaState>> States(const std::vector<int64_t>& ids);
  // Records the levels; returns those this call recorded, in the order
  // given (the others had fired before).
  Result<std::vector<FiredMark>> MarkFiredMany(const std::vector<FiredMark>& marks, Timestamp at);
  // Writes clocks read in this transaction (SaveClock for each on
  // SQLite); a (ticket, target, cycle) at most once.
  Status UpdateClocks(const std::vector<ClockSave>& clocks);
  Status SetPolicy(int64_t ticket_id, const std::string& name, int version, const std::string& snapshot);
  // The policy snapshot of a ticket, or nothing when it has no policy.
  Result<std::optional<std::string>> Snapshot(int64_t ticket_id);
  Status SetNextDue(int64_t ticket_id, std::optional<Timestamp> at);
  // Tickets whose next SLA event is due, soonest first; only these are read.
  Result<std::vector<int64_t>> DueTickets(Timestamp now, int limit);
  struct Rejection {
    int64_t id;
    Timestamp at;
    std::string channel, rule, reason, sender, subject;
  };
  // Newest first; `before_id` pages back.
  Result<std::vector<Rejection>> Rejections(int limit, std::optional<int64_t> before_id);
  Status AddRejection(const std::string& channel, const std::string& rule, const std::string& reason,
                      const std::string& sender, const std::string& subject, Timestamp now);

 private:
  Db& db_;
};

}  // namespace frontdesk
