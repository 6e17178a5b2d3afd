#include "daemon/store/write_queue.h"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "daemon/store/schema.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

std::unique_ptr<Store> Open(const std::string& path, bool migrate) {
  StoreOptions o;
  o.migrate = migrate;
  Result<std::unique_ptr<Store>> s = Store::Open(path, o);
  REQUIRE(s.ok());
  return std::move(*s);
}

int64_t CountEvents(Store& s) {
  Result<Stmt> st = s.db().Prepare("SELECT count(*) FROM events");
  REQUIRE(st.ok());
  REQUIRE(*st->Step());
  return st->Int(0);
}

Status InsertEvent(Store& s, const std::string& kind) {
  return s.db().Exec("INSERT INTO events(ticket_id, at, kind, actor) VALUES (NULL, 1, '" + kind + "', 'test')");
}

TEST_CASE("concurrent jobs commit together and each gets its own result", "[write_queue]") {
  testing::TempDir dir;
  std::unique_ptr<Store> reader = Open(dir.File("fd.db"), true);
  WriteQueue queue(Open(dir.File("fd.db"), false));
  std::vector<std::thread> threads;
  std::vector<Status> results(40);
  for (int i = 0; i < 40; ++i) {
    threads.emplace_back([&, i] {
      results[i] = queue.Run([i](Store& s) -> Status {
        // Every fifth job fails: only its own write is undone.
        Status st = InsertEvent(s, "job");
        if (!st.ok()) return st;
        if (i % 5 == 0) return Status::Invalid("refused");
        return Status::Ok();
      });
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0;
  for (int i = 0; i < 40; ++i) {
    if (i % 5 == 0) {
      CHECK(results[i].code() == Status::Code::kInvalid);
    } else {
      CHECK(results[i].ok());
      ++ok;
    }
  }
  CHECK(CountEvents(*reader) == ok);
  CHECK(queue.jobs() == 40);
  CHECK(queue.batches() <= 40);
}

TEST_CASE("a job that throws fails alone", "[write_queue]") {
  testing::TempDir dir;
  std::unique_ptr<Store> reader = Open(dir.File("fd.db"), true);
  WriteQueue queue(Open(dir.File("fd.db"), false));
  Status s = queue.Run([](Store& st) -> Status {
    Status i = InsertEvent(st, "half");
    if (!i.ok()) return i;
    throw std::runtime_error("boom");
  });
  CHECK(s.code() == Status::Code::kInternal);
  CHECK(queue.Run([](Store& st) { return InsertEvent(st, "fine"); }).ok());
  CHECK(CountEvents(*reader) == 1);
}

TEST_CASE("a batch blocked past busy_timeout reports a transient failure", "[write_queue]") {
  testing::TempDir dir;
  std::unique_ptr<Store> holder = Open(dir.File("fd.db"), true);
  StoreOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(50);
  WriteQueue queue(std::move(*Store::Open(dir.File("fd.db"), quick)));
  Result<std::unique_ptr<Txn>> held = Txn::Begin(holder->db());
  REQUIRE(held.ok());
  Status s = queue.Run([](Store& st) { return InsertEvent(st, "blocked"); });
  CHECK(s.code() == Status::Code::kBusy);
  CHECK(s.transient());
  held->reset();
  CHECK(queue.Run([](Store& st) { return InsertEvent(st, "later"); }).ok());
  CHECK(CountEvents(*holder) == 1);
}

TEST_CASE("after Stop, Run answers unavailable", "[write_queue]") {
  testing::TempDir dir;
  std::unique_ptr<Store> reader = Open(dir.File("fd.db"), true);
  WriteQueue queue(Open(dir.File("fd.db"), false));
  queue.Stop();
  CHECK(queue.Run([](Store&) { return Status::Ok(); }).code() == Status::Code::kUnavailable);
}

TEST_CASE("a write the database refuses is remembered until a write goes through", "[write_queue]") {
  testing::TempDir dir;
  std::unique_ptr<Store> reader = Open(dir.File("fd.db"), true);
  WriteQueue queue(Open(dir.File("fd.db"), false));
  CHECK(queue.write_error().empty());
  // What SQLite answers on a read-only file or a full disk is an I/O error.
  CHECK_FALSE(queue.Run([](Store&) { return Status::Io("attempt to write a readonly database"); }).ok());
  CHECK(queue.write_error() == "attempt to write a readonly database");
  // A job refused for its own input says nothing about the database.
  CHECK_FALSE(queue.Run([](Store&) { return Status::Invalid("bad subject"); }).ok());
  CHECK(queue.write_error() == "attempt to write a readonly database");
  REQUIRE(queue.Run([](Store& s) { return InsertEvent(s, "ok"); }).ok());
  CHECK(queue.write_error().empty());
}

}  // namespace
}  // namespace frontdesk
