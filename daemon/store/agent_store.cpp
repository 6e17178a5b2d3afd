#include "daemon/store/agent_store.h"

namespace frontdesk {
namespace {

constexpr const char* kSessionColumns = "id_hash, agent, csrf, created_at, last_seen_at, address, user_agent";

ConsoleSession SessionFrom(const Stmt& r) {
  ConsoleSession s;
  s.id_hash = r.Text(0);
  s.agent = r.Text(1);
  s.csrf = r.Text(2);
  s.created_at = FromUnix(r.Int(3));
  s.last_seen_at = FromUnix(r.Int(4));
  s.address = r.Text(5);
  s.user_agent = r.Text(6);
  return s;
}

}  // namespace

Result<std::optional<std::string>> AgentStore::PasswordHash(const std::string& agent) {
  Result<Stmt> st = db_.Prepare("SELECT hash FROM agent_passwords WHERE email = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, agent);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Text(0));
}

Status AgentStore::SetPassword(const std::string& agent, const std::string& hash, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO agent_passwords(email, hash, set_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (email) DO UPDATE SET hash = ?2, set_at = ?3");
  if (!st.ok()) return st.status();
  st->Bind(1, agent).Bind(2, hash).Bind(3, ToUnix(now));
  return st->Run();
}

Result<std::vector<std::string>> AgentStore::AgentsWithPasswords() {
  Result<Stmt> st = db_.Prepare("SELECT email FROM agent_passwords ORDER BY email");
  if (!st.ok()) return st.status();
  return st->Rows([](const Stmt& r) { return r.Text(0); });
}

Status AgentStore::AddSession(const ConsoleSession& s) {
  Result<Stmt> st = db_.Prepare(
      std::string("INSERT INTO console_sessions(") + kSessionColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st.ok()) return st.status();
  st->Bind(1, s.id_hash).Bind(2, s.agent).Bind(3, s.csrf).Bind(4, ToUnix(s.created_at));
  st->Bind(5, ToUnix(s.last_seen_at)).Bind(6, s.address).Bind(7, s.user_agent);
  return st->Run();
}

Result<std::optional<ConsoleSession>> AgentStore::FindSession(const std::string& id_hash) {
  Result<Stmt> st = db_.Prepare(std::string("SELECT ") + kSessionColumns + " FROM console_sessions WHERE id_hash = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, id_hash);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ConsoleSession>();
  return std::optional<ConsoleSession>(SessionFrom(*st));
}

Status AgentStore::TouchSession(const std::string& id_hash, Timestamp now) {
  Result<Stmt> st = db_.Prepare("UPDATE console_sessions SET last_seen_at = ?2 WHERE id_hash = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, id_hash).Bind(2, ToUnix(now));
  return st->Run();
}

Result<int64_t> AgentStore::EndSession(const std::string& id_hash) {
  Result<Stmt> st = db_.Prepare("DELETE FROM console_sessions WHERE id_hash = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, id_hash);
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.Changes();
}

Result<int64_t> AgentStore::EndSessions(const std::string& agent) {
  Result<Stmt> st = db_.Prepare("DELETE FROM console_sessions WHERE agent = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, agent);
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.Changes();
}

Result<int64_t> AgentStore::EndExpired(Timestamp idle_before, Timestamp made_before) {
  Result<Stmt> st = db_.Prepare("DELETE FROM console_sessions WHERE last_seen_at < ?1 OR created_at < ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, ToUnix(idle_before)).Bind(2, ToUnix(made_before));
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.Changes();
}

Result<std::vector<ConsoleSession>> AgentStore::Sessions(const std::string& agent) {
  Result<Stmt> st = db_.Prepare(std::string("SELECT ") + kSessionColumns +
                                " FROM console_sessions WHERE agent = ?1 ORDER BY last_seen_at DESC");
  if (!st.ok()) return st.status();
  st->Bind(1, agent);
  return st->Rows(SessionFrom);
}

Result<std::vector<SavedView>> AgentStore::SavedViews(const std::string& agent) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, owner, name, params, created_by FROM saved_views WHERE owner IS NULL OR owner = ?1 "
      "ORDER BY owner IS NOT NULL, name");
  if (!st.ok()) return st.status();
  st->Bind(1, agent);
  return st->Rows([](const Stmt& r) {
    SavedView v;
    v.id = r.Int(0);
    v.owner = r.OptText(1);
    v.name = r.Text(2);
    v.params = r.Text(3);
    v.created_by = r.Text(4);
    return v;
  });
}

Result<int64_t> AgentStore::AddSavedView(const SavedView& v, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO saved_views(owner, name, params, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT DO NOTHING");
  if (!st.ok()) return st.status();
  st->Bind(1, v.owner).Bind(2, v.name).Bind(3, v.params).Bind(4, v.created_by).Bind(5, ToUnix(now));
  Status s = st->Run();
  if (!s.ok()) return s;
  if (db_.Changes() == 0) return Status::Conflict("a view named \"" + v.name + "\" exists already");
  return db_.LastInsertId();
}

Result<bool> AgentStore::DeleteSavedView(int64_t id, const std::string& agent, bool may_delete_shared) {
  Result<Stmt> st = db_.Prepare(
      "DELETE FROM saved_views WHERE id = ?1 AND (owner = ?2 OR (owner IS NULL AND (?3 = 1 OR created_by = ?2)))");
  if (!st.ok()) return st.status();
  st->Bind(1, id).Bind(2, agent).Bind(3, static_cast<int64_t>(may_delete_shared));
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.Changes() == 1;
}

Result<std::string> AgentStore::NavMark() {
  Result<Stmt> st = db_.Prepare(
      "SELECT (SELECT coalesce(max(id), 0) FROM events), "
      "(SELECT coalesce(max(id), 0) FROM saved_views), (SELECT count(*) FROM saved_views)");
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return std::to_string(st->Int(0)) + ":" + std::to_string(st->Int(1)) + ":" + std::to_string(st->Int(2));
}

Result<std::optional<TicketRead>> AgentStore::LastRead(const std::string& agent, int64_t ticket_id) {
  Result<Stmt> st =
      db_.Prepare("SELECT last_event, last_message, at FROM ticket_reads WHERE agent = ?1 AND ticket_id = ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, agent).Bind(2, ticket_id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<TicketRead>();
  TicketRead r;
  r.last_event = st->Int(0);
  r.last_message = st->Int(1);
  r.at = FromUnix(st->Int(2));
  return std::optional<TicketRead>(r);
}

Status AgentStore::MarkRead(const std::string& agent, int64_t ticket_id, const TicketRead& read) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO ticket_reads(agent, ticket_id, last_event, last_message, at) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (agent, ticket_id) DO UPDATE SET "
      "last_event = CASE WHEN ticket_reads.last_event > ?3 THEN ticket_reads.last_event ELSE ?3 END, "
      "last_message = CASE WHEN ticket_reads.last_message > ?4 THEN ticket_reads.last_message ELSE ?4 END, at = ?5");
  if (!st.ok()) return st.status();
  st->Bind(1, agent).Bind(2, ticket_id).Bind(3, read.last_event).Bind(4, read.last_message).Bind(5, ToUnix(read.at));
  return st->Run();
}

}  // namespace frontdesk
