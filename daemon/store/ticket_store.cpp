#include "daemon/store/ticket_store.h"

#include <map>
#include <nlohmann/json.hpp>

#include "daemon/base/random.h"
#include "daemon/store/json_rows.h"

namespace frontdesk {
namespace {

using nlohmann::json;

const char* const kTicketColumns =
    "id, subject, status, priority, queue, category, assignee, requester_email, requester_name, "
    "channel, tags, fields, quarantined, quarantine_reason, route_rule, sla_policy, next_due_at, "
    "linked_ticket_id, reopened_count, version, created_at, updated_at, first_response_at, "
    "solved_at, closed_at, automatic, merged_into, sla_due_at";

std::optional<Timestamp> OptTime(const Stmt& st, int col) {
  if (auto v = st.OptInt(col)) return FromUnix(*v);
  return std::nullopt;
}

std::vector<std::string> ParseTags(const std::string& text) {
  std::vector<std::string> out;
  json j = json::parse(text, nullptr, false);
  if (j.is_array()) {
    for (const json& t : j)
      if (t.is_string()) out.push_back(t.get<std::string>());
  }
  return out;
}

}  // namespace

const char* TicketColumns() { return kTicketColumns; }

Ticket ReadTicket(const Stmt& st) {
  Ticket t;
  t.id = st.Int(0);
  t.subject = st.Text(1);
  t.status = ParseTicketStatus(st.TextView(2)).value_or(TicketStatus::kOpen);
  t.priority = st.Text(3);
  t.queue = st.Text(4);
  t.category = st.OptText(5);
  t.assignee = st.OptText(6);
  t.requester_email = st.Text(7);
  t.requester_name = st.Text(8);
  t.channel = ParseChannel(st.TextView(9)).value_or(Channel::kApi);
  t.tags = ParseTags(st.Text(10));
  t.fields_json = st.Text(11);
  t.quarantined = st.Int(12) != 0;
  t.quarantine_reason = st.OptText(13);
  t.route_rule = st.OptText(14);
  t.sla_policy = st.OptText(15);
  t.next_due_at = OptTime(st, 16);
  t.linked_ticket_id = st.OptInt(17);
  t.reopened_count = st.Int(18);
  t.version = st.Int(19);
  t.created_at = FromUnix(st.Int(20));
  t.updated_at = FromUnix(st.Int(21));
  t.first_response_at = OptTime(st, 22);
  t.solved_at = OptTime(st, 23);
  t.closed_at = OptTime(st, 24);
  t.automatic = st.Int(25) != 0;
  t.merged_into = st.OptInt(26);
  t.sla_due_at = OptTime(st, 27);
  return t;
}

namespace {

std::string TagsJson(std::vector<std::string> tags) { return json(NormalizeTags(std::move(tags))).dump(); }

// The id an "INSERT ... RETURNING id" made: one round trip on PostgreSQL,
// where asking for it after the insert would be a second.
Result<int64_t> InsertedId(Stmt& st, const char* table) {
  Result<std::optional<int64_t>> id = st.FirstRow([](const Stmt& r) { return r.Int(0); });
  if (!id.ok()) return id.status();
  if (!*id) return Status::Internal(std::string("an insert into ") + table + " returned no id");
  return **id;
}

}  // namespace

Status TicketStore::AddEvent(std::optional<int64_t> ticket_id, Timestamp at, std::string_view kind,
                             std::string_view actor, std::optional<std::string> rule_id,
                             const std::string& detail_json) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO events(ticket_id, at, kind, actor, rule_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, ToUnix(at)).Bind(3, kind).Bind(4, actor).Bind(5, rule_id).Bind(6, detail_json);
  return st->Run();
}

