#include "daemon/store/ticket_store.h"

#include "daemon/store/ticket_list.h"

#include <catch2/catch.hpp>

#include "tests/test_db.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

struct Fixture {
  testing::ScratchDatabase db;
  std::unique_ptr<Store> store;
  FakeClock clock{FromUnix(1795341600)};
  Fixture() {
    StoreOptions o;
    o.migrate = true;
    Result<std::unique_ptr<Store>> opened = Store::Open(db.location(), o);
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }
  NewTicket Make(const std::string& subject) {
    NewTicket t;
    t.channel = Channel::kWeb;
    t.subject = subject;
    t.body = "body of " + subject;
    t.requester_email = "c@example.org";
    t.queue = "support";
    t.actor = Actor::Customer(Channel::kWeb, "");
    t.now = clock.Now();
    return t;
  }
  int64_t Create(NewTicket t) {
    TicketStore ts(*store);
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(store->db());
    REQUIRE(txn.ok());
    Result<int64_t> id = ts.InsertTicket(t);
    REQUIRE(id.ok());
    NewMessage m;
    m.kind = MessageKind::kCustomer;
    m.channel = t.channel;
    m.body = t.body;
    m.attachments = t.attachments;
    m.now = t.now;
    REQUIRE(ts.InsertMessage(*id, m, t.subject).ok());
    REQUIRE((*txn)->Commit().ok());
    return *id;
  }
};

TEST_CASE("a ticket is stored with its message and attachments", "[store][tickets]") {
  Fixture f;
  NewTicket t = f.Make("Printer");
  t.attachments.push_back({"a.txt", "text/plain", "hello"});
  t.attachments.push_back({"b.txt", "text/plain", "hello"});  // same bytes: one blob
  int64_t id = f.Create(t);
  CHECK(id == 1001);
  TicketStore ts(*f.store);
  Ticket got = *ts.Get(id);
  CHECK(got.subject == "Printer");
  CHECK(got.status == TicketStatus::kNew);
  CHECK(got.version == 2);  // its first message moved it (schema v11)
  CHECK(ts.Messages(id)->size() == 1);
  CHECK(ts.Attachments(id)->size() == 2);
  CHECK(ts.Attachment(id, 2)->data == "hello");
  Result<Stmt> blobs = f.store->db().Prepare("SELECT count(*) FROM blobs");
  REQUIRE(*blobs->Step());
  CHECK(blobs->Int(0) == 1);
  CHECK(ts.Get(5).status().code() == Status::Code::kNotFound);
  CHECK(ts.Attachment(id + 1, 1).status().code() == Status::Code::kNotFound);
}

TEST_CASE("an idempotency key is found with what it first made", "[store][tickets]") {
  Fixture f;
  int64_t id = f.Create(f.Make("Once"));
  TicketStore ts(*f.store);
  REQUIRE(ts.RecordKey("api:x:k1", id, 1, "aaa", f.clock.Now()).ok());
  Result<std::optional<KeyRecord>> k = ts.FindKey("api:x:k1");
  REQUIRE(k.ok());
  REQUIRE(k->has_value());
  CHECK((*k)->ticket_id == id);
  CHECK((*k)->message_id == 1);
  CHECK((*k)->request_sha256 == "aaa");
  CHECK_FALSE(ts.FindKey("api:x:k2")->has_value());
  CHECK(ts.RecordKey("api:x:k1", id, 1, "bbb", f.clock.Now()).code() == Status::Code::kConflict);
}

TEST_CASE("SaveTicket writes only over the version it read", "[store][tickets]") {
  Fixture f;
  int64_t id = f.Create(f.Make("Patch"));
  TicketStore ts(*f.store);
  Ticket t = *ts.Get(id);
  t.status = TicketStatus::kOpen;
  t.tags = {"b", "a", "a"};
  f.clock.Advance(std::chrono::minutes(1));
  REQUIRE(ts.SaveTicket(t, f.clock.Now()).ok());
  Ticket saved = *ts.Get(id);
  CHECK(saved.version == t.version + 1);
  CHECK(saved.status == TicketStatus::kOpen);
  CHECK(saved.tags == std::vector<std::string>{"a", "b"});
  CHECK(saved.updated_at == f.clock.Now());
  // t still says the version it read: someone else's write came between.
  CHECK(ts.SaveTicket(t, f.clock.Now()).code() == Status::Code::kPreconditionFailed);
}

