#include "daemon/store/schema.h"

#include <catch2/catch.hpp>

#include "daemon/store/store.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

std::unique_ptr<Store> OpenMigrated(const std::string& path) {
  StoreOptions o;
  o.migrate = true;
  Result<std::unique_ptr<Store>> s = Store::Open(path, o);
  REQUIRE(s.ok());
  return std::move(*s);
}

int64_t Count(Db& db, std::string_view sql) {
  Result<Stmt> st = db.Prepare(sql);
  REQUIRE(st.ok());
  Result<bool> row = st->Step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return st->Int(0);
}

TEST_CASE("migrations build the whole schema on an empty database", "[store][schema]") {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenMigrated(dir.File("fd.db"));
  CHECK(*store->SchemaVersion() == LatestSchemaVersion());
  for (const char* table : {"tickets", "ticket_addresses", "blobs", "raw_messages", "messages",
                            "attachments", "events", "idempotency_keys", "rejections", "outbox",
                            "api_tokens", "sla_targets", "sla_levels_fired", "mailbox_state",
                            "recipients", "csat"}) {
    INFO(table);
    Result<Stmt> st = store->db().Prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?1");
    REQUIRE(st.ok());
    st->Bind(1, table);
    REQUIRE(*st->Step());
    CHECK(st->Int(0) == 1);
  }
  CHECK(store->CheckIntegrity().ok());
  Result<Stmt> mode = store->db().Prepare("PRAGMA journal_mode");
  REQUIRE(*mode->Step());
  CHECK(mode->Text(0) == "wal");
  Result<Stmt> sync = store->db().Prepare("PRAGMA synchronous");
  REQUIRE(*sync->Step());
  CHECK(sync->Int(0) == 2);  // FULL
}

TEST_CASE("migrating again is a no-op", "[store][schema]") {
  testing::TempDir dir;
  { OpenMigrated(dir.File("fd.db")); }
  std::unique_ptr<Store> again = OpenMigrated(dir.File("fd.db"));
  Result<int> applied = Migrate(again->db());
  REQUIRE(applied.ok());
  CHECK(*applied == 0);
  CHECK(*again->SchemaVersion() == LatestSchemaVersion());
}

TEST_CASE("ticket numbers start at 1001", "[store][schema]") {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenMigrated(dir.File("fd.db"));
  REQUIRE(store->db()
              .Exec("INSERT INTO tickets(subject, status, priority, queue, requester_email, channel, "
                    "created_at, updated_at) VALUES ('s','new','normal','support','a@b.c','web',1,1)")
              .ok());
  CHECK(store->db().LastInsertId() == 1001);
}

TEST_CASE("a database newer than this build is refused", "[store][schema]") {
  testing::TempDir dir;
  {
    std::unique_ptr<Store> store = OpenMigrated(dir.File("fd.db"));
    REQUIRE(store->db().Exec("PRAGMA user_version = 999").ok());
  }
  StoreOptions o;
  o.migrate = true;
  Result<std::unique_ptr<Store>> s = Store::Open(dir.File("fd.db"), o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == "database schema version 999 is newer than this frontdesk understands (" +
                                    std::to_string(LatestSchemaVersion()) + "); upgrade frontdesk");
}

TEST_CASE("a command that does not migrate refuses a missing database", "[store][schema]") {
  testing::TempDir dir;
  Result<std::unique_ptr<Store>> s = Store::Open(dir.File("fd.db"), StoreOptions{});
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == "database " + dir.File("fd.db") +
                                    " does not exist; run 'frontdesk migrate' or start 'frontdesk serve'");
}

TEST_CASE("a command that does not migrate refuses an old database", "[store][schema]") {
  testing::TempDir dir;
  { Result<std::unique_ptr<Db>> empty = Db::Open(dir.File("fd.db"), DbOptions{}); REQUIRE(empty.ok()); }
  StoreOptions o;  // migrate = false
  Result<std::unique_ptr<Store>> s = Store::Open(dir.File("fd.db"), o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == Status::Code::kUnavailable);
  CHECK(s.status().message() == "database " + dir.File("fd.db") +
                                    " is at schema version 0, this frontdesk needs " +
                                    std::to_string(LatestSchemaVersion()) + "; run 'frontdesk migrate'");
}

TEST_CASE("a transaction that fails half-way leaves nothing behind", "[store][txn]") {
  testing::TempDir dir;
  std::unique_ptr<Store> store = OpenMigrated(dir.File("fd.db"));
  Db& db = store->db();
  {
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(db);
    REQUIRE(txn.ok());
    REQUIRE(db.Exec("INSERT INTO tickets(subject, status, priority, queue, requester_email, channel, "
                    "created_at, updated_at) VALUES ('first','new','normal','support','a@b.c','web',1,1)")
                .ok());
    REQUIRE(db.Exec("INSERT INTO events(ticket_id, at, kind, actor) VALUES (1001, 1, 'created', 'system')").ok());
    // The second ticket breaks a CHECK constraint: the whole transaction must go.
    Status s = db.Exec("INSERT INTO tickets(subject, status, priority, queue, requester_email, channel, "
                       "created_at, updated_at) VALUES ('second','bogus','normal','support','a@b.c','web',1,1)");
    REQUIRE_FALSE(s.ok());
    CHECK(s.code() == Status::Code::kConflict);
    // No Commit(): the guard rolls back.
  }
  CHECK(Count(db, "SELECT count(*) FROM tickets") == 0);
  CHECK(Count(db, "SELECT count(*) FROM events") == 0);
}

TEST_CASE("a committed transaction is visible to a second connection", "[store][txn]") {
  testing::TempDir dir;
  std::unique_ptr<Store> writer = OpenMigrated(dir.File("fd.db"));
  {
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(writer->db());
    REQUIRE(txn.ok());
    REQUIRE(writer->db()
                .Exec("INSERT INTO events(ticket_id, at, kind, actor) VALUES (NULL, 1, 'note', 'system')")
                .ok());
    REQUIRE((*txn)->Commit().ok());
  }
  Result<std::unique_ptr<Store>> reader = Store::Open(dir.File("fd.db"), StoreOptions{});
  REQUIRE(reader.ok());
  CHECK(Count((*reader)->db(), "SELECT count(*) FROM events") == 1);
}

TEST_CASE("a writer waiting past busy_timeout gets kBusy, not a crash", "[store][txn]") {
  testing::TempDir dir;
  std::unique_ptr<Store> first = OpenMigrated(dir.File("fd.db"));
  StoreOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(50);
  Result<std::unique_ptr<Store>> second = Store::Open(dir.File("fd.db"), quick);
  REQUIRE(second.ok());
  Result<std::unique_ptr<Txn>> held = Txn::Begin(first->db());
  REQUIRE(held.ok());
  Result<std::unique_ptr<Txn>> blocked = Txn::Begin((*second)->db());
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.status().code() == Status::Code::kBusy);
  CHECK(blocked.status().transient());
}

}  // namespace
}  // namespace frontdesk
