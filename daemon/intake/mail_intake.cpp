#include "daemon/intake/mail_intake.h"

#include <nlohmann/json.hpp>

#include "daemon/base/random.h"
#include "daemon/base/text.h"
#include "daemon/intake/agent_mail.h"
#include "daemon/intake/submission.h"
#include "daemon/mail/dsn.h"
#include "daemon/mail/signature.h"
#include "daemon/outbox/auto_reply.h"
#include "daemon/store/recipient_store.h"
#include "daemon/store/secret_store.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {
namespace {

using nlohmann::json;

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
Result<std::optional<int64_t>> FindThread(TicketStore& tickets, const ParsedMail& m, const Config& config,
                                          const std::string& secret) {
  std::vector<std::string> ids;
  if (!m.in_reply_to.empty()) ids.push_back(m.in_reply_to);
  for (auto it = m.references.rbegin(); it != m.references.rend(); ++it) ids.push_back(*it);
  for (const std::string& id : ids) {
    Result<std::optional<int64_t>> t = TicketOfMessageId(tickets, secret, id);
    if (!t.ok() || *t) return t;
  }
  std::optional<int64_t> tagged = SubjectTicket(m.subject, config.mail.subject_tag);
  if (!tagged) return std::optional<int64_t>();
  Result<Ticket> t = tickets.Get(*tagged);
  if (!t.ok()) return t.status().code() == Status::Code::kNotFound ? Result<std::optional<int64_t>>(std::nullopt)
                                                                      : Result<std::optional<int64_t>>(t.status());
  // A subject tag alone is easy to forge: it counts only for the requester,
  // a CC, or an agent of the ticket's queue.
  Result<bool> participant = tickets.IsParticipant(*tagged, m.from.address);
  if (!participant.ok()) return participant.status();
  const QueueConfig* q = config.FindQueue(t->queue);
  bool agent = q && std::find(q->agents.begin(), q->agents.end(), m.from.address) != q->agents.end();
  if (*participant || agent) return std::optional<int64_t>(*tagged);
  return std::optional<int64_t>();
}

// What the store needs of a parsed mail, for a new ticket or a reply.
// Attachments past mail.max_attachments, or over mail.max_attachment_bytes
// each, are not stored apart; they stay in the raw message, which is always
// kept, and the text says so. Returns what was withheld, for an event.
json CapAttachments(const ParsedMail& m, const MailConfig& caps, NewTicket* t) {
  json withheld = json::array();
  std::string note;
  for (const MailAttachment& a : m.attachments) {
    std::string why;
    if (static_cast<int64_t>(a.data.size()) > caps.max_attachment_bytes) {
      why = "over mail.max_attachment_bytes (" + std::to_string(caps.max_attachment_bytes) + ")";
    } else if (static_cast<int>(t->attachments.size()) >= caps.max_attachments) {
      why = "past mail.max_attachments (" + std::to_string(caps.max_attachments) + ")";
    }
    if (why.empty()) {
      t->attachments.push_back({a.filename, a.content_type, a.data});
      continue;
    }
    withheld.push_back({{"filename", a.filename}, {"size", a.data.size()}, {"reason", why}});
    note += "\n[attachment " + a.filename + " (" + std::to_string(a.data.size()) + " bytes) " + why +
            "; kept in the raw message]";
  }
  if (!note.empty()) t->body += note + "\n";
  return withheld;
}

NewTicket TicketFromMail(const ParsedMail& m, const MailConfig& caps, Timestamp now, json* withheld) {
  NewTicket t;
  t.channel = "email";
  t.subject = m.subject.empty() ? "(no subject)" : m.subject;
  t.body = m.body_text;
  t.requester_email = m.from.address;
  t.requester_name = m.from.name;
  json capped = CapAttachments(m, caps, &t);
  if (withheld) *withheld = std::move(capped);
  if (!m.message_id.empty()) t.message_id = m.message_id;
  if (!m.in_reply_to.empty()) t.in_reply_to = m.in_reply_to;
  t.refs_json = json(m.references).dump();
  for (const MailAddress& a : m.to) t.recipients.push_back(a.address);
  for (const MailAddress& a : m.cc) t.cc.push_back(a.address);
  t.auto_submitted = m.auto_submitted;
  if (m.auto_submitted) t.auto_reason = m.auto_reason;
  t.actor = m.from.address.empty() ? "mail" : "mail:" + m.from.address;
  t.now = now;
  return t;
}

RouteInput RouteInputFromMail(const ParsedMail& m, const std::string& mailbox, Timestamp now) {
  RouteInput ri;
  ri.channel = "email";
  for (const MailAddress& a : m.to) ri.to.push_back(a.address);
  for (const MailAddress& a : m.cc) ri.to.push_back(a.address);
  ri.mailbox = mailbox;
  ri.from = m.from.address;
  ri.subject = m.subject;
  ri.body = m.body_text;
  ri.headers = m.headers;
  ri.sender_priority = SenderPriority(m.headers);
  ri.now = now;
  return ri;
}

// A bounce marks each permanently failing recipient, so that no automatic
// mail goes to it again, and says so on the ticket.
Status RecordBounces(Store& store, int64_t ticket_id, const DsnReport& dsn, Timestamp now) {
  if (dsn.recipients.empty()) return Status::Ok();
  json list = json::array();
  RecipientStore recipients(store);
  for (const DsnRecipient& r : dsn.recipients) {
    list.push_back({{"address", r.address}, {"action", r.action}, {"status", r.status}, {"diagnostic", r.diagnostic},
                    {"permanent", r.permanent()}});
    if (!r.permanent()) continue;
    std::string why = "status " + r.status + (r.diagnostic.empty() ? "" : ": " + r.diagnostic);
    Status s = recipients.MarkBouncing(r.address, why, now);
    if (!s.ok()) return s;
  }
  return TicketStore(store).AddEvent(ticket_id, now, "bounce_received", "mail", std::nullopt,
                                     json{{"original_message_id", dsn.original_message_id}, {"recipients", list}}.dump());
}

// An agent of the ticket's queue writing to it: the reply is relayed to the
// customer (or kept as a note), and the commands on its first lines apply
// with it, all in this transaction. A wrong command applies nothing: the
// mail is kept as a note and the agent gets a mail that says why.
Result<MailOutcome> AcceptAgentMail(Store& store, const Ticket& ticket, const ParsedMail& m, const std::string& key,
                                    const std::string& raw_sha, bool as_comment, const Config& config,
                                    const SlaEngine& sla, Timestamp now) {
  TicketStore tickets(store);
  AgentMail a = ReadAgentMail(m.body_text, m.from.address, ticket, config);
  NewMessage msg;
  msg.author_email = m.from.address;
  msg.author_name = m.from.name;
  msg.actor = "mail:" + m.from.address;
  msg.now = now;
  msg.kind = as_comment || a.note || !a.errors.empty() ? "note" : "reply";
  msg.body = a.errors.empty() ? a.text : StripQuoted(m.body_text);
  if (Trim(msg.body).empty()) {
    // Commands alone: nothing to relay, a note says what was done.
    msg.kind = "note";
    std::string done;
    for (const std::string& c : a.applied) done += (done.empty() ? "" : ", ") + c;
    msg.body = "[by mail: " + done + "]";
  }
  Result<int64_t> id = tickets.AddMessage(ticket.id, msg);
  if (!id.ok()) return id.status();
  Status s = tickets.RecordKey(key, ticket.id, *id, raw_sha, now);
  if (!s.ok()) return s;
  if (msg.kind == "reply") {
    Result<Ticket> after = tickets.Get(ticket.id);
    if (!after.ok()) return after.status();
    s = sla.OnStatusChange(store, ticket.id, ticket.status, after->status, now);
    if (!s.ok()) return s;
    s = sla.OnPublicReply(store, ticket.id, now);
    if (!s.ok()) return s;
  }
  const TicketPatch& p = a.patch;
  if (p.status || p.priority || p.queue || p.assignee || p.tags) {
    Result<Ticket> before = tickets.Get(ticket.id);
    if (!before.ok()) return before.status();
    Result<Ticket> after = tickets.Update(ticket.id, p, std::nullopt, msg.actor, now);
    if (!after.ok()) return after.status();
    s = sla.OnStatusChange(store, ticket.id, before->status, after->status, now);
    if (!s.ok()) return s;
    s = QueueSolvedMail(store, config, before->status, *after, now);
    if (!s.ok()) return s;
  }
  if (msg.kind == "note" && a.errors.empty()) {
    s = QueueNoteAlert(store, config, ticket.id, *id, m.from.address, now);
    if (!s.ok()) return s;
  }
  s = tickets.AddEvent(ticket.id, now, "agent_mail", msg.actor, std::nullopt,
                       json{{"message_id", *id}, {"kind", msg.kind}, {"commands", a.applied}, {"errors", a.errors}}
                           .dump());
  if (!s.ok()) return s;
  if (!a.errors.empty()) {
    OutboxMail err;
    err.dedupe_key = "cmderr:" + std::to_string(*id) + ":" + m.from.address;
    err.ticket_id = ticket.id;
    err.kind = "command_error";
    err.automatic = true;
    err.recipient = m.from.address;
    err.subject = ticket.subject;
    err.body = "Your mail to ticket " + std::to_string(ticket.id) +
               " was kept as an internal note and not sent to the customer. Nothing was changed, because:\n\n";
    for (const std::string& e : a.errors) err.body += "  " + e + "\n";
    err.body += "\nCorrect the commands and send your mail again.\n";
    err.now = now;
    Result<int64_t> q = tickets.QueueMail(err);
    if (!q.ok()) return q.status();
  }
  MailOutcome out;
  out.kind = MailOutcome::Kind::kAppended;
  out.ticket_id = ticket.id;
  out.message_id = *id;
  return out;
}

// Why a parsed mail cannot become an ordinary ticket, or "" when it can.
std::string Unreadable(const ParsedMail& m) {
  if (!m.problems.empty() && m.problems.front().rfind("not a mail message", 0) == 0) return m.problems.front();
  if (m.from.address.empty() || m.from.address.find('@') == std::string::npos) return "no readable sender address";
  return "";
}

}  // namespace

