#include "daemon/tickets/ticket_service.h"

#include <catch2/catch.hpp>

#include <functional>

#include "config/loader.h"
#include "daemon/outbox/auto_reply.h"
#include "daemon/store/ticket_store.h"
#include "tests/test_db.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

const char* kConfig = R"toml(
[mail]
auto_ack = true
solved_notice = true
[[queue]]
name = "support"
addresses = ["support@example.test"]
agents = ["a1@example.test", "a2@example.test"]
[[sla]]
name = "std"
first_response = "1h"
resolution = "8h"
)toml";

// What a change did: the events and outbox rows it added, in order.
struct Effects {
  Status status = Status::Ok();
  std::vector<std::string> events;
  std::vector<std::string> mail;  // "kind to recipient"
};

struct Fixture {
  testing::ScratchDatabase db;
  Config config = *LoadConfigText(kConfig, "fd.toml");
  std::shared_ptr<const SlaEngine> sla = *SlaEngine::Build(config);
  std::unique_ptr<Store> store;
  FakeClock clock{testing::At("2026-11-23T10:00:00Z")};

  Fixture() {
    StoreOptions o;
    o.migrate = true;
    Result<std::unique_ptr<Store>> opened = Store::Open(db.location(), o);
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }
  int64_t Max(const char* table) {
    Result<Stmt> st = store->db().Prepare(std::string("SELECT coalesce(max(id), 0) FROM ") + table);
    REQUIRE(*st->Step());
    return st->Int(0);
  }
  Effects Run(const std::function<Status(TicketService&)>& change) {
    int64_t events = Max("events"), outbox = Max("outbox");
    Effects e;
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(store->db());
    REQUIRE(txn.ok());
    TicketService service(*store, config, *sla);
    e.status = change(service);
    REQUIRE((*txn)->Commit().ok());
    Result<Stmt> ev = store->db().Prepare("SELECT kind FROM events WHERE id > ?1 ORDER BY id");
    ev->Bind(1, events);
    e.events = *ev->Rows([](const Stmt& r) { return r.Text(0); });
    Result<Stmt> ob = store->db().Prepare("SELECT kind || ' to ' || recipient FROM outbox WHERE id > ?1 ORDER BY id");
    ob->Bind(1, outbox);
    e.mail = *ob->Rows([](const Stmt& r) { return r.Text(0); });
    return e;
  }
  NewTicket Make(Channel channel) {
    NewTicket t;
    t.channel = channel;
    t.actor = Actor::Customer(channel, "c@example.org");
    t.subject = "Printer";
    t.body = "It jams.";
    t.requester_email = "c@example.org";
    t.queue = "support";
    t.now = clock.Now();
    return t;
  }
  int64_t Open(const NewTicket& t) {
    int64_t id = 0;
    Run([&](TicketService& s) {
      Result<CreatedTicket> c = s.Open(t);
      if (c.ok()) id = c->ticket_id;
      return c.status();
    });
    REQUIRE(id != 0);
    return id;
  }
  Ticket Get(int64_t id) { return *TicketStore(*store).Get(id); }
  size_t Clocks(int64_t id) { return TicketStore(*store).SlaTargets(id)->size(); }
};

using Strings = std::vector<std::string>;

