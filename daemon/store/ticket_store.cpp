#include "daemon/store/ticket_store.h"

#include <nlohmann/json.hpp>

#include "daemon/base/random.h"
#include "daemon/mail/signature.h"
#include "daemon/store/secret_store.h"

namespace frontdesk {
namespace {

using nlohmann::json;

constexpr const char* kTicketColumns =
    "id, subject, status, priority, queue, category, assignee, requester_email, requester_name, "
    "channel, tags, fields, quarantined, quarantine_reason, route_rule, sla_policy, next_due_at, "
    "linked_ticket_id, reopened_count, version, created_at, updated_at, first_response_at, "
    "solved_at, closed_at";

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

Ticket ReadTicket(const Stmt& st) {
  Ticket t;
  t.id = st.Int(0);
  t.subject = st.Text(1);
  t.status = st.Text(2);
  t.priority = st.Text(3);
  t.queue = st.Text(4);
  t.category = st.OptText(5);
  t.assignee = st.OptText(6);
  t.requester_email = st.Text(7);
  t.requester_name = st.Text(8);
  t.channel = st.Text(9);
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
  return t;
}

std::string TagsJson(std::vector<std::string> tags) {
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return json(tags).dump();
}

// Turns free text into an FTS5 query that matches every word, so that a
// user's quotes, stars and operators are searched for, not interpreted.
std::string FtsQuery(std::string_view text) {
  std::string out;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : word) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
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
  Result<Stmt> st = db_.Prepare("INSERT OR IGNORE INTO blobs(sha256, size, data) VALUES (?1, ?2, ?3)");
  if (!st.ok()) return st.status();
  st->Bind(1, sha256).Bind(2, static_cast<int64_t>(data.size())).BindBlob(3, data);
  return st->Run();
}

Result<CreatedTicket> TicketStore::Create(const NewTicket& t) {
  if (!t.idempotency_key.empty()) {
    Result<Stmt> st = db_.Prepare(
        "SELECT ticket_id, message_id, request_sha256 FROM idempotency_keys WHERE key = ?1");
    if (!st.ok()) return st.status();
    st->Bind(1, t.idempotency_key);
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (*row) {
      if (st->OptText(2).value_or("") != t.request_sha256) {
        return Status::Conflict("this idempotency key was already used for a different request");
      }
      CreatedTicket c;
      c.ticket_id = st->Int(0);
      c.message_id = st->OptInt(1).value_or(0);
      c.replayed = true;
      return c;
    }
  }

  CreatedTicket c;
  {
    Result<Stmt> st = db_.Prepare(
        "INSERT INTO tickets(subject, status, priority, queue, requester_email, requester_name, "
        "channel, tags, fields, created_at, updated_at, category, assignee, route_rule, auto_reply_suppressed, "
        "quarantined, quarantine_reason, linked_ticket_id) "
        "VALUES (?1, 'new', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
    if (!st.ok()) return st.status();
    st->Bind(1, t.subject).Bind(2, t.priority).Bind(3, t.queue).Bind(4, t.requester_email)
        .Bind(5, t.requester_name).Bind(6, t.channel).Bind(7, TagsJson(t.tags))
        .Bind(8, t.fields_json).Bind(9, ToUnix(t.now)).Bind(10, t.category).Bind(11, t.assignee)
        .Bind(12, t.route_rule).Bind(13, static_cast<int64_t>(t.auto_reply_suppressed))
        .Bind(14, static_cast<int64_t>(t.quarantined)).Bind(15, t.quarantine_reason).Bind(16, t.linked_ticket_id);
    Status s = st->Run();
    if (!s.ok()) return s;
    c.ticket_id = db_.LastInsertId();
  }
  {
    std::vector<std::pair<std::string, const char*>> addresses = {{t.requester_email, "requester"}};
    for (const std::string& a : t.recipients) addresses.emplace_back(a, "recipient");
    for (const std::string& a : t.cc) addresses.emplace_back(a, "cc");
    for (const auto& [address, role] : addresses) {
      if (address.empty()) continue;
      // A fresh lease per row: the cached statement is reset when it ends.
      Result<Stmt> st = db_.Prepare(
          "INSERT OR IGNORE INTO ticket_addresses(ticket_id, address, role) VALUES (?1, ?2, ?3)");
      if (!st.ok()) return st.status();
      st->Bind(1, c.ticket_id).Bind(2, address).Bind(3, role);
      Status r = st->Run();
      if (!r.ok()) return r;
    }
  }
  Result<int64_t> message = AppendInbound(c.ticket_id, t, t.auto_submitted ? "auto" : "customer");
  if (!message.ok()) return message.status();
  c.message_id = *message;
  json attachments = json::array();
  for (const NewAttachment& a : t.attachments) attachments.push_back({{"filename", a.filename}, {"size", a.data.size()}});
  json detail = {{"channel", t.channel}, {"queue", t.queue}, {"priority", t.priority},
                 {"message_id", c.message_id}};
  if (!attachments.empty()) detail["attachments"] = attachments;
  Status s = AddEvent(c.ticket_id, t.now, "created", t.actor, std::nullopt,
                      detail.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!s.ok()) return s;

  if (!t.idempotency_key.empty()) {
    Result<Stmt> st = db_.Prepare(
        "INSERT INTO idempotency_keys(key, ticket_id, message_id, request_sha256, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st.ok()) return st.status();
    st->Bind(1, t.idempotency_key).Bind(2, c.ticket_id).Bind(3, c.message_id)
        .Bind(4, t.request_sha256).Bind(5, ToUnix(t.now));
    s = st->Run();
    if (!s.ok()) return s;
  }
  return c;
}

Status TicketStore::IndexMessage(int64_t message_id, const std::string& subject, const std::string& body) {
  Result<Stmt> st = db_.Prepare("INSERT INTO message_search(rowid, subject, body) VALUES (?1, ?2, ?3)");
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

Result<int64_t> TicketStore::AppendInbound(int64_t ticket_id, const NewTicket& t, const std::string& kind) {
  int64_t message_id = 0;
  {
    Result<Stmt> st = db_.Prepare(
        "INSERT INTO messages(ticket_id, kind, channel, author_email, author_name, subject, body_text, "
        "message_id, in_reply_to, refs, raw_id, auto_submitted, auto_reason, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    if (!st.ok()) return st.status();
    st->Bind(1, ticket_id).Bind(2, kind).Bind(3, t.channel).Bind(4, t.requester_email).Bind(5, t.requester_name)
        .Bind(6, t.subject).Bind(7, t.body).Bind(8, t.message_id).Bind(9, t.in_reply_to).Bind(10, t.refs_json)
        .Bind(11, t.raw_id).Bind(12, static_cast<int64_t>(t.auto_submitted)).Bind(13, t.auto_reason)
        .Bind(14, ToUnix(t.now));
    Status s = st->Run();
    if (!s.ok()) return s;
    message_id = db_.LastInsertId();
  }
  {
    Status s = IndexMessage(message_id, t.subject, t.body);
    if (!s.ok()) return s;
  }
  Status s = AddAttachments(ticket_id, message_id, t.attachments);
  if (!s.ok()) return s;
  return message_id;
}

Result<int64_t> TicketStore::StoreRaw(const std::string& raw, const std::string& source, Timestamp now) {
  std::string sha = Sha256Hex(raw);
  Status s = PutBlob(sha, raw);
  if (!s.ok()) return s;
  Result<Stmt> st = db_.Prepare("INSERT INTO raw_messages(sha256, source, received_at) VALUES (?1, ?2, ?3)");
  if (!st.ok()) return st.status();
  st->Bind(1, sha).Bind(2, source).Bind(3, ToUnix(now));
  s = st->Run();
  if (!s.ok()) return s;
  return db_.LastInsertId();
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

Result<std::optional<int64_t>> TicketStore::TicketByKey(const std::string& key) {
  Result<Stmt> st = db_.Prepare("SELECT ticket_id FROM idempotency_keys WHERE key = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, key);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return *row ? std::optional<int64_t>(st->Int(0)) : std::nullopt;
}

Status TicketStore::RecordKey(const std::string& key, int64_t ticket_id, int64_t message_id, const std::string& sha,
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
      "version = version + 1, updated_at = ?5 WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, t.subject).Bind(3, t.requester_email).Bind(4, t.requester_name).Bind(5, ToUnix(now));
  Status s = st->Run();
  if (!s.ok()) return s;
  Result<Stmt> addr = db_.Prepare(
      "INSERT OR IGNORE INTO ticket_addresses(ticket_id, address, role) VALUES (?1, ?2, 'requester')");
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

Result<TicketPage> TicketStore::List(const TicketQuery& q) {
  // The WHERE clause is assembled from fixed fragments; every value is bound.
  std::string sql = std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE 1=1";
  int n = 0;
  std::vector<std::function<void(Stmt&)>> binds;
  auto param = [&] { return "?" + std::to_string(++n); };
  if (!q.statuses.empty()) {
    sql += " AND status IN (";
    for (size_t i = 0; i < q.statuses.size(); ++i) {
      if (i) sql += ",";
      sql += param();
      binds.push_back([v = q.statuses[i], k = n](Stmt& s) { s.Bind(k, v); });
    }
    sql += ")";
  }
  auto eq = [&](const char* col, const std::optional<std::string>& v) {
    if (!v) return;
    sql += std::string(" AND ") + col + " = " + param();
    binds.push_back([v = *v, k = n](Stmt& s) { s.Bind(k, v); });
  };
  eq("queue", q.queue);
  eq("priority", q.priority);
  eq("assignee", q.assignee);
  eq("requester_email", q.requester);
  if (q.created_after) {
    sql += " AND created_at >= " + param();
    binds.push_back([v = ToUnix(*q.created_after), k = n](Stmt& s) { s.Bind(k, v); });
  }
  if (q.created_before) {
    sql += " AND created_at < " + param();
    binds.push_back([v = ToUnix(*q.created_before), k = n](Stmt& s) { s.Bind(k, v); });
  }
  if (q.quarantined) sql += *q.quarantined ? " AND quarantined = 1" : " AND quarantined = 0";
  if (q.breached) {
    sql += std::string(" AND ") + (*q.breached ? "" : "NOT ") +
           "EXISTS (SELECT 1 FROM sla_targets s WHERE s.ticket_id = tickets.id AND s.breached_at IS NOT NULL)";
  }
  if (q.text) {
    sql += " AND id IN (SELECT m.ticket_id FROM messages m WHERE m.id IN "
           "(SELECT rowid FROM message_search WHERE message_search MATCH " + param() + "))";
    binds.push_back([v = FtsQuery(*q.text), k = n](Stmt& s) { s.Bind(k, v); });
  }

  const char* key = "id";
  bool desc = true;
  switch (q.sort) {
    case TicketQuery::Sort::kIdDesc: break;
    case TicketQuery::Sort::kIdAsc: desc = false; break;
    case TicketQuery::Sort::kCreatedDesc: key = "created_at"; break;
    case TicketQuery::Sort::kCreatedAsc: key = "created_at"; desc = false; break;
    case TicketQuery::Sort::kUpdatedDesc: key = "updated_at"; break;
    case TicketQuery::Sort::kUpdatedAsc: key = "updated_at"; desc = false; break;
  }
  const char* cmp = desc ? "<" : ">";
  if (q.after_id) {
    if (std::string_view(key) == "id") {
      sql += std::string(" AND id ") + cmp + " " + param();
      binds.push_back([v = *q.after_id, k = n](Stmt& s) { s.Bind(k, v); });
    } else {
      std::string pk = param();
      binds.push_back([v = q.after_key.value_or(0), k = n](Stmt& s) { s.Bind(k, v); });
      std::string pi = param();
      binds.push_back([v = *q.after_id, k = n](Stmt& s) { s.Bind(k, v); });
      sql += std::string(" AND (") + key + " " + cmp + " " + pk + " OR (" + key + " = " + pk +
             " AND id " + cmp + " " + pi + "))";
    }
  }
  const char* dir = desc ? " DESC" : " ASC";
  if (std::string_view(key) == "id") {
    sql += std::string(" ORDER BY id") + dir;
  } else {
    sql += std::string(" ORDER BY ") + key + dir + ", id" + dir;
  }
  sql += " LIMIT " + param();
  binds.push_back([v = static_cast<int64_t>(q.limit + 1), k = n](Stmt& s) { s.Bind(k, v); });

  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  for (auto& b : binds) b(*st);
  TicketPage page;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.tickets.size()) == q.limit) {
      page.more = true;
      break;
    }
    page.tickets.push_back(ReadTicket(*st));
  }
  return page;
}

Result<std::vector<MessageRecord>> TicketStore::Messages(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, kind, channel, author_email, author_name, subject, body_text, message_id, "
      "auto_submitted, created_at FROM messages WHERE ticket_id = ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  std::vector<MessageRecord> out;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    MessageRecord m;
    m.id = st->Int(0);
    m.kind = st->Text(1);
    m.channel = st->Text(2);
    m.author_email = st->OptText(3);
    m.author_name = st->OptText(4);
    m.subject = st->Text(5);
    m.body_text = st->Text(6);
    m.message_id = st->OptText(7);
    m.auto_submitted = st->Int(8) != 0;
    m.created_at = FromUnix(st->Int(9));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<AttachmentRecord>> TicketStore::Attachments(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, message_id, filename, content_type, size, sha256 FROM attachments "
      "WHERE ticket_id = ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  std::vector<AttachmentRecord> out;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({st->Int(0), st->Int(1), st->Text(2), st->Text(3), st->Int(4), st->Text(5)});
  }
  return out;
}

Result<std::vector<EventRecord>> TicketStore::Events(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, at, kind, actor, rule_id, detail FROM events WHERE ticket_id = ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  std::vector<EventRecord> out;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({st->Int(0), FromUnix(st->Int(1)), st->Text(2), st->Text(3), st->OptText(4), st->Text(5)});
  }
  return out;
}

Result<std::vector<SlaTargetRecord>> TicketStore::SlaTargets(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT target, cycle, started_at, due_at, paused_since, paused_seconds, met_at, "
      "breached_at, business_seconds FROM sla_targets WHERE ticket_id = ?1 ORDER BY target, cycle");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  std::vector<SlaTargetRecord> out;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    SlaTargetRecord r;
    r.target = st->Text(0);
    r.cycle = st->Int(1);
    r.started_at = FromUnix(st->Int(2));
    r.due_at = OptTime(*st, 3);
    r.paused_since = OptTime(*st, 4);
    r.paused_seconds = st->Int(5);
    r.met_at = OptTime(*st, 6);
    r.breached_at = OptTime(*st, 7);
    r.business_seconds = st->OptInt(8);
    out.push_back(std::move(r));
  }
  return out;
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

Result<Ticket> TicketStore::Update(int64_t id, const TicketPatch& patch,
                                   std::optional<int64_t> expected_version,
                                   const std::string& actor, Timestamp now) {
  Result<Ticket> cur = Get(id);
  if (!cur.ok()) return cur.status();
  Ticket t = *cur;
  if (expected_version && *expected_version != t.version) {
    return Status::PreconditionFailed("ticket " + std::to_string(id) + " is at version " +
                                      std::to_string(t.version) + ", not " +
                                      std::to_string(*expected_version));
  }
  struct Change {
    const char* kind;
    json detail;
  };
  std::vector<Change> changes;
  if (patch.status && *patch.status != t.status) {
    if (!IsStatus(*patch.status)) return Status::Invalid("unknown status \"" + *patch.status + "\"", "status");
    if (!IsLegalTransition(t.status, *patch.status)) {
      return Status::Invalid("a ticket cannot go from " + t.status + " to " + *patch.status, "status");
    }
    changes.push_back({"status_changed", {{"from", t.status}, {"to", *patch.status}}});
    if (*patch.status == "solved") t.solved_at = now;
    if (*patch.status == "closed") t.closed_at = now;
    if (t.status == "solved" && *patch.status == "open") {
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
    changes.push_back({"queue_changed", {{"from", t.queue}, {"to", *patch.queue}}});
    t.queue = *patch.queue;
  }
  if (patch.assignee && *patch.assignee != t.assignee) {
    auto j = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
    changes.push_back({"assignee_changed", {{"from", j(t.assignee)}, {"to", j(*patch.assignee)}}});
    t.assignee = *patch.assignee;
  }
  if (patch.tags) {
    for (const std::string& tag : *patch.tags) {
      Status s = ValidateTag(tag);
      if (!s.ok()) return s;
    }
    std::string before = TagsJson(t.tags), after = TagsJson(*patch.tags);
    if (before != after) {
      changes.push_back({"tags_changed", {{"from", json::parse(before)}, {"to", json::parse(after)}}});
      t.tags = ParseTags(after);
    }
  }
  if (changes.empty()) return t;

  Result<Stmt> st = db_.Prepare(
      "UPDATE tickets SET status = ?2, priority = ?3, queue = ?4, assignee = ?5, tags = ?6, "
      "solved_at = ?7, closed_at = ?8, reopened_count = ?9, version = version + 1, "
      "updated_at = ?10 WHERE id = ?1 AND version = ?11");
  if (!st.ok()) return st.status();
  std::optional<int64_t> solved = t.solved_at ? std::optional<int64_t>(ToUnix(*t.solved_at)) : std::nullopt;
  std::optional<int64_t> closed = t.closed_at ? std::optional<int64_t>(ToUnix(*t.closed_at)) : std::nullopt;
  st->Bind(1, id).Bind(2, t.status).Bind(3, t.priority).Bind(4, t.queue).Bind(5, t.assignee)
      .Bind(6, TagsJson(t.tags)).Bind(7, solved).Bind(8, closed).Bind(9, t.reopened_count)
      .Bind(10, ToUnix(now)).Bind(11, t.version);
  Status s = st->Run();
  if (!s.ok()) return s;
  if (db_.Changes() != 1) return Status::PreconditionFailed("ticket " + std::to_string(id) + " changed meanwhile");
  for (const Change& c : changes) {
    s = AddEvent(id, now, c.kind, actor, std::nullopt, c.detail.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!s.ok()) return s;
  }
  return Get(id);
}

Result<int64_t> TicketStore::AddMessage(int64_t ticket_id, const NewMessage& m) {
  Result<Ticket> t = Get(ticket_id);
  if (!t.ok()) return t.status();
  if (m.kind != "reply" && m.kind != "note") return Status::Invalid("kind must be reply or note", "kind");
  if (m.kind == "reply" && t->status == "closed") {
    return Status::Conflict("ticket " + std::to_string(ticket_id) + " is closed; a reply cannot be sent");
  }
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO messages(ticket_id, kind, channel, author_email, author_name, subject, "
      "body_text, created_at) VALUES (?1, ?2, 'api', ?3, ?4, ?5, ?6, ?7)");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, m.kind).Bind(3, m.author_email).Bind(4, m.author_name)
      .Bind(5, t->subject).Bind(6, m.body).Bind(7, ToUnix(m.now));
  Status s = st->Run();
  if (!s.ok()) return s;
  int64_t message_id = db_.LastInsertId();
  s = IndexMessage(message_id, t->subject, m.body);
  if (!s.ok()) return s;
  json detail = {{"message_id", message_id}};
  if (m.kind == "reply") {
    // The sender renders the mail from this row; its Message-ID is fixed now
    // so that every retry carries the same one.
    OutboxMail mail;
    mail.dedupe_key = "reply:" + std::to_string(message_id) + ":" + t->requester_email;
    mail.ticket_id = ticket_id;
    mail.kind = "reply";
    mail.automatic = false;
    mail.recipient = t->requester_email;
    mail.subject = t->subject;
    mail.body = m.body;
    json vars = json::object();
    if (m.author_name) vars["agent_name"] = *m.author_name;
    mail.vars = vars.dump();
    mail.now = m.now;
    Result<int64_t> queued = QueueMail(mail);
    if (!queued.ok()) return queued.status();
    detail["outbox_id"] = *queued;
    detail["to"] = t->requester_email;
    // A public reply is the response the customer waits for.
    std::string next_status = t->status == "new" ? "open" : t->status;
    Result<Stmt> up = db_.Prepare(
        "UPDATE tickets SET first_response_at = COALESCE(first_response_at, ?2), status = ?3, "
        "version = version + 1, updated_at = ?2 WHERE id = ?1");
    if (!up.ok()) return up.status();
    up->Bind(1, ticket_id).Bind(2, ToUnix(m.now)).Bind(3, next_status);
    s = up->Run();
    if (!s.ok()) return s;
    if (next_status != t->status) {
      s = AddEvent(ticket_id, m.now, "status_changed", m.actor, std::nullopt,
                   json{{"from", t->status}, {"to", next_status}}.dump());
      if (!s.ok()) return s;
    }
  } else {
    Result<Stmt> up = db_.Prepare("UPDATE tickets SET version = version + 1, updated_at = ?2 WHERE id = ?1");
    if (!up.ok()) return up.status();
    up->Bind(1, ticket_id).Bind(2, ToUnix(m.now));
    s = up->Run();
    if (!s.ok()) return s;
  }
  s = AddEvent(ticket_id, m.now, m.kind == "reply" ? "reply_added" : "note_added", m.actor,
               std::nullopt, detail.dump());
  if (!s.ok()) return s;
  return message_id;
}

Result<int64_t> TicketStore::QueueMail(const OutboxMail& m) {
  // The sender renders the mail from this row; its Message-ID is fixed now
  // so that every retry carries the same one.
  Result<std::string> secret = SecretStore(db_).GetOrCreate(kMailSecret, m.now);
  if (!secret.ok()) return secret.status();
  std::string mail_id = SignMessageId(*secret, m.ticket_id, RandomToken(9));
  Result<Stmt> st = db_.Prepare(
      "INSERT OR IGNORE INTO outbox(dedupe_key, ticket_id, kind, automatic, recipient, message_id, subject, "
      "body, next_attempt_at, created_at, vars) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?11, ?9, ?10)");
  if (!st.ok()) return st.status();
  std::optional<int64_t> ticket = m.ticket_id ? std::optional<int64_t>(m.ticket_id) : std::nullopt;
  st->Bind(10, m.vars).Bind(11, ToUnix(m.send_at.value_or(m.now)));
  st->Bind(1, m.dedupe_key).Bind(2, ticket).Bind(3, m.kind).Bind(4, static_cast<int64_t>(m.automatic))
      .Bind(5, m.recipient).Bind(6, mail_id).Bind(7, m.subject).BindBlob(8, m.body).Bind(9, ToUnix(m.now));
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.Changes() == 1 ? db_.LastInsertId() : 0;
}

Result<std::vector<std::pair<std::string, int64_t>>> TicketStore::CountByStatus() {
  Result<Stmt> st = db_.Prepare("SELECT status, count(*) FROM tickets GROUP BY status");
  if (!st.ok()) return st.status();
  std::vector<std::pair<std::string, int64_t>> out;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace_back(st->Text(0), st->Int(1));
  }
  return out;
}

}  // namespace frontdesk
