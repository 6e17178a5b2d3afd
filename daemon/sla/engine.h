// engine.h: applies SLA policies to tickets in the store. It chooses a
// policy, keeps a snapshot of it on the ticket (so editing the config never
// rewrites a ticket's history), starts, pauses, resumes and meets clocks as
// the ticket changes (TicketService calls these hooks), sweeps due tickets
// to record breaches and decide which escalation levels fire and what they
// do (the service applies them), recomputes running clocks' due times when
// the calendars change, and explains a ticket's timeline. Every method
// works inside the caller's write transaction. Immutable once built;
// thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/model/changes.h"
#include "daemon/model/ticket.h"
#include "daemon/sla/calendar.h"
#include "daemon/sla/target_clock.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/store.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {

struct SweepReport {
  int tickets = 0;
  int breaches = 0;
  int levels_fired = 0;
  int standards_fell = 0, standards_recovered = 0;  // service standards, after the sweep
  std::vector<std::string> lines;  // what happened, or would (dry run)
};

// What a recompute of due times found and did.
struct RecomputeReport {
  int tickets = 0;  // tickets with a running clock, looked at
  int moved = 0;    // of them, tickets whose due times or next_due_at moved
  int damaged = 0;  // skipped: their policy snapshot cannot be read
};

// What one escalation level does when it fires, decided by the policy:
// whom to mail, and what to change on the ticket. TicketService applies it.
struct EscalationAction {
  int64_t ticket_id = 0;
  std::string policy;
  std::string target;
  int64_t cycle = 0;
  int level_index = 0;  // 0-based
  std::string level_text;
  std::string template_name;
  std::vector<std::string> recipients;
  TicketPatch patch;
  std::vector<std::string> done;  // "notify a@x", "priority high", for the event
};
// The writes a chunk of the escalation sweep gathers, so that each kind of
// row is written in one statement (TicketService::SweepDue writes them).
struct SweepWrites {
  TicketBatch rows;  // every swept ticket (its next_due_at, what its levels changed), events, clocks
  std::vector<OutboxMail> mails;
};
// Applies a fired level to `ticket` as the levels before it left it,
// adding its rows to `writes`.
using LevelSink = std::function<Status(const EscalationAction&, TicketSave& ticket, SweepWrites& writes)>;

class SlaEngine {
 public:
  static Result<std::shared_ptr<const SlaEngine>> Build(const Config& config);

  // The first policy whose applies_to matches, or the one a rule named.
  const SlaPolicyConfig* Select(const Ticket& t, const std::string& named) const;
  // The first-response due time a new ticket like `t` would get if it
  // started now; writes nothing. For an answer that must look like a real
  // ticket's without being one (the web form's honeypot).
  std::optional<Timestamp> FirstResponseDueFor(const Ticket& t, const std::string& named, Timestamp now) const;
  // Records the policy's snapshot on the ticket and starts its clocks.
  Status Start(Store& store, int64_t ticket_id, const SlaPolicyConfig& policy, Timestamp now) const;
  // A public reply by an agent: meets first_response and the open
  // next_response cycle.
  Status OnPublicReply(Store& store, int64_t ticket_id, Timestamp now) const;
  // A customer's message after the first response starts a next_response cycle.
  Status OnCustomerMessage(Store& store, int64_t ticket_id, Timestamp now) const;
  Status OnStatusChange(Store& store, int64_t ticket_id, TicketStatus from, TicketStatus to, Timestamp now) const;
  // Sweeps a chunk of due tickets: reads them in a few statements, records
  // breaches, and fires due levels. Each level fires once per (ticket,
  // target, cycle): the sla_levels_fired key decides, for the whole chunk
  // in one statement. Every other write is gathered in `writes`, with each
  // level that fires applied by `fire`; the caller writes them. A dry run
  // reports what would happen and writes nothing.
  Status SweepMany(Store& store, const std::vector<int64_t>& ids, Timestamp now, bool dry_run, SweepReport* report,
                   SweepWrites* writes, const LevelSink& fire) const;
  Result<std::string> Explain(Store& store, int64_t ticket_id, Timestamp now) const;

  // A digest of everything that decides a due time (the calendars and the
  // policies): two engines with the same fingerprint compute the same due
  // times, so a reload that keeps it has nothing to recompute.
  const std::string& fingerprint() const { return fingerprint_; }
  // Brings the running clocks of `page` in line with the calendars as
  // configured now: each clock's due time, its levels' times and the
  // ticket's next_due_at. Writes only what moved, with one sla_recomputed
  // event per ticket (old and new due times). Business time already
  // counted, remaining budgets and recorded breaches do not change.
  Status Recompute(Store& store, std::vector<RunningTicket>& page, Timestamp now, RecomputeReport* report) const;

  // Business seconds from `from` to `to` in the calendar of `policy` as
  // configured now; negative when `to` is earlier. Wall-clock seconds for
  // no policy or an unknown one. For countdowns people read.
  int64_t BusinessSecondsBetween(const std::optional<std::string>& policy, Timestamp from, Timestamp to) const;

  // The policy as stored in a ticket's snapshot.
  static Result<SlaPolicyConfig> ParseSnapshot(const std::string& json);
  static std::string MakeSnapshot(const SlaPolicyConfig& p);

 private:
  SlaEngine() = default;
  const Calendar& CalendarFor(const std::string& name) const;
  Result<SlaPolicyConfig> PolicyOf(Store& store, int64_t ticket_id) const;
  Status Reschedule(Store& store, int64_t ticket_id, const SlaPolicyConfig& p, Timestamp now) const;
  EscalationAction LevelAction(const Ticket& t, const SlaPolicyConfig& p, const TargetClock& c, int index) const;

  Config config_;
  std::map<std::string, Calendar> calendars_;
  std::string fingerprint_;
};

}  // namespace frontdesk
