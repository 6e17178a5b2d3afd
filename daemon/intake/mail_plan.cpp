#include "daemon/intake/mail_plan.h"

#include <algorithm>

#include "daemon/base/random.h"
#include "daemon/intake/agent_proof.h"
#include "daemon/intake/mail_reading.h"
#include "daemon/mail/signature.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {
namespace {

// A ticket that a mail joins, and the header that said so.
struct Thread {
  std::optional<int64_t> ticket;
  std::string why;
};

// The ticket a Message-ID names: one we signed, or one stored with a
// message or in the outbox.
Result<std::optional<int64_t>> TicketOfMessageId(TicketStore& tickets, const std::string& secret,
                                                 const std::string& id) {
  if (std::optional<int64_t> signed_ticket = VerifyMessageId(secret, id)) {
    Result<Ticket> t = tickets.Get(*signed_ticket);
    if (t.ok()) return signed_ticket;
    if (t.status().code() != Status::Code::kNotFound) return t.status();
  }
  Result<std::optional<int64_t>> stored = tickets.TicketByMessageId(id);
  if (!stored.ok() || *stored) return stored;
  // Outbox rows keep the local part; the sender adds the domain.
  size_t at = id.find('@');
  if (at != std::string::npos) return tickets.TicketByMessageId(id.substr(0, at));
  return stored;
}

// The ticket a mail belongs to: a reply to one of its messages (ours or the
// customer's), or its subject tag when the sender takes part in it.
Result<Thread> FindThread(TicketStore& tickets, const ParsedMail& m, const Config& config, const std::string& secret) {
  std::vector<std::pair<std::string, const char*>> ids;
  if (!m.in_reply_to.empty()) ids.emplace_back(m.in_reply_to, "In-Reply-To");
  for (auto it = m.references.rbegin(); it != m.references.rend(); ++it) ids.emplace_back(*it, "References");
  for (const auto& [id, header] : ids) {
    Result<std::optional<int64_t>> t = TicketOfMessageId(tickets, secret, id);
    if (!t.ok()) return t.status();
    if (*t) return Thread{*t, std::string(header) + " names <" + id + ">, a message of ticket " + std::to_string(**t)};
  }
  std::optional<int64_t> tagged = SubjectTicket(m.subject, config.mail.subject_tag);
  if (!tagged) return Thread{};
  Result<Ticket> t = tickets.Get(*tagged);
  if (!t.ok()) return t.status().code() == Status::Code::kNotFound ? Result<Thread>(Thread{}) : t.status();
  // A subject tag alone is easy to forge: it counts only for the requester,
  // a CC, or an agent of the ticket's queue.
  Result<bool> participant = tickets.IsParticipant(*tagged, m.from.address);
  if (!participant.ok()) return participant.status();
  if (*participant) {
    return Thread{tagged, "the subject tag names ticket " + std::to_string(*tagged) + ", and the sender takes part in it"};
  }
  if (IsQueueAgent(config, t->queue, m.from.address)) {
    return Thread{tagged, "the subject tag names ticket " + std::to_string(*tagged) + ", and the sender is an agent of its queue"};
  }
  return Thread{};
}

// A bounce belongs with the mail that bounced; our own mail with the ticket
// its signature names; anything else with the thread its headers name.
Result<Thread> ThreadOf(TicketStore& tickets, const MailPlan& p, const Config& config, const std::string& secret) {
  if (!p.quarantine_reason.empty()) return Thread{};
  const ParsedMail& m = p.mail;
  if (!p.dsn.original_message_id.empty()) {
    Result<std::optional<int64_t>> t = TicketOfMessageId(tickets, secret, p.dsn.original_message_id);
    if (!t.ok()) return t.status();
    if (*t) return Thread{*t, "a delivery report about <" + p.dsn.original_message_id + ">"};
  }
  if (!m.message_id.empty() && VerifyMessageId(secret, m.message_id)) {
    Result<std::optional<int64_t>> t = TicketOfMessageId(tickets, secret, m.message_id);
    if (!t.ok()) return t.status();
    if (*t) return Thread{*t, "our own signed Message-ID"};
  }
  return FindThread(tickets, m, config, secret);
}

// Mail to a comment address is internal however it arrived (an MTA pipe
// with --action comment, or one mailbox that receives every address).
bool ToCommentAddress(const ParsedMail& m, const Config& config) {
  for (const QueueConfig& q : config.queues) {
    for (const auto* list : {&m.to, &m.cc}) {
      for (const MailAddress& a : *list) {
        const auto& c = q.comment_addresses;
        if (std::find(c.begin(), c.end(), a.address) != c.end()) return true;
      }
    }
  }
  return false;
}

// The queues whose addresses the mail was sent to (To or Cc), in config order.
std::vector<const QueueConfig*> AddressedQueues(const ParsedMail& m, const Config& config) {
  std::vector<const QueueConfig*> addressed;
  for (const QueueConfig& q : config.queues) {
    for (const auto* list : {&m.to, &m.cc}) {
      for (const MailAddress& a : *list) {
        bool ours = std::find(q.addresses.begin(), q.addresses.end(), a.address) != q.addresses.end();
        if (ours && (addressed.empty() || addressed.back() != &q)) addressed.push_back(&q);
      }
    }
  }
  return addressed;
}

// The case of a mail threaded to ticket `p->ticket_id`. Only an agent's
// proven mail acts as the agent's; the same mail without proof is filed as
// anyone's reply would be.
Status PlanThreaded(Store& store, const Config& config, const std::string& secret, MailPlan* p) {
  const ParsedMail& m = p->mail;
  if (m.is_dsn) {
    p->what = MailCase::kBounce;
    return Status::Ok();
  }
  p->what = m.auto_submitted ? MailCase::kAutomatic : MailCase::kCustomerReply;
  if (m.auto_submitted) return Status::Ok();
  Result<Ticket> t = TicketStore(store).Get(p->ticket_id);
  if (!t.ok()) return t.status();
  const std::string& from = m.from.address;
  const bool of_queue = IsQueueAgent(config, t->queue, from);
  if (from == t->requester_email || (!of_queue && !config.IsAgent(from))) return Status::Ok();
  Result<AgentProof> proof = ProveAgent(store, m, *t, from, config, secret);
  if (!proof.ok()) return proof.status();
  if (!of_queue && !proof->answers_our_mail) return Status::Ok();  // an agent elsewhere, writing as anyone
  if (!proof->proven) {
    p->unproven_agent = true;
    p->why += "; from " + from + ", an agent of queue " + t->queue + ", without proof: " + proof->how;
    return Status::Ok();
  }
  p->what = MailCase::kAgentMail;
  // The ticket moved to a queue the agent is not in after they were told of
  // it: their answer to that mail still acts on the ticket it names.
  p->why += "; from " + from + (of_queue ? ", an agent of queue " + t->queue
                                         : ", an agent, though the ticket has moved to queue " + t->queue) +
            ": " + proof->how;
  p->agent = ReadAgentMail(m.body_text, m.from.address, *t, config);
  return Status::Ok();
}

// A customer's reply to a closed ticket, or to one solved longer ago than
// mail.reopen_window, starts a new ticket that points back. An agent of the
// queue, proven, may still act on a solved ticket however old (to reopen
// it, say); a closed one is final for everyone.
Status CheckTooLate(Store& store, const Config& config, const std::string& secret, Timestamp now, MailPlan* p) {
  Result<Ticket> t = TicketStore(store).Get(p->ticket_id);
  if (!t.ok()) return t.status();
  bool too_late = t->status == TicketStatus::kClosed ||
                  (t->status == TicketStatus::kSolved && t->solved_at &&
                   now - *t->solved_at > config.mail.reopen_window);
  const std::string& from = p->mail.from.address;
  if (too_late && t->status == TicketStatus::kSolved && from != t->requester_email && config.IsAgent(from)) {
    Result<AgentProof> proof = ProveAgent(store, p->mail, *t, from, config, secret);
    if (!proof.ok()) return proof.status();
    too_late = !(proof->proven && (IsQueueAgent(config, t->queue, from) || proof->answers_our_mail));
  }
  if (!too_late) return Status::Ok();
  p->linked_ticket_id = p->ticket_id;
  p->why += "; ticket " + std::to_string(p->ticket_id) + " is " + std::string(Name(t->status)) +
            ", so a new ticket points back to it";
  p->ticket_id = 0;
  return Status::Ok();
}

// A new ticket: its queue, its copies, and routing, unless it must be
// quarantined.
Status PlanNew(const InboundMail& in, const Config& config, const Router& router, Timestamp now, MailPlan* p) {
  std::vector<const QueueConfig*> addressed = AddressedQueues(p->mail, config);
  const QueueConfig* queue = in.queue ? config.FindQueue(*in.queue) : nullptr;
  if (!queue && !addressed.empty()) queue = addressed.front();
  if (!queue) queue = config.DefaultQueue();
  if (!queue) return Status::Unavailable("no queue is configured");
  p->queue = queue->name;
  if (!p->quarantine_reason.empty()) {
    p->what = MailCase::kQuarantined;
    p->why = p->quarantine_reason;
    return Status::Ok();
  }
  p->route = router.Route(RouteInputFromMail(p->mail, in.mailbox, now));
  if (p->route.rejected) {
    p->what = MailCase::kRejected;
    p->why = "rule " + p->route.reject_rule + ": " + p->route.reject_reason;
    return Status::Ok();
  }
  p->what = MailCase::kNewTicket;
  if (p->why.empty()) p->why = "no ticket it belongs to";
  if (config.mail.ticket_per_queue && !in.queue) {
    std::string chosen = p->route.queue.empty() ? p->queue : p->route.queue;
    for (const QueueConfig* q : addressed) {
      if (q->name != chosen) p->copy_queues.push_back(q->name);
    }
  }
  return Status::Ok();
}

}  // namespace

