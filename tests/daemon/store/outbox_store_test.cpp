#include "daemon/store/outbox_store.h"

#include <catch2/catch.hpp>

#include "tests/test_db.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

struct Fixture {
  testing::ScratchDatabase db;
  std::unique_ptr<Store> store = testing::OpenMigratedStore(db);
  Timestamp day0 = FromUnix(1795341600);
  // A mail created `day` days after day0, left in `status`.
  int64_t Mail(int day, const std::string& status) {
    static int n = 0;
    OutboxMail m;
    m.dedupe_key = "k" + std::to_string(++n);
    m.kind = "reply";
    m.recipient = "c@example.org";
    m.subject = "s";
    m.body = "The text of mail " + std::to_string(n);
    m.now = day0 + std::chrono::hours(24 * day);
    OutboxStore outbox(*store);
    Result<int64_t> id = outbox.Insert(m, "mid" + std::to_string(n));
    REQUIRE(id.ok());
    if (status == "sent") REQUIRE(outbox.MarkSent(*id, m.now).ok());
    if (status == "suppressed") REQUIRE(outbox.MarkSuppressed(*id, m.now, "loop").ok());
    if (status == "failed") REQUIRE(outbox.MarkFailed(*id, m.now, "550").ok());
    return *id;
  }
  std::string Body(int64_t id) {
    Result<Stmt> st = store->db().Prepare("SELECT body, status FROM outbox WHERE id = ?1");
    st->Bind(1, id);
    REQUIRE(*st->Step());
    return st->Text(0);
  }
};

TEST_CASE("old sent and suppressed mail loses its text, a stretch at a time, and keeps its row",
          "[store][outbox]") {
  Fixture f;
  int64_t sent = f.Mail(0, "sent");
  // Ids follow creation only roughly: a row queued to go later is older.
  int64_t young_among_old = f.Mail(35, "sent");
  int64_t suppressed = f.Mail(1, "suppressed");
  int64_t failed = f.Mail(2, "failed");
  int64_t pending = f.Mail(3, "pending");
  int64_t sent_later = f.Mail(4, "sent");
  int64_t recent = f.Mail(40, "sent");
  OutboxStore outbox(*f.store);
  Timestamp before = f.day0 + std::chrono::hours(24 * 30);

  // Three of the five old rows are looked at first.
  Result<OutboxStore::Forgotten> first = outbox.ForgetSentText(0, before, 3);
  REQUIRE(first.ok());
  CHECK(first->next == failed);
  CHECK(first->cleared == 2);
  Result<OutboxStore::Forgotten> second = outbox.ForgetSentText(first->next, before, 3);
  REQUIRE(second.ok());
  CHECK(second->next == sent_later);
  CHECK(second->cleared == 1);
  // Nothing older is left past it: the mark stays.
  Result<OutboxStore::Forgotten> third = outbox.ForgetSentText(second->next, before, 3);
  REQUIRE(third.ok());
  CHECK(third->next == sent_later);
  CHECK(third->cleared == 0);

  CHECK(f.Body(sent).empty());
  CHECK(f.Body(suppressed).empty());
  CHECK(f.Body(sent_later).empty());
  // A failed mail may be sent again, and a pending one is yet to go.
  CHECK_FALSE(f.Body(failed).empty());
  CHECK_FALSE(f.Body(pending).empty());
  CHECK_FALSE(f.Body(recent).empty());
  CHECK_FALSE(f.Body(young_among_old).empty());
  // The record stays: who, what kind, when.
  Result<std::vector<OutboxRow>> rows = outbox.List("sent", 10, std::nullopt);
  REQUIRE(rows->size() == 4);
  CHECK(rows->back().id == sent);
  CHECK(rows->back().recipient == "c@example.org");
  CHECK(rows->back().sent_at.has_value());
}

}  // namespace
}  // namespace frontdesk
