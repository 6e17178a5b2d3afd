#include "daemon/store/recipient_store.h"

namespace frontdesk {

Status RecipientStore::MarkBouncing(const std::string& address, const std::string& reason, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO recipients(address, bouncing, bounced_at, bounce_reason) VALUES (?1, 1, ?2, ?3) "
      "ON CONFLICT(address) DO UPDATE SET bouncing = 1, bounced_at = ?2, bounce_reason = ?3");
  if (!st.ok()) return st.status();
  st->Bind(1, address).Bind(2, ToUnix(now)).Bind(3, reason);
  return st->Run();
}

Status RecipientStore::ClearBouncing(const std::string& address) {
  Result<Stmt> st = db_.Prepare("UPDATE recipients SET bouncing = 0 WHERE address = ?1 AND bouncing = 1");
  if (!st.ok()) return st.status();
  st->Bind(1, address);
  return st->Run();
}

Result<RecipientInfo> RecipientStore::Get(const std::string& address) {
  Result<Stmt> st = db_.Prepare("SELECT bouncing, bounced_at, bounce_reason FROM recipients WHERE address = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, address);
  RecipientInfo r;
  r.address = address;
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return r;
  r.bouncing = st->Int(0) != 0;
  if (std::optional<int64_t> at = st->OptInt(1)) r.bounced_at = FromUnix(*at);
  r.bounce_reason = st->OptText(2).value_or("");
  return r;
}

Result<std::vector<RecipientInfo>> RecipientStore::ListBouncing(int limit, const std::string& after) {
  Result<Stmt> st = db_.Prepare(
      "SELECT address, bounced_at, bounce_reason FROM recipients WHERE bouncing = 1 AND address > ?1 "
      "ORDER BY address LIMIT ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, after).Bind(2, static_cast<int64_t>(limit));
  return st->Rows([](const Stmt& r) {
    RecipientInfo info;
    info.address = r.Text(0);
    info.bouncing = true;
    if (std::optional<int64_t> at = r.OptInt(1)) info.bounced_at = FromUnix(*at);
    info.bounce_reason = r.OptText(2).value_or("");
    return info;
  });
}

}  // namespace frontdesk