TEST_CASE("WriteBatch moves each ticket as its rows would, and only the batch is left untouched",
          "[store][tickets]") {
  Fixture f;
  int64_t a = f.Create(f.Make("A")), b = f.Create(f.Make("B"));
  TicketStore ts(*f.store);
  Ticket ta = *ts.Get(a), tb = *ts.Get(b);
  f.clock.Advance(std::chrono::minutes(5));
  const Timestamp now = f.clock.Now();
  Result<std::unique_ptr<Txn>> txn = Txn::Begin(f.store->db());
  REQUIRE(txn.ok());
  TicketBatch batch;
  ta.priority = "high";
  ta.next_due_at = now + std::chrono::hours(1);
  batch.tickets.push_back({ta, true});
  batch.tickets.push_back({tb, false});  // next_due_at only: no move of its own
  batch.events.push_back({a, now, "escalated", "sla:x", std::nullopt, "{}"});
  batch.events.push_back({a, now, "priority_changed", "sla:x", std::nullopt, "{}"});
  batch.events.push_back({b, now + std::chrono::seconds(1), "sla_breached", "sla:x", std::nullopt, "{}"});
  REQUIRE(ts.WriteBatch(batch, now).ok());
  // Later in the same transaction, other writers are touched as always.
  REQUIRE(ts.AddEvent(b, now + std::chrono::seconds(2), "note", "x", std::nullopt, "{}").ok());
  REQUIRE((*txn)->Commit().ok());
  Ticket got_a = *ts.Get(a), got_b = *ts.Get(b);
  CHECK(got_a.version == ta.version + 1 + 2);
  CHECK(got_a.priority == "high");
  CHECK(got_a.updated_at == now);
  CHECK(got_a.next_due_at == now + std::chrono::hours(1));
  CHECK(got_b.version == tb.version + 1 + 1);
  CHECK(got_b.updated_at == now + std::chrono::seconds(2));
  CHECK_FALSE(got_b.next_due_at.has_value());
  Result<std::vector<EventRecord>> events = ts.Events(a);
  REQUIRE(events.ok());
  REQUIRE(events->size() >= 2);
  CHECK((*events)[events->size() - 2].kind == "escalated");
  CHECK(events->back().kind == "priority_changed");
}

TEST_CASE("WriteBatch refuses a ticket that moved since it was read", "[store][tickets]") {
  Fixture f;
  int64_t a = f.Create(f.Make("A"));
  TicketStore ts(*f.store);
  Ticket stale = *ts.Get(a);
  REQUIRE(ts.AddEvent(a, f.clock.Now(), "note", "x", std::nullopt, "{}").ok());
  TicketBatch batch;
  batch.tickets.push_back({stale, true});
  Result<std::unique_ptr<Txn>> txn = Txn::Begin(f.store->db());
  REQUIRE(txn.ok());
  CHECK(ts.WriteBatch(batch, f.clock.Now()).code() == Status::Code::kPreconditionFailed);
}

// The daemon's write queue runs each job under a savepoint and rolls a
// failed one back to it; the jobs after it share the transaction.
TEST_CASE("a batch that fails half-way leaves the next job of the transaction touched as always",
          "[store][tickets]") {
  Fixture f;
  int64_t a = f.Create(f.Make("A"));
  TicketStore ts(*f.store);
  const int64_t before = ts.Get(a)->version;
  Result<std::unique_ptr<Txn>> txn = Txn::Begin(f.store->db());
  REQUIRE(txn.ok());
  REQUIRE(f.store->db().Exec("SAVEPOINT job").ok());
  TicketBatch batch;
  batch.tickets.push_back({*ts.Get(a), false});
  batch.events.push_back({a, f.clock.Now(), "escalated", "sla:x", std::nullopt, "{}"});
  batch.events.push_back({a + 1000, f.clock.Now(), "escalated", "sla:x", std::nullopt, "{}"});  // no such ticket
  CHECK_FALSE(ts.WriteBatch(batch, f.clock.Now()).ok());
  REQUIRE(f.store->db().Exec("ROLLBACK TO SAVEPOINT job").ok());
  REQUIRE(ts.AddEvent(a, f.clock.Now(), "note", "x", std::nullopt, "{}").ok());
  REQUIRE((*txn)->Commit().ok());
  CHECK(ts.Get(a)->version == before + 1);
}

