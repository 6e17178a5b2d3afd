// changes.h: a change to a ticket, as a value. Every channel (web form,
// API, mail, mail commands, escalation, reprocess) builds one of these and
// hands it to TicketService (daemon/tickets/ticket_service.h), which is the
// one place that writes it, runs the SLA hooks and queues the mail. Each
// value carries its actor, so the event log says who caused what.
// Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/model/ticket.h"

namespace frontdesk {

struct NewAttachment {
  std::string filename;      // already sanitised
  std::string content_type;  // already normalised
  std::string data;
};

// What routing decided for a new ticket, for its `routed` event and its SLA
// policy. The queue, priority, category, assignee and tags it chose are
// already set on the NewTicket.
struct Routing {
  std::vector<std::string> matched;  // every rule that matched, in order
  std::string queue_rule;            // the rule that chose the queue, if any
  std::string sla_policy;            // a policy a rule named; "" to select by applies_to
  bool suppress_auto_reply = false;  // a rule said so
};

struct NewTicket {
  Channel channel = Channel::kWeb;
  Actor actor;
  std::string subject;
  std::string body;
  std::string requester_email;
  std::string requester_name;
  std::string queue;
  std::string priority = "normal";
  std::vector<std::string> tags;
  std::string fields_json = "{}";
  std::optional<std::string> category;
  std::optional<std::string> assignee;
  std::optional<std::string> route_rule;  // the rule that chose the queue
  Routing routing;
  bool auto_reply_suppressed = false;
  // The sender's address is proven (mail with dmarc=pass in a trusted
  // Authentication-Results header): the acknowledgement may repeat their
  // subject and name. Anyone else's may be forged (backscatter).
  bool sender_verified = false;
  std::vector<NewAttachment> attachments;
  // Mail only: the stored raw message, threading headers, recipients.
  std::optional<int64_t> raw_id;
  std::optional<std::string> message_id;
  std::optional<std::string> in_reply_to;
  std::string refs_json = "[]";
  std::vector<std::string> recipients;
  std::vector<std::string> cc;
  bool auto_submitted = false;
  std::optional<std::string> auto_reason;
  // Opened by automatic mail that threads to nothing of ours (Ticket::automatic).
  bool automatic = false;
  // The customer hears by mail that the ticket was made, and when to expect
  // an answer. An API client that tells its customer itself may opt out.
  bool acknowledge = true;
  // Message-IDs the mail answers that no ticket holds yet: the ticket may
  // join the one that mail opens, when it arrives (out-of-order delivery).
  std::vector<std::string> awaited_parents;
  bool quarantined = false;
  std::optional<std::string> quarantine_reason;
  std::vector<std::string> problems;  // what the parser repaired, for the quarantine event
  int64_t oversize_bytes = 0;         // over mail.max_message_bytes: the sender is told
  std::optional<int64_t> linked_ticket_id;
  std::optional<int64_t> copy_of;           // mail.ticket_per_queue: the ticket this copies
  std::optional<int64_t> same_message_id_in;  // another ticket holds this Message-ID
  std::string withheld_json;  // attachments kept only in the raw message, a JSON array; "" for none
  // Replaying a key returns the ticket it made. A key seen with a different
  // request_sha256 is a conflict, not a silent merge.
  std::string idempotency_key;
  std::string request_sha256;
  Timestamp now;
};

struct CreatedTicket {
  int64_t ticket_id = 0;
  int64_t message_id = 0;
  bool replayed = false;
};

// A message on an existing ticket: a customer's mail, an agent's reply or
// note, or automatic mail threaded to it.
struct NewMessage {
  MessageKind kind = MessageKind::kNote;
  Channel channel = Channel::kApi;
  Actor actor;
  std::string body;
  std::optional<std::string> author_email;
  std::optional<std::string> author_name;
  std::vector<NewAttachment> attachments;
  // A note nobody is told of: the agent's mail whose commands failed (the
  // agent is told instead).
  bool quiet = false;
  // Mail only: its own subject (otherwise the ticket's), threading headers,
  // the raw message, its identity, and facts for the event log.
  std::optional<std::string> subject;
  std::optional<int64_t> raw_id;
  std::optional<std::string> message_id;
  std::optional<std::string> in_reply_to;
  std::string refs_json = "[]";
  bool auto_submitted = false;
  std::optional<std::string> auto_reason;
  std::string idempotency_key;
  std::string request_sha256;
  bool duplicate_message_id = false;  // another mail had the same Message-ID
  std::string withheld_json;
  Timestamp now;
};

struct TicketPatch {
  std::optional<TicketStatus> status;
  std::optional<std::string> priority;
  std::optional<std::string> queue;
  std::optional<std::optional<std::string>> assignee;  // set, or set to null
  std::optional<std::vector<std::string>> tags;

  bool empty() const { return !status && !priority && !queue && !assignee && !tags; }
};

}  // namespace frontdesk
