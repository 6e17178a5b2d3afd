#include "daemon/store/standard_store.h"

namespace frontdesk {

Result<std::vector<StandardState>> StandardStore::All() {
  Result<Stmt> st = db_.Prepare(
      "SELECT queue, policy, target, below_since, met, decided, falls, changed_at FROM standard_state "
      "ORDER BY queue, policy, target");
  if (!st.ok()) return st.status();
  return st->Rows([](const Stmt& r) {
    StandardState s;
    s.key = {r.Text(0), r.Text(1), r.Text(2)};
    if (std::optional<int64_t> since = r.OptInt(3)) s.below_since = FromUnix(*since);
    s.met = r.Int(4);
    s.decided = r.Int(5);
    s.falls = r.Int(6);
    s.changed_at = FromUnix(r.Int(7));
    return s;
  });
}

Result<std::optional<int64_t>> StandardStore::Fall(const StandardKey& key, int64_t met, int64_t decided,
                                                   Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO standard_state(queue, policy, target, below_since, met, decided, falls, changed_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?4) "
      "ON CONFLICT (queue, policy, target) DO UPDATE SET below_since = ?4, met = ?5, decided = ?6, "
      "falls = standard_state.falls + 1, changed_at = ?4 WHERE standard_state.below_since IS NULL "
      "RETURNING falls");
  if (!st.ok()) return st.status();
  st->Bind(1, key.queue).Bind(2, key.policy).Bind(3, key.target).Bind(4, ToUnix(now)).Bind(5, met).Bind(6, decided);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  int64_t falls = st->Int(0);
  Result<bool> done = st->Step();
  if (!done.ok()) return done.status();
  return std::optional<int64_t>(falls);
}

Result<bool> StandardStore::Recover(const StandardKey& key, int64_t met, int64_t decided, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE standard_state SET below_since = NULL, met = ?4, decided = ?5, changed_at = ?6 "
      "WHERE queue = ?1 AND policy = ?2 AND target = ?3 AND below_since IS NOT NULL");
  if (!st.ok()) return st.status();
  st->Bind(1, key.queue).Bind(2, key.policy).Bind(3, key.target).Bind(4, met).Bind(5, decided).Bind(6, ToUnix(now));
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.Changes() == 1;
}

}  // namespace frontdesk
