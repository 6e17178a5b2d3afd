#include "daemon/store/outbox_store.h"

#include <map>

#include "daemon/store/json_rows.h"

namespace frontdesk {
namespace {

constexpr const char* kColumns =
    "id, coalesce(ticket_id, 0), kind, automatic, recipient, message_id, subject, body, status, attempts, "
    "next_attempt_at, coalesce(last_error, ''), created_at, sent_at, vars";

OutboxRow Read(const Stmt& st) {
  OutboxRow r;
  r.id = st.Int(0);
  r.ticket_id = st.Int(1);
  r.kind = st.Text(2);
  r.automatic = st.Int(3) != 0;
  r.recipient = st.Text(4);
  r.message_id = st.Text(5);
  r.subject = st.Text(6);
  r.body = st.Text(7);
  r.status = st.Text(8);
  r.attempts = st.Int(9);
  r.next_attempt_at = FromUnix(st.Int(10));
  r.last_error = st.Text(11);
  r.created_at = FromUnix(st.Int(12));
  if (std::optional<int64_t> at = st.OptInt(13)) r.sent_at = FromUnix(*at);
  r.vars = st.OptText(14);
  return r;
}

Result<std::vector<OutboxRow>> ReadAll(Stmt& st) {
  return st.Rows([](const Stmt& r) { return Read(r); });
}

}  // namespace

Result<std::vector<OutboxRow>> OutboxStore::Due(Timestamp now, int limit) {
  static const std::string sql = std::string("SELECT ") + kColumns +
                                 " FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?1 "
                                 "ORDER BY next_attempt_at, id LIMIT ?2";
  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, ToUnix(now)).Bind(2, limit);
  return ReadAll(*st);
}

Result<bool> OutboxStore::Claim(int64_t id, Timestamp now, Timestamp until) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE outbox SET next_attempt_at = ?3 WHERE id = ?1 AND status = 'pending' AND next_attempt_at <= ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, id).Bind(2, ToUnix(now)).Bind(3, ToUnix(until));
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.Changes() == 1;
}

Status OutboxStore::MarkSent(int64_t id, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE outbox SET status = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL "
      "WHERE id = ?1 AND status = 'pending'");
  if (!st.ok()) return st.status();
  st->Bind(1, id).Bind(2, ToUnix(now));
  return st->Run();
}

Status OutboxStore::MarkRetry(int64_t id, Timestamp next_attempt, const std::string& error) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
      "WHERE id = ?1 AND status = 'pending'");
  if (!st.ok()) return st.status();
  st->Bind(1, id).Bind(2, ToUnix(next_attempt)).Bind(3, error);
  return st->Run();
}

Status OutboxStore::MarkFailed(int64_t id, Timestamp now, const std::string& error) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE outbox SET status = 'failed', attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
      "WHERE id = ?1 AND status = 'pending'");
  if (!st.ok()) return st.status();
  st->Bind(1, id).Bind(2, ToUnix(now)).Bind(3, error);
  return st->Run();
}

Status OutboxStore::MarkSuppressed(int64_t id, Timestamp now, const std::string& reason) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE outbox SET status = 'suppressed', next_attempt_at = ?2, last_error = ?3 "
      "WHERE id = ?1 AND status = 'pending'");
  if (!st.ok()) return st.status();
  st->Bind(1, id).Bind(2, ToUnix(now)).Bind(3, reason);
  return st->Run();
}

Result<int64_t> OutboxStore::AutomaticSentSince(const std::string& recipient, Timestamp since) {
  Result<Stmt> st = db_.Prepare(
      "SELECT count(*) FROM outbox WHERE recipient = ?1 AND created_at >= ?2 AND automatic = 1 AND status = 'sent'");
  if (!st.ok()) return st.status();
  st->Bind(1, recipient).Bind(2, ToUnix(since));
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return st->Int(0);
}

