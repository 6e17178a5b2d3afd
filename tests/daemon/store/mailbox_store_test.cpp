#include "daemon/store/mailbox_store.h"

#include <catch2/catch.hpp>

#include "tests/test_db.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

struct Fixture {
  testing::ScratchDatabase db;
  std::unique_ptr<Store> store;
  Timestamp now = FromUnix(1795341600);
  Fixture() {
    StoreOptions o;
    o.migrate = true;
    Result<std::unique_ptr<Store>> opened = Store::Open(db.location(), o);
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }
};

TEST_CASE("a mailbox never polled has a fresh state", "[store][mailbox]") {
  Fixture f;
  Result<MailboxState> s = MailboxStore(*f.store).State("main");
  REQUIRE(s.ok());
  CHECK_FALSE(s->uidvalidity);
  CHECK(s->last_uid == 0);
  CHECK(s->failures == 0);
}

TEST_CASE("the last UID only grows, and pending rows are finished one by one", "[store][mailbox]") {
  Fixture f;
  MailboxStore boxes(*f.store);
  REQUIRE(boxes.ResetUidValidity("main", 50).ok());
  REQUIRE(boxes.Imported("main", 50, 7, std::nullopt, true, f.now).ok());
  REQUIRE(boxes.Imported("main", 50, 5, std::nullopt, true, f.now).ok());  // a slower concurrent poll
  REQUIRE(boxes.Imported("main", 50, 9, std::nullopt, false, f.now).ok());  // left on the server
  CHECK(boxes.State("main")->last_uid == 9);
  CHECK(boxes.State("main")->imported == 3);
  CHECK(*boxes.Pending("main", 50) == std::vector<int64_t>{5, 7});
  REQUIRE(boxes.Finished("main", 50, {5, 7}).ok());
  CHECK(boxes.Pending("main", 50)->empty());
}

TEST_CASE("a new UIDVALIDITY restarts the UIDs and drops the old pending rows", "[store][mailbox]") {
  Fixture f;
  MailboxStore boxes(*f.store);
  REQUIRE(boxes.ResetUidValidity("main", 50).ok());
  REQUIRE(boxes.Imported("main", 50, 7, std::nullopt, true, f.now).ok());
  REQUIRE(boxes.ResetUidValidity("main", 51).ok());
  CHECK(boxes.State("main")->last_uid == 0);
  CHECK(boxes.Pending("main", 50)->empty());
  // A poll still holding the old UIDVALIDITY cannot record under it.
  CHECK(boxes.Imported("main", 50, 8, std::nullopt, true, f.now).code() == Status::Code::kConflict);
}

TEST_CASE("poll outcomes count failures and the time the mailbox was last caught up", "[store][mailbox]") {
  Fixture f;
  MailboxStore boxes(*f.store);
  REQUIRE(boxes.PollFailed("main", "connection refused", f.now).ok());
  REQUIRE(boxes.PollFailed("main", "connection refused", f.now + std::chrono::seconds(2)).ok());
  Result<MailboxState> s = boxes.State("main");
  CHECK(s->failures == 2);
  CHECK(s->last_error == "connection refused");
  CHECK_FALSE(s->caught_up_at);
  REQUIRE(boxes.PollSucceeded("main", 3, f.now + std::chrono::seconds(10)).ok());
  s = boxes.State("main");
  CHECK(s->failures == 0);
  CHECK(s->last_error.empty());
  CHECK(s->waiting == 3);
  CHECK_FALSE(s->caught_up_at);
  REQUIRE(boxes.PollSucceeded("main", 0, f.now + std::chrono::seconds(20)).ok());
  CHECK(*boxes.State("main")->caught_up_at == f.now + std::chrono::seconds(20));
  CHECK(boxes.All()->size() == 1);
}

}  // namespace
}  // namespace frontdesk
