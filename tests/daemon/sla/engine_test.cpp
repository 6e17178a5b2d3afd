#include "daemon/sla/engine.h"

#include <catch2/catch.hpp>

#include <thread>

#include "config/loader.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/ticket_store.h"
#include "daemon/tickets/escalator.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

using testing::At;

const char* kConfig = R"toml(
[[queue]]
name = "support"
agents = ["agent@example.test"]
[[sla]]
name = "fast"
first_response = "1h"
resolution = "4h"
pause_on = ["pending"]
[[sla.escalation]]
target = "first_response"
at = "50%"
notify = ["lead@example.test", "agents"]
[[sla.escalation]]
target = "first_response"
at = "+30m"
raise_priority = true
add_tag = "late"
)toml";

struct Fixture {
  testing::TempDir dir;
  Config config = *LoadConfigText(kConfig, "fd.toml");
  std::shared_ptr<const SlaEngine> sla = *SlaEngine::Build(config);
  std::unique_ptr<Store> store;
  Fixture() {
    StoreOptions o;
    o.migrate = true;
    store = std::move(*Store::Open(dir.File("fd.db"), o));
  }
  std::unique_ptr<Store> Connect() {
    StoreOptions o;
    o.busy_timeout = std::chrono::milliseconds(10000);
    return std::move(*Store::Open(dir.File("fd.db"), o));
  }
  Status InTxn(Store& s, const std::function<Status(Store&)>& job) {
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(s.db());
    if (!txn.ok()) return txn.status();
    Status st = job(s);
    if (!st.ok()) return st;
    return (*txn)->Commit();
  }
  int64_t MakeTicket(Timestamp now) {
    int64_t id = 0;
    REQUIRE(InTxn(*store, [&](Store& s) -> Status {
      NewTicket t;
      t.channel = Channel::kWeb;
      t.subject = "Help";
      t.requester_email = "c@example.org";
      t.queue = "support";
      t.actor = Actor::Customer(Channel::kWeb, "");
      t.now = now;
      Result<int64_t> c = TicketStore(s).InsertTicket(t);
      if (!c.ok()) return c.status();
      id = *c;
      Result<Ticket> made = TicketStore(s).Get(id);
      return sla->Start(s, id, *sla->Select(*made, ""), now);
    }).ok());
    return id;
  }
  int64_t Count(const std::string& sql) {
    Result<Stmt> st = store->db().Prepare(sql);
    REQUIRE(st.ok());
    REQUIRE(*st->Step());
    return st->Int(0);
  }
  std::optional<int64_t> NextDue(int64_t id) {
    Result<Ticket> t = TicketStore(*store).Get(id);
    REQUIRE(t.ok());
    return t->next_due_at ? std::optional<int64_t>(ToUnix(*t->next_due_at)) : std::nullopt;
  }
};

TEST_CASE("a new ticket gets its policy, clocks and the first due time", "[sla_engine]") {
  Fixture f;
  Timestamp t0 = At("2026-11-23T10:00:00Z");
  int64_t id = f.MakeTicket(t0);
  Ticket t = *TicketStore(*f.store).Get(id);
  CHECK(t.sla_policy == "fast");
  CHECK(f.NextDue(id) == ToUnix(t0) + 1800);  // the 50 % level
  CHECK(f.Count("SELECT count(*) FROM sla_targets") == 2);
  CHECK(f.Count("SELECT count(*) FROM events WHERE kind = 'sla_assigned'") == 1);
}

TEST_CASE("levels fire once, in order, and a second sweep does nothing", "[sla_engine]") {
  Fixture f;
  Timestamp t0 = At("2026-11-23T10:00:00Z");
  int64_t id = f.MakeTicket(t0);
  TxnRunner run = [&](const std::function<Status(Store&)>& job) { return f.InTxn(*f.store, job); };
  Result<SweepReport> r = RunEscalations(*f.store, f.config, *f.sla, run, t0 + std::chrono::minutes(31), 100, false);
  REQUIRE(r.ok());
  CHECK(r->levels_fired == 1);
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE kind = 'escalation'") == 2);  // lead and the agent
  CHECK(f.NextDue(id) == ToUnix(t0) + 3600);  // now the due time itself
  r = RunEscalations(*f.store, f.config, *f.sla, run, t0 + std::chrono::minutes(31), 100, false);
  REQUIRE(r.ok());
  CHECK(r->tickets == 0);
  // A dry run past everything says what would happen and changes nothing.
  r = RunEscalations(*f.store, f.config, *f.sla, run, t0 + std::chrono::hours(2), 100, true);
  REQUIRE(r.ok());
  CHECK(r->levels_fired == 1);
  CHECK(r->breaches == 1);
  CHECK(f.Count("SELECT count(*) FROM sla_levels_fired") == 1);
}

