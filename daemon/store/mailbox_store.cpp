#include "daemon/store/mailbox_store.h"

namespace frontdesk {
namespace {

constexpr const char* kColumns =
    "mailbox, uidvalidity, last_uid, last_success_at, last_error, last_error_at, failures, waiting, caught_up_at, "
    "imported";

std::optional<Timestamp> Time(const std::optional<int64_t>& v) {
  return v ? std::optional<Timestamp>(FromUnix(*v)) : std::nullopt;
}

MailboxState Read(const Stmt& st) {
  MailboxState s;
  s.mailbox = st.Text(0);
  s.uidvalidity = st.OptInt(1);
  s.last_uid = st.Int(2);
  s.last_success_at = Time(st.OptInt(3));
  s.last_error = st.OptText(4).value_or("");
  s.last_error_at = Time(st.OptInt(5));
  s.failures = st.Int(6);
  s.waiting = st.Int(7);
  s.caught_up_at = Time(st.OptInt(8));
  s.imported = st.Int(9);
  return s;
}

}  // namespace

Status MailboxStore::Ensure(const std::string& mailbox) {
  Result<Stmt> st = db_.Prepare("INSERT INTO mailbox_state(mailbox) VALUES (?1) ON CONFLICT DO NOTHING");
  if (!st.ok()) return st.status();
  st->Bind(1, mailbox);
  return st->Run();
}

Result<MailboxState> MailboxStore::State(const std::string& mailbox) {
  static const std::string sql = std::string("SELECT ") + kColumns + " FROM mailbox_state WHERE mailbox = ?1";
  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, mailbox);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    MailboxState fresh;
    fresh.mailbox = mailbox;
    return fresh;
  }
  return Read(*st);
}

Result<std::vector<MailboxState>> MailboxStore::All() {
  static const std::string sql = std::string("SELECT ") + kColumns + " FROM mailbox_state ORDER BY mailbox";
  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  return st->Rows([](const Stmt& r) { return Read(r); });
}

Status MailboxStore::ResetUidValidity(const std::string& mailbox, int64_t uidvalidity) {
  Status s = Ensure(mailbox);
  if (!s.ok()) return s;
  Result<Stmt> st = db_.Prepare("UPDATE mailbox_state SET uidvalidity = ?2, last_uid = 0 WHERE mailbox = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, mailbox).Bind(2, uidvalidity);
  s = st->Run();
  if (!s.ok()) return s;
  Result<Stmt> del = db_.Prepare("DELETE FROM mailbox_pending WHERE mailbox = ?1 AND uidvalidity <> ?2");
  if (!del.ok()) return del.status();
  del->Bind(1, mailbox).Bind(2, uidvalidity);
  return del->Run();
}

Status MailboxStore::Imported(const std::string& mailbox, int64_t uidvalidity, int64_t uid,
                              std::optional<int64_t> ticket_id, bool pending, Timestamp now) {
  Status s = Ensure(mailbox);
  if (!s.ok()) return s;
  // MAX(): `frontdesk fetch` from cron and the daemon may poll at once.
  Result<Stmt> st = db_.Prepare(
      "UPDATE mailbox_state SET last_uid = CASE WHEN last_uid > ?3 THEN last_uid ELSE ?3 END, imported = imported + 1 "
      "WHERE mailbox = ?1 AND uidvalidity = ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, mailbox).Bind(2, uidvalidity).Bind(3, uid);
  s = st->Run();
  if (!s.ok()) return s;
  if (db_.Changes() == 0) return Status::Conflict("the UIDVALIDITY of mailbox " + mailbox + " changed during the poll");
  if (!pending) return Status::Ok();
  Result<Stmt> add = db_.Prepare(
      "INSERT INTO mailbox_pending(mailbox, uidvalidity, uid, ticket_id, imported_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
  if (!add.ok()) return add.status();
  add->Bind(1, mailbox).Bind(2, uidvalidity).Bind(3, uid).Bind(4, ticket_id).Bind(5, ToUnix(now));
  return add->Run();
}

Result<std::vector<int64_t>> MailboxStore::Pending(const std::string& mailbox, int64_t uidvalidity) {
  Result<Stmt> st = db_.Prepare(
      "SELECT uid FROM mailbox_pending WHERE mailbox = ?1 AND uidvalidity = ?2 ORDER BY uid");
  if (!st.ok()) return st.status();
  st->Bind(1, mailbox).Bind(2, uidvalidity);
  return st->Rows([](const Stmt& r) { return r.Int(0); });
}

Status MailboxStore::Finished(const std::string& mailbox, int64_t uidvalidity, const std::vector<int64_t>& uids) {
  for (int64_t uid : uids) {
    // Borrowed per row: a statement goes back to the cache reset.
    Result<Stmt> st = db_.Prepare("DELETE FROM mailbox_pending WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3");
    if (!st.ok()) return st.status();
    st->Bind(1, mailbox).Bind(2, uidvalidity).Bind(3, uid);
    Status s = st->Run();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status MailboxStore::PollSucceeded(const std::string& mailbox, int64_t waiting, Timestamp now) {
  Status s = Ensure(mailbox);
  if (!s.ok()) return s;
  Result<Stmt> st = db_.Prepare(
      "UPDATE mailbox_state SET last_success_at = ?2, failures = 0, last_error = NULL, waiting = ?3, "
      "caught_up_at = CASE WHEN ?3 = 0 THEN ?2 ELSE caught_up_at END WHERE mailbox = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, mailbox).Bind(2, ToUnix(now)).Bind(3, waiting);
  return st->Run();
}

Status MailboxStore::PollFailed(const std::string& mailbox, const std::string& error, Timestamp now) {
  Status s = Ensure(mailbox);
  if (!s.ok()) return s;
  Result<Stmt> st = db_.Prepare(
      "UPDATE mailbox_state SET last_error = ?2, last_error_at = ?3, failures = failures + 1 WHERE mailbox = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, mailbox).Bind(2, error).Bind(3, ToUnix(now));
  return st->Run();
}

// The first key of the two-key advisory lock: "MBOX" in ASCII, apart from
// the writers' lock.
constexpr int64_t kPollLockClass = 0x4D424F58;

Result<bool> MailboxStore::TryHoldPoll(const std::string& mailbox) {
  if (!db_.postgres()) return true;
  Result<Stmt> st = db_.Prepare("SELECT pg_try_advisory_lock(?1::integer, hashtext(?2))");
  if (!st.ok()) return st.status();
  st->Bind(1, kPollLockClass).Bind(2, mailbox);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return *row && st->Int(0) != 0;
}

Status MailboxStore::ReleasePoll(const std::string& mailbox) {
  if (!db_.postgres()) return Status::Ok();
  Result<Stmt> st = db_.Prepare("SELECT pg_advisory_unlock(?1::integer, hashtext(?2))");
  if (!st.ok()) return st.status();
  st->Bind(1, kPollLockClass).Bind(2, mailbox);
  return st->Run();
}

}  // namespace frontdesk