// One row per cause: what it writes to the event log and to the outbox.
TEST_CASE("each cause has the same effects, whichever channel brings it", "[tickets][service]") {
  struct Case {
    const char* cause;
    std::function<NewTicket(Fixture&)> make;
    Strings events;
    Strings mail;
    bool clocks;
  };
  const Case cases[] = {
      {"a web ticket is acknowledged", [](Fixture& f) { return f.Make(Channel::kWeb); }, {"created", "sla_assigned"},
       {"auto_ack to c@example.org", "new_ticket_alert to a1@example.test", "new_ticket_alert to a2@example.test"},
       true},
      {"an API ticket is acknowledged", [](Fixture& f) { return f.Make(Channel::kApi); }, {"created", "sla_assigned"},
       {"auto_ack to c@example.org", "new_ticket_alert to a1@example.test", "new_ticket_alert to a2@example.test"},
       true},
      {"an API client may tell its customer itself",
       [](Fixture& f) {
         NewTicket t = f.Make(Channel::kApi);
         t.acknowledge = false;
         return t;
       },
       {"created", "sla_assigned"},
       {"new_ticket_alert to a1@example.test", "new_ticket_alert to a2@example.test"}, true},
      {"a mail ticket is acknowledged", [](Fixture& f) { return f.Make(Channel::kEmail); },
       {"created", "sla_assigned"},
       {"auto_ack to c@example.org", "new_ticket_alert to a1@example.test", "new_ticket_alert to a2@example.test"},
       true},
      {"a routed ticket records its rules",
       [](Fixture& f) {
         NewTicket t = f.Make(Channel::kEmail);
         t.routing.matched = {"vip"};
         t.routing.queue_rule = "vip";
         t.routing.suppress_auto_reply = true;
         t.auto_reply_suppressed = true;
         return t;
       },
       {"created", "routed", "sla_assigned"},
       {"new_ticket_alert to a1@example.test", "new_ticket_alert to a2@example.test"}, true},
      {"automatic mail: no clock, no alert",
       [](Fixture& f) {
         NewTicket t = f.Make(Channel::kEmail);
         t.auto_submitted = true;
         t.auto_reply_suppressed = true;
         return t;
       },
       {"created"}, {}, false},
      {"unreadable mail is quarantined",
       [](Fixture& f) {
         NewTicket t = f.Make(Channel::kEmail);
         t.quarantined = true;
         t.quarantine_reason = "no readable sender address";
         t.auto_reply_suppressed = true;
         return t;
       },
       {"created", "quarantined"}, {}, false},
      {"oversize mail: the sender is told",
       [](Fixture& f) {
         NewTicket t = f.Make(Channel::kEmail);
         t.quarantined = true;
         t.quarantine_reason = "too big";
         t.oversize_bytes = 30000000;
         t.auto_reply_suppressed = true;
         return t;
       },
       {"created", "quarantined"}, {"oversize_notice to c@example.org"}, false},
      {"a per-queue copy, with withheld attachments",
       [](Fixture& f) {
         NewTicket t = f.Make(Channel::kEmail);
         t.copy_of = 1001;
         t.same_message_id_in = 1001;
         t.withheld_json = R"([{"filename":"x.bin","size":9,"reason":"too big"}])";
         t.auto_reply_suppressed = true;
         return t;
       },
       {"created", "copied_per_queue", "duplicate_message_id", "attachments_withheld", "sla_assigned"},
       {"new_ticket_alert to a1@example.test", "new_ticket_alert to a2@example.test"}, true},
  };
  for (const Case& c : cases) {
    INFO(c.cause);
    Fixture f;
    int64_t id = 0;
    Effects e = f.Run([&](TicketService& s) {
      Result<CreatedTicket> made = s.Open(c.make(f));
      if (made.ok()) id = made->ticket_id;
      return made.status();
    });
    REQUIRE(e.status.ok());
    CHECK(e.events == c.events);
    CHECK(e.mail == c.mail);
    CHECK((f.Clocks(id) > 0) == c.clocks);
  }
}

