// The PostgreSQL engine: placeholders rewritten outside quotes, NULLs that
// keep their type, text PostgreSQL cannot hold, bytes, a lost server.
// The tests that need a server skip themselves without one.
#include "daemon/store/pg_db.h"

#include <catch2/catch.hpp>

#include "daemon/store/mailbox_store.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/store.h"
#include "tests/test_db.h"

namespace frontdesk {
namespace {

TEST_CASE("placeholders become PostgreSQL's, outside literals and comments", "[store][postgres]") {
  int n = 0;
  CHECK(PgPlaceholders("SELECT ?1, ?2, ?1", &n) == "SELECT $1, $2, $1");
  CHECK(n == 2);
  CHECK(PgPlaceholders("SELECT ? , ?", &n) == "SELECT $1 , $2");
  CHECK(n == 2);
  CHECK(PgPlaceholders("SELECT '?1', \"a?\" -- ?3\n, ?1", &n) == "SELECT '?1', \"a?\" -- ?3\n, $1");
  CHECK(n == 1);
  CHECK(PgPlaceholders("SELECT 'it''s ?', ?12", &n) == "SELECT 'it''s ?', $12");
  CHECK(n == 12);
}

struct PgFixture {
  testing::ScratchDatabase db;
  std::unique_ptr<Store> store;
  PgFixture() {
    StoreOptions o;
    o.migrate = true;
    Result<std::unique_ptr<Store>> s = Store::Open(db.location(), o);
    REQUIRE(s.ok());
    store = std::move(*s);
  }
};

TEST_CASE("a NULL keeps the type of what it stands for", "[store][postgres]") {
  if (!testing::TestPostgresServer()) return;
  PgFixture f;
  OutboxStore outbox(*f.store);
  Result<std::vector<OutboxRow>> all = outbox.List(std::nullopt, 10, std::nullopt);
  INFO(all.status().ToString());
  REQUIRE(all.ok());
  Result<std::vector<OutboxRow>> failed = outbox.List(std::string("failed"), 10, std::nullopt);
  INFO(failed.status().ToString());
  REQUIRE(failed.ok());
  Result<std::vector<OutboxRow>> before = outbox.List(std::string("sent"), 10, int64_t{5});
  INFO(before.status().ToString());
  REQUIRE(before.ok());
}

TEST_CASE("text PostgreSQL cannot hold is stored with replacement characters; bytes are kept", "[store][postgres]") {
  if (!testing::TestPostgresServer()) return;
  PgFixture f;
  Db& db = f.store->db();
  REQUIRE(db.Exec("CREATE TABLE t (s TEXT, b BYTEA)").ok());
  std::string bad("a\0b\xff" "c\xe2\x82", 7);
  std::string bytes("\0\x01\xff\\x00'", 7);
  Result<Stmt> ins = db.Prepare("INSERT INTO t(s, b) VALUES (?1, ?2)");
  REQUIRE(ins.ok());
  REQUIRE(ins->Bind(1, bad).BindBlob(2, bytes).Run().ok());
  Result<Stmt> sel = db.Prepare("SELECT s, b FROM t");
  REQUIRE(sel.ok());
  REQUIRE(*sel->Step());
  CHECK(sel->Text(0) == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(std::string(sel->Blob(1)) == bytes);
  // Every byte value, and no bytes at all.
  std::string all;
  for (int i = 0; i < 256 * 3; ++i) all.push_back(static_cast<char>(i % 256));
  Result<Stmt> more = db.Prepare("SELECT ?1::bytea, ''::bytea");
  REQUIRE(more.ok());
  more->BindBlob(1, all);
  REQUIRE(*more->Step());
  CHECK(std::string(more->Blob(0)) == all);
  CHECK(more->Blob(1).empty());
}

TEST_CASE("a statement that returns bytea reads the same in binary form as in text", "[store][postgres]") {
  if (!testing::TestPostgresServer()) return;
  PgFixture f;
  Db& db = f.store->db();
  REQUIRE(db.Exec("CREATE TABLE t (i8 BIGINT, i4 INTEGER, i2 SMALLINT, ok BOOLEAN, s TEXT, v VARCHAR(9), b BYTEA)").ok());
  std::string bytes("\0\x01\xff\\x00'", 7);
  REQUIRE(db.Exec("INSERT INTO t VALUES (-9000000000, -70000, -3, true, 'text', 'var', '\\x00ff'), "
                  "(9000000000, 70000, 3, false, '', '', ''), (NULL, NULL, NULL, NULL, NULL, NULL, NULL)").ok());
  Result<Stmt> upd = db.Prepare("UPDATE t SET b = ?1 WHERE i8 > 0");
  REQUIRE(upd->BindBlob(1, bytes).Run().ok());
  // The first run learns the result's types in text form; the second asks
  // for binary. Both must read alike, the integers also as text.
  std::vector<std::vector<std::string>> runs;
  for (int run = 0; run < 2; ++run) {
    Result<Stmt> st = db.Prepare("SELECT i8, i4, i2, ok, s, v, b FROM t ORDER BY i8 NULLS LAST");
    REQUIRE(st.ok());
    std::vector<std::string> seen;
    while (*st->Step()) {
      for (int c = 0; c < 7; ++c) {
        std::string v = st->IsNull(c) ? "NULL" : c < 4 ? std::to_string(st->Int(c)) + "/" + st->Text(c)
                                                       : std::string(st->Blob(c));
        seen.push_back(v);
      }
    }
    runs.push_back(seen);
  }
  CHECK(runs[0] == runs[1]);
  // A number kept as text reads as a number in either form.
  for (int run = 0; run < 2; ++run) {
    Result<Stmt> st = db.Prepare("SELECT '42'::text, b FROM t WHERE i8 > 0");
    REQUIRE(*st->Step());
    CHECK(st->Int(0) == 42);
  }
  CHECK(runs[1] == std::vector<std::string>{
                       "-9000000000/-9000000000", "-70000/-70000", "-3/-3", "1/t", "text", "var", std::string("\0\xff", 2),
                       "9000000000/9000000000", "70000/70000", "3/3", "0/f", "", "", bytes,
                       "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"});
}

TEST_CASE("a failed statement inside a transaction fails its commit", "[store][postgres]") {
  if (!testing::TestPostgresServer()) return;
  PgFixture f;
  Db& db = f.store->db();
  REQUIRE(db.BeginWrite().ok());
  CHECK_FALSE(db.Exec("SELECT no_such_column FROM tickets").ok());
  Status commit = db.Commit();
  CHECK_FALSE(commit.ok());
  CHECK_FALSE(db.InTransaction());
}

TEST_CASE("one connection at a time holds a mailbox's poll", "[store][postgres]") {
  if (!testing::TestPostgresServer()) return;
  PgFixture f;
  StoreOptions o;
  Result<std::unique_ptr<Store>> other = Store::Open(f.db.location(), o);
  REQUIRE(other.ok());
  MailboxStore first(*f.store), second(**other);
  CHECK(*first.TryHoldPoll("support"));
  CHECK_FALSE(*second.TryHoldPoll("support"));
  CHECK(*second.TryHoldPoll("billing"));
  REQUIRE(first.ReleasePoll("support").ok());
  CHECK(*second.TryHoldPoll("support"));
}

TEST_CASE("an unreachable server is kUnavailable and names where it was looked for", "[store][postgres]") {
  DbOptions o;
  o.busy_timeout = std::chrono::milliseconds(2000);
  Result<std::unique_ptr<Db>> db = Db::Open("postgres://nobody@127.0.0.1:1/none", o);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kUnavailable);
  CHECK_THAT(db.status().message(), Catch::Contains("127.0.0.1:1"));
}

TEST_CASE("a password in a location is never shown", "[store][postgres]") {
  CHECK(RedactedLocation("postgres://fd:s3cret@db1,db2/fd") == "postgres://fd:***@db1,db2/fd");
  CHECK(RedactedLocation("postgres://db/fd?password=s3cret&sslmode=require") ==
        "postgres://db/fd?password=***&sslmode=require");
  CHECK(RedactedLocation("postgres://fd@db/fd") == "postgres://fd@db/fd");
  CHECK(RedactedLocation("/var/lib/frontdesk/frontdesk.db") == "/var/lib/frontdesk/frontdesk.db");
}

}  // namespace
}  // namespace frontdesk