TEST_CASE("a reread message is found by its new words only", "[store][tickets]") {
  Fixture f;
  TicketStore ts(*f.store);
  NewTicket t = f.Make("garbled");
  t.body = "unreadable mojibake";
  int64_t id = 0;
  {
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(f.store->db());
    REQUIRE(txn.ok());
    id = *ts.InsertTicket(t);
    NewMessage m;
    m.kind = MessageKind::kCustomer;
    m.channel = t.channel;
    m.body = t.body;
    m.raw_id = *ts.StoreRaw("Subject: garbled\r\n\r\nunreadable mojibake\r\n", "test", f.clock.Now());
    m.now = t.now;
    REQUIRE(ts.InsertMessage(id, m, t.subject).ok());
    REQUIRE((*txn)->Commit().ok());
  }
  NewTicket reread = f.Make("Printer jam");
  reread.body = "the paper tray is stuck";
  for (int round = 0; round < 2; ++round) {  // a second reprocess changes nothing more
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(f.store->db());
    REQUIRE(txn.ok());
    REQUIRE(ts.Unquarantine(id, reread, f.clock.Now()).ok());
    REQUIRE((*txn)->Commit().ok());
  }
  TicketList list(*f.store);
  auto found = [&](const std::string& words) {
    TicketQuery q;
    q.text = words;
    return list.List(q)->tickets.size();
  };
  CHECK(found("mojibake") == 0);
  CHECK(found("garbled") == 0);
  CHECK(found("tray") == 1);
  CHECK(found("jam") == 1);
  if (!f.store->db().postgres()) {
    Result<Stmt> check = f.store->db().Prepare("INSERT INTO message_search(message_search) VALUES ('integrity-check')");
    REQUIRE(check.ok());
    CHECK(check->Run().ok());
  }
}

TEST_CASE("List filters, sorts and pages by keyset", "[store][tickets]") {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    NewTicket t = f.Make("Ticket " + std::to_string(i) + (i % 2 ? " odd" : " even"));
    t.queue = i % 2 ? "billing" : "support";
    f.Create(t);
    f.clock.Advance(std::chrono::seconds(1));
  }
  TicketList ts(*f.store);
  TicketQuery q;
  q.queue = "billing";
  q.limit = 3;
  std::vector<int64_t> seen;
  for (;;) {
    Result<TicketPage> page = ts.List(q);
    REQUIRE(page.ok());
    for (const Ticket& t : page->tickets) seen.push_back(t.id);
    if (!page->more) break;
    q.after_id = page->tickets.back().id;
  }
  CHECK(seen == std::vector<int64_t>{1010, 1008, 1006, 1004, 1002});
  TicketQuery text;
  text.text = "even";
  CHECK(ts.List(text)->tickets.size() == 5);
  TicketQuery quoted;
  quoted.text = "\"unbalanced";
  CHECK(ts.List(quoted).ok());
  TicketQuery created;
  created.sort = TicketQuery::Sort::kCreatedAsc;
  created.limit = 2;
  created.after_key = ToUnix(f.clock.Now()) - 8;
  created.after_id = 1002;
  CHECK(ts.List(created)->tickets.front().id == 1003);
}