TEST_CASE("a reply filed before its parent joins the parent's ticket, unless someone acted on it",
          "[tickets][service][join]") {
  Fixture f;
  auto mail = [&](const char* id, std::vector<std::string> awaits) {
    NewTicket t = f.Make(Channel::kEmail);
    t.message_id = id;
    t.awaited_parents = std::move(awaits);
    return t;
  };
  const int64_t reply = f.Open(mail("r1@x", {"p1@x"}));
  const int64_t before = f.Get(reply).version;
  Effects e = f.Run([&](TicketService& s) { return s.Open(mail("p1@x", {})).status(); });
  REQUIRE(e.status.ok());
  const int64_t parent = reply + 1;
  CHECK(e.events == Strings{"created", "sla_assigned", "thread_joined", "status_changed", "merged"});
  Ticket joined = f.Get(reply);
  CHECK(joined.merged_into == parent);
  CHECK(joined.status == TicketStatus::kClosed);
  CHECK(joined.version > before);
  CHECK(TicketStore(*f.store).Messages(reply)->empty());
  CHECK(TicketStore(*f.store).Messages(parent)->size() == 2);
  CHECK(*TicketStore(*f.store).IsParticipant(parent, "c@example.org"));

  // An agent changed the second reply's ticket before its parent came.
  const int64_t worked = f.Open(mail("r2@x", {"p2@x"}));
  TicketPatch high;
  high.priority = "high";
  REQUIRE(f.Run([&](TicketService& s) { return s.Patch(worked, high, std::nullopt, Actor::ApiToken("ci"), f.clock.Now()).status(); })
              .status.ok());
  e = f.Run([&](TicketService& s) { return s.Open(mail("p2@x", {})).status(); });
  REQUIRE(e.status.ok());
  CHECK(e.events == Strings{"created", "sla_assigned", "parent_arrived"});
  CHECK_FALSE(f.Get(worked).merged_into);
  CHECK(TicketStore(*f.store).Messages(worked)->size() == 1);
  // The parent arriving again (a copy, a redelivery) finds nothing left to join.
  e = f.Run([&](TicketService& s) { return s.JoinAwaiting("p2@x", worked + 1, f.clock.Now()); });
  CHECK(e.events.empty());

  // A "parent" from a stranger, to none of the reply's writers, takes nothing.
  const int64_t lone = f.Open(mail("r3@x", {"p3@x"}));
  NewTicket forged = mail("p3@x", {});
  forged.requester_email = "stranger@example.net";
  e = f.Run([&](TicketService& s) { return s.Open(forged).status(); });
  REQUIRE(e.status.ok());
  CHECK(e.events.back() == "parent_arrived");
  CHECK_FALSE(f.Get(lone).merged_into);
  CHECK(TicketStore(*f.store).Messages(lone)->size() == 1);
}

