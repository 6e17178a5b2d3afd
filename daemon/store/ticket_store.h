// ticket_store.h: tickets, their messages, attachments and events. Writing
// methods expect the caller to hold a write transaction (a Txn, or a batch
// of the WriteQueue), so that a ticket and everything that belongs to it
// commit together or not at all. Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/model/ticket.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct NewAttachment {
  std::string filename;      // already sanitised
  std::string content_type;  // already normalised
  std::string data;
};

struct NewTicket {
  std::string channel;  // web, email, api
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
  bool auto_reply_suppressed = false;
  std::vector<NewAttachment> attachments;
  std::string actor;  // who caused it, for the event log
  // Mail only: the stored raw message, threading headers, recipients.
  std::optional<int64_t> raw_id;
  std::optional<std::string> message_id;
  std::optional<std::string> in_reply_to;
  std::string refs_json = "[]";
  std::vector<std::string> recipients;
  std::vector<std::string> cc;
  bool auto_submitted = false;
  std::optional<std::string> auto_reason;
  bool quarantined = false;
  std::optional<std::string> quarantine_reason;
  std::optional<int64_t> linked_ticket_id;
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

struct TicketQuery {
  std::vector<std::string> statuses;
  std::optional<std::string> queue;
  std::optional<std::string> priority;
  std::optional<std::string> assignee;
  std::optional<std::string> requester;
  std::optional<std::string> text;  // full-text search over subjects and bodies
  std::optional<Timestamp> created_after;   // inclusive
  std::optional<Timestamp> created_before;  // exclusive
  std::optional<bool> quarantined;
  std::optional<bool> breached;
  enum class Sort { kIdDesc, kIdAsc, kCreatedDesc, kCreatedAsc, kUpdatedDesc, kUpdatedAsc };
  Sort sort = Sort::kIdDesc;
  int limit = 50;
  // Keyset position: return rows strictly after (after_key, after_id).
  std::optional<int64_t> after_key;
  std::optional<int64_t> after_id;
};

struct TicketPage {
  std::vector<Ticket> tickets;
  bool more = false;  // there is at least one more row after the last one
};

struct TicketPatch {
  std::optional<std::string> status;
  std::optional<std::string> priority;
  std::optional<std::string> queue;
  std::optional<std::optional<std::string>> assignee;  // set, or set to null
  std::optional<std::vector<std::string>> tags;
};

struct NewMessage {
  std::string kind;  // reply or note
  std::string body;
  std::optional<std::string> author_email;
  std::optional<std::string> author_name;
  std::string actor;
  Timestamp now;
};

// A mail for the outbox. dedupe_key is (ticket, event, recipient): queueing
// the same mail twice is a no-op, so a replayed cause cannot send twice.
struct OutboxMail {
  std::string dedupe_key;
  int64_t ticket_id = 0;
  std::string kind;  // reply, escalation, ...
  bool automatic = true;
  std::string recipient;
  std::string subject;
  std::string body;
  // The template's variables, a JSON object; see OutboxRow::vars.
  std::optional<std::string> vars;
  Timestamp now;
  // When it may go; none: at once.
  std::optional<Timestamp> send_at;
};

struct AttachmentContent {
  AttachmentRecord meta;
  std::string data;
};

class TicketStore {
 public:
  explicit TicketStore(Store& store) : db_(store.db()) {}

  Result<CreatedTicket> Create(const NewTicket& t);
  // Adds an inbound mail to an existing ticket (a reply in its thread).
  // Uses the mail fields, body and attachments of `t`; the ticket's own
  // fields are untouched. Returns the message id.
  Result<int64_t> AppendInbound(int64_t ticket_id, const NewTicket& t, const std::string& kind);
  // Stores raw bytes once (by SHA-256) and records where they came from.
  Result<int64_t> StoreRaw(const std::string& raw, const std::string& source, Timestamp now);
  // The ticket that holds a message (ours or theirs) with this Message-ID.
  Result<std::optional<int64_t>> TicketByMessageId(const std::string& message_id);
  // Whether an idempotency key was seen, and for which ticket.
  Result<std::optional<int64_t>> TicketByKey(const std::string& key);
  Status RecordKey(const std::string& key, int64_t ticket_id, int64_t message_id, const std::string& sha, Timestamp now);
  // The raw bytes of a ticket's first message, for reprocessing.
  Result<std::pair<int64_t, std::string>> FirstRaw(int64_t ticket_id);
  // Replaces what a quarantined ticket's first message was read as, and
  // lifts the quarantine. The raw bytes and the event log stay.
  Status Unquarantine(int64_t ticket_id, const NewTicket& reread, Timestamp now);
  // Whether `address` is the requester or a CC of the ticket.
  Result<bool> IsParticipant(int64_t ticket_id, const std::string& address);
  Result<Ticket> Get(int64_t id);
  Result<TicketPage> List(const TicketQuery& q);
  Result<std::vector<MessageRecord>> Messages(int64_t ticket_id);
  Result<std::vector<AttachmentRecord>> Attachments(int64_t ticket_id);
  Result<std::vector<EventRecord>> Events(int64_t ticket_id);
  Result<std::vector<SlaTargetRecord>> SlaTargets(int64_t ticket_id);
  Result<AttachmentContent> Attachment(int64_t ticket_id, int64_t attachment_id);

  // Applies `patch`, writing one event per changed field. With
  // `expected_version`, a ticket that has moved on is kPreconditionFailed.
  // Values are checked here too (status transitions, priorities, tags);
  // whether a queue exists is the caller's to check against the config.
  Result<Ticket> Update(int64_t id, const TicketPatch& patch,
                        std::optional<int64_t> expected_version, const std::string& actor,
                        Timestamp now);

  // Adds an agent's public reply or internal note. A reply is queued in the
  // outbox, to the requester, in the same transaction, and counts as the
  // first response when it is the first.
  Result<int64_t> AddMessage(int64_t ticket_id, const NewMessage& m);

  Result<std::vector<std::pair<std::string, int64_t>>> CountByStatus();
  // Queues a mail; returns its outbox id, or 0 when the same dedupe_key was
  // queued before.
  Result<int64_t> QueueMail(const OutboxMail& m);

  Status AddEvent(std::optional<int64_t> ticket_id, Timestamp at, std::string_view kind,
                  std::string_view actor, std::optional<std::string> rule_id,
                  const std::string& detail_json);

 private:
  Status PutBlob(const std::string& sha256, const std::string& data);
  // Adds a message's text to the full-text index.
  Status IndexMessage(int64_t message_id, const std::string& subject, const std::string& body);
  Status AddAttachments(int64_t ticket_id, int64_t message_id, const std::vector<NewAttachment>& list);
  Db& db_;
};

}  // namespace frontdesk
