#include "daemon/tickets/ticket_service.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "daemon/mail/signature.h"
#include "daemon/outbox/auto_reply.h"
#include "daemon/outbox/queue.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/recipient_store.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json OptJson(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

// The first message of a new ticket, as the customer (or their mail) wrote it.
NewMessage FirstMessage(const NewTicket& t) {
  NewMessage m;
  m.kind = t.auto_submitted ? MessageKind::kAuto : MessageKind::kCustomer;
  m.channel = t.channel;
  m.actor = t.actor;
  m.body = t.body;
  m.author_email = t.requester_email;
  m.author_name = t.requester_name;
  m.attachments = t.attachments;
  m.subject = t.subject;
  m.raw_id = t.raw_id;
  m.message_id = t.message_id;
  m.in_reply_to = t.in_reply_to;
  m.refs_json = t.refs_json;
  m.auto_submitted = t.auto_submitted;
  m.auto_reason = t.auto_reason;
  m.now = t.now;
  return m;
}

}  // namespace

Result<CreatedTicket> TicketService::Open(const NewTicket& t) {
  TicketStore tickets(store_);
  if (!t.idempotency_key.empty()) {
    Result<std::optional<KeyRecord>> seen = tickets.FindKey(t.idempotency_key);
    if (!seen.ok()) return seen.status();
    if (*seen) {
      if ((*seen)->request_sha256 != t.request_sha256) {
        return Status::Conflict("this idempotency key was already used for a different request");
      }
      return CreatedTicket{(*seen)->ticket_id, (*seen)->message_id, true};
    }
  }
  Result<int64_t> id = tickets.InsertTicket(t);
  if (!id.ok()) return id.status();
  CreatedTicket c;
  c.ticket_id = *id;
  Result<int64_t> message = tickets.InsertMessage(c.ticket_id, FirstMessage(t), t.subject);
  if (!message.ok()) return message.status();
  c.message_id = *message;
  if (!t.idempotency_key.empty()) {
    Status s = tickets.RecordKey(t.idempotency_key, c.ticket_id, c.message_id, t.request_sha256, t.now);
    if (!s.ok()) return s;
  }
  Status s = RecordOpening(t, c);
  if (!s.ok()) return s;
  if (!t.quarantined && !t.auto_submitted) {
    s = StartClocks(c.ticket_id, t.routing.sla_policy, t.now);
    if (!s.ok()) return s;
  }
  s = QueueOpeningMail(t, c);
  if (!s.ok()) return s;
  if (!t.awaited_parents.empty()) {
    s = tickets.AwaitParents(c.ticket_id, t.awaited_parents, t.now);
    if (!s.ok()) return s;
  }
  if (t.message_id && !t.copy_of) {
    s = JoinAwaiting(*t.message_id, c.ticket_id, t.now);
    if (!s.ok()) return s;
  }
  return c;
}