TEST_CASE("a created range is listed in id order, whatever order the dates are in", "[store][tickets]") {
  // Imported tickets carry their old dates, so ids and dates need not
  // agree; on PostgreSQL a narrow range is read by date and sorted by id.
  Fixture f;
  const Timestamp start = f.clock.Now();
  const int days[] = {5, 1, 9, 1, 3, 1, 7, 1};  // ticket 1001 + i was created on day days[i]
  for (int day : days) {
    NewTicket t = f.Make("day " + std::to_string(day));
    t.now = start + std::chrono::hours(24 * day);
    f.Create(t);
  }
  TicketList tl(*f.store);
  auto list = [&](TicketQuery q) {
    std::vector<int64_t> ids;
    for (;;) {
      Result<TicketPage> page = tl.List(q);
      REQUIRE(page.ok());
      for (const Ticket& t : page->tickets) ids.push_back(t.id);
      if (!page->more) return ids;
      q.after_id = page->tickets.back().id;
    }
  };
  TicketQuery day1;
  day1.created_after = start + std::chrono::hours(24);
  day1.created_before = start + std::chrono::hours(48);
  day1.limit = 3;
  CHECK(list(day1) == std::vector<int64_t>{1008, 1006, 1004, 1002});
  day1.sort = TicketQuery::Sort::kIdAsc;
  CHECK(list(day1) == std::vector<int64_t>{1002, 1004, 1006, 1008});
  TicketQuery later;  // one bound only
  later.created_after = start + std::chrono::hours(24 * 4);
  CHECK(list(later) == std::vector<int64_t>{1007, 1003, 1001});
  TicketQuery earlier;
  earlier.created_before = start + std::chrono::hours(24 * 4);
  earlier.limit = 2;
  CHECK(list(earlier) == std::vector<int64_t>{1008, 1006, 1005, 1004, 1002});
  CHECK(*tl.Count(earlier) == 5);
}

TEST_CASE("the due sort puts what is due next first and tickets without a due time last", "[store][tickets]") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.Create(f.Make("T" + std::to_string(i)));
  const int64_t now = ToUnix(f.clock.Now());
  // 1001 due in 2 h, 1002 late by 1 h, 1003 due in 30 min but met, 1004
  // due in 1 h while its other clock is paused; 1005 has none.
  auto target = [&](int64_t id, const char* target, int64_t due, const char* extra) {
    std::string sql = std::string("INSERT INTO sla_targets(ticket_id, target, cycle, started_at, due_at, met_at, "
                                  "paused_since) VALUES (?1, '") + target + "', 0, ?2, ?3, " + extra + ")";
    Result<Stmt> st = f.store->db().Prepare(sql);
    st->Bind(1, id).Bind(2, now).Bind(3, now + due);
    REQUIRE(st->Run().ok());
  };
  target(1001, "first_response", 7200, "NULL, NULL");
  target(1002, "first_response", -3600, "NULL, NULL");
  target(1003, "first_response", 1800, "?2, NULL");
  target(1003, "resolution", 86400, "NULL, NULL");
  target(1004, "first_response", 3600, "NULL, NULL");
  target(1004, "resolution", 600, "NULL, ?2");
  TicketList tl(*f.store);
  TicketQuery q;
  q.sort = TicketQuery::Sort::kDueAsc;
  q.limit = 2;
  std::vector<int64_t> seen;
  for (;;) {
    Result<TicketPage> page = tl.List(q);
    REQUIRE(page.ok());
    for (const Ticket& t : page->tickets) seen.push_back(t.id);
    if (!page->more) break;
    const Ticket& last = page->tickets.back();
    q.after_id = last.id;
    q.after_key = last.sla_due_at ? ToUnix(*last.sla_due_at) : INT64_MAX;
  }
  CHECK(seen == std::vector<int64_t>{1002, 1004, 1001, 1003, 1005});
  TicketQuery due;
  due.due_from = FromUnix(now);
  due.due_before = FromUnix(now + 7200);
  CHECK(*tl.Count(due) == 1);  // 1004; 1001 is due at the end of the window, 1002 before it
  TicketQuery late;
  late.due_before = FromUnix(now);
  CHECK(*tl.Count(late) == 1);
  // A reply meets 1002's target: it has no due time any more.
  Result<Stmt> met = f.store->db().Prepare("UPDATE sla_targets SET met_at = ?1 WHERE ticket_id = 1002");
  met->Bind(1, now);
  REQUIRE(met->Run().ok());
  CHECK(*tl.Count(late) == 0);
  CHECK_FALSE(TicketStore(*f.store).Get(1002)->sla_due_at.has_value());
}

}  // namespace
}  // namespace frontdesk