Status TicketStore::PutBlob(const std::string& sha256, const std::string& data) {
  Result<Stmt> st = db_.Prepare("INSERT INTO blobs(sha256, size, data) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  if (!st.ok()) return st.status();
  st->Bind(1, sha256).Bind(2, static_cast<int64_t>(data.size())).BindBlob(3, data);
  return st->Run();
}

Result<int64_t> TicketStore::InsertTicket(const NewTicket& t) {
  int64_t ticket_id = 0;
  {
    Result<Stmt> st = db_.Prepare(
        "INSERT INTO tickets(subject, status, priority, queue, requester_email, requester_name, "
        "channel, tags, fields, created_at, updated_at, category, assignee, route_rule, auto_reply_suppressed, "
        "quarantined, quarantine_reason, linked_ticket_id, automatic) "
        "VALUES (?1, 'new', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) RETURNING id");
    if (!st.ok()) return st.status();
    st->Bind(1, t.subject).Bind(2, t.priority).Bind(3, t.queue).Bind(4, t.requester_email)
        .Bind(5, t.requester_name).Bind(6, Name(t.channel)).Bind(7, TagsJson(t.tags))
        .Bind(8, t.fields_json).Bind(9, ToUnix(t.now)).Bind(10, t.category).Bind(11, t.assignee)
        .Bind(12, t.route_rule).Bind(13, static_cast<int64_t>(t.auto_reply_suppressed))
        .Bind(14, static_cast<int64_t>(t.quarantined)).Bind(15, t.quarantine_reason).Bind(16, t.linked_ticket_id)
        .Bind(17, static_cast<int64_t>(t.automatic));
    Result<int64_t> id = InsertedId(*st, "tickets");
    if (!id.ok()) return id.status();
    ticket_id = *id;
  }
  std::vector<std::pair<std::string, const char*>> addresses = {{t.requester_email, "requester"}};
  for (const std::string& a : t.recipients) addresses.emplace_back(a, "recipient");
  for (const std::string& a : t.cc) addresses.emplace_back(a, "cc");
  for (const auto& [address, role] : addresses) {
    if (address.empty()) continue;
    // A fresh lease per row: the cached statement is reset when it ends.
    Result<Stmt> st = db_.Prepare(
        "INSERT INTO ticket_addresses(ticket_id, address, role) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
    if (!st.ok()) return st.status();
    st->Bind(1, ticket_id).Bind(2, address).Bind(3, role);
    Status r = st->Run();
    if (!r.ok()) return r;
  }
  return ticket_id;
}

Status TicketStore::IndexMessage(int64_t message_id, const std::string& subject, const std::string& body) {
  // FTS5 on SQLite; on PostgreSQL a tsvector, the subject weighted above
  // the body, with the 'simple' configuration: no stemming, as unicode61.
  // Angle brackets become spaces: PostgreSQL's parser drops whatever looks
  // like an HTML tag, and a customer's "<script>" is a word to search for.
  Result<Stmt> st = db_.Prepare(
      db_.postgres() ? "INSERT INTO message_search(id, document) VALUES "
                       "(?1, setweight(to_tsvector('simple', translate(?2, '<>', '  ')), 'A') || "
                       "to_tsvector('simple', translate(?3, '<>', '  '))) "
                       "ON CONFLICT (id) DO UPDATE SET document = excluded.document"
                     : "INSERT INTO message_search(rowid, subject, body) VALUES (?1, ?2, ?3)");
  if (!st.ok()) return st.status();
  st->Bind(1, message_id).Bind(2, subject).Bind(3, body);
  return st->Run();
}

Status TicketStore::AddAttachments(int64_t ticket_id, int64_t message_id, const std::vector<NewAttachment>& list) {
  for (const NewAttachment& a : list) {
    std::string sha = Sha256Hex(a.data);
    Status s = PutBlob(sha, a.data);
    if (!s.ok()) return s;
    Result<Stmt> st = db_.Prepare(
        "INSERT INTO attachments(message_id, ticket_id, filename, content_type, size, sha256) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st.ok()) return st.status();
    st->Bind(1, message_id).Bind(2, ticket_id).Bind(3, a.filename).Bind(4, a.content_type)
        .Bind(5, static_cast<int64_t>(a.data.size())).Bind(6, sha);
    s = st->Run();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Result<int64_t> TicketStore::InsertMessage(int64_t ticket_id, const NewMessage& m, const std::string& subject) {
  int64_t message_id = 0;
  {
    Result<Stmt> st = db_.Prepare(
        "INSERT INTO messages(ticket_id, kind, channel, author_email, author_name, subject, body_text, "
        "message_id, in_reply_to, refs, raw_id, auto_submitted, auto_reason, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id");
    if (!st.ok()) return st.status();
    st->Bind(1, ticket_id).Bind(2, Name(m.kind)).Bind(3, Name(m.channel)).Bind(4, m.author_email)
        .Bind(5, m.author_name).Bind(6, subject).Bind(7, m.body).Bind(8, m.message_id).Bind(9, m.in_reply_to)
        .Bind(10, m.refs_json).Bind(11, m.raw_id).Bind(12, static_cast<int64_t>(m.auto_submitted))
        .Bind(13, m.auto_reason).Bind(14, ToUnix(m.now));
    Result<int64_t> id = InsertedId(*st, "messages");
    if (!id.ok()) return id.status();
    message_id = *id;
  }
  Status s = IndexMessage(message_id, subject, m.body);
  if (!s.ok()) return s;
  s = AddAttachments(ticket_id, message_id, m.attachments);
  if (!s.ok()) return s;
  return message_id;
}

Status TicketStore::SaveTicket(const Ticket& t, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE tickets SET status = ?2, priority = ?3, queue = ?4, assignee = ?5, tags = ?6, "
      "solved_at = ?7, closed_at = ?8, reopened_count = ?9, first_response_at = ?10, version = version + 1, "
      "updated_at = CASE WHEN updated_at > ?11 THEN updated_at ELSE ?11 END WHERE id = ?1 AND version = ?12");
  if (!st.ok()) return st.status();
  auto unix = [](const std::optional<Timestamp>& v) {
    return v ? std::optional<int64_t>(ToUnix(*v)) : std::nullopt;
  };
  st->Bind(1, t.id).Bind(2, Name(t.status)).Bind(3, t.priority).Bind(4, t.queue).Bind(5, t.assignee)
      .Bind(6, TagsJson(t.tags)).Bind(7, unix(t.solved_at)).Bind(8, unix(t.closed_at)).Bind(9, t.reopened_count)
      .Bind(10, unix(t.first_response_at)).Bind(11, ToUnix(now)).Bind(12, t.version);
  Status s = st->Run();
  if (!s.ok()) return s;
  if (db_.Changes() != 1) return Status::PreconditionFailed("ticket " + std::to_string(t.id) + " changed meanwhile");
  return Status::Ok();
}

Status TicketStore::WriteBatch(const TicketBatch& batch, Timestamp now) {
  if (!db_.postgres()) {
    Status s = SaveTickets(batch, now);
    if (s.ok()) s = AddEvents(batch.events);
    if (s.ok()) {
      for (const ClockSave& c : batch.clocks) {
        s = SlaStore(db_).SaveClock(c.ticket_id, c.clock);
        if (!s.ok()) break;
      }
    }
    return s;
  }
  // Set for this transaction only, so a batch that fails half-way leaves
  // nothing behind: its rollback (or its savepoint's) undoes the setting.
  auto touch = [&](const char* who) {
    Result<Stmt> st = db_.Prepare("SELECT set_config('frontdesk.touch', ?1, true)");
    return st.ok() ? st->Bind(1, who).Run() : st.status();
  };
  Status s = touch("batch");
  if (s.ok()) s = AddEvents(batch.events);
  if (s.ok()) s = SlaStore(db_).UpdateClocks(batch.clocks);
  if (s.ok()) s = touch("");
  if (s.ok()) s = SaveTickets(batch, now);
  return s;
}

// The tickets of a batch. On PostgreSQL also what the touch triggers left
// to it: one version per event and clock row, updated_at as late as the
// last event, sla_due_at from the clocks.
Status TicketStore::SaveTickets(const TicketBatch& batch, Timestamp now) {
  const std::vector<TicketSave>& tickets = batch.tickets;
  if (tickets.empty()) return Status::Ok();
  auto unix = [](const std::optional<Timestamp>& v) {
    return v ? std::optional<int64_t>(ToUnix(*v)) : std::nullopt;
  };
  if (!db_.postgres()) {
    for (const TicketSave& save : tickets) {
      Result<Stmt> st = db_.Prepare(
          "UPDATE tickets SET status = ?2, priority = ?3, queue = ?4, assignee = ?5, tags = ?6, "
          "solved_at = ?7, closed_at = ?8, reopened_count = ?9, first_response_at = ?10, next_due_at = ?13, "
          "version = version + ?14, updated_at = CASE WHEN ?14 = 0 OR updated_at > ?11 THEN updated_at ELSE ?11 END "
          "WHERE id = ?1 AND version = ?12");
      if (!st.ok()) return st.status();
      const Ticket& t = save.ticket;
      st->Bind(1, t.id).Bind(2, Name(t.status)).Bind(3, t.priority).Bind(4, t.queue).Bind(5, t.assignee)
          .Bind(6, TagsJson(t.tags)).Bind(7, unix(t.solved_at)).Bind(8, unix(t.closed_at)).Bind(9, t.reopened_count)
          .Bind(10, unix(t.first_response_at)).Bind(11, ToUnix(now)).Bind(12, t.version).Bind(13, unix(t.next_due_at))
          .Bind(14, static_cast<int64_t>(save.changed));
      Status s = st->Run();
      if (!s.ok()) return s;
      if (db_.Changes() != 1) return Status::PreconditionFailed("ticket " + std::to_string(t.id) + " changed meanwhile");
    }
    return Status::Ok();
  }
  struct Touch {
    int64_t rows = 0, clocks = 0;
    std::optional<int64_t> last_at;
  };
  std::map<int64_t, Touch> touched;
  for (const TicketEvent& e : batch.events) {
    Touch& t = touched[e.ticket_id];
    t.rows++;
    t.last_at = std::max(t.last_at.value_or(INT64_MIN), ToUnix(e.at));
  }
  for (const ClockSave& c : batch.clocks) {
    touched[c.ticket_id].rows++;
    touched[c.ticket_id].clocks++;
  }
  JsonRows rows;
  for (const TicketSave& save : tickets) {
    const Ticket& t = save.ticket;
    const Touch& touch = touched[t.id];
    rows.Row().Add("id", t.id).Add("version", t.version).Add("bump", int64_t{save.changed ? 1 : 0})
        .Add("touches", touch.rows).Add("clocks", touch.clocks).Add("last_at", touch.last_at)
        .Add("status", Name(t.status)).Add("priority", t.priority).Add("queue", t.queue)
        .Add("assignee", t.assignee).Add("tags", TagsJson(t.tags)).Add("solved_at", unix(t.solved_at))
        .Add("closed_at", unix(t.closed_at)).Add("reopened_count", t.reopened_count)
        .Add("first_response_at", unix(t.first_response_at)).Add("next_due_at", unix(t.next_due_at));
  }
  Result<Stmt> st = db_.Prepare(
      "UPDATE tickets AS t SET status = r.status, priority = r.priority, queue = r.queue, assignee = r.assignee, "
      "tags = r.tags, solved_at = r.solved_at, closed_at = r.closed_at, reopened_count = r.reopened_count, "
      "first_response_at = r.first_response_at, next_due_at = r.next_due_at, "
      "version = t.version + r.bump + r.touches, "
      "updated_at = greatest(CASE WHEN r.bump = 0 OR t.updated_at > ?2 THEN t.updated_at ELSE ?2 END, r.last_at), "
      "sla_due_at = CASE WHEN r.clocks = 0 THEN t.sla_due_at ELSE (SELECT min(s.due_at) FROM sla_targets s "
      "WHERE s.ticket_id = t.id AND s.met_at IS NULL AND s.paused_since IS NULL) END "
      "FROM jsonb_to_recordset(CAST(?1 AS JSONB)) AS r(id BIGINT, version BIGINT, bump BIGINT, touches BIGINT, "
      "clocks BIGINT, last_at BIGINT, status TEXT, priority TEXT, queue TEXT, assignee TEXT, tags TEXT, "
      "solved_at BIGINT, closed_at BIGINT, reopened_count BIGINT, first_response_at BIGINT, next_due_at BIGINT) "
      "WHERE t.id = r.id AND t.version = r.version");
  if (!st.ok()) return st.status();
  st->Bind(1, rows.Take()).Bind(2, ToUnix(now));
  Status s = st->Run();
  if (!s.ok()) return s;
  if (db_.Changes() != static_cast<int>(tickets.size())) {
    return Status::PreconditionFailed("a ticket of this batch changed meanwhile");
  }
  return Status::Ok();
}

Status TicketStore::AddEvents(const std::vector<TicketEvent>& events) {
  if (!db_.postgres()) {
    for (const TicketEvent& e : events) {
      Status s = AddEvent(e.ticket_id, e.at, e.kind, e.actor, e.rule_id, e.detail_json);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  if (events.empty()) return Status::Ok();
  JsonRows rows;
  for (const TicketEvent& e : events) {
    rows.Row().Add("ticket_id", e.ticket_id).Add("at", ToUnix(e.at)).Add("kind", e.kind).Add("actor", e.actor)
        .Add("rule_id", e.rule_id).Add("detail", e.detail_json);
  }
  // Ids follow the order given: the rows come out of the function in it.
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO events(ticket_id, at, kind, actor, rule_id, detail) "
      "SELECT ticket_id, at, kind, actor, rule_id, detail FROM jsonb_to_recordset(CAST(?1 AS JSONB)) "
      "AS r(ticket_id BIGINT, at BIGINT, kind TEXT, actor TEXT, rule_id TEXT, detail TEXT)");
  if (!st.ok()) return st.status();
  st->Bind(1, rows.Take());
  return st->Run();
}

Result<int64_t> TicketStore::StoreRaw(const std::string& raw, const std::string& source, Timestamp now) {
  std::string sha = Sha256Hex(raw);
  Status s = PutBlob(sha, raw);
  if (!s.ok()) return s;
  Result<Stmt> st =
      db_.Prepare("INSERT INTO raw_messages(sha256, source, received_at) VALUES (?1, ?2, ?3) RETURNING id");
  if (!st.ok()) return st.status();
  st->Bind(1, sha).Bind(2, source).Bind(3, ToUnix(now));
  return InsertedId(*st, "raw_messages");
}

Result<std::optional<int64_t>> TicketStore::TicketByMessageId(const std::string& message_id) {
  for (const char* sql : {"SELECT ticket_id FROM messages WHERE message_id = ?1 LIMIT 1",
                          "SELECT ticket_id FROM outbox WHERE message_id = ?1 LIMIT 1"}) {
    Result<Stmt> st = db_.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(1, message_id);
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (*row) return std::optional<int64_t>(st->Int(0));
  }
  return std::optional<int64_t>();
}

Result<std::optional<KeyRecord>> TicketStore::FindKey(const std::string& key) {
  Result<Stmt> st = db_.Prepare(
      "SELECT ticket_id, message_id, request_sha256 FROM idempotency_keys WHERE key = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, key);
  return st->FirstRow([](const Stmt& r) {
    return KeyRecord{r.Int(0), r.OptInt(1).value_or(0), r.OptText(2).value_or("")};
  });
}

Result<std::optional<int64_t>> TicketStore::TicketByKey(const std::string& key) {
  Result<std::optional<KeyRecord>> k = FindKey(key);
  if (!k.ok()) return k.status();
  return *k ? std::optional<int64_t>((*k)->ticket_id) : std::nullopt;
}

Status TicketStore::RecordKey(const std::string& key, int64_t ticket_id, std::optional<int64_t> message_id, const std::string& sha,
                              Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO idempotency_keys(key, ticket_id, message_id, request_sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st.ok()) return st.status();
  st->Bind(1, key).Bind(2, ticket_id).Bind(3, message_id).Bind(4, sha).Bind(5, ToUnix(now));
  return st->Run();
}

Result<std::pair<int64_t, std::string>> TicketStore::FirstRaw(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT m.id, b.data FROM messages m JOIN raw_messages r ON r.id = m.raw_id JOIN blobs b ON b.sha256 = r.sha256 "
      "WHERE m.ticket_id = ?1 ORDER BY m.id LIMIT 1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("ticket " + std::to_string(ticket_id) + " has no stored raw message");
  return std::make_pair(st->Int(0), st->Text(1));
}

Status TicketStore::Unquarantine(int64_t ticket_id, const NewTicket& t, Timestamp now) {
  Result<std::pair<int64_t, std::string>> first = FirstRaw(ticket_id);
  if (!first.ok()) return first.status();
  int64_t message_id = first->first;
  if (!db_.postgres()) {
    // The search index is contentless on SQLite: a second row for the same
    // message would add the new words and keep the old ones, so searching
    // for the unreadable text would still find the ticket. FTS5 removes a
    // row only when told the words it was given, which `messages` holds
    // until the update below. A message never indexed (stored before
    // schema v2) has nothing to remove.
    Result<Stmt> st = db_.Prepare(
        "INSERT INTO message_search(message_search, rowid, subject, body) "
        "SELECT 'delete', id, subject, body_text FROM messages "
        "WHERE id = ?1 AND EXISTS (SELECT 1 FROM message_search WHERE rowid = ?1)");
    if (!st.ok()) return st.status();
    st->Bind(1, message_id);
    Status s = st->Run();
    if (!s.ok()) return s;
  }
  {
    Result<Stmt> st = db_.Prepare(
        "UPDATE messages SET author_email = ?2, author_name = ?3, subject = ?4, body_text = ?5, message_id = ?6, "
        "in_reply_to = ?7, refs = ?8, auto_submitted = ?9, auto_reason = ?10 WHERE id = ?1");
    if (!st.ok()) return st.status();
    st->Bind(1, message_id).Bind(2, t.requester_email).Bind(3, t.requester_name).Bind(4, t.subject).Bind(5, t.body)
        .Bind(6, t.message_id).Bind(7, t.in_reply_to).Bind(8, t.refs_json)
        .Bind(9, static_cast<int64_t>(t.auto_submitted)).Bind(10, t.auto_reason);
    Status s = st->Run();
    if (!s.ok()) return s;
  }
  {
    Status s = IndexMessage(message_id, t.subject, t.body);
    if (!s.ok()) return s;
  }
  {
    Status s = AddAttachments(ticket_id, message_id, t.attachments);
    if (!s.ok()) return s;
  }
  Result<Stmt> st = db_.Prepare(
      "UPDATE tickets SET subject = ?2, requester_email = ?3, requester_name = ?4, quarantined = 0, "
      "version = version + 1, updated_at = CASE WHEN updated_at > ?5 THEN updated_at ELSE ?5 END WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, t.subject).Bind(3, t.requester_email).Bind(4, t.requester_name).Bind(5, ToUnix(now));
  Status s = st->Run();
  if (!s.ok()) return s;
  Result<Stmt> addr = db_.Prepare(
      "INSERT INTO ticket_addresses(ticket_id, address, role) VALUES (?1, ?2, 'requester') ON CONFLICT DO NOTHING");
  if (!addr.ok()) return addr.status();
  addr->Bind(1, ticket_id).Bind(2, t.requester_email);
  return addr->Run();
}

Result<bool> TicketStore::IsParticipant(int64_t ticket_id, const std::string& address) {
  Result<Stmt> st = db_.Prepare(
      "SELECT 1 FROM ticket_addresses WHERE ticket_id = ?1 AND address = ?2 AND role IN ('requester', 'cc')");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, address);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return *row;
}

Result<bool> TicketStore::HasAddress(int64_t ticket_id, const std::string& address) {
  Result<Stmt> st = db_.Prepare("SELECT 1 FROM ticket_addresses WHERE ticket_id = ?1 AND address = ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, address);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return *row;
}

Result<Ticket> TicketStore::Get(int64_t id) {
  static const std::string sql = std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE id = ?1";
  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no ticket " + std::to_string(id));
  return ReadTicket(*st);
}

Result<std::vector<Ticket>> TicketStore::GetMany(const std::vector<int64_t>& ids) {
  Result<Stmt> st = db_.Prepare(std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE " +
                                InIds(db_, "id", 1) + " ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, IdsParam(db_, ids));
  return st->Rows([](const Stmt& r) { return ReadTicket(r); });
}

Result<std::vector<MessageRecord>> TicketStore::Messages(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, kind, channel, author_email, author_name, subject, body_text, message_id, "
      "auto_submitted, created_at FROM messages WHERE ticket_id = ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  return st->Rows([](const Stmt& r) {
    MessageRecord m;
    m.id = r.Int(0);
    m.kind = ParseMessageKind(r.TextView(1)).value_or(MessageKind::kSystem);
    m.channel = ParseChannel(r.TextView(2)).value_or(Channel::kApi);
    m.author_email = r.OptText(3);
    m.author_name = r.OptText(4);
    m.subject = r.Text(5);
    m.body_text = r.Text(6);
    m.message_id = r.OptText(7);
    m.auto_submitted = r.Int(8) != 0;
    m.created_at = FromUnix(r.Int(9));
    return m;
  });
}

Result<std::vector<AttachmentRecord>> TicketStore::Attachments(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, message_id, filename, content_type, size, sha256 FROM attachments "
      "WHERE ticket_id = ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  return st->Rows([](const Stmt& r) {
    return AttachmentRecord{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5)};
  });
}

Result<std::vector<EventRecord>> TicketStore::Events(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, at, kind, actor, rule_id, detail FROM events WHERE ticket_id = ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  return st->Rows([](const Stmt& r) {
    return EventRecord{r.Int(0), FromUnix(r.Int(1)), r.Text(2), r.Text(3), r.OptText(4), r.Text(5)};
  });
}

Result<std::vector<SlaTargetRecord>> TicketStore::SlaTargets(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT target, cycle, started_at, due_at, paused_since, paused_seconds, met_at, "
      "breached_at, business_seconds FROM sla_targets WHERE ticket_id = ?1 ORDER BY target, cycle");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  return st->Rows([](const Stmt& r) {
    SlaTargetRecord t;
    t.target = r.Text(0);
    t.cycle = r.Int(1);
    t.started_at = FromUnix(r.Int(2));
    t.due_at = OptTime(r, 3);
    t.paused_since = OptTime(r, 4);
    t.paused_seconds = r.Int(5);
    t.met_at = OptTime(r, 6);
    t.breached_at = OptTime(r, 7);
    t.business_seconds = r.OptInt(8);
    return t;
  });
}

Result<AttachmentContent> TicketStore::Attachment(int64_t ticket_id, int64_t attachment_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.sha256, b.data "
      "FROM attachments a JOIN blobs b ON b.sha256 = a.sha256 WHERE a.id = ?1 AND a.ticket_id = ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, attachment_id).Bind(2, ticket_id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no attachment " + std::to_string(attachment_id) + " on ticket " + std::to_string(ticket_id));
  AttachmentContent c;
  c.meta = {st->Int(0), st->Int(1), st->Text(2), st->Text(3), st->Int(4), st->Text(5)};
  c.data = st->Text(6);
  return c;
}

Result<std::vector<std::pair<std::string, int64_t>>> TicketStore::CountByStatus() {
  Result<Stmt> st = db_.Prepare("SELECT status, count(*) FROM tickets GROUP BY status");
  if (!st.ok()) return st.status();
  return st->Rows([](const Stmt& r) { return std::make_pair(r.Text(0), r.Int(1)); });
}

Status TicketStore::AwaitParents(int64_t ticket_id, const std::vector<std::string>& message_ids, Timestamp now) {
  for (const std::string& id : message_ids) {
    if (id.empty()) continue;
    Result<Stmt> st = db_.Prepare(
        "INSERT INTO awaited_parents(message_id, ticket_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
    if (!st.ok()) return st.status();
    st->Bind(1, id).Bind(2, ticket_id).Bind(3, ToUnix(now));
    Status s = st->Run();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Result<std::vector<int64_t>> TicketStore::TicketsAwaiting(const std::string& message_id) {
  Result<Stmt> st = db_.Prepare("SELECT ticket_id FROM awaited_parents WHERE message_id = ?1 ORDER BY ticket_id");
  if (!st.ok()) return st.status();
  st->Bind(1, message_id);
  return st->Rows([](const Stmt& r) { return r.Int(0); });
}

Status TicketStore::StopAwaiting(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare("DELETE FROM awaited_parents WHERE ticket_id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  return st->Run();
}

Result<bool> TicketStore::ActedOn(int64_t ticket_id) {
  // A person's hand shows as a reply or note, or as a change the router and
  // the SLA levels did not make.
  Result<Stmt> st = db_.Prepare(
      "SELECT EXISTS (SELECT 1 FROM messages WHERE ticket_id = ?1 AND kind IN ('reply', 'note')) "
      "OR EXISTS (SELECT 1 FROM events WHERE ticket_id = ?1 AND kind IN ('status_changed', 'priority_changed', "
      "'queue_changed', 'assignee_changed', 'tags_changed', 'agent_mail', 'reply_added', 'note_added') "
      "AND actor <> 'router' AND actor NOT LIKE 'sla:%')");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return st->Int(0) != 0;
}

Result<std::vector<int64_t>> TicketStore::MoveThread(int64_t from, int64_t to) {
  Result<Stmt> ids = db_.Prepare("SELECT id FROM messages WHERE ticket_id = ?1 ORDER BY id");
  if (!ids.ok()) return ids.status();
  ids->Bind(1, from);
  Result<std::vector<int64_t>> moved = ids->Rows([](const Stmt& r) { return r.Int(0); });
  if (!moved.ok()) return moved.status();
  for (const char* sql : {"UPDATE messages SET ticket_id = ?2 WHERE ticket_id = ?1",
                          "UPDATE attachments SET ticket_id = ?2 WHERE ticket_id = ?1",
                          "INSERT INTO ticket_addresses(ticket_id, address, role) "
                          "SELECT ?2, address, CASE role WHEN 'requester' THEN 'cc' ELSE role END "
                          "FROM ticket_addresses WHERE ticket_id = ?1 ON CONFLICT DO NOTHING"}) {
    Result<Stmt> st = db_.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(1, from).Bind(2, to);
    Status s = st->Run();
    if (!s.ok()) return s;
  }
  return moved;
}

Status TicketStore::MarkMerged(int64_t ticket_id, int64_t into, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE tickets SET merged_into = ?2, version = version + 1, updated_at = CASE WHEN updated_at > ?3 THEN updated_at ELSE ?3 END WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, into).Bind(3, ToUnix(now));
  return st->Run();
}


}  // namespace frontdesk
