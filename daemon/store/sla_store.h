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

class SlaStore {
 public:
  explicit SlaStore(Store& store) : db_(store.db()) {}

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
