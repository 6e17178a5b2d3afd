#include "daemon/outbox/sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "config/customer_texts.h"
#include "daemon/base/secret_file.h"
#include "daemon/mail/builder.h"
#include "daemon/mail/signature.h"
#include "daemon/mail/smtp_client.h"
#include "daemon/outbox/render.h"
#include "daemon/store/csat_store.h"
#include "daemon/store/recipient_store.h"
#include "daemon/store/secret_store.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {
namespace {

Result<std::string> SmtpPassword(const SmtpConfig& smtp) {
  if (smtp.password_file.empty()) return smtp.password;
  return ReadSecretFile(smtp.password_file, "smtp.password_file");
}

std::string Domain(const std::string& address) {
  size_t at = address.rfind('@');
  return at == std::string::npos ? "localhost" : address.substr(at + 1);
}

}  // namespace

std::chrono::seconds RetryDelay(const SmtpConfig& smtp, int64_t attempts) {
  const std::chrono::seconds cap(6 * 3600);
  std::chrono::seconds d = smtp.retry_after;
  for (int64_t i = 0; i < attempts && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

Result<OutgoingMail> ComposeOutgoing(const Config& config, Store& reader, const OutboxRow& row, Timestamp now) {
  Result<RenderedMail> words = RenderOutboxRow(config, reader, row, now);
  if (!words.ok()) return words.status();
  TicketStore tickets(reader);
  std::optional<Ticket> ticket;
  std::string queue;
  if (row.ticket_id) {
    Result<Ticket> t = tickets.Get(row.ticket_id);
    if (!t.ok()) return t.status();
    ticket = *t;
    queue = t->queue;
  }
  nlohmann::json vars = row.vars ? nlohmann::json::parse(*row.vars, nullptr, false) : nlohmann::json::object();
  if (!vars.is_object()) vars = nlohmann::json::object();
  if (!ticket) queue = vars.value("queue", "");
  OutgoingMail m;
  const QueueConfig* q = config.FindQueue(queue);
  if (!q) q = config.DefaultQueue();
  m.from_address = q && !q->addresses.empty() ? q->addresses.front() : config.smtp.envelope_from;
  if (m.from_address.empty()) return Status::Invalid("queue " + queue + " has no address to send from");
  m.from_name = q ? q->display_name : "";
  m.reply_to = m.from_address;
  m.to_address = row.recipient;
  if (ticket && row.recipient == ticket->requester_email) m.to_name = ticket->requester_name;
  if (!ticket && row.recipient == vars.value("requester_email", "")) m.to_name = vars.value("requester_name", "");
  // A mail that leaves out an unproven sender's words (auto_reply.h) leaves
  // out the name they gave in To: too.
  if (vars.contains("requester_name") && vars["requester_name"] == "") m.to_name.clear();
  std::string subject = words->subject;
  if (ticket) {
    std::string tag = "[" + config.mail.subject_tag + "#" + std::to_string(ticket->id) + "]";
    if (subject.find(tag) == std::string::npos) subject = tag + " " + subject;
  }
  if (row.kind == "reply" && subject.rfind("Re:", 0) != 0) subject = "Re: " + subject;
  m.subject = subject;
  m.text = words->text;
  m.html = words->html;
  std::string domain = config.smtp.message_id_domain.empty() ? Domain(m.from_address) : config.smtp.message_id_domain;
  m.message_id = row.message_id + "@" + domain;
  // Threading: the customer's latest mail, and the start of the thread.
  std::vector<std::string> ids;
  if (ticket) {
    Result<std::vector<MessageRecord>> messages = tickets.Messages(row.ticket_id);
    if (!messages.ok()) return messages.status();
    for (const MessageRecord& r : *messages) {
      if (r.message_id && !r.message_id->empty() && (r.kind == MessageKind::kCustomer || r.kind == MessageKind::kAuto)) {
        ids.push_back(*r.message_id);
      }
    }
  } else if (!vars.value("in_reply_to", "").empty()) {
    ids.push_back(vars.value("in_reply_to", ""));
  }
  if (!ids.empty()) {
    m.in_reply_to = ids.back();
    m.references.push_back(ids.front());
    for (size_t i = ids.size() > 9 ? ids.size() - 9 : 1; i < ids.size(); ++i) m.references.push_back(ids[i]);
  }
  // RFC 3834: an answer to the sender's own mail is auto-replied; alerts
  // and notices about a ticket are auto-generated.
  bool answer = row.kind == "auto_ack" || row.kind == "rejected" || row.kind == "oversize_notice";
  // The mails Frontdesk writes to customers in their queue's language say
  // which it is; an agent's reply is in whatever the agent wrote.
  const std::vector<std::string>& customer_kinds = CustomerTemplateKinds();
  if (std::find(customer_kinds.begin(), customer_kinds.end(), row.kind) != customer_kinds.end()) {
    m.content_language = config.LanguageOf(queue);
  }
  if (row.automatic) m.auto_submitted = answer ? "auto-replied" : "auto-generated";
  Result<std::string> secret = SecretStore(reader).Get(kMailSecret);
  if (!secret.ok()) return secret.status();
  if (!secret->empty()) m.loop_token = LoopToken(*secret, m.message_id);
  return m;
}

Result<std::string> SuppressReason(const Config& config, Store& reader, const OutboxRow& row, Timestamp now) {
  if (!row.automatic) return std::string();
  if (row.kind == "survey" && row.ticket_id) {
    Result<Ticket> t = TicketStore(reader).Get(row.ticket_id);
    if (!t.ok()) return t.status();
    if (t->status != TicketStatus::kSolved && t->status != TicketStatus::kClosed) {
      return "the ticket was reopened before its survey was due (it is " + std::string(Name(t->status)) + ")";
    }
  }
  for (const QueueConfig& q : config.queues) {
    for (const auto* list : {&q.addresses, &q.comment_addresses}) {
      if (std::find(list->begin(), list->end(), row.recipient) != list->end()) {
        return std::string("the recipient is one of our own addresses");
      }
    }
  }
  // The queues' own agents get every alert, however busy the day, and
  // whatever a delivery report claims (anyone can forge one).
  if (config.IsAgent(row.recipient)) return std::string();
  Result<RecipientInfo> who = RecipientStore(reader).Get(row.recipient);
  if (!who.ok()) return who.status();
  if (who->bouncing) return "the recipient is bouncing (" + who->bounce_reason + ")";
  const MailConfig& mail = config.mail;
  Timestamp since = now - mail.auto_reply_window;
  std::string window = std::to_string(mail.auto_reply_window.count() / 60) + " minutes";
  Result<int64_t> sent = OutboxStore(reader).AutomaticSentSince(row.recipient, since);
  if (!sent.ok()) return sent.status();
  if (*sent >= mail.auto_reply_cap) {
    return "the cap of " + std::to_string(mail.auto_reply_cap) + " automatic mails per " + window +
           " to this recipient is reached";
  }
  if (row.kind == "auto_ack") {
    Result<bool> same = OutboxStore(reader).SentSameSince(row.recipient, row.kind, row.subject, since);
    if (!same.ok()) return same.status();
    if (*same) return "an acknowledgement for the same subject went to this recipient within " + window;
  }
  return std::string();
}

// Beyond three SMTP timeouts (connect, the DATA answer, QUIT), for a
// sender that stalls between the answer and its mark.
constexpr std::chrono::seconds kClaimMargin{10};

Result<SendReport> SendDue(const SendContext& ctx, int limit) {
  SendReport report;
  const SmtpConfig& smtp = ctx.config.smtp;
  if (!smtp.enabled()) return Status::Unavailable("no [smtp] server is configured");
  Result<std::vector<OutboxRow>> due = OutboxStore(ctx.reader).Due(ctx.clock.Now(), limit);
  if (!due.ok()) return due.status();
  if (due->empty()) return report;
  Result<std::string> password = SmtpPassword(smtp);
  if (!password.ok()) return password.status();
  SmtpSettings settings;
  settings.url = smtp.url;
  settings.tls = smtp.tls;
  settings.user = smtp.user;
  settings.password = *password;
  settings.ca_file = smtp.ca_file;
  settings.timeout = smtp.timeout;
  SmtpClient client(settings);
  for (const OutboxRow& row : *due) {
    // Several senders may run at once: daemons sharing one PostgreSQL
    // database, or `frontdesk send` from cron beside the daemon. Each row
    // is taken before it is sent, for longer than one SMTP conversation
    // can last, so exactly one sender sends it.
    Timestamp claimed_at = ctx.clock.Now();
    bool mine = false;
    Status claim = ctx.run([&](Store& store) -> Status {
      Result<bool> took = OutboxStore(store).Claim(row.id, claimed_at, claimed_at + 3 * smtp.timeout + kClaimMargin);
      if (!took.ok()) return took.status();
      mine = *took;
      return Status::Ok();
    });
    if (!claim.ok()) return claim;
    if (!mine) continue;
    Result<std::string> hold = SuppressReason(ctx.config, ctx.reader, row, ctx.clock.Now());
    if (!hold.ok()) return hold.status();
    if (!hold->empty()) {
      Timestamp now = ctx.clock.Now();
      Status s = ctx.run([&](Store& store) -> Status {
        Status m = OutboxStore(store).MarkSuppressed(row.id, now, *hold);
        if (!m.ok() || !row.ticket_id) return m;
        // A survey that never went does not use up the customer's period.
        if (row.kind == "survey") m = CsatStore(store).Cancel(row.ticket_id);
        if (!m.ok()) return m;
        return TicketStore(store).AddEvent(row.ticket_id, now, "mail_suppressed", "smtp", std::nullopt,
                                           nlohmann::json{{"outbox_id", row.id}, {"to", row.recipient},
                                                          {"kind", row.kind}, {"reason", *hold}}
                                               .dump());
      });
      if (!s.ok()) return s;
      ++report.suppressed;
      spdlog::info("outbox {} to {} suppressed: {}", row.id, row.recipient, *hold);
      continue;
    }
    Result<OutgoingMail> mail = ComposeOutgoing(ctx.config, ctx.reader, row, ctx.clock.Now());
    if (mail.ok()) mail->date = ctx.clock.Now();
    Result<std::string> bytes = mail.ok() ? BuildMessage(*mail) : Result<std::string>(mail.status());
    SmtpResult sent;
    if (bytes.ok()) {
      std::string envelope = smtp.envelope_from.empty() ? mail->from_address : smtp.envelope_from;
      sent = client.Send(envelope, row.recipient, *bytes);
    } else {
      sent.permanent = true;
      sent.message = "cannot render the mail: " + bytes.status().message();
    }
    Timestamp now = ctx.clock.Now();
    bool give_up = !sent.ok && (sent.permanent || row.attempts + 1 >= smtp.max_attempts);
    Status s = ctx.run([&](Store& store) -> Status {
      OutboxStore outbox(store);
      if (sent.ok) {
        Status m = outbox.MarkSent(row.id, now);
        if (!m.ok() || row.kind != "survey") return m;
        return CsatStore(store).MarkSent(row.ticket_id, now);
      }
      if (!give_up) return outbox.MarkRetry(row.id, now + RetryDelay(smtp, row.attempts), sent.message);
      std::string why = sent.permanent ? sent.message
                                       : "gave up after " + std::to_string(row.attempts + 1) + " attempts: " + sent.message;
      Status f = outbox.MarkFailed(row.id, now, why);
      if (!f.ok() || !row.ticket_id) return f;
      return TicketStore(store).AddEvent(row.ticket_id, now, "mail_failed", "smtp", std::nullopt,
                                         nlohmann::json{{"outbox_id", row.id}, {"to", row.recipient}, {"kind", row.kind},
                                                        {"error", why}}
                                             .dump());
    });
    if (!s.ok()) return s;  // what was sent is sent; its mark comes next round
    if (sent.ok) {
      ++report.sent;
      // The server's answer often names its queue id: the thread to pull
      // when a customer says nothing arrived.
      spdlog::info("outbox {} to {} sent: {}", row.id, row.recipient, sent.message);
    } else {
      report.last_error = sent.message;
      give_up ? ++report.failed : ++report.retried;
      spdlog::warn("outbox {} to {}: {}{}", row.id, row.recipient, sent.message,
                   give_up ? "; marked failed" : "; will try again");
    }
  }
  return report;
}

}  // namespace frontdesk
