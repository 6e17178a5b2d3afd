#include "daemon/outbox/auto_reply.h"

#include <nlohmann/json.hpp>

#include "config/customer_texts.h"
#include "daemon/base/text.h"
#include "daemon/outbox/queue.h"
#include "daemon/outbox/render.h"
#include "daemon/outbox/survey.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {
namespace {

using nlohmann::json;

// The assignee, or else every agent of the queue.
std::vector<std::string> Workers(const Config& config, const Ticket& t) {
  if (t.assignee) return {*t.assignee};
  if (const QueueConfig* q = config.FindQueue(t.queue)) return q->agents;
  return {};
}

const MessageRecord* FindMessage(const std::vector<MessageRecord>& messages, int64_t id) {
  for (const MessageRecord& r : messages) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

// An automatic mail of `kind` about a ticket (0: none); the caller adds
// its body when it has one.
OutboxMail Automatic(std::string dedupe_key, int64_t ticket_id, std::string kind, std::string recipient,
                     std::string subject, std::string vars, Timestamp now) {
  OutboxMail m;
  m.dedupe_key = std::move(dedupe_key);
  m.ticket_id = ticket_id;
  m.kind = std::move(kind);
  m.automatic = true;
  m.recipient = std::move(recipient);
  m.subject = std::move(subject);
  m.vars = std::move(vars);
  m.now = now;
  return m;
}

std::string Person(const std::optional<std::string>& name, const std::optional<std::string>& email) {
  std::string n = name.value_or(""), e = email.value_or("");
  if (n.empty()) return e;
  return e.empty() ? n : n + " <" + e + ">";
}

// Mail that answers a sender (the acknowledgement, the rejected and
// oversize notices) goes to whatever From said. Unless that address is
// proven, it leaves out the words the sender chose, the subject and the
// name, so that a forged From cannot make us deliver someone's spam.
void LeaveOutSenderText(const Config& config, const std::string& queue, bool sender_verified, json* vars) {
  if (sender_verified || config.mail.quote_unverified_senders) return;
  (*vars)["subject"] = PageText("mail.your_message", config.LanguageOf(queue));
  (*vars)["requester_name"] = "";
}

}  // namespace

std::string QuotedCopy(const std::string& text) {
  if (text.size() <= kQuotedCopyBytes) return text;
  size_t cut = kQuotedCopyBytes;
  // Back to the first byte of a UTF-8 character...
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  // ...or to the end of the line, when the line is not too long to matter.
  size_t line_end = text.rfind('\n', cut - 1);
  if (line_end != std::string::npos && cut - line_end <= 1024) cut = line_end + 1;
  std::string copy = text.substr(0, cut);
  if (!copy.empty() && copy.back() != '\n') copy += '\n';
  return copy + "[\u2026]\n";
}

Status QueueAutoAck(Store& store, const Config& config, int64_t ticket_id, bool sender_verified, Timestamp now) {
  if (!config.mail.auto_ack) return Status::Ok();
  TicketStore tickets(store);
  Result<Ticket> t = tickets.Get(ticket_id);
  if (!t.ok()) return t.status();
  Result<std::vector<MessageRecord>> messages = tickets.Messages(ticket_id);
  if (!messages.ok()) return messages.status();
  json vars = json::object();
  LeaveOutSenderText(config, t->queue, sender_verified, &vars);
  OutboxMail m = Automatic("ack:" + std::to_string(ticket_id) + ":" + t->requester_email, ticket_id, "auto_ack",
                           t->requester_email, t->subject, vars.dump(), now);
  m.body = messages->empty() ? "" : QuotedCopy(messages->front().body_text);
  Result<int64_t> queued = QueueMail(store, m);
  return queued.ok() ? Status::Ok() : queued.status();
}

Status QueueAgentAlert(Store& store, const Config& config, int64_t ticket_id, const std::string& what,
                       int64_t message_id, Timestamp now) {
  TicketStore tickets(store);
  Result<Ticket> t = tickets.Get(ticket_id);
  if (!t.ok()) return t.status();
  std::vector<std::string> to = Workers(config, *t);
  if (to.empty()) return Status::Ok();
  Result<std::vector<MessageRecord>> messages = tickets.Messages(ticket_id);
  if (!messages.ok()) return messages.status();
  const MessageRecord* message =
      what == "new_ticket" ? (messages->empty() ? nullptr : &messages->front()) : FindMessage(*messages, message_id);
  std::string from = t->requester_name.empty() ? t->requester_email : t->requester_name + " <" + t->requester_email + ">";
  if (message && message->author_email) from = Person(message->author_name, message->author_email);
  for (const std::string& agent : to) {
    std::string key = "alert:" + what + ":" + std::to_string(what == "new_ticket" ? ticket_id : message_id) + ":" + agent;
    OutboxMail m = Automatic(key, ticket_id, what + "_alert", agent, t->subject, json{{"from", from}}.dump(), now);
    m.body = message ? QuotedCopy(message->body_text) : "";
    Result<int64_t> q = QueueMail(store, m);
    if (!q.ok()) return q.status();
  }
  return Status::Ok();
}

Status QueueNoteAlert(Store& store, const Config& config, int64_t ticket_id, int64_t message_id,
                      const std::string& author_email, Timestamp now) {
  if (!config.mail.note_alerts) return Status::Ok();
  TicketStore tickets(store);
  Result<Ticket> t = tickets.Get(ticket_id);
  if (!t.ok()) return t.status();
  Result<std::vector<MessageRecord>> messages = tickets.Messages(ticket_id);
  if (!messages.ok()) return messages.status();
  const MessageRecord* note = FindMessage(*messages, message_id);
  if (!note) return Status::NotFound("message " + std::to_string(message_id));
  std::string from = Person(note->author_name, note->author_email);
  for (const std::string& agent : Workers(config, *t)) {
    if (AsciiLower(agent) == AsciiLower(author_email)) continue;
    json vars = {{"from", from.empty() ? std::string("someone") : from}};
    OutboxMail m = Automatic("note:" + std::to_string(message_id) + ":" + agent, ticket_id, "note_alert", agent,
                             t->subject, vars.dump(), now);
    m.body = QuotedCopy(note->body_text);
    Result<int64_t> q = QueueMail(store, m);
    if (!q.ok()) return q.status();
  }
  return Status::Ok();
}

Status QueueSolvedMail(Store& store, const Config& config, TicketStatus before_status, const Ticket& after,
                       Timestamp now) {
  if (after.status != TicketStatus::kSolved || before_status == TicketStatus::kSolved) return Status::Ok();
  if (config.mail.solved_notice && !after.quarantined && !after.requester_email.empty()) {
    // Solved again after a reopening is news again.
    std::string key =
        "solved:" + std::to_string(after.id) + ":" + std::to_string(ToUnix(now)) + ":" + after.requester_email;
    OutboxMail m = Automatic(key, after.id, "solved", after.requester_email, after.subject, "{}", now);
    Result<int64_t> q = QueueMail(store, m);
    if (!q.ok()) return q.status();
  }
  return ScheduleSurvey(store, config, after, now);
}

Status QueueRejectedNotice(Store& store, const Config& config, const RejectedMail& mail, Timestamp now) {
  if (!config.mail.rejected_notice || mail.sender_email.empty()) return Status::Ok();
  json vars = {{"queue", mail.queue},
               {"requester_email", mail.sender_email},
               {"requester_name", mail.sender_name},
               {"reason", mail.reason},
               {"in_reply_to", mail.message_id}};
  LeaveOutSenderText(config, mail.queue, mail.sender_verified, &vars);
  OutboxMail m = Automatic("rejected:" + mail.key, 0, "rejected", mail.sender_email, mail.subject, vars.dump(), now);
  Result<int64_t> q = QueueMail(store, m);
  return q.ok() ? Status::Ok() : q.status();
}

Status QueueOversizeNotice(Store& store, const Config& config, int64_t ticket_id, int64_t size, bool sender_verified,
                           Timestamp now) {
  if (!config.mail.oversize_notice) return Status::Ok();
  TicketStore tickets(store);
  Result<Ticket> t = tickets.Get(ticket_id);
  if (!t.ok()) return t.status();
  if (t->requester_email.empty() || t->requester_email == "unknown@invalid") return Status::Ok();
  json vars = {{"size", HumanSize(size)}, {"limit", HumanSize(config.mail.max_message_bytes)}};
  LeaveOutSenderText(config, t->queue, sender_verified, &vars);
  OutboxMail m = Automatic("oversize:" + std::to_string(ticket_id) + ":" + t->requester_email, ticket_id,
                           "oversize_notice", t->requester_email, t->subject, vars.dump(), now);
  Result<int64_t> q = QueueMail(store, m);
  return q.ok() ? Status::Ok() : q.status();
}

Result<int64_t> QueueAgentReply(Store& store, const Ticket& t, int64_t message_id, const std::string& body,
                                const std::optional<std::string>& agent_name, Timestamp now) {
  OutboxMail mail;
  mail.dedupe_key = "reply:" + std::to_string(message_id) + ":" + t.requester_email;
  mail.ticket_id = t.id;
  mail.kind = "reply";
  mail.automatic = false;
  mail.recipient = t.requester_email;
  mail.subject = t.subject;
  mail.body = body;
  json vars = json::object();
  if (agent_name) vars["agent_name"] = *agent_name;
  mail.vars = vars.dump();
  mail.now = now;
  return QueueMail(store, mail);
}

std::vector<OutboxMail> EscalationMails(const Ticket& t, const EscalationNotice& n, Timestamp now) {
  std::vector<OutboxMail> mails;
  for (const std::string& r : n.recipients) {
    std::string key = "esc:" + std::to_string(t.id) + ":" + n.target + ":" + std::to_string(n.cycle) + ":" +
                      std::to_string(n.level_index) + ":" + r;
    json vars = {{"target", n.target}, {"level", n.level_text}, {"policy", n.policy}, {"template", n.template_name}};
    mails.push_back(Automatic(key, t.id, "escalation", r, t.subject, vars.dump(), now));
  }
  return mails;
}

Status QueueEscalationMail(Store& store, const Ticket& t, const EscalationNotice& n, Timestamp now) {
  for (const OutboxMail& m : EscalationMails(t, n, now)) {
    Result<int64_t> q = QueueMail(store, m);
    if (!q.ok()) return q.status();
  }
  return Status::Ok();
}

Status QueueCommandError(Store& store, const Ticket& t, int64_t message_id, const std::string& agent,
                         const std::vector<std::string>& errors, Timestamp now) {
  OutboxMail err = Automatic("cmderr:" + std::to_string(message_id) + ":" + agent, t.id, "command_error", agent,
                             t.subject, "", now);
  err.vars.reset();
  err.body = "Your mail to ticket " + std::to_string(t.id) +
             " was kept as an internal note and not sent to the customer. Nothing was changed, because:\n\n";
  for (const std::string& e : errors) err.body += "  " + e + "\n";
  err.body += "\nCorrect the commands and send your mail again.\n";
  Result<int64_t> q = QueueMail(store, err);
  return q.ok() ? Status::Ok() : q.status();
}

Status QueueUnprovenAgentNotice(Store& store, int64_t ticket_id, const std::string& agent, Timestamp now) {
  Result<Ticket> t = TicketStore(store).Get(ticket_id);
  if (!t.ok()) return t.status();
  OutboxMail m = Automatic("unproven:" + std::to_string(ticket_id) + ":" + agent, ticket_id, "agent_unproven", agent,
                           t->subject, "", now);
  m.vars.reset();
  m.body = "A mail from your address reached ticket " + std::to_string(ticket_id) +
           " but did not answer any mail Frontdesk sent you about it, so Frontdesk could not tell it came from "
           "you. It was filed as an ordinary message: it was not sent to the customer, and no command in it was "
           "run.\n\nTo reply or give commands by mail, answer the alert or notice Frontdesk sent you for this "
           "ticket. If you did not write to this ticket, someone may be using your address; tell your "
           "administrator.\n\nYou are told this once per ticket.\n";
  Result<int64_t> q = QueueMail(store, m);
  return q.ok() ? Status::Ok() : q.status();
}

}  // namespace frontdesk