TEST_CASE("concurrent sweeps fire each level exactly once", "[sla_engine][race]") {
  Fixture f;
  Timestamp t0 = At("2026-11-23T10:00:00Z");
  std::vector<int64_t> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(f.MakeTicket(t0));
  Timestamp later = t0 + std::chrono::hours(2);
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      std::unique_ptr<Store> mine = f.Connect();
      TxnRunner run = [&](const std::function<Status(Store&)>& job) { return f.InTxn(*mine, job); };
      Result<SweepReport> r = RunEscalations(*mine, f.config, *f.sla, run, later, 1000, false);
      results[k] = r.status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) CHECK(s.ok());
  CHECK(f.Count("SELECT count(*) FROM sla_levels_fired") == 40);
  CHECK(f.Count("SELECT count(*) FROM events WHERE kind = 'escalated'") == 40);
  CHECK(f.Count("SELECT count(*) FROM events WHERE kind = 'sla_breached'") == 20);
  CHECK(f.Count("SELECT count(*) FROM outbox") == 40);
  // Raised one step once, tagged once.
  CHECK(f.Count("SELECT count(*) FROM tickets WHERE priority = 'high' AND tags = '[\"late\"]'") == 20);
}

TEST_CASE("pending pauses every clock and clears next_due_at; open resumes", "[sla_engine]") {
  Fixture f;
  Timestamp t0 = At("2026-11-23T10:00:00Z");
  int64_t id = f.MakeTicket(t0);
  Timestamp t1 = t0 + std::chrono::minutes(20);
  REQUIRE(f.InTxn(*f.store, [&](Store& s) { return f.sla->OnStatusChange(s, id, TicketStatus::kNew, TicketStatus::kPending, t1); }).ok());
  CHECK_FALSE(f.NextDue(id).has_value());
  Timestamp t2 = t1 + std::chrono::hours(30);
  REQUIRE(f.InTxn(*f.store, [&](Store& s) { return f.sla->OnStatusChange(s, id, TicketStatus::kPending, TicketStatus::kOpen, t2); }).ok());
  // 20 minutes were used; the 50 % level is 10 minutes away.
  CHECK(f.NextDue(id) == ToUnix(t2) + 600);
  Result<std::vector<TargetClock>> clocks = SlaStore(*f.store).Clocks(id);
  REQUIRE(clocks.ok());
  CHECK((*clocks)[0].paused_seconds == 30 * 3600);
  // A public reply meets the first response.
  REQUIRE(f.InTxn(*f.store, [&](Store& s) { return f.sla->OnPublicReply(s, id, t2 + std::chrono::minutes(5)); }).ok());
  CHECK(f.NextDue(id) == ToUnix(t2) + 5 * 60 + (4 * 3600 - 25 * 60));  // resolution's due time
  Result<std::string> text = f.sla->Explain(*f.store, id, t2 + std::chrono::minutes(5));
  REQUIRE(text.ok());
  CHECK(text->find("first_response: target 1h = 1h of business time") != std::string::npos);
  CHECK(text->find("counted   25m of business time, paused for 1d 6h") != std::string::npos);
  CHECK(text->find("(on time)") != std::string::npos);
}

TEST_CASE("a policy snapshot round-trips", "[sla_engine]") {
  Config c = *LoadConfigText(kConfig, "fd.toml");
  std::string snap = SlaEngine::MakeSnapshot(c.slas[0]);
  Result<SlaPolicyConfig> back = SlaEngine::ParseSnapshot(snap);
  REQUIRE(back.ok());
  CHECK(SlaEngine::MakeSnapshot(*back) == snap);
  CHECK_FALSE(SlaEngine::ParseSnapshot("{]").ok());
}

}  // namespace
}  // namespace frontdesk
