// auto_reply.h: the automatic mail Frontdesk queues as tickets move: the
// acknowledgement of a new ticket, alerts to agents, notices to the
// customer (solved, rejected, too large) and the survey. Each is an outbox
// row, queued in the transaction of its cause, that names its template and
// carries only its own variables; outbox/render.h writes it out when it
// is sent, and the sender applies the loop-safety rules first. TicketService
// decides which of these a change brings.
// Thread-safe (no state).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/model/ticket.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/store.h"

namespace frontdesk {

// The copy of a message that an automatic mail quotes: the message itself
// is in the ticket, and a whole copy for each agent of a huge message would
// fill the disk. Up to kQuotedCopyBytes it is the text; beyond, it is cut
// there (at a line's end when one is near, never inside a character) and
// "[…]" marks the cut.
constexpr size_t kQuotedCopyBytes = 64 * 1024;
std::string QuotedCopy(const std::string& text);

// Queues the acknowledgement of a new ticket; does nothing when
// mail.auto_ack is off. The caller decides whether the ticket may have one
// (not for automatic mail, quarantined mail, or a rule's suppress_auto_reply).
Status QueueAutoAck(Store& store, const Config& config, int64_t ticket_id, bool sender_verified, Timestamp now);

// Tells the people working a ticket: its assignee, or else every agent of
// its queue. `what` is "new_ticket" (with the ticket's first message) or
// "customer_reply" (with message `message_id`). Agents answer the alert by
// mail: its signed Message-ID threads their reply to the ticket.
Status QueueAgentAlert(Store& store, const Config& config, int64_t ticket_id, const std::string& what,
                       int64_t message_id, Timestamp now);

// Tells the assignee, or else the queue's agents, of internal note
// `message_id`; never its author. Off with mail.note_alerts = false.
Status QueueNoteAlert(Store& store, const Config& config, int64_t ticket_id, int64_t message_id,
                      const std::string& author_email, Timestamp now);

// The mail a solve brings, when `after` is solved and `before_status` was
// not: the customer's notice (mail.solved_notice) and the satisfaction
// survey, which waits for csat.delay (see survey.h).
Status QueueSolvedMail(Store& store, const Config& config, TicketStatus before_status, const Ticket& after,
                       Timestamp now);

// An agent's public reply to the requester: not automatic, so the loop
// rules do not hold it back. Returns the outbox id.
Result<int64_t> QueueAgentReply(Store& store, const Ticket& t, int64_t message_id, const std::string& body,
                                const std::optional<std::string>& agent_name, Timestamp now);

// The mail of one escalation level: one per recipient, keyed by (ticket,
// target, cycle, level, recipient) so a level never mails twice.
struct EscalationNotice {
  std::string policy;
  std::string target;
  int64_t cycle = 0;
  int level_index = 0;      // 0-based
  std::string level_text;   // as the policy wrote it ("75%", "1h")
  std::string template_name;
  std::vector<std::string> recipients;
};
Status QueueEscalationMail(Store& store, const Ticket& t, const EscalationNotice& notice, Timestamp now);
// The mails QueueEscalationMail queues, one per recipient, for a caller
// that queues many at once (QueueMails).
std::vector<OutboxMail> EscalationMails(const Ticket& t, const EscalationNotice& notice, Timestamp now);

// Tells an agent, once per ticket, that a mail from their address was filed
// as an ordinary message: it answered no mail Frontdesk sent them, so it
// could be anyone's, and nothing in it was relayed or applied.
Status QueueUnprovenAgentNotice(Store& store, int64_t ticket_id, const std::string& agent, Timestamp now);

// Tells an agent why their mail's commands were not applied.
Status QueueCommandError(Store& store, const Ticket& t, int64_t message_id, const std::string& agent,
                         const std::vector<std::string>& errors, Timestamp now);

// The sender's notice that a routing rule rejected their mail, which made
// no ticket (mail.rejected_notice). `key` is the mail's identity, so a
// redelivery does not notify twice.
struct RejectedMail {
  std::string key;
  std::string queue;  // the queue it was addressed to, to send from
  std::string sender_email, sender_name;
  std::string subject;
  std::string message_id;  // to thread the notice to it
  std::string reason;
  bool sender_verified = false;  // see NewTicket::sender_verified
};
Status QueueRejectedNotice(Store& store, const Config& config, const RejectedMail& mail, Timestamp now);

// The sender's notice that their mail was over mail.max_message_bytes and
// was kept, unread, as ticket `ticket_id` (mail.oversize_notice).
Status QueueOversizeNotice(Store& store, const Config& config, int64_t ticket_id, int64_t size, bool sender_verified,
                           Timestamp now);

}  // namespace frontdesk