std::string OwnMailReason(const ParsedMail& m, const Config& config, const std::string& secret) {
  if (!m.message_id.empty() && VerifyMessageId(secret, m.message_id)) return "our own mail (signed Message-ID)";
  for (const auto& [name, value] : m.headers) {
    if (AsciiLower(name) != AsciiLower(kLoopHeader)) continue;
    if (std::string(Trim(value)) == LoopToken(secret)) return "our own mail (" + std::string(kLoopHeader) + ")";
    return "another helpdesk's mail (" + std::string(kLoopHeader) + ")";
  }
  for (const QueueConfig& q : config.queues) {
    for (const auto* list : {&q.addresses, &q.comment_addresses}) {
      if (std::find(list->begin(), list->end(), m.from.address) != list->end()) {
        return "our own mail (sent from " + m.from.address + ")";
      }
    }
  }
  return "";
}

std::string CanonicalMailBytes(std::string_view raw) {
  static const char* kTrace[] = {"return-path", "delivered-to", "x-original-to", "received", "envelope-to",
                                 "x-envelope-to"};
  size_t pos = 0;
  auto line_end = [&](size_t from) {
    size_t nl = raw.find('\n', from);
    return nl == std::string_view::npos ? raw.size() : nl + 1;
  };
  if (raw.substr(0, 5) == "From ") pos = line_end(0);
  for (;;) {
    size_t colon = raw.find(':', pos);
    size_t eol = line_end(pos);
    if (colon == std::string_view::npos || colon >= eol) break;
    std::string name = AsciiLower(Trim(raw.substr(pos, colon - pos)));
    if (std::find(std::begin(kTrace), std::end(kTrace), name) == std::end(kTrace)) break;
    pos = eol;
    while (pos < raw.size() && (raw[pos] == ' ' || raw[pos] == '\t')) pos = line_end(pos);  // folded
  }
  std::string out;
  out.reserve(raw.size() - pos + raw.size() / 32);
  for (size_t i = pos; i < raw.size(); ++i) {
    if (raw[i] == '\n' && (i == pos || raw[i - 1] != '\r')) out += '\r';
    out += raw[i];
  }
  return out;
}