// The events of a new ticket, one per fact.
Status TicketService::RecordOpening(const NewTicket& t, const CreatedTicket& c) {
  json attachments = json::array();
  for (const NewAttachment& a : t.attachments) attachments.push_back({{"filename", a.filename}, {"size", a.data.size()}});
  json created = {{"channel", Name(t.channel)}, {"queue", t.queue}, {"priority", t.priority},
                  {"message_id", c.message_id}};
  if (t.automatic) created["automatic"] = t.auto_reason.value_or("automatic mail that answers nothing of ours");
  if (!attachments.empty()) created["attachments"] = attachments;
  Status s = Record(c.ticket_id, "created", t.actor, Dump(created), t.now);
  if (!s.ok()) return s;
  const Actor mail = Actor::System("mail");
  if (t.quarantined) {
    s = Record(c.ticket_id, "quarantined", mail,
               Dump({{"reason", t.quarantine_reason.value_or("")},
                     {"raw_id", t.raw_id ? json(*t.raw_id) : json(nullptr)},
                     {"problems", t.problems}}),
               t.now);
    if (!s.ok()) return s;
  }
  if (t.copy_of) {
    s = Record(c.ticket_id, "copied_per_queue", mail, Dump({{"copy_of", *t.copy_of}, {"queue", t.queue}}), t.now);
    if (!s.ok()) return s;
  }
  if (t.same_message_id_in) {
    s = Record(c.ticket_id, "duplicate_message_id", mail,
               Dump({{"message_id", t.message_id.value_or("")}, {"also_in_ticket", *t.same_message_id_in}}), t.now);
    if (!s.ok()) return s;
  }
  if (!t.withheld_json.empty()) {
    s = Record(c.ticket_id, "attachments_withheld", mail,
               Dump({{"message_id", c.message_id}, {"attachments", json::parse(t.withheld_json)}}), t.now);
    if (!s.ok()) return s;
  }
  const Routing& r = t.routing;
  if (!r.matched.empty()) {
    json detail = {{"rules", r.matched}, {"queue", t.queue}, {"priority", t.priority}, {"tags", t.tags}};
    if (t.category) detail["category"] = *t.category;
    if (t.assignee) detail["assignee"] = *t.assignee;
    if (r.suppress_auto_reply) detail["auto_reply"] = "suppressed";
    s = Record(c.ticket_id, "routed", Actor::System("router"), Dump(detail), t.now,
               r.queue_rule.empty() ? r.matched.front() : r.queue_rule);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status TicketService::StartClocks(int64_t ticket_id, const std::string& named_policy, Timestamp now) {
  Result<Ticket> made = TicketStore(store_).Get(ticket_id);
  if (!made.ok()) return made.status();
  const SlaPolicyConfig* policy = sla_.Select(*made, named_policy);
  if (!policy) return Status::Ok();
  return sla_.Start(store_, ticket_id, *policy, now);
}

Status TicketService::QueueOpeningMail(const NewTicket& t, const CreatedTicket& c) {
  // Every channel's customer hears that the ticket exists and when to
  // expect an answer, unless an API client tells them itself.
  if (t.acknowledge && !t.quarantined && !t.auto_reply_suppressed) {
    Status s = QueueAutoAck(store_, config_, c.ticket_id, t.sender_verified, t.now);
    if (!s.ok()) return s;
  }
  // Too large to read: the sender learns it arrived and waits for a person.
  if (t.quarantined && t.oversize_bytes > 0 && !t.auto_submitted && !t.copy_of) {
    Status s = QueueOversizeNotice(store_, config_, c.ticket_id, t.oversize_bytes, t.sender_verified, t.now);
    if (!s.ok()) return s;
  }
  if (!t.quarantined && !t.auto_submitted) {
    return QueueAgentAlert(store_, config_, c.ticket_id, "new_ticket", c.message_id, t.now);
  }
  return Status::Ok();
}

Result<int64_t> TicketService::AddMessage(int64_t ticket_id, const NewMessage& m) {
  Result<Ticket> t = TicketStore(store_).Get(ticket_id);
  if (!t.ok()) return t.status();
  switch (m.actor.kind) {
    case ActorKind::kAgent:
    case ActorKind::kApiToken:
      return AddAgentMessage(*t, m);
    case ActorKind::kCustomer:
    case ActorKind::kSystem:
      return AddInbound(*t, m);
  }
  return Status::Invalid("unknown actor");
}

Result<int64_t> TicketService::Insert(const Ticket& t, const NewMessage& m) {
  TicketStore tickets(store_);
  Result<int64_t> id = tickets.InsertMessage(t.id, m, m.subject.value_or(t.subject));
  if (!id.ok()) return id.status();
  if (!m.idempotency_key.empty()) {
    Status s = tickets.RecordKey(m.idempotency_key, t.id, *id, m.request_sha256, m.now);
    if (!s.ok()) return s;
  }
  return id;
}

Result<int64_t> TicketService::AddAgentMessage(const Ticket& t, const NewMessage& m) {
  if (m.kind != MessageKind::kReply && m.kind != MessageKind::kNote) {
    return Status::Invalid("kind must be reply or note", "kind");
  }
  if (m.kind == MessageKind::kReply && t.status == TicketStatus::kClosed) {
    return Status::Conflict("ticket " + std::to_string(t.id) + " is closed; a reply cannot be sent");
  }
  TicketStore tickets(store_);
  Ticket after = t;
  if (m.kind == MessageKind::kReply) {
    // A public reply is the response the customer waits for.
    if (!after.first_response_at) after.first_response_at = m.now;
    if (after.status == TicketStatus::kNew) after.status = TicketStatus::kOpen;
  }
  // Saved before the message goes in: every row added to a ticket moves
  // its version (schema v11), and SaveTicket checks the version `t` was read at.
  Status s = tickets.SaveTicket(after, m.now);
  if (!s.ok()) return s;
  Result<int64_t> id = Insert(t, m);
  if (!id.ok()) return id.status();
  json detail = {{"message_id", *id}};
  if (m.kind == MessageKind::kReply) {
    Result<int64_t> queued = QueueAgentReply(store_, t, *id, m.body, m.author_name, m.now);
    if (!queued.ok()) return queued.status();
    detail["outbox_id"] = *queued;
    detail["to"] = t.requester_email;
  }
  if (after.status != t.status) {
    s = Record(t.id, "status_changed", m.actor, Dump({{"from", Name(t.status)}, {"to", Name(after.status)}}), m.now);
    if (!s.ok()) return s;
  }
  s = Record(t.id, m.kind == MessageKind::kReply ? "reply_added" : "note_added", m.actor, detail.dump(), m.now);
  if (!s.ok()) return s;
  if (m.kind == MessageKind::kReply) {
    s = sla_.OnStatusChange(store_, t.id, t.status, after.status, m.now);
    if (!s.ok()) return s;
    s = sla_.OnPublicReply(store_, t.id, m.now);
  } else if (!m.quiet) {
    s = QueueNoteAlert(store_, config_, t.id, *id, m.author_email.value_or(""), m.now);
  }
  if (!s.ok()) return s;
  return id;
}

Result<int64_t> TicketService::AddInbound(const Ticket& t, const NewMessage& m) {
  if (m.kind != MessageKind::kCustomer && m.kind != MessageKind::kAuto && m.kind != MessageKind::kNote) {
    return Status::Invalid("kind must be customer, auto or note", "kind");
  }
  // The new message moves the ticket's version and updated_at (schema v11).
  Result<int64_t> id = Insert(t, m);
  if (!id.ok()) return id.status();
  Status s = Status::Ok();
  std::string from = m.author_email.value_or("");
  json detail = {{"message_id", *id}, {"from", from}, {"kind", Name(m.kind)}};
  if (m.auto_submitted) detail["auto_reason"] = m.auto_reason.value_or("");
  if (m.duplicate_message_id) detail["duplicate_message_id"] = m.message_id.value_or("");
  s = Record(t.id, "message_received", m.actor, Dump(detail), m.now);
  if (!s.ok()) return s;
  if (!m.withheld_json.empty()) {
    s = Record(t.id, "attachments_withheld", Actor::System("mail"),
               Dump({{"message_id", *id}, {"attachments", json::parse(m.withheld_json)}}), m.now);
    if (!s.ok()) return s;
  }
  if (m.kind == MessageKind::kCustomer) {
    // A customer's reply reopens a solved ticket; automatic mail never does.
    if (t.status == TicketStatus::kSolved) {
      TicketPatch reopen;
      reopen.status = TicketStatus::kOpen;
      Result<Ticket> u = Patch(t.id, reopen, std::nullopt, m.actor, m.now);
      if (!u.ok()) return u.status();
    }
    s = sla_.OnCustomerMessage(store_, t.id, m.now);
    if (!s.ok()) return s;
    s = QueueAgentAlert(store_, config_, t.id, "customer_reply", *id, m.now);
  } else if (m.kind == MessageKind::kNote && !m.auto_submitted && !m.quiet) {
    s = QueueNoteAlert(store_, config_, t.id, *id, from, m.now);
  }
  if (!s.ok()) return s;
  if (m.message_id) {
    s = JoinAwaiting(*m.message_id, t.id, m.now);
    if (!s.ok()) return s;
  }
  return id;
}

namespace {

// The changes `patch` makes to `t`, applied to it: legal status changes
// only, one entry (event kind and detail) per changed field.
Result<std::vector<std::pair<const char*, json>>> ApplyPatch(Ticket& t, const TicketPatch& patch, const Config& config,
                                                             Timestamp now) {
  std::vector<std::pair<const char*, json>> changes;
  if (patch.status && *patch.status != t.status) {
    if (!IsLegalTransition(t.status, *patch.status)) {
      return Status::Invalid("a ticket cannot go from " + std::string(Name(t.status)) + " to " +
                                 std::string(Name(*patch.status)),
                             "status");
    }
    changes.push_back({"status_changed", {{"from", Name(t.status)}, {"to", Name(*patch.status)}}});
    if (*patch.status == TicketStatus::kSolved) t.solved_at = now;
    if (*patch.status == TicketStatus::kClosed) t.closed_at = now;
    if (t.status == TicketStatus::kSolved && *patch.status == TicketStatus::kOpen) {
      t.reopened_count++;
      t.solved_at.reset();
    }
    t.status = *patch.status;
  }
  if (patch.priority && *patch.priority != t.priority) {
    if (!IsPriority(*patch.priority)) return Status::Invalid("unknown priority \"" + *patch.priority + "\"", "priority");
    changes.push_back({"priority_changed", {{"from", t.priority}, {"to", *patch.priority}}});
    t.priority = *patch.priority;
  }
  if (patch.queue && *patch.queue != t.queue) {
    if (!config.FindQueue(*patch.queue)) return Status::Invalid("unknown queue \"" + *patch.queue + "\"", "queue");
    changes.push_back({"queue_changed", {{"from", t.queue}, {"to", *patch.queue}}});
    t.queue = *patch.queue;
  }
  if (patch.assignee && *patch.assignee != t.assignee) {
    // Whoever is assigned is mailed the ticket's internal notes: only an
    // agent may be, whichever channel asks.
    if (*patch.assignee && !config.IsAgent(**patch.assignee)) {
      return Status::Invalid("\"" + **patch.assignee +
                                 "\" is not an agent; assign an address listed in a queue's agents, or null",
                             "assignee");
    }
    changes.push_back({"assignee_changed", {{"from", OptJson(t.assignee)}, {"to", OptJson(*patch.assignee)}}});
    t.assignee = *patch.assignee;
  }
  if (patch.tags) {
    for (const std::string& tag : *patch.tags) {
      Status s = ValidateTag(tag);
      if (!s.ok()) return s;
    }
    std::vector<std::string> from = NormalizeTags(t.tags), to = NormalizeTags(*patch.tags);
    if (from != to) {
      changes.push_back({"tags_changed", {{"from", from}, {"to", to}}});
      t.tags = std::move(to);
    }
  }
  return changes;
}

}  // namespace

Result<Ticket> TicketService::Patch(int64_t ticket_id, const TicketPatch& patch,
                                    std::optional<int64_t> expected_version, const Actor& actor, Timestamp now) {
  TicketStore tickets(store_);
  Result<Ticket> cur = tickets.Get(ticket_id);
  if (!cur.ok()) return cur.status();
  const Ticket before = *cur;
  Ticket t = before;
  if (expected_version && *expected_version != t.version) {
    return Status::PreconditionFailed("ticket " + std::to_string(ticket_id) + " is at version " +
                                      std::to_string(t.version) + ", not " + std::to_string(*expected_version));
  }
  Result<std::vector<std::pair<const char*, json>>> changes = ApplyPatch(t, patch, config_, now);
  if (!changes.ok()) return changes.status();
  if (changes->empty()) return t;
  Status s = tickets.SaveTicket(t, now);
  if (!s.ok()) return s;
  for (const auto& [kind, detail] : *changes) {
    s = Record(ticket_id, kind, actor, Dump(detail), now);
    if (!s.ok()) return s;
  }
  s = sla_.OnStatusChange(store_, ticket_id, before.status, t.status, now);
  if (!s.ok()) return s;
  Result<Ticket> after = tickets.Get(ticket_id);
  if (!after.ok()) return after.status();
  s = QueueSolvedMail(store_, config_, before.status, *after, now);
  if (!s.ok()) return s;
  // Read again: the survey it schedules moves the version the caller's
  // next If-Match must name.
  return tickets.Get(ticket_id);
}

// A level's mail, changes and event, gathered: SweepDue writes a chunk's
// together. An escalation level changes priority, queue and tags only
// (config/policy_loader.h), never the status, so no SLA hook and no
// solved mail follow from it.
Status TicketService::ApplyLevel(const EscalationAction& a, TicketSave& ticket, SweepWrites& writes, Timestamp now) {
  Ticket& t = ticket.ticket;
  EscalationNotice notice{a.policy, a.target, a.cycle, a.level_index, a.level_text, a.template_name, a.recipients};
  for (OutboxMail& m : EscalationMails(t, notice, now)) writes.mails.push_back(std::move(m));
  const Actor actor = Actor::System("sla:" + a.policy);
  if (a.patch.status) return Status::Internal("an escalation level cannot change a ticket's status");
  Result<std::vector<std::pair<const char*, json>>> changes = ApplyPatch(t, a.patch, config_, now);
  if (!changes.ok()) return changes.status();
  for (const auto& [kind, detail] : *changes) {
    writes.rows.events.push_back({t.id, now, kind, actor.label, std::nullopt, Dump(detail)});
  }
  if (!changes->empty()) ticket.changed = true;
  writes.rows.events.push_back({t.id, now, "escalated", actor.label, std::nullopt,
                           json{{"target", a.target}, {"cycle", a.cycle}, {"level", a.level_index + 1},
                                {"at", a.level_text}, {"actions", a.done}}
                               .dump()});
  return Status::Ok();
}

// The tickets with their events and clocks, then the mail.
Status TicketService::Write(const SweepWrites& writes, Timestamp now) {
  Status s = TicketStore(store_).WriteBatch(writes.rows, now);
  return s.ok() ? QueueMails(store_, writes.mails) : s;
}

Status TicketService::SweepDue(const std::vector<int64_t>& ids, Timestamp now, SweepReport* report) {
  SweepWrites writes;
  auto fire = [&](const EscalationAction& a, TicketSave& t, SweepWrites& w) { return ApplyLevel(a, t, w, now); };
  Status s = sla_.SweepMany(store_, ids, now, false, report, &writes, fire);
  if (!s.ok()) return s;
  return Write(writes, now);
}

Status TicketService::Escalate(const EscalationAction& a, Timestamp now) {
  Result<Ticket> t = TicketStore(store_).Get(a.ticket_id);
  if (!t.ok()) return t.status();
  SweepWrites writes;
  writes.rows.tickets.push_back({*t, false});
  Status s = ApplyLevel(a, writes.rows.tickets.back(), writes, now);
  if (!s.ok()) return s;
  return Write(writes, now);
}

Status TicketService::RecordBounce(int64_t ticket_id, const DsnReport& dsn, Timestamp now) {
  if (dsn.recipients.empty()) return Status::Ok();
  json list = json::array();
  RecipientStore recipients(store_);
  OutboxStore outbox(store_);
  const std::string original = MessageIdLocalPart(dsn.original_message_id);
  for (const DsnRecipient& r : dsn.recipients) {
    json entry = {{"address", r.address}, {"action", r.action}, {"status", r.status}, {"diagnostic", r.diagnostic},
                  {"permanent", r.permanent()}};
    // Anyone can write a delivery report. It counts only for a mail we sent
    // to that very address (whose Message-ID an outsider never sees), and
    // never against an agent, whose alerts must keep flowing.
    std::string ignored;
    if (!r.permanent()) {
      ignored = "not a permanent failure";
    } else if (config_.IsAgent(r.address)) {
      ignored = "an agent's address is never marked";
    } else {
      Result<std::optional<int64_t>> sent =
          original.empty() ? Result<std::optional<int64_t>>(std::nullopt) : outbox.TicketSentTo(original, r.address);
      if (!sent.ok()) return sent.status();
      if (!*sent) ignored = "it names no mail Frontdesk sent to this address";
    }
    if (!ignored.empty()) {
      entry["ignored"] = ignored;
      list.push_back(entry);
      continue;
    }
    list.push_back(entry);
    std::string why = "status " + r.status + (r.diagnostic.empty() ? "" : ": " + r.diagnostic);
    Status s = recipients.MarkBouncing(r.address, why, now);
    if (!s.ok()) return s;
  }
  return Record(ticket_id, "bounce_received", Actor::System("mail"),
                json{{"original_message_id", dsn.original_message_id}, {"recipients", list}}.dump(), now);
}

Status TicketService::Reread(int64_t ticket_id, const NewTicket& reread, const TicketPatch& routed,
                             const std::string& detail_json, Timestamp now) {
  Status s = TicketStore(store_).Unquarantine(ticket_id, reread, now);
  if (!s.ok()) return s;
  if (!routed.empty()) {
    Result<Ticket> u = Patch(ticket_id, routed, std::nullopt, Actor::System("router"), now);
    if (!u.ok()) return u.status();
  }
  const std::string& rule = reread.routing.queue_rule;
  s = Record(ticket_id, "reprocessed", Actor::System("admin"), detail_json, now,
             rule.empty() ? std::nullopt : std::optional<std::string>(rule));
  if (!s.ok()) return s;
  if (reread.auto_submitted) return Status::Ok();
  return StartClocks(ticket_id, reread.routing.sla_policy, now);
}

Status TicketService::JoinAwaiting(const std::string& message_id, int64_t parent_id, Timestamp now) {
  TicketStore tickets(store_);
  Result<std::vector<int64_t>> waiting = tickets.TicketsAwaiting(message_id);
  if (!waiting.ok()) return waiting.status();
  for (int64_t child : *waiting) {
    if (child == parent_id) continue;
    Status s = Join(child, parent_id, message_id, now);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// Mail delivered in parallel (an MTA runs several mailgates) can file a
// reply before the message it answers. The reply then opened a ticket of
// its own; once the parent is here and nobody has touched the reply's
// ticket, its messages move to the parent's ticket and it is closed,
// pointing there. A ticket someone has acted on is left as it is: moving
// work under an agent's feet would be worse than two tickets.
Status TicketService::Join(int64_t child_id, int64_t parent_id, const std::string& message_id, Timestamp now) {
  TicketStore tickets(store_);
  Status s = tickets.StopAwaiting(child_id);
  if (!s.ok()) return s;
  Result<Ticket> child = tickets.Get(child_id);
  if (!child.ok()) return child.status();
  if (child->merged_into || child->status == TicketStatus::kClosed) return Status::Ok();
  const Actor mail = Actor::System("mail");
  Result<bool> acted = tickets.ActedOn(child_id);
  if (!acted.ok()) return acted.status();
  // A Message-ID proves nothing about who sent it: a stranger who learnt
  // the one a customer's reply names could send a "parent" and take the
  // reply, and the agents' answers, into a ticket of their own. A real
  // reply is written by someone the parent was from, to or copied to.
  Result<bool> party = tickets.HasAddress(parent_id, child->requester_email);
  if (!party.ok()) return party.status();
  if (*acted || !*party) {
    return Record(child_id, "parent_arrived", mail,
                  Dump({{"message_id", message_id}, {"ticket", parent_id}, {"joined", false},
                        {"why", *acted ? "someone had already acted on this ticket"
                                       : child->requester_email + " is not among that mail's sender and recipients"}}),
                  now);
  }
  Result<std::vector<int64_t>> moved = tickets.MoveThread(child_id, parent_id);
  if (!moved.ok()) return moved.status();
  std::string because = "it answers <" + message_id + ">, which arrived after it";
  s = Record(parent_id, "thread_joined", mail,
             Dump({{"from_ticket", child_id}, {"messages", *moved}, {"why", because}}), now);
  if (!s.ok()) return s;
  TicketPatch close;
  close.status = TicketStatus::kClosed;
  Result<Ticket> closed = Patch(child_id, close, std::nullopt, mail, now);
  if (!closed.ok()) return closed.status();
  s = tickets.MarkMerged(child_id, parent_id, now);
  if (!s.ok()) return s;
  return Record(child_id, "merged", mail,
                Dump({{"into", parent_id}, {"messages", *moved}, {"why", because}}), now);
}

Status TicketService::Record(std::optional<int64_t> ticket_id, std::string_view kind, const Actor& actor,
                             const std::string& detail_json, Timestamp now, std::optional<std::string> rule_id) {
  return TicketStore(store_).AddEvent(ticket_id, now, kind, actor.label, std::move(rule_id), detail_json);
}

}  // namespace frontdesk
