// ticket_store.h: the SQL of tickets, their messages, attachments, events
// and idempotency keys. It decides nothing: the rules (statuses, replies,
// what mail a change brings) live in TicketService, which is its only
// writer of tickets and messages. Writing methods expect the caller to
// hold a write transaction (a Txn, or a batch of the WriteQueue), so that a
// ticket and everything that belongs to it commit together or not at all.
// Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/model/changes.h"
#include "daemon/model/ticket.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/store.h"

namespace frontdesk {

// The columns ReadTicket reads, in its order, for a SELECT of tickets.
const char* TicketColumns();
Ticket ReadTicket(const Stmt& st);

struct AttachmentContent {
  AttachmentRecord meta;
  std::string data;
};

// What an idempotency key was first used for.
struct KeyRecord {
  int64_t ticket_id = 0;
  int64_t message_id = 0;
  std::string request_sha256;
};

// An event of some ticket, for the writes of many tickets at once.
struct TicketEvent {
  int64_t ticket_id = 0;
  Timestamp at;
  std::string kind;
  std::string actor;
  std::optional<std::string> rule_id;
  std::string detail_json;
};

// A ticket as the escalation sweep leaves it: its changeable fields when
// `changed` (which moves its version, as SaveTicket does), and always its
// next_due_at.
struct TicketSave {
  Ticket ticket;
  bool changed = false;
};

// The rows of many tickets written at once (the escalation sweep's chunk).
struct TicketBatch {
  std::vector<TicketSave> tickets;  // at the version they were read at
  std::vector<TicketEvent> events;  // in the order they happened
  std::vector<ClockSave> clocks;    // read in this transaction; each at most once
};

class TicketStore {
 public:
  explicit TicketStore(Store& store) : db_(store.db()) {}

  // Inserts the ticket's row (status new) and its addresses; the first
  // message is added with InsertMessage. Returns the ticket's id.
  Result<int64_t> InsertTicket(const NewTicket& t);
  // Inserts a message with its attachments and indexes its text; `subject`
  // is the message's own. Returns the message id.
  Result<int64_t> InsertMessage(int64_t ticket_id, const NewMessage& m, const std::string& subject);
  // Writes the ticket's changeable fields (status, priority, queue,
  // assignee, tags, solved, closed and first response times, reopen count)
  // and moves its version, only when it is still at `seen_version`;
  // otherwise kPreconditionFailed.
  Status SaveTicket(const Ticket& t, Timestamp now);
  // Writes a batch: on SQLite one statement per row, as SaveTicket,
  // AddEvent and SaveClock would. On PostgreSQL, where a statement is a
  // round trip, each kind of row in one statement; and each ticket gets
  // one new row version, not one per event and clock (every version of a
  // ticket writes an entry in each of its indexes): the touch triggers
  // leave the batch's rows to the tickets' update, which moves version,
  // updated_at and sla_due_at as they would have. A ticket no longer at
  // the version it was read at is kPreconditionFailed, and the caller's
  // transaction must roll back.
  Status WriteBatch(const TicketBatch& batch, Timestamp now);
  // Stores raw bytes once (by SHA-256) and records where they came from.
  Result<int64_t> StoreRaw(const std::string& raw, const std::string& source, Timestamp now);
  // The ticket that holds a message (ours or theirs) with this Message-ID.
  Result<std::optional<int64_t>> TicketByMessageId(const std::string& message_id);
  // Whether an idempotency key was seen, and for what.
  Result<std::optional<KeyRecord>> FindKey(const std::string& key);
  Result<std::optional<int64_t>> TicketByKey(const std::string& key);
  Status RecordKey(const std::string& key, int64_t ticket_id, std::optional<int64_t> message_id, const std::string& sha, Timestamp now);
  // The raw bytes of a ticket's first message, for reprocessing.
  Result<std::pair<int64_t, std::string>> FirstRaw(int64_t ticket_id);
  // Replaces what a quarantined ticket's first message was read as, and
  // lifts the quarantine. The raw bytes and the event log stay.
  Status Unquarantine(int64_t ticket_id, const NewTicket& reread, Timestamp now);
  // Whether `address` is the requester or a CC of the ticket.
  Result<bool> IsParticipant(int64_t ticket_id, const std::string& address);
  // Whether `address` wrote, received or was copied on the ticket's mail.
  Result<bool> HasAddress(int64_t ticket_id, const std::string& address);
  Result<Ticket> Get(int64_t id);
  // The tickets of `ids` that exist, by id, in one statement.
  Result<std::vector<Ticket>> GetMany(const std::vector<int64_t>& ids);
  Result<std::vector<MessageRecord>> Messages(int64_t ticket_id);
  Result<std::vector<AttachmentRecord>> Attachments(int64_t ticket_id);
  Result<std::vector<EventRecord>> Events(int64_t ticket_id);
  Result<std::vector<SlaTargetRecord>> SlaTargets(int64_t ticket_id);
  Result<AttachmentContent> Attachment(int64_t ticket_id, int64_t attachment_id);
  Result<std::vector<std::pair<std::string, int64_t>>> CountByStatus();

  // Mail that answers Message-IDs we have not seen yet: when one of them
  // arrives, the ticket may join that mail's ticket (TicketService::Join).
  Status AwaitParents(int64_t ticket_id, const std::vector<std::string>& message_ids, Timestamp now);
  Result<std::vector<int64_t>> TicketsAwaiting(const std::string& message_id);
  Status StopAwaiting(int64_t ticket_id);
  // Whether a person has acted on the ticket: a reply or note, or a change
  // that neither routing nor an SLA level made.
  Result<bool> ActedOn(int64_t ticket_id);
  // Moves every message and attachment of ticket `from` to `to`, whose
  // participants it joins (its requester as a CC). Returns the messages moved.
  Result<std::vector<int64_t>> MoveThread(int64_t from, int64_t to);
  Status MarkMerged(int64_t ticket_id, int64_t into, Timestamp now);

  Status AddEvent(std::optional<int64_t> ticket_id, Timestamp at, std::string_view kind,
                  std::string_view actor, std::optional<std::string> rule_id,
                  const std::string& detail_json);

 private:
  Status PutBlob(const std::string& sha256, const std::string& data);
  // Adds a message's text to the full-text index.
  Status IndexMessage(int64_t message_id, const std::string& subject, const std::string& body);
  Status AddAttachments(int64_t ticket_id, int64_t message_id, const std::vector<NewAttachment>& list);
  Status AddEvents(const std::vector<TicketEvent>& events);
  Status SaveTickets(const TicketBatch& batch, Timestamp now);

  Db& db_;
};

}  // namespace frontdesk