std::string MailKey(const ParsedMail& mail, const std::string& raw) {
  std::string sha = Sha256Hex(CanonicalMailBytes(raw));
  return mail.message_id.empty() ? "mail:sha256:" + sha : "mail:" + mail.message_id + ":" + sha;
}

std::optional<int64_t> SubjectTicket(const std::string& subject, const std::string& tag) {
  std::string needle = "[" + tag + "#";
  size_t at = subject.find(needle);
  if (at == std::string::npos) return std::nullopt;
  size_t start = at + needle.size(), end = start;
  while (end < subject.size() && end - start < 15 && subject[end] >= '0' && subject[end] <= '9') ++end;
  if (end == start || end >= subject.size() || subject[end] != ']') return std::nullopt;
  return std::stoll(subject.substr(start, end - start));
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
  std::string why = Unreadable(m);
  if (!why.empty()) {
    Status s = tickets.AddEvent(ticket_id, now, "reprocess_failed", "admin", std::nullopt, json{{"reason", why}}.dump());
    if (!s.ok()) return s;
    return "ticket " + std::to_string(ticket_id) + " stays quarantined: " + why;
  }
  NewTicket n = TicketFromMail(m, config.mail, now, nullptr);
  Status s = tickets.Unquarantine(ticket_id, n, now);
  if (!s.ok()) return s;
  RouteInput ri = RouteInputFromMail(m, "", now);
  RouteDecision d = router.Route(ri);
  TicketPatch p;
  if (!d.rejected) {
    if (!d.queue.empty()) p.queue = d.queue;
    if (!d.priority.empty()) p.priority = d.priority;
    if (!d.tags.empty()) p.tags = d.tags;
    if (!d.assignee.empty()) p.assignee = std::optional<std::string>(d.assignee);
  }
  if (p.queue || p.priority || p.tags || p.assignee) {
    Result<Ticket> u = tickets.Update(ticket_id, p, std::nullopt, "router", now);
    if (!u.ok()) return u.status();
  }
  s = tickets.AddEvent(ticket_id, now, "reprocessed", "admin", d.queue_rule.empty() ? std::nullopt : std::optional<std::string>(d.queue_rule),
                       json{{"rules", d.matched}, {"problems", m.problems}, {"attachments", m.attachments.size()}}.dump());
  if (!s.ok()) return s;
  if (!m.auto_submitted) {
    Result<Ticket> made = tickets.Get(ticket_id);
    if (!made.ok()) return made.status();
    if (const SlaPolicyConfig* policy = sla.Select(*made, d.sla)) {
      s = sla.Start(store, ticket_id, *policy, now);
      if (!s.ok()) return s;
    }
  }
  return "ticket " + std::to_string(ticket_id) + " reprocessed: from " + m.from.address + ", \"" + n.subject +
         "\"; no longer quarantined";
}