const char* Name(MailCase c) {
  switch (c) {
    case MailCase::kDuplicate: return "duplicate";
    case MailCase::kAgentMail: return "agent_mail";
    case MailCase::kCustomerReply: return "customer_reply";
    case MailCase::kBounce: return "bounce";
    case MailCase::kAutomatic: return "automatic";
    case MailCase::kNewTicket: return "new_ticket";
    case MailCase::kQuarantined: return "quarantined";
    case MailCase::kRejected: return "rejected";
  }
  return "new_ticket";
}

Result<MailPlan> PlanMail(Store& store, const InboundMail& in, const Config& config, const Router& router,
                          const std::string& secret, Timestamp now) {
  TicketStore tickets(store);
  MailPlan p;
  if (in.parsed) {
    p.mail = *in.parsed;
  } else {
    Result<ParsedMail> parsed = ParseForIntake(in.raw, config, nullptr);
    if (!parsed.ok()) return parsed.status();
    p.mail = std::move(*parsed);
  }
  // Our own mail coming back, or another helpdesk's, is automatic: stored
  // and threaded, never answered, never reopening anything.
  std::string own = OwnMailReason(p.mail, config, secret);
  if (!own.empty()) {
    p.mail.auto_submitted = true;
    p.mail.auto_reason = own;
  }
  p.dsn = ReadDsn(p.mail);
  p.as_comment = in.as_comment || ToCommentAddress(p.mail, config);
  p.key = MailKey(p.mail, in.raw);
  p.raw_sha256 = Sha256Hex(in.raw);
  Result<std::optional<int64_t>> seen = tickets.TicketByKey(p.key);
  if (!seen.ok()) return seen.status();
  if (*seen) {
    p.what = MailCase::kDuplicate;
    p.ticket_id = **seen;
    p.why = "filed before, in ticket " + std::to_string(p.ticket_id);
    return p;
  }
  p.oversize = static_cast<int64_t>(in.raw.size()) > config.mail.max_message_bytes;
  p.quarantine_reason = p.oversize ? "the message is " + std::to_string(in.raw.size()) +
                                         " bytes, over mail.max_message_bytes (" +
                                         std::to_string(config.mail.max_message_bytes) + ")"
                                   : UnreadableReason(p.mail);
  if (!p.mail.message_id.empty() && own.empty()) {
    Result<std::optional<int64_t>> prior = tickets.TicketByMessageId(p.mail.message_id);
    if (!prior.ok()) return prior.status();
    p.same_message_id_in = *prior;
  }
  Result<Thread> thread = ThreadOf(tickets, p, config, secret);
  if (!thread.ok()) return thread.status();
  p.why = thread->why;
  if (thread->ticket) {
    p.ticket_id = *thread->ticket;
    // A ticket joined into another (its reply arrived before its parent)
    // sends what follows to where its messages went.
    Result<Ticket> found = tickets.Get(p.ticket_id);
    if (!found.ok()) return found.status();
    if (found->merged_into) {
      p.ticket_id = *found->merged_into;
      p.why += "; ticket " + std::to_string(found->id) + " was joined into ticket " + std::to_string(p.ticket_id);
    }
    bool customer = !p.mail.auto_submitted && !p.mail.is_dsn && !p.as_comment;
    if (customer) {
      Status s = CheckTooLate(store, config, secret, now, &p);
      if (!s.ok()) return s;
    }
  }
  Status s = p.ticket_id ? PlanThreaded(store, config, secret, &p) : PlanNew(in, config, router, now, &p);
  if (!s.ok()) return s;
  return p;
}

}  // namespace frontdesk
