#include "daemon/store/ticket_store.h"

#include <catch2/catch.hpp>

#include "tests/test_util.h"

namespace frontdesk {
namespace {

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<Store> store;
  FakeClock clock{FromUnix(1795341600)};
  Fixture() {
    StoreOptions o;
    o.migrate = true;
    store = std::move(*Store::Open(dir.File("fd.db"), o));
  }
  NewTicket Make(const std::string& subject) {
    NewTicket t;
    t.channel = "web";
    t.subject = subject;
    t.body = "body of " + subject;
    t.requester_email = "c@example.org";
    t.queue = "support";
    t.actor = "customer";
    t.now = clock.Now();
    return t;
  }
  int64_t Create(NewTicket t) {
    TicketStore ts(*store);
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(store->db());
    REQUIRE(txn.ok());
    Result<CreatedTicket> c = ts.Create(t);
    REQUIRE(c.ok());
    REQUIRE((*txn)->Commit().ok());
    return c->ticket_id;
  }
};

TEST_CASE("a ticket is created with its message, attachment and event", "[store][tickets]") {
  Fixture f;
  NewTicket t = f.Make("Printer");
  t.attachments.push_back({"a.txt", "text/plain", "hello"});
  t.attachments.push_back({"b.txt", "text/plain", "hello"});  // same bytes: one blob
  int64_t id = f.Create(t);
  CHECK(id == 1001);
  TicketStore ts(*f.store);
  Ticket got = *ts.Get(id);
  CHECK(got.subject == "Printer");
  CHECK(got.status == "new");
  CHECK(got.version == 1);
  CHECK(ts.Messages(id)->size() == 1);
  CHECK(ts.Attachments(id)->size() == 2);
  CHECK(ts.Attachment(id, 2)->data == "hello");
  CHECK(ts.Events(id)->front().kind == "created");
  Result<Stmt> blobs = f.store->db().Prepare("SELECT count(*) FROM blobs");
  REQUIRE(*blobs->Step());
  CHECK(blobs->Int(0) == 1);
  CHECK(ts.Get(5).status().code() == Status::Code::kNotFound);
  CHECK(ts.Attachment(id + 1, 1).status().code() == Status::Code::kNotFound);
}

TEST_CASE("an idempotency key returns the first ticket, or refuses other content", "[store][tickets]") {
  Fixture f;
  NewTicket t = f.Make("Once");
  t.idempotency_key = "api:x:k1";
  t.request_sha256 = "aaa";
  int64_t first = f.Create(t);
  TicketStore ts(*f.store);
  Result<CreatedTicket> again = ts.Create(t);
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->ticket_id == first);
  t.request_sha256 = "bbb";
  CHECK(ts.Create(t).status().code() == Status::Code::kConflict);
}

TEST_CASE("status transitions follow the rules", "[store][tickets]") {
  struct Case {
    const char* from;
    const char* to;
    bool legal;
  };
  const Case cases[] = {
      {"new", "open", true},      {"new", "solved", true},     {"open", "new", false},
      {"pending", "on_hold", true}, {"solved", "open", true},  {"solved", "pending", false},
      {"solved", "closed", true}, {"closed", "open", false},   {"closed", "closed", true},
      {"open", "bogus", false},
  };
  for (const Case& c : cases) {
    INFO(c.from << " -> " << c.to);
    CHECK(IsLegalTransition(c.from, c.to) == c.legal);
  }
}

TEST_CASE("Update writes an event per change and checks the version", "[store][tickets]") {
  Fixture f;
  int64_t id = f.Create(f.Make("Patch"));
  TicketStore ts(*f.store);
  TicketPatch p;
  p.status = "open";
  p.tags = std::vector<std::string>{"b", "a", "a"};
  f.clock.Advance(std::chrono::minutes(1));
  Result<Ticket> t = ts.Update(id, p, 1, "api:t", f.clock.Now());
  REQUIRE(t.ok());
  CHECK(t->version == 2);
  CHECK(t->tags == std::vector<std::string>{"a", "b"});
  CHECK(t->updated_at == f.clock.Now());
  CHECK(ts.Events(id)->size() == 3);
  CHECK(ts.Update(id, p, 1, "api:t", f.clock.Now()).status().code() == Status::Code::kPreconditionFailed);
  // No change, no new version.
  CHECK(ts.Update(id, p, std::nullopt, "api:t", f.clock.Now())->version == 2);
  TicketPatch reopen;
  reopen.status = "solved";
  REQUIRE(ts.Update(id, reopen, std::nullopt, "api:t", f.clock.Now()).ok());
  reopen.status = "open";
  Result<Ticket> r = ts.Update(id, reopen, std::nullopt, "api:t", f.clock.Now());
  REQUIRE(r.ok());
  CHECK(r->reopened_count == 1);
  CHECK_FALSE(r->solved_at.has_value());
}

TEST_CASE("List filters, sorts and pages by keyset", "[store][tickets]") {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    NewTicket t = f.Make("Ticket " + std::to_string(i) + (i % 2 ? " odd" : " even"));
    t.queue = i % 2 ? "billing" : "support";
    f.Create(t);
    f.clock.Advance(std::chrono::seconds(1));
  }
  TicketStore ts(*f.store);
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

TEST_CASE("a reply is queued in the outbox and sets the first response", "[store][tickets]") {
  Fixture f;
  int64_t id = f.Create(f.Make("Answer me"));
  TicketStore ts(*f.store);
  NewMessage m;
  m.kind = "reply";
  m.body = "Answer";
  m.actor = "api:t";
  m.now = f.clock.Now();
  REQUIRE(ts.AddMessage(id, m).ok());
  Ticket t = *ts.Get(id);
  CHECK(t.status == "open");
  CHECK(t.first_response_at == f.clock.Now());
  Result<Stmt> st = f.store->db().Prepare("SELECT recipient, status FROM outbox");
  REQUIRE(*st->Step());
  CHECK(st->Text(0) == "c@example.org");
  CHECK(st->Text(1) == "pending");
  m.kind = "shout";
  CHECK(ts.AddMessage(id, m).status().code() == Status::Code::kInvalid);
}

}  // namespace
}  // namespace frontdesk