TEST_CASE("messages: a reply answers, a note tells the others, a customer reopens", "[tickets][service]") {
  auto agent_message = [](Fixture& f, MessageKind kind, Actor actor) {
    NewMessage m;
    m.kind = kind;
    m.channel = actor.kind == ActorKind::kAgent ? Channel::kEmail : Channel::kApi;
    m.actor = actor;
    m.body = "Try turning it off and on.";
    if (actor.kind == ActorKind::kAgent) m.author_email = "a1@example.test";
    m.now = f.clock.Now();
    return m;
  };
  struct Case {
    const char* cause;
    std::function<NewMessage(Fixture&)> make;
    TicketStatus before;
    Strings events;
    Strings mail;
    TicketStatus after;
  };
  const Case cases[] = {
      {"an API reply to a new ticket",
       [&](Fixture& f) { return agent_message(f, MessageKind::kReply, Actor::ApiToken("ci")); }, TicketStatus::kNew,
       {"status_changed", "reply_added", "sla_met"}, {"reply to c@example.org"}, TicketStatus::kOpen},
      {"an agent's reply by mail",
       [&](Fixture& f) { return agent_message(f, MessageKind::kReply, Actor::AgentByMail("a1@example.test")); },
       TicketStatus::kNew, {"status_changed", "reply_added", "sla_met"}, {"reply to c@example.org"}, TicketStatus::kOpen},
      {"an API note", [&](Fixture& f) { return agent_message(f, MessageKind::kNote, Actor::ApiToken("ci")); },
       TicketStatus::kNew, {"note_added"},
       {"note_alert to a1@example.test", "note_alert to a2@example.test"}, TicketStatus::kNew},
      {"an agent's note tells only the others",
       [&](Fixture& f) { return agent_message(f, MessageKind::kNote, Actor::AgentByMail("a1@example.test")); },
       TicketStatus::kNew, {"note_added"}, {"note_alert to a2@example.test"}, TicketStatus::kNew},
      {"a customer's mail reopens a solved ticket",
       [](Fixture& f) {
         NewMessage m;
         m.kind = MessageKind::kCustomer;
         m.channel = Channel::kEmail;
         m.actor = Actor::Customer(Channel::kEmail, "c@example.org");
         m.author_email = "c@example.org";
         m.body = "Still broken.";
         m.now = f.clock.Now();
         return m;
       },
       TicketStatus::kSolved, {"message_received", "status_changed"},
       {"customer_reply_alert to a1@example.test", "customer_reply_alert to a2@example.test"}, TicketStatus::kOpen},
      {"automatic mail changes nothing",
       [](Fixture& f) {
         NewMessage m;
         m.kind = MessageKind::kAuto;
         m.channel = Channel::kEmail;
         m.actor = Actor::Customer(Channel::kEmail, "c@example.org");
         m.author_email = "c@example.org";
         m.auto_submitted = true;
         m.auto_reason = "Auto-Submitted: auto-replied";
         m.body = "I am away.";
         m.now = f.clock.Now();
         return m;
       },
       TicketStatus::kSolved, {"message_received"}, {}, TicketStatus::kSolved},
  };
  for (const Case& c : cases) {
    INFO(c.cause);
    Fixture f;
    NewTicket t = f.Make(Channel::kWeb);
    int64_t id = f.Open(t);
    if (c.before != TicketStatus::kNew) {
      TicketPatch p;
      p.status = c.before;
      REQUIRE(f.Run([&](TicketService& s) { return s.Patch(id, p, std::nullopt, Actor::ApiToken("ci"), f.clock.Now()).status(); })
                  .status.ok());
    }
    int64_t version = f.Get(id).version;
    f.clock.Advance(std::chrono::minutes(5));
    Effects e = f.Run([&](TicketService& s) { return s.AddMessage(id, c.make(f)).status(); });
    REQUIRE(e.status.ok());
    CHECK(e.events == c.events);
    CHECK(e.mail == c.mail);
    Ticket after = f.Get(id);
    CHECK(after.status == c.after);
    CHECK(after.version > version);  // every message moves the version
  }
}

TEST_CASE("patches: legal changes only, an event each, and the solved mail", "[tickets][service]") {
  Fixture f;
  int64_t id = f.Open(f.Make(Channel::kWeb));
  TicketPatch solve;
  solve.status = TicketStatus::kSolved;
  solve.priority = "high";
  solve.tags = std::vector<std::string>{"b", "a", "a"};
  const int64_t opened = f.Get(id).version;
  Effects e = f.Run([&](TicketService& s) { return s.Patch(id, solve, opened, Actor::ApiToken("ci"), f.clock.Now()).status(); });
  REQUIRE(e.status.ok());
  CHECK(e.events == Strings{"status_changed", "priority_changed", "tags_changed"});
  CHECK(e.mail == Strings{"solved to c@example.org"});
  CHECK(f.Get(id).tags == Strings{"a", "b"});
  // The same patch again changes nothing and needs no version.
  e = f.Run([&](TicketService& s) { return s.Patch(id, solve, std::nullopt, Actor::ApiToken("ci"), f.clock.Now()).status(); });
  CHECK(e.events.empty());
  // A stale version, an illegal move, an unknown queue: refused, nothing written.
  TicketPatch pending;
  pending.status = TicketStatus::kPending;
  e = f.Run([&](TicketService& s) { return s.Patch(id, pending, opened, Actor::ApiToken("ci"), f.clock.Now()).status(); });
  CHECK(e.status.code() == Status::Code::kPreconditionFailed);
  e = f.Run([&](TicketService& s) { return s.Patch(id, pending, std::nullopt, Actor::ApiToken("ci"), f.clock.Now()).status(); });
  CHECK(e.status.code() == Status::Code::kInvalid);
  CHECK(e.status.message() == "a ticket cannot go from solved to pending");
  TicketPatch move;
  move.queue = "nowhere";
  e = f.Run([&](TicketService& s) { return s.Patch(id, move, std::nullopt, Actor::ApiToken("ci"), f.clock.Now()).status(); });
  CHECK(e.status.code() == Status::Code::kInvalid);
  CHECK(e.events.empty());
}

