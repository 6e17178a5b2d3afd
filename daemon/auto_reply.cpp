#include "daemon/auto_reply.h"

#include <date/tz.h>

#include "daemon/store/sla_store.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {

std::string HumanTime(Timestamp t, const std::string& timezone) {
  try {
    auto zoned = date::make_zoned(date::locate_zone(timezone), std::chrono::floor<std::chrono::minutes>(t));
    return date::format("%A %d %B %Y, %H:%M %Z", zoned);
  } catch (const std::exception&) {
    return date::format("%A %d %B %Y, %H:%M UTC", std::chrono::floor<std::chrono::minutes>(t));
  }
}

Status QueueAutoAck(Store& store, const Config& config, int64_t ticket_id, Timestamp now) {
  if (!config.mail.auto_ack) return Status::Ok();
  TicketStore tickets(store);
  Result<Ticket> t = tickets.Get(ticket_id);
  if (!t.ok()) return t.status();
  std::string due;
  if (t->sla_policy) {
    Result<std::vector<TargetClock>> clocks = SlaStore(store).Clocks(ticket_id);
    if (!clocks.ok()) return clocks.status();
    const SlaPolicyConfig* policy = config.FindSla(*t->sla_policy);
    const CalendarConfig* calendar = policy ? config.FindCalendar(policy->calendar) : nullptr;
    for (const TargetClock& c : *clocks) {
      if (c.target == "first_response" && c.due_at) {
        due = HumanTime(*c.due_at, calendar ? calendar->timezone : "UTC");
      }
    }
  }
  const QueueConfig* queue = config.FindQueue(t->queue);
  std::string team = queue && !queue->display_name.empty() ? queue->display_name : "our support team";
  std::string body = "Hello" + (t->requester_name.empty() ? std::string() : " " + t->requester_name) + ",\n\n" +
                     "thank you for your message. " + team + " has received it as ticket " + std::to_string(t->id) +
                     ".\n";
  if (!due.empty()) body += "We will reply by " + due + ".\n";
  body += "\nTo add to it, reply to this mail and keep the ticket number in the subject.\n";
  OutboxMail m;
  m.dedupe_key = "ack:" + std::to_string(ticket_id) + ":" + t->requester_email;
  m.ticket_id = ticket_id;
  m.kind = "auto_ack";
  m.automatic = true;
  m.recipient = t->requester_email;
  m.subject = t->subject;
  m.body = body;
  m.now = now;
  Result<int64_t> queued = tickets.QueueMail(m);
  return queued.ok() ? Status::Ok() : queued.status();
}

Status QueueAgentAlert(Store& store, const Config& config, int64_t ticket_id, const std::string& what,
                       int64_t message_id, Timestamp now) {
  TicketStore tickets(store);
  Result<Ticket> t = tickets.Get(ticket_id);
  if (!t.ok()) return t.status();
  std::vector<std::string> to;
  if (t->assignee) {
    to.push_back(*t->assignee);
  } else if (const QueueConfig* q = config.FindQueue(t->queue)) {
    to = q->agents;
  }
  if (to.empty()) return Status::Ok();
  Result<std::vector<MessageRecord>> messages = tickets.Messages(ticket_id);
  if (!messages.ok()) return messages.status();
  const MessageRecord* message = nullptr;
  for (const MessageRecord& r : *messages) {
    if (what == "new_ticket" ? message == nullptr : r.id == message_id) message = &r;
  }
  std::string from = t->requester_name.empty() ? t->requester_email : t->requester_name + " <" + t->requester_email + ">";
  std::string body = (what == "new_ticket" ? "New ticket " : "The customer replied to ticket ") +
                     std::to_string(t->id) + " in queue " + t->queue + ", from " + from + ", priority " +
                     t->priority + ".\n";
  if (t->sla_policy) {
    Result<std::vector<TargetClock>> clocks = SlaStore(store).Clocks(ticket_id);
    if (!clocks.ok()) return clocks.status();
    const SlaPolicyConfig* policy = config.FindSla(*t->sla_policy);
    const CalendarConfig* calendar = policy ? config.FindCalendar(policy->calendar) : nullptr;
    for (const TargetClock& c : *clocks) {
      if ((c.target == "first_response" || c.target == "next_response") && c.due_at && !c.met_at) {
        body += "A reply is due by " + HumanTime(*c.due_at, calendar ? calendar->timezone : "UTC") + ".\n";
        break;
      }
    }
  }
  body += "\n" + (message ? message->body_text : std::string()) +
          "\n\n-- \nReply to this mail to answer the customer. Lines such as /status solved, /assign me or "
          "/note at the top of your reply are commands.\n";
  for (const std::string& agent : to) {
    OutboxMail m;
    m.dedupe_key = "alert:" + what + ":" + std::to_string(what == "new_ticket" ? ticket_id : message_id) + ":" + agent;
    m.ticket_id = ticket_id;
    m.kind = what + "_alert";
    m.automatic = true;
    m.recipient = agent;
    m.subject = t->subject;
    m.body = body;
    m.now = now;
    Result<int64_t> q = tickets.QueueMail(m);
    if (!q.ok()) return q.status();
  }
  return Status::Ok();
}

}  // namespace frontdesk