ParsedMail ParseForIntake(const std::string& raw, const Config& config) {
  MailParseOptions options;
  options.fallback_charset = config.mail.fallback_charset;
  if (static_cast<int64_t>(raw.size()) <= config.mail.max_message_bytes) return ParseMail(raw, options);
  // Over the soft cap the message is not parsed: it is kept raw, and a
  // person decides. The headers still give the sender and the subject.
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) end = raw.find("\n\n");
  ParsedMail h = ParseMail(std::string_view(raw).substr(0, end == std::string::npos ? 64 * 1024 : end), options);
  ParsedMail m;
  m.from = h.from;
  m.subject = h.subject;
  m.message_id = h.message_id;
  m.to = h.to;
  m.cc = h.cc;
  m.headers = h.headers;
  m.auto_submitted = h.auto_submitted;
  m.auto_reason = h.auto_reason;
  return m;
}

Result<MailOutcome> AcceptMail(Store& store, const InboundMail& in, const Config& config, const Router& router,
                               const SlaEngine& sla, Timestamp now) {
  bool oversize = static_cast<int64_t>(in.raw.size()) > config.mail.max_message_bytes;
  ParsedMail m = in.parsed ? *in.parsed : ParseForIntake(in.raw, config);
  TicketStore tickets(store);
  Result<std::string> secret = SecretStore(store).GetOrCreate(kMailSecret, now);
  if (!secret.ok()) return secret.status();
  // Our own mail coming back, or another helpdesk's, is automatic: stored
  // and threaded, never answered, never reopening anything.
  std::string own = OwnMailReason(m, config, *secret);
  if (!own.empty()) {
    m.auto_submitted = true;
    m.auto_reason = own;
  }
  DsnReport dsn = ReadDsn(m);
  MailOutcome out;
  std::string key = MailKey(m, in.raw);
  Result<std::optional<int64_t>> seen = tickets.TicketByKey(key);
  if (!seen.ok()) return seen.status();
  if (*seen) {
    out.kind = MailOutcome::Kind::kDuplicate;
    out.ticket_id = **seen;
    return out;
  }

  Result<int64_t> raw_id = tickets.StoreRaw(in.raw, in.source, now);
  if (!raw_id.ok()) return raw_id.status();
  json withheld;
  NewTicket t = TicketFromMail(m, config.mail, now, &withheld);
  t.raw_id = *raw_id;
  std::string reason;
  if (oversize) {
    reason = "the message is " + std::to_string(in.raw.size()) + " bytes, over mail.max_message_bytes (" +
             std::to_string(config.mail.max_message_bytes) + ")";
  } else {
    reason = Unreadable(m);
  }

  // Another mail with the same Message-ID but other bytes is recorded as a
  // message of its own and flagged, never merged silently.
  std::optional<int64_t> same_id;
  if (!m.message_id.empty() && own.empty()) {
    Result<std::optional<int64_t>> prior = tickets.TicketByMessageId(m.message_id);
    if (!prior.ok()) return prior.status();
    same_id = *prior;
  }

  // A bounce belongs with the mail that bounced; our own mail with the
  // ticket its signature names.
  Result<std::optional<int64_t>> thread = std::optional<int64_t>();
  if (reason.empty() && !dsn.original_message_id.empty()) {
    thread = TicketOfMessageId(tickets, *secret, dsn.original_message_id);
  }
  if (thread.ok() && !*thread && reason.empty() && !m.message_id.empty()) {
    if (VerifyMessageId(*secret, m.message_id)) thread = TicketOfMessageId(tickets, *secret, m.message_id);
  }
  if (thread.ok() && !*thread && reason.empty()) thread = FindThread(tickets, m, config, *secret);
  if (!thread.ok()) return thread.status();
  std::optional<int64_t> target = *thread;
  // Mail to a comment address is internal however it arrived (an MTA pipe
  // with --action comment, or one mailbox that receives every address).
  bool as_comment = in.as_comment;
  for (const QueueConfig& q : config.queues) {
    for (const auto* list : {&m.to, &m.cc}) {
      for (const MailAddress& a : *list) {
        as_comment = as_comment || std::find(q.comment_addresses.begin(), q.comment_addresses.end(), a.address) !=
                                       q.comment_addresses.end();
      }
    }
  }
  std::string kind = as_comment || m.is_dsn ? "note" : m.auto_submitted ? "auto" : "customer";
  if (target && kind == "customer") {
    Result<Ticket> existing = tickets.Get(*target);
    if (!existing.ok()) return existing.status();
    bool too_late = existing->status == "closed" ||
                    (existing->status == "solved" && existing->solved_at &&
                     now - *existing->solved_at > config.mail.reopen_window);
    if (too_late) {
      t.linked_ticket_id = *target;  // a new ticket that points back
      target.reset();
    }
  }

  if (target && (kind == "customer" || kind == "note") && !m.auto_submitted) {
    Result<Ticket> existing = tickets.Get(*target);
    if (!existing.ok()) return existing.status();
    if (m.from.address != existing->requester_email && IsQueueAgent(config, existing->queue, m.from.address)) {
      return AcceptAgentMail(store, *existing, m, key, Sha256Hex(in.raw), as_comment, config, sla, now);
    }
  }

  if (target) {
    Result<int64_t> msg = tickets.AppendInbound(*target, t, kind);
    if (!msg.ok()) return msg.status();
    Status s = tickets.RecordKey(key, *target, *msg, Sha256Hex(in.raw), now);
    if (!s.ok()) return s;
    json detail = {{"message_id", *msg}, {"from", m.from.address}, {"kind", kind}};
    if (m.auto_submitted) detail["auto_reason"] = m.auto_reason;
    if (same_id && *same_id) detail["duplicate_message_id"] = m.message_id;
    s = tickets.AddEvent(*target, now, "message_received", t.actor, std::nullopt, detail.dump());
    if (!s.ok()) return s;
    s = RecordBounces(store, *target, dsn, now);
    if (!s.ok()) return s;
    if (!withheld.empty()) {
      s = tickets.AddEvent(*target, now, "attachments_withheld", "mail", std::nullopt,
                           json{{"message_id", *msg}, {"attachments", withheld}}.dump());
      if (!s.ok()) return s;
    }
    Result<Ticket> existing = tickets.Get(*target);
    if (!existing.ok()) return existing.status();
    // A customer's reply reopens a solved ticket; automatic mail never does.
    if (kind == "customer" && existing->status == "solved") {
      TicketPatch p;
      p.status = "open";
      Result<Ticket> u = tickets.Update(*target, p, std::nullopt, t.actor, now);
      if (!u.ok()) return u.status();
      s = sla.OnStatusChange(store, *target, "solved", "open", now);
      if (!s.ok()) return s;
    }
    if (kind == "customer") {
      s = sla.OnCustomerMessage(store, *target, now);
      if (!s.ok()) return s;
      // Mail from an address proves it works again.
      s = RecipientStore(store).ClearBouncing(m.from.address);
      if (!s.ok()) return s;
      s = QueueAgentAlert(store, config, *target, "customer_reply", *msg, now);
      if (!s.ok()) return s;
    }
    if (kind == "note" && !m.is_dsn && !m.auto_submitted) {
      s = QueueNoteAlert(store, config, *target, *msg, m.from.address, now);
      if (!s.ok()) return s;
    }
    out.kind = MailOutcome::Kind::kAppended;
    out.ticket_id = *target;
    out.message_id = *msg;
    return out;
  }

  // A new ticket: routed, unless it must be quarantined.
  // The queues whose addresses the mail was sent to (To or Cc), in config order.
  std::vector<const QueueConfig*> addressed;
  for (const QueueConfig& q : config.queues) {
    for (const auto* list : {&m.to, &m.cc}) {
      for (const MailAddress& a : *list) {
        bool ours = std::find(q.addresses.begin(), q.addresses.end(), a.address) != q.addresses.end();
        if (ours && (addressed.empty() || addressed.back() != &q)) addressed.push_back(&q);
      }
    }
  }
  const QueueConfig* queue = in.queue ? config.FindQueue(*in.queue) : nullptr;
  if (!queue && !addressed.empty()) queue = addressed.front();
  if (!queue) queue = config.DefaultQueue();
  if (!queue) return Status::Unavailable("no queue is configured");
  t.queue = queue->name;
  RouteDecision d;
  if (reason.empty()) {
    RouteInput ri = RouteInputFromMail(m, in.mailbox, now);
    d = router.Route(ri);
    if (d.rejected) {
      Status s = SlaStore(store).AddRejection("email", d.reject_rule, d.reject_reason, m.from.address, m.subject, now);
      if (!s.ok()) return s;
      if (!m.auto_submitted) {
        RejectedMail r{key, t.queue, m.from.address, m.from.name, m.subject, m.message_id, d.reject_reason};
        s = QueueRejectedNotice(store, config, r, now);
        if (!s.ok()) return s;
      }
      out.kind = MailOutcome::Kind::kRejected;
      out.detail = d.reject_reason;
      return out;
    }
    ApplyRoute(d, &t);
    t.auto_reply_suppressed = t.auto_reply_suppressed || m.auto_submitted;
  } else {
    t.quarantined = true;
    t.quarantine_reason = reason;
    t.auto_reply_suppressed = true;
    if (t.requester_email.empty()) t.requester_email = "unknown@invalid";
  }
  // One ticket, or with mail.ticket_per_queue one per queue addressed; each
  // copy has its own key, so a redelivery finds them all already there.
  auto create = [&](const NewTicket& nt, const std::string& copy_key,
                    std::optional<int64_t> copy_of) -> Result<CreatedTicket> {
    Result<CreatedTicket> c = tickets.Create(nt);
    if (!c.ok()) return c.status();
    Status s = tickets.RecordKey(copy_key, c->ticket_id, c->message_id, Sha256Hex(in.raw), now);
    if (!s.ok()) return s;
    if (nt.quarantined) {
      s = tickets.AddEvent(c->ticket_id, now, "quarantined", "mail", std::nullopt,
                           json{{"reason", reason}, {"raw_id", *raw_id}, {"problems", m.problems}}.dump());
      if (!s.ok()) return s;
    }
    if (copy_of) {
      s = tickets.AddEvent(c->ticket_id, now, "copied_per_queue", "mail", std::nullopt,
                           json{{"copy_of", *copy_of}, {"queue", nt.queue}}.dump());
      if (!s.ok()) return s;
    }
    if (same_id && *same_id) {
      s = tickets.AddEvent(c->ticket_id, now, "duplicate_message_id", "mail", std::nullopt,
                           json{{"message_id", m.message_id}, {"also_in_ticket", *same_id}}.dump());
      if (!s.ok()) return s;
    }
    s = RecordBounces(store, c->ticket_id, dsn, now);
    if (!s.ok()) return s;
    if (!withheld.empty()) {
      s = tickets.AddEvent(c->ticket_id, now, "attachments_withheld", "mail", std::nullopt,
                           json{{"message_id", c->message_id}, {"attachments", withheld}}.dump());
      if (!s.ok()) return s;
    }
    if (!d.matched.empty()) {
      s = tickets.AddEvent(c->ticket_id, now, "routed", "router", d.queue_rule.empty() ? d.matched.front() : d.queue_rule,
                           json{{"rules", d.matched}, {"queue", nt.queue}, {"priority", nt.priority}, {"tags", nt.tags}}.dump());
      if (!s.ok()) return s;
    }
    if (!nt.quarantined && !m.auto_submitted) {
      Result<Ticket> made = tickets.Get(c->ticket_id);
      if (!made.ok()) return made.status();
      if (const SlaPolicyConfig* p = sla.Select(*made, d.sla)) {
        s = sla.Start(store, c->ticket_id, *p, now);
        if (!s.ok()) return s;
      }
    }
    if (!nt.quarantined && !nt.auto_reply_suppressed) {
      s = QueueAutoAck(store, config, c->ticket_id, now);
      if (!s.ok()) return s;
    }
    // Too large to read: the sender learns it arrived and waits for a person.
    if (nt.quarantined && oversize && !m.auto_submitted && !copy_of) {
      s = QueueOversizeNotice(store, config, c->ticket_id, static_cast<int64_t>(in.raw.size()), now);
      if (!s.ok()) return s;
    }
    if (!nt.quarantined && !m.auto_submitted) {
      s = QueueAgentAlert(store, config, c->ticket_id, "new_ticket", c->message_id, now);
      if (!s.ok()) return s;
    }
    return c;
  };
  Result<CreatedTicket> c = create(t, key, std::nullopt);
  if (!c.ok()) return c.status();
  if (config.mail.ticket_per_queue && !in.queue && !t.quarantined) {
    for (const QueueConfig* q : addressed) {
      if (q->name == t.queue) continue;
      NewTicket copy = t;
      copy.queue = q->name;
      Result<CreatedTicket> made = create(copy, key + ":" + q->name, c->ticket_id);
      if (!made.ok()) return made.status();
      out.copies.push_back(made->ticket_id);
    }
  }
  out.kind = MailOutcome::Kind::kCreated;
  out.ticket_id = c->ticket_id;
  out.message_id = c->message_id;
  out.quarantined = t.quarantined;
  out.detail = reason;
  return out;
}

}  // namespace frontdesk
