#include "daemon/store/csat_store.h"

namespace frontdesk {

Result<bool> CsatStore::Schedule(const Survey& s) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO csat(ticket_id, requester, nonce, scheduled_at, expires_at, scale_min, scale_max) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING");
  if (!st.ok()) return st.status();
  st->Bind(1, s.ticket_id).Bind(2, s.requester).Bind(3, s.nonce).Bind(4, ToUnix(s.scheduled_at))
      .Bind(5, ToUnix(s.expires_at)).Bind(6, s.scale_min).Bind(7, s.scale_max);
  Status r = st->Run();
  if (!r.ok()) return r;
  return db_.Changes() == 1;
}

Result<std::optional<Survey>> CsatStore::Get(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT requester, nonce, scheduled_at, sent_at, expires_at, scale_min, scale_max, score, comment, "
      "answered_at, first_answered_at, answers FROM csat WHERE ticket_id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Survey>();
  Survey s;
  s.ticket_id = ticket_id;
  s.requester = st->Text(0);
  s.nonce = st->Text(1);
  s.scheduled_at = FromUnix(st->Int(2));
  if (auto v = st->OptInt(3)) s.sent_at = FromUnix(*v);
  s.expires_at = FromUnix(st->OptInt(4).value_or(st->Int(2)));
  s.scale_min = static_cast<int>(st->OptInt(5).value_or(1));
  s.scale_max = static_cast<int>(st->OptInt(6).value_or(5));
  if (auto v = st->OptInt(7)) s.score = static_cast<int>(*v);
  s.comment = st->OptText(8).value_or("");
  if (auto v = st->OptInt(9)) s.answered_at = FromUnix(*v);
  if (auto v = st->OptInt(10)) s.first_answered_at = FromUnix(*v);
  s.answers = st->Int(11);
  return std::optional<Survey>(std::move(s));
}

Result<int64_t> CsatStore::CountSince(const std::string& requester, Timestamp since) {
  Result<Stmt> st = db_.Prepare("SELECT count(*) FROM csat WHERE requester = ?1 AND scheduled_at >= ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, requester).Bind(2, ToUnix(since));
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return st->Int(0);
}

Status CsatStore::MarkSent(int64_t ticket_id, Timestamp now) {
  Result<Stmt> st = db_.Prepare("UPDATE csat SET sent_at = COALESCE(sent_at, ?2) WHERE ticket_id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, ToUnix(now));
  return st->Run();
}

Status CsatStore::Cancel(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare("DELETE FROM csat WHERE ticket_id = ?1 AND sent_at IS NULL AND answers = 0");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  return st->Run();
}

Status CsatStore::Answer(int64_t ticket_id, int score, const std::string& comment, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE csat SET score = ?2, comment = ?3, answered_at = ?4, first_answered_at = COALESCE(first_answered_at, ?4), "
      "answers = answers + 1 WHERE ticket_id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, score).Bind(3, comment.empty() ? std::optional<std::string>() : comment)
      .Bind(4, ToUnix(now));
  return st->Run();
}

Status CsatStore::Watch(const std::string& address, int64_t ticket_id, const std::string& reason, int score,
                        Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO watch_list(address, ticket_id, reason, score, added_at) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(address, ticket_id) DO UPDATE SET reason = ?3, score = ?4, added_at = ?5, cleared_at = NULL, "
      "cleared_by = NULL");
  if (!st.ok()) return st.status();
  st->Bind(1, address).Bind(2, ticket_id).Bind(3, reason).Bind(4, score).Bind(5, ToUnix(now));
  return st->Run();
}

Status CsatStore::Unwatch(const std::string& address, int64_t ticket_id, Timestamp now, const std::string& by) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE watch_list SET cleared_at = ?3, cleared_by = ?4 WHERE address = ?1 AND ticket_id = ?2 "
      "AND cleared_at IS NULL");
  if (!st.ok()) return st.status();
  st->Bind(1, address).Bind(2, ticket_id).Bind(3, ToUnix(now)).Bind(4, by);
  return st->Run();
}

Result<int64_t> CsatStore::ClearWatch(const std::string& address, Timestamp now, const std::string& by) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE watch_list SET cleared_at = ?2, cleared_by = ?3 WHERE address = ?1 AND cleared_at IS NULL");
  if (!st.ok()) return st.status();
  st->Bind(1, address).Bind(2, ToUnix(now)).Bind(3, by);
  Status s = st->Run();
  if (!s.ok()) return s;
  return static_cast<int64_t>(db_.Changes());
}

Result<std::vector<WatchEntry>> CsatStore::Watched(int limit) {
  Result<Stmt> st = db_.Prepare(
      "SELECT w.address, w.ticket_id, t.subject, w.reason, w.score, w.added_at, c.comment FROM watch_list w "
      "JOIN tickets t ON t.id = w.ticket_id LEFT JOIN csat c ON c.ticket_id = w.ticket_id WHERE w.cleared_at IS NULL ORDER BY w.added_at DESC, w.address LIMIT ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, limit);
  return st->Rows([](const Stmt& r) {
    WatchEntry e;
    e.address = r.Text(0);
    e.ticket_id = r.Int(1);
    e.subject = r.Text(2);
    e.reason = r.Text(3);
    if (auto v = r.OptInt(4)) e.score = static_cast<int>(*v);
    e.added_at = FromUnix(r.Int(5));
    e.comment = r.OptText(6).value_or("");
    return e;
  });
}

}  // namespace frontdesk
