#include "daemon/store/spool_store.h"

namespace frontdesk {

Result<std::vector<SpoolEntry>> SpoolStore::Oldest(int limit, int64_t max_bytes) {
  // The sizes first, so that no more raw bytes are read than the round
  // may hold: PostgreSQL hands over a whole result at once.
  Result<Stmt> sizes = db_.Prepare("SELECT length(raw) FROM inbound_spool ORDER BY id LIMIT ?1");
  if (!sizes.ok()) return sizes.status();
  sizes->Bind(1, limit);
  Result<std::vector<int64_t>> lengths = sizes->Rows([](const Stmt& r) { return r.Int(0); });
  if (!lengths.ok()) return lengths.status();
  int taken = 0;
  int64_t bytes = 0;
  for (int64_t n : *lengths) {
    if (taken > 0 && bytes + n > max_bytes) break;
    bytes += n;
    ++taken;
  }
  if (taken == 0) return std::vector<SpoolEntry>();
  Result<Stmt> st = db_.Prepare(
      "SELECT id, raw, source, queue, as_comment, received_at, attempts FROM inbound_spool ORDER BY id LIMIT ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, taken);
  return st->Rows([](const Stmt& r) {
    SpoolEntry e;
    e.id = r.Int(0);
    e.raw = r.Text(1);
    e.source = r.Text(2);
    e.queue = r.OptText(3);
    e.as_comment = r.Int(4) != 0;
    e.received_at = FromUnix(r.Int(5));
    e.attempts = r.Int(6);
    return e;
  });
}

Result<bool> SpoolStore::Take(int64_t id) {
  Result<Stmt> st = db_.Prepare("DELETE FROM inbound_spool WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, id);
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.Changes() == 1;
}

Status SpoolStore::Failed(int64_t id, const std::string& error) {
  Result<Stmt> st = db_.Prepare("UPDATE inbound_spool SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, id).Bind(2, error);
  return st->Run();
}

Result<int64_t> SpoolStore::Add(const SpoolEntry& e, const std::string& last_error) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO inbound_spool (raw, source, queue, as_comment, received_at, attempts, last_error) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st.ok()) return st.status();
  st->BindBlob(1, e.raw).Bind(2, e.source).Bind(3, e.queue).Bind(4, e.as_comment ? 1 : 0);
  st->Bind(5, ToUnix(e.received_at)).Bind(6, e.attempts);
  st->Bind(7, last_error.empty() ? std::nullopt : std::optional<std::string>(last_error));
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.LastInsertId();
}

Result<SpoolStore::Depth> SpoolStore::Measure() {
  Result<Stmt> st = db_.Prepare("SELECT count(*), min(received_at) FROM inbound_spool");
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  Depth d;
  d.entries = st->Int(0);
  if (std::optional<int64_t> at = st->OptInt(1)) d.oldest = FromUnix(*at);
  return d;
}

}  // namespace frontdesk