TEST_CASE("a closed ticket takes no reply; a replayed key changes nothing", "[tickets][service]") {
  Fixture f;
  NewTicket t = f.Make(Channel::kApi);
  t.idempotency_key = "api:ci:k1";
  t.request_sha256 = "aaa";
  int64_t id = f.Open(t);
  Effects again = f.Run([&](TicketService& s) {
    Result<CreatedTicket> c = s.Open(t);
    REQUIRE(c.ok());
    CHECK(c->replayed);
    CHECK(c->ticket_id == id);
    return Status::Ok();
  });
  CHECK(again.events.empty());
  CHECK(again.mail.empty());
  t.request_sha256 = "bbb";
  CHECK(f.Run([&](TicketService& s) { return s.Open(t).status(); }).status.code() == Status::Code::kConflict);

  TicketPatch close;
  close.status = TicketStatus::kClosed;
  REQUIRE(f.Run([&](TicketService& s) { return s.Patch(id, close, std::nullopt, Actor::ApiToken("ci"), f.clock.Now()).status(); })
              .status.ok());
  NewMessage reply;
  reply.kind = MessageKind::kReply;
  reply.actor = Actor::ApiToken("ci");
  reply.body = "Too late";
  reply.now = f.clock.Now();
  Effects e = f.Run([&](TicketService& s) { return s.AddMessage(id, reply).status(); });
  CHECK(e.status.code() == Status::Code::kConflict);
  reply.kind = MessageKind::kCustomer;
  e = f.Run([&](TicketService& s) { return s.AddMessage(id, reply).status(); });
  CHECK(e.status.code() == Status::Code::kInvalid);
}

TEST_CASE("an escalation level mails, changes the ticket and says so", "[tickets][service]") {
  Fixture f;
  int64_t id = f.Open(f.Make(Channel::kWeb));
  EscalationAction a;
  a.ticket_id = id;
  a.policy = "std";
  a.target = "first_response";
  a.level_text = "50%";
  a.recipients = {"lead@example.test"};
  a.patch.priority = "urgent";
  a.done = {"notify lead@example.test", "priority urgent"};
  Effects e = f.Run([&](TicketService& s) { return s.Escalate(a, f.clock.Now()); });
  REQUIRE(e.status.ok());
  CHECK(e.events == Strings{"priority_changed", "escalated"});
  CHECK(e.mail == Strings{"escalation to lead@example.test"});
  // Fired again (another sweep), the mail is not queued twice.
  e = f.Run([&](TicketService& s) { return s.Escalate(a, f.clock.Now()); });
  CHECK(e.mail.empty());
}

// A huge message is stored once; the acknowledgement and each agent's
// alert quote only the start of it.
TEST_CASE("the mail a huge message brings quotes it up to the cap, for each recipient",
          "[tickets][service]") {
  Fixture f;
  NewTicket t = f.Make(Channel::kEmail);
  t.body = std::string(4 * 1024 * 1024, 'x');
  int64_t id = f.Open(t);
  Result<Stmt> st = f.store->db().Prepare("SELECT kind, length(body) FROM outbox WHERE ticket_id = ?1");
  st->Bind(1, id);
  std::vector<std::pair<std::string, int64_t>> rows =
      *st->Rows([](const Stmt& r) { return std::make_pair(r.Text(0), r.Int(1)); });
  REQUIRE(rows.size() == 3);  // the acknowledgement and two agents' alerts
  for (const auto& [kind, length] : rows) {
    INFO(kind);
    CHECK(length > static_cast<int64_t>(kQuotedCopyBytes));
    CHECK(length < static_cast<int64_t>(kQuotedCopyBytes) + 16);
  }
  CHECK(f.Get(id).id == id);
  Result<std::vector<MessageRecord>> messages = TicketStore(*f.store).Messages(id);
  CHECK(messages->front().body_text.size() == t.body.size());
}

}  // namespace
}  // namespace frontdesk
