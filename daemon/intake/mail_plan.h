// mail_plan.h: decides what one inbound mail is, and why, before anything
// is written. PlanMail only reads the store; ApplyMailPlan (mail_intake.h)
// hands the plan to TicketService. Keeping the decision apart makes it a
// value a test can check case by case, and lets `route --explain` and the
// event log say why a mail went where it went. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/intake/agent_mail.h"
#include "daemon/mail/dsn.h"
#include "daemon/mail/mime.h"
#include "daemon/store/store.h"
#include "daemon/tickets/router.h"

namespace frontdesk {

struct InboundMail {
  std::string raw;
  // Parsed before the write transaction starts, so the lock is not held
  // while GMime works; ParseForIntake() does it.
  std::optional<ParsedMail> parsed;
  std::string source;                // "mailgate", "imap:NAME"
  std::optional<std::string> queue;  // mailgate --queue
  bool as_comment = false;           // mailgate --action comment
  std::string mailbox;               // for routing, "" for mailgate
  // When the MTA handed it to mailgate (the spool time) or the poller
  // fetched it. SLA clocks count from here, not from when it was filed:
  // the customer's wait began when their mail reached us.
  std::optional<Timestamp> arrived_at;
};

enum class MailCase {
  kDuplicate,      // the same mail was filed before: nothing to do
  kAgentMail,      // an agent of the ticket's queue, proven (agent_proof.h): reply or note, and commands
  kCustomerReply,  // a customer's mail threaded to a ticket (or anyone's: a CC, an unproven agent)
  kBounce,         // a delivery report about mail of a ticket
  kAutomatic,      // automatic mail threaded to a ticket: stored, never answered
  kNewTicket,      // a new ticket, routed
  kQuarantined,    // a new ticket that could not be read, or is over the size cap
  kRejected,       // a routing rule refused it: no ticket, the rejection is logged
};
const char* Name(MailCase c);

struct MailPlan {
  MailCase what = MailCase::kNewTicket;
  std::string why;        // one line: what decided it
  int64_t ticket_id = 0;  // the ticket it joins (duplicate, agent mail, replies)
  ParsedMail mail;        // as read; our own mail coming back is marked automatic
  std::string key;        // its identity (MailKey)
  std::string raw_sha256;
  DsnReport dsn;
  bool oversize = false;
  // Sent to a comment address, or by mailgate --action comment: internal.
  bool as_comment = false;
  std::string quarantine_reason;
  // Another mail with the same Message-ID but other bytes: it is kept as a
  // message of its own and flagged, never merged silently.
  std::optional<int64_t> same_message_id_in;
  // A reply to a closed (or long solved) ticket makes a new one that points back.
  std::optional<int64_t> linked_ticket_id;
  // New tickets: the queue, the other queues addressed (mail.ticket_per_queue),
  // and the routing decision.
  std::string queue;
  std::vector<std::string> copy_queues;
  RouteDecision route;
  // kAgentMail: the agent's text and commands.
  AgentMail agent;
  // kCustomerReply from an agent's address without proof: filed as the
  // customer's, and the agent is told why nothing was applied.
  bool unproven_agent = false;
};

// Decides what `in` is. `secret` is the signing secret of our Message-IDs.
// Mail to a comment address is internal only when an agent's; from anyone
// else it is filed like any other reply.
// Reads the store; writes nothing.
Result<MailPlan> PlanMail(Store& store, const InboundMail& in, const Config& config, const Router& router,
                          const std::string& secret, Timestamp now);

}  // namespace frontdesk