Result<bool> OutboxStore::SentSameSince(const std::string& recipient, const std::string& kind,
                                        const std::string& subject, Timestamp since) {
  Result<Stmt> st = db_.Prepare(
      "SELECT 1 FROM outbox WHERE recipient = ?1 AND created_at >= ?2 AND kind = ?3 AND subject = ?4 "
      "AND status = 'sent' LIMIT 1");
  if (!st.ok()) return st.status();
  st->Bind(1, recipient).Bind(2, ToUnix(since)).Bind(3, kind).Bind(4, subject);
  return st->Step();
}

Result<std::vector<OutboxRow>> OutboxStore::List(std::optional<std::string> status, int limit,
                                                 std::optional<int64_t> before_id) {
  static const std::string sql = std::string("SELECT ") + kColumns +
                                 " FROM outbox WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR id < ?2) "
                                 "ORDER BY id DESC LIMIT ?3";
  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, status).Bind(2, before_id).Bind(3, limit);
  return ReadAll(*st);
}

Result<OutboxStore::Depth> OutboxStore::Measure() {
  Result<Stmt> st = db_.Prepare(
      "SELECT (SELECT count(*) FROM outbox WHERE status = 'pending'), "
      "(SELECT count(*) FROM outbox WHERE status = 'failed'), "
      "(SELECT count(*) FROM outbox WHERE status = 'suppressed'), "
      "(SELECT min(created_at) FROM outbox WHERE status = 'pending'), "
      "(SELECT last_error FROM outbox WHERE last_error IS NOT NULL AND status IN ('pending', 'failed') "
      " ORDER BY next_attempt_at DESC LIMIT 1)");
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  Depth d;
  d.pending = st->Int(0);
  d.failed = st->Int(1);
  d.suppressed = st->Int(2);
  if (std::optional<int64_t> at = st->OptInt(3)) d.oldest_pending = FromUnix(*at);
  d.last_error = st->OptText(4).value_or("");
  return d;
}

Result<int64_t> OutboxStore::Insert(const OutboxMail& m, const std::string& message_id) {
  // One statement, one round trip on PostgreSQL: the id comes back with
  // the insert (none when the dedupe key was already there), and a row
  // queued tells every daemon's listener when this transaction commits (not
  // at all if it rolls back), so the mail goes out now, not next round.
  Result<Stmt> st = db_.Prepare(std::string(
      "INSERT INTO outbox(dedupe_key, ticket_id, kind, automatic, recipient, message_id, subject, "
      "body, next_attempt_at, created_at, vars) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?11, ?9, ?10) "
      "ON CONFLICT DO NOTHING RETURNING id") + (db_.postgres() ? ", pg_notify('frontdesk_outbox', '')" : ""));
  if (!st.ok()) return st.status();
  std::optional<int64_t> ticket = m.ticket_id ? std::optional<int64_t>(m.ticket_id) : std::nullopt;
  st->Bind(1, m.dedupe_key).Bind(2, ticket).Bind(3, m.kind).Bind(4, static_cast<int64_t>(m.automatic))
      .Bind(5, m.recipient).Bind(6, message_id).Bind(7, m.subject).BindBlob(8, m.body).Bind(9, ToUnix(m.now))
      .Bind(10, m.vars).Bind(11, ToUnix(m.send_at.value_or(m.now)));
  Result<std::optional<int64_t>> id = st->FirstRow([](const Stmt& r) { return r.Int(0); });
  if (!id.ok()) return id.status();
  return id->value_or(0);
}

