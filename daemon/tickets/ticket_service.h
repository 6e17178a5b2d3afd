// ticket_service.h: the one place a ticket changes. Every channel builds a
// change value (daemon/model/changes.h) and hands it here: the web form,
// the API, mail, mail commands, escalation levels, reprocessing, and the
// console next. For each change the service writes the rows, records one
// event per fact, runs the SLA hooks, then queues the mail the change
// brings, in that order and inside the caller's write transaction, so the
// change and its consequences commit together or not at all.
//
// The rules live here: which status changes are legal, that a public reply
// opens a new ticket and counts as the first response, that a customer's
// mail reopens a solved ticket, who is told of what. The store only runs
// SQL. Bound to one transaction's Store; not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "daemon/mail/dsn.h"
#include "daemon/model/changes.h"
#include "daemon/model/ticket.h"
#include "daemon/sla/engine.h"
#include "daemon/store/store.h"

namespace frontdesk {

class TicketService {
 public:
  TicketService(Store& store, const Config& config, const SlaEngine& sla)
      : store_(store), config_(config), sla_(sla) {}

  // A new ticket from any channel: its row, first message and events, its
  // SLA clocks, then its mail (the acknowledgement where the channel has
  // one, the agents' alert, the oversize notice). A replayed idempotency key
  // returns the ticket it made and changes nothing; the same key with
  // another request is kConflict.
  Result<CreatedTicket> Open(const NewTicket& t);

  // A message on a ticket. From an agent or an API token it is a public
  // reply (mailed to the requester, the first response, a new ticket
  // opens) or an internal note (the other agents are told). From a
  // customer or Frontdesk itself it is mail threaded to the ticket: a
  // customer's reopens a solved ticket, starts a next-response cycle and
  // alerts the agents. Returns the message id.
  Result<int64_t> AddMessage(int64_t ticket_id, const NewMessage& m);

  // Applies a patch: legal status changes only, one event per changed
  // field, the SLA hooks, and the solved notice and survey. With
  // `expected_version`, a ticket that has moved on is kPreconditionFailed.
  Result<Ticket> Patch(int64_t ticket_id, const TicketPatch& patch, std::optional<int64_t> expected_version,
                       const Actor& actor, Timestamp now);

  // One escalation level that fired: its mail, its changes, its event.
  Status Escalate(const EscalationAction& action, Timestamp now);

  // The escalation sweep of a chunk of due tickets (SlaEngine::SweepMany),
  // each level that fires applied as Escalate applies one, and the chunk's
  // rows written together: each kind in one statement on PostgreSQL,
  // where a sweep of a thousand tickets would otherwise wait for tens of
  // thousands of round trips.
  Status SweepDue(const std::vector<int64_t>& ids, Timestamp now, SweepReport* report);

  // A bounce threaded to a ticket: each permanently failing recipient is
  // marked, so no automatic mail goes to it again, and the ticket says so.
  // A recipient counts only when the report names a mail Frontdesk sent to
  // it; an agent is never marked.
  Status RecordBounce(int64_t ticket_id, const DsnReport& dsn, Timestamp now);

  // A quarantined ticket read again: what its first message now reads as,
  // the routing it now gets, its SLA clocks. `detail_json` is the
  // `reprocessed` event's detail.
  Status Reread(int64_t ticket_id, const NewTicket& reread, const TicketPatch& routed,
                const std::string& detail_json, Timestamp now);

  // A mail with Message-ID `message_id` was filed in ticket `parent_id`:
  // tickets opened earlier by replies to it join that ticket, unless
  // someone has acted on them (then an event says why not).
  Status JoinAwaiting(const std::string& message_id, int64_t parent_id, Timestamp now);

  Store& store() { return store_; }

  // A fact that changes nothing else, for the event log.
  Status Record(std::optional<int64_t> ticket_id, std::string_view kind, const Actor& actor,
                const std::string& detail_json, Timestamp now, std::optional<std::string> rule_id = std::nullopt);

 private:
  Status RecordOpening(const NewTicket& t, const CreatedTicket& c);
  Status StartClocks(int64_t ticket_id, const std::string& named_policy, Timestamp now);
  Status QueueOpeningMail(const NewTicket& t, const CreatedTicket& c);
  Result<int64_t> AddAgentMessage(const Ticket& t, const NewMessage& m);
  Result<int64_t> AddInbound(const Ticket& t, const NewMessage& m);
  Result<int64_t> Insert(const Ticket& t, const NewMessage& m);
  Status ApplyLevel(const EscalationAction& a, TicketSave& ticket, SweepWrites& writes, Timestamp now);
  Status Write(const SweepWrites& writes, Timestamp now);
  Status Join(int64_t child_id, int64_t parent_id, const std::string& message_id, Timestamp now);

  Store& store_;
  const Config& config_;
  const SlaEngine& sla_;
};

}  // namespace frontdesk
