#include "daemon/intake/mail_intake.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "daemon/base/text.h"
#include "daemon/intake/agent_proof.h"
#include "daemon/intake/mail_reading.h"
#include "daemon/intake/submission.h"
#include "daemon/mail/signature.h"
#include "daemon/outbox/auto_reply.h"
#include "daemon/store/recipient_store.h"
#include "daemon/store/secret_store.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/ticket_store.h"
#include "daemon/tickets/ticket_service.h"

namespace frontdesk {
namespace {

using nlohmann::json;

// The message a threaded mail adds to its ticket.
NewMessage InboundMessage(const MailPlan& p, int64_t raw_id, Timestamp now) {
  const ParsedMail& m = p.mail;
  NewMessage msg;
  switch (p.what) {
    case MailCase::kCustomerReply: msg.kind = MessageKind::kCustomer; break;
    case MailCase::kAutomatic: msg.kind = MessageKind::kAuto; break;
    default: msg.kind = MessageKind::kNote; break;  // a bounce
  }
  msg.channel = Channel::kEmail;
  msg.actor = Actor::Customer(Channel::kEmail, m.from.address);
  msg.subject = m.subject.empty() ? "(no subject)" : m.subject;
  msg.author_email = m.from.address;
  msg.author_name = m.from.name;
  msg.raw_id = raw_id;
  if (!m.message_id.empty()) msg.message_id = m.message_id;
  if (!m.in_reply_to.empty()) msg.in_reply_to = m.in_reply_to;
  msg.refs_json = json(m.references).dump();
  msg.auto_submitted = m.auto_submitted;
  if (m.auto_submitted) msg.auto_reason = m.auto_reason;
  msg.idempotency_key = p.key;
  msg.request_sha256 = p.raw_sha256;
  msg.duplicate_message_id = p.same_message_id_in.has_value() && *p.same_message_id_in != 0;
  msg.now = now;
  return msg;
}

// An agent of the ticket's queue writing to it: the reply is relayed to the
// customer (or kept as a note), and the commands on its first lines apply
// with it. A wrong command applies nothing: the mail is kept as a note and
// the agent gets a mail that says why.
Result<MailOutcome> ApplyAgentMail(TicketService& service, Store& store, const MailPlan& p, int64_t raw_id,
                                   Timestamp now) {
  const AgentMail& a = p.agent;
  const ParsedMail& m = p.mail;
  NewMessage msg = InboundMessage(p, raw_id, now);
  msg.actor = Actor::AgentByMail(m.from.address);
  msg.subject.reset();  // the ticket's: the agent answers within it
  msg.kind = p.as_comment || a.note || !a.errors.empty() ? MessageKind::kNote : MessageKind::kReply;
  msg.body = a.errors.empty() ? a.text : StripQuoted(m.body_text);
  msg.quiet = !a.errors.empty();
  // Commands alone carry no message: the change itself is the record, so a
  // status set by mail reads in the log as it does when set through the API.
  std::optional<int64_t> id;
  if (!Trim(msg.body).empty()) {
    Result<int64_t> added = service.AddMessage(p.ticket_id, msg);
    if (!added.ok()) return added.status();
    id = *added;
  } else {
    Status s = TicketStore(store).RecordKey(p.key, p.ticket_id, std::nullopt, p.raw_sha256, now);
    if (!s.ok()) return s;
  }
  if (!a.patch.empty()) {
    Result<Ticket> after = service.Patch(p.ticket_id, a.patch, std::nullopt, msg.actor, now);
    if (!after.ok()) return after.status();
  }
  json detail = {{"message_id", id ? json(*id) : json(nullptr)}, {"raw_id", raw_id},
                 {"kind", id ? json(Name(msg.kind)) : json(nullptr)}, {"commands", a.applied}, {"errors", a.errors}};
  Status s = service.Record(p.ticket_id, "agent_mail", msg.actor, detail.dump(), now);
  if (!s.ok()) return s;
  if (!a.errors.empty()) {
    Result<Ticket> t = TicketStore(store).Get(p.ticket_id);
    if (!t.ok()) return t.status();
    s = QueueCommandError(store, *t, id.value_or(0), m.from.address, a.errors, now);
    if (!s.ok()) return s;
  }
  return MailOutcome{MailOutcome::Kind::kAppended, p.ticket_id, id.value_or(0)};
}

Result<MailOutcome> ApplyThreaded(TicketService& service, const MailPlan& p, int64_t raw_id, const Config& config,
                                  Timestamp now) {
  NewMessage msg = InboundMessage(p, raw_id, now);
  NewTicket read = TicketFromMail(p.mail, config.mail, now);
  msg.body = read.body;
  msg.attachments = read.attachments;
  msg.withheld_json = read.withheld_json;
  Result<int64_t> id = service.AddMessage(p.ticket_id, msg);
  if (!id.ok()) return id.status();
  Status s = service.RecordBounce(p.ticket_id, p.dsn, now);
  if (!s.ok()) return s;
  if (p.unproven_agent) {
    s = service.Record(p.ticket_id, "agent_mail_unproven", msg.actor,
                       json{{"message_id", *id}, {"from", p.mail.from.address}, {"why", p.why}}.dump(), now);
    if (!s.ok()) return s;
    s = QueueUnprovenAgentNotice(service.store(), p.ticket_id, p.mail.from.address, now);
    if (!s.ok()) return s;
  }
  return MailOutcome{MailOutcome::Kind::kAppended, p.ticket_id, *id};
}

Result<MailOutcome> ApplyRejected(Store& store, const MailPlan& p, const Config& config, Timestamp now) {
  const ParsedMail& m = p.mail;
  Status s = SlaStore(store).AddRejection("email", p.route.reject_rule, p.route.reject_reason, m.from.address,
                                          m.subject, now);
  if (!s.ok()) return s;
  if (!m.auto_submitted) {
    RejectedMail r{p.key,       p.queue,      m.from.address,         m.from.name,
                   m.subject,   m.message_id, p.route.reject_reason, SenderVerified(m, config)};
    s = QueueRejectedNotice(store, config, r, now);
    if (!s.ok()) return s;
  }
  MailOutcome out;
  out.kind = MailOutcome::Kind::kRejected;
  out.detail = p.route.reject_reason;
  return out;
}

// The Message-IDs a mail that opens a ticket answers: none of them is
// filed yet, so each may still arrive (out-of-order delivery) and take
// this ticket into its own. The nearest first, at most a handful.
std::vector<std::string> AwaitedParents(const ParsedMail& m) {
  constexpr size_t kMax = 8;
  std::vector<std::string> ids;
  auto add = [&](const std::string& id) {
    if (id.empty() || ids.size() >= kMax || id == m.message_id) return;
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  add(m.in_reply_to);
  for (auto it = m.references.rbegin(); it != m.references.rend(); ++it) add(*it);
  return ids;
}

// The ticket a new mail makes: routed, or quarantined with its reason.
NewTicket NewTicketOf(const MailPlan& p, int64_t raw_id, int64_t raw_size, const Config& config, Timestamp now) {
  NewTicket t = TicketFromMail(p.mail, config.mail, now);
  t.sender_verified = SenderVerified(p.mail, config);
  t.raw_id = raw_id;
  t.queue = p.queue;
  t.linked_ticket_id = p.linked_ticket_id;
  if (p.same_message_id_in && *p.same_message_id_in) t.same_message_id_in = p.same_message_id_in;
  t.idempotency_key = p.key;
  t.request_sha256 = p.raw_sha256;
  // Automatic mail that threads to nothing of ours (an out-of-office to a
  // mail we never sent): kept, but no one's work and no KPI's.
  t.automatic = p.mail.auto_submitted && !p.linked_ticket_id;
  if (!p.linked_ticket_id) t.awaited_parents = AwaitedParents(p.mail);
  if (p.what == MailCase::kQuarantined) {
    t.quarantined = true;
    t.quarantine_reason = p.quarantine_reason;
    t.problems = p.mail.problems;
    t.auto_reply_suppressed = true;
    if (p.oversize) t.oversize_bytes = raw_size;
    if (t.requester_email.empty()) t.requester_email = "unknown@invalid";
    return t;
  }
  ApplyRoute(p.route, &t);
  t.auto_reply_suppressed = t.auto_reply_suppressed || p.mail.auto_submitted;
  return t;
}

// One ticket, or with mail.ticket_per_queue one per queue addressed; each
// copy has its own key, so a redelivery finds them all already there.
Result<MailOutcome> ApplyNew(TicketService& service, const InboundMail& in, const MailPlan& p, int64_t raw_id,
                             const Config& config, Timestamp now) {
  NewTicket t = NewTicketOf(p, raw_id, static_cast<int64_t>(in.raw.size()), config, now);
  Result<CreatedTicket> c = service.Open(t);
  if (!c.ok()) return c.status();
  Status s = service.RecordBounce(c->ticket_id, p.dsn, now);
  if (!s.ok()) return s;
  MailOutcome out{MailOutcome::Kind::kCreated, c->ticket_id, c->message_id, t.quarantined, p.quarantine_reason};
  for (const std::string& queue : p.copy_queues) {
    NewTicket copy = t;
    copy.queue = queue;
    copy.copy_of = c->ticket_id;
    copy.idempotency_key = p.key + ":" + queue;
    copy.awaited_parents.clear();  // the first ticket joins the parent; copies stay in their queues
    Result<CreatedTicket> made = service.Open(copy);
    if (!made.ok()) return made.status();
    s = service.RecordBounce(made->ticket_id, p.dsn, now);
    if (!s.ok()) return s;
    out.copies.push_back(made->ticket_id);
  }
  return out;
}

}  // namespace

Result<MailOutcome> ApplyMailPlan(Store& store, const InboundMail& in, const MailPlan& p, const Config& config,
                                  const SlaEngine& sla, Timestamp now) {
  if (p.what == MailCase::kDuplicate) return MailOutcome{MailOutcome::Kind::kDuplicate, p.ticket_id};
  // The raw bytes are kept whatever the mail turns out to be.
  Result<int64_t> raw_id = TicketStore(store).StoreRaw(in.raw, in.source, now);
  if (!raw_id.ok()) return raw_id.status();
  // Mail written by a person at an address proves the address works again.
  if (!p.mail.auto_submitted && !p.mail.from.address.empty()) {
    Status s = RecipientStore(store).ClearBouncing(p.mail.from.address);
    if (!s.ok()) return s;
  }
  TicketService service(store, config, sla);
  switch (p.what) {
    case MailCase::kDuplicate: break;
    case MailCase::kAgentMail: return ApplyAgentMail(service, store, p, *raw_id, now);
    case MailCase::kCustomerReply:
    case MailCase::kBounce:
    case MailCase::kAutomatic: return ApplyThreaded(service, p, *raw_id, config, now);
    case MailCase::kRejected: return ApplyRejected(store, p, config, now);
    case MailCase::kNewTicket:
    case MailCase::kQuarantined: return ApplyNew(service, in, p, *raw_id, config, now);
  }
  return MailOutcome{MailOutcome::Kind::kDuplicate, p.ticket_id};
}

Result<MailOutcome> AcceptMail(Store& store, const InboundMail& in, const Config& config, const Router& router,
                               const SlaEngine& sla, Timestamp now) {
  Result<std::string> secret = SecretStore(store).GetOrCreate(kMailSecret, now);
  if (!secret.ok()) return secret.status();
  // The mail is read, routed and timed as of when it reached us: a message
  // that waited in the spool while the daemon was busy or down has made
  // its customer wait just as long. A clock that says otherwise is wrong.
  Timestamp received = in.arrived_at && *in.arrived_at < now ? *in.arrived_at : now;
  Result<MailPlan> plan = PlanMail(store, in, config, router, *secret, received);
  if (!plan.ok()) return plan.status();
  return ApplyMailPlan(store, in, *plan, config, sla, received);
}

Result<std::string> Reprocess(Store& store, int64_t ticket_id, const Config& config, const Router& router,
                              const SlaEngine& sla, Timestamp now) {
  TicketStore tickets(store);
  Result<Ticket> t = tickets.Get(ticket_id);
  if (!t.ok()) return t.status();
  if (!t->quarantined) return Status::Conflict("ticket " + std::to_string(ticket_id) + " is not quarantined");
  Result<std::pair<int64_t, std::string>> raw = tickets.FirstRaw(ticket_id);
  if (!raw.ok()) return raw.status();
  MailParseOptions options;
  options.fallback_charset = config.mail.fallback_charset;
  ParsedMail m = ParseMail(raw->second, options);
  TicketService service(store, config, sla);
  std::string why = UnreadableReason(m);
  if (!why.empty()) {
    Status s = service.Record(ticket_id, "reprocess_failed", Actor::System("admin"), json{{"reason", why}}.dump(), now);
    if (!s.ok()) return s;
    return "ticket " + std::to_string(ticket_id) + " stays quarantined: " + why;
  }
  NewTicket n = TicketFromMail(m, config.mail, now);
  RouteDecision d = router.Route(RouteInputFromMail(m, "", now));
  TicketPatch p;
  if (!d.rejected) {
    if (!d.queue.empty()) p.queue = d.queue;
    if (!d.priority.empty()) p.priority = d.priority;
    if (!d.tags.empty()) p.tags = d.tags;
    if (!d.assignee.empty()) p.assignee = std::optional<std::string>(d.assignee);
    n.routing = {d.matched, d.queue_rule, d.sla, d.suppress_auto_reply};
  }
  std::string detail =
      json{{"rules", d.matched}, {"problems", m.problems}, {"attachments", m.attachments.size()}}.dump();
  Status s = service.Reread(ticket_id, n, p, detail, now);
  if (!s.ok()) return s;
  return "ticket " + std::to_string(ticket_id) + " reprocessed: from " + m.from.address + ", \"" + n.subject +
         "\"; no longer quarantined";
}

}  // namespace frontdesk