Result<std::vector<int64_t>> OutboxStore::InsertMany(const std::vector<OutboxMail>& mails,
                                                     const std::vector<std::string>& message_ids) {
  std::vector<int64_t> ids;
  if (!db_.postgres() || mails.size() < 2) {
    for (size_t i = 0; i < mails.size(); ++i) {
      Result<int64_t> id = Insert(mails[i], message_ids[i]);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    return ids;
  }
  static constexpr char kHexDigits[] = "0123456789abcdef";
  JsonRows rows;
  for (size_t i = 0; i < mails.size(); ++i) {
    const OutboxMail& m = mails[i];
    // The body is bytes: it travels as hex, which JSON carries whatever it holds.
    std::string hex;
    hex.reserve(m.body.size() * 2);
    for (unsigned char c : m.body) {
      hex += kHexDigits[c >> 4];
      hex += kHexDigits[c & 15];
    }
    rows.Row().Add("dedupe_key", m.dedupe_key)
        .Add("ticket_id", m.ticket_id ? std::optional<int64_t>(m.ticket_id) : std::nullopt).Add("kind", m.kind)
        .Add("automatic", int64_t{m.automatic ? 1 : 0}).Add("recipient", m.recipient).Add("message_id", message_ids[i])
        .Add("subject", m.subject).Add("body", hex).Add("next_attempt_at", ToUnix(m.send_at.value_or(m.now)))
        .Add("created_at", ToUnix(m.now)).Add("vars", m.vars);
  }
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO outbox(dedupe_key, ticket_id, kind, automatic, recipient, message_id, subject, "
      "body, next_attempt_at, created_at, vars) "
      "SELECT dedupe_key, ticket_id, kind, automatic, recipient, message_id, subject, decode(body, 'hex'), "
      "next_attempt_at, created_at, vars FROM jsonb_to_recordset(CAST(?1 AS JSONB)) AS r(dedupe_key TEXT, "
      "ticket_id BIGINT, kind TEXT, automatic BIGINT, recipient TEXT, message_id TEXT, subject TEXT, body TEXT, "
      "next_attempt_at BIGINT, created_at BIGINT, vars TEXT) "
      "ON CONFLICT DO NOTHING RETURNING id, dedupe_key, pg_notify('frontdesk_outbox', '')");
  if (!st.ok()) return st.status();
  st->Bind(1, rows.Take());
  std::map<std::string, int64_t> made;
  Result<std::vector<int>> read = st->Rows([&](const Stmt& r) {
    made[r.Text(1)] = r.Int(0);
    return 0;
  });
  if (!read.ok()) return read.status();
  for (const OutboxMail& m : mails) {
    auto it = made.find(m.dedupe_key);
    ids.push_back(it == made.end() ? 0 : it->second);
    if (it != made.end()) made.erase(it);  // a second mail with the key was not queued
  }
  return ids;
}

Result<std::optional<int64_t>> OutboxStore::TicketSentTo(const std::string& message_id, const std::string& recipient) {
  // By recipient first: outbox_recipient indexes it, and an agent gets few rows.
  Result<Stmt> st = db_.Prepare("SELECT ticket_id FROM outbox WHERE recipient = ?1 AND message_id = ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, recipient).Bind(2, message_id);
  Result<std::optional<std::optional<int64_t>>> row = st->FirstRow([](const Stmt& r) { return r.OptInt(0); });
  if (!row.ok()) return row.status();
  return *row ? **row : std::nullopt;
}

Result<OutboxStore::Forgotten> OutboxStore::ForgetSentText(int64_t after, Timestamp before, int limit) {
  // By id, which follows creation: each call reads one stretch of the
  // primary key, never the whole table.
  Result<Stmt> last = db_.Prepare(
      "SELECT max(id) FROM (SELECT id FROM outbox WHERE id > ?1 AND created_at < ?2 ORDER BY id LIMIT ?3) AS old");
  if (!last.ok()) return last.status();
  last->Bind(1, after).Bind(2, ToUnix(before)).Bind(3, static_cast<int64_t>(limit));
  Result<std::optional<std::optional<int64_t>>> upto = last->FirstRow([](const Stmt& r) { return r.OptInt(0); });
  if (!upto.ok()) return upto.status();
  Forgotten out;
  out.next = after;
  if (!*upto || !**upto) return out;
  Result<Stmt> clear = db_.Prepare(
      "UPDATE outbox SET body = substr(body, 1, 0) "
      "WHERE id > ?1 AND id <= ?2 AND created_at < ?3 AND status IN ('sent', 'suppressed') AND length(body) > 0");
  if (!clear.ok()) return clear.status();
  clear->Bind(1, after).Bind(2, ***upto).Bind(3, ToUnix(before));
  Status s = clear->Run();
  if (!s.ok()) return s;
  out.next = ***upto;
  out.cleared = db_.Changes();
  return out;
}

}  // namespace frontdesk
