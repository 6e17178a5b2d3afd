#include "daemon/tickets/standards.h"

#include <catch2/catch.hpp>

#include "config/loader.h"
#include "daemon/tickets/ticket_service.h"
#include "tests/test_db.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

const char* kConfig = R"toml(
[[queue]]
name = "support"
addresses = ["support@example.test"]
agents = ["a1@example.test", "a2@example.test"]
lead = "lead@example.test"
[[queue]]
name = "billing"
addresses = ["billing@example.test"]
agents = ["b1@example.test"]
[[sla]]
name = "std"
first_response = { within = "1h", standard = 80 }
resolution = { within = "8h", standard = 99.5, period = "30d" }
)toml";

struct Fixture {
  testing::ScratchDatabase db;
  Config config = *LoadConfigText(kConfig, "fd.toml");
  std::shared_ptr<const SlaEngine> sla = *SlaEngine::Build(config);
  std::unique_ptr<Store> store;
  Timestamp now = testing::At("2026-11-23T10:00:00Z");

  Fixture() {
    StoreOptions o;
    o.migrate = true;
    Result<std::unique_ptr<Store>> opened = Store::Open(db.location(), o);
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }

  // A ticket in `queue` whose first response was met (or breached) at
  // `at`, `at` being that long before now.
  int64_t Decided(const std::string& queue, bool met, std::chrono::seconds ago = std::chrono::hours(1)) {
    NewTicket t;
    t.channel = Channel::kWeb;
    t.actor = Actor::Customer(Channel::kWeb, "c@example.org");
    t.subject = "Printer " + std::to_string(++made_);
    t.body = "It jams.";
    t.requester_email = "c@example.org";
    t.queue = queue;
    t.now = now - ago - std::chrono::hours(2);
    int64_t id = 0;
    REQUIRE(DirectTxnRunner(*store)([&](Store& s) {
      Result<CreatedTicket> c = TicketService(s, config, *sla).Open(t);
      if (c.ok()) id = c->ticket_id;
      return c.status();
    }).ok());
    Result<Stmt> st = store->db().Prepare(std::string("UPDATE sla_targets SET ") +
                                          (met ? "met_at" : "breached_at") +
                                          " = ?2 WHERE ticket_id = ?1 AND target = 'first_response'");
    st->Bind(1, id).Bind(2, ToUnix(now - ago));
    REQUIRE(st->Run().ok());
    return id;
  }
  StandardsCheck Check(bool dry_run = false) {
    Result<StandardsCheck> c = CheckStandards(*store, config, DirectTxnRunner(*store), now, dry_run);
    REQUIRE(c.ok());
    return *c;
  }
  std::vector<std::string> Column(const char* sql) {
    Result<Stmt> st = store->db().Prepare(sql);
    return *st->Rows([](const Stmt& r) { return r.Text(0); });
  }
  const StandardReading& Reading(const std::vector<StandardReading>& all, const std::string& queue,
                                 const std::string& target) {
    for (const StandardReading& r : all)
      if (r.key.queue == queue && r.key.target == target) return r;
    FAIL("no reading for " << queue << " " << target);
    return all.front();
  }

 private:
  int made_ = 0;
};

using Strings = std::vector<std::string>;

TEST_CASE("a rate is judged against its standard without rounding", "[standards]") {
  CHECK_FALSE(JudgeStandard(9, 10, 90).below);
  CHECK(*JudgeStandard(9, 10, 90).by == Approx(0));
  CHECK(JudgeStandard(9, 10, 90).word == std::string("met"));
  CHECK(JudgeStandard(8, 10, 90).below);
  CHECK(*JudgeStandard(8, 10, 90).by == Approx(-10));
  CHECK_FALSE(JudgeStandard(199, 200, 99.5).below);
  CHECK(JudgeStandard(198, 200, 99.5).below);
  StandardVerdict none = JudgeStandard(0, 0, 90);
  CHECK_FALSE(none.below);
  CHECK_FALSE(none.percent);
  CHECK(none.word == std::string("none"));
}

TEST_CASE("the config gives a target a standard and a period", "[standards][config]") {
  Fixture f;
  const SlaPolicyConfig& p = f.config.slas.front();
  REQUIRE(p.standards.size() == 2);
  CHECK(p.standards[0].target == "first_response");
  CHECK(p.standards[0].percent == 80);
  CHECK(p.standards[0].period == std::chrono::hours(24 * 7));
  CHECK(p.standards[1].target == "resolution");
  CHECK(p.standards[1].percent == 99.5);
  CHECK(p.standards[1].period == std::chrono::hours(24 * 30));
  REQUIRE(p.first_response);
  CHECK(p.first_response->seconds == 3600);
}

TEST_CASE("readings count each queue's decided targets in the rolling period", "[standards]") {
  Fixture f;
  f.Decided("support", true);
  f.Decided("support", false, std::chrono::hours(30));
  f.Decided("support", false, std::chrono::hours(24 * 8));  // before the 7 days
  f.Decided("billing", true);
  Result<std::vector<StandardReading>> all = ReadStandards(*f.store, f.config, f.now);
  REQUIRE(all.ok());
  CHECK(all->size() == 4);  // two queues, two standards
  const StandardReading& support = f.Reading(*all, "support", "first_response");
  CHECK(support.met == 1);
  CHECK(support.decided == 2);
  REQUIRE(support.missed.size() == 1);
  CHECK(support.missed[0].second == f.now - std::chrono::hours(30));
  CHECK(support.verdict().below);
  const StandardReading& billing = f.Reading(*all, "billing", "first_response");
  CHECK(billing.met == 1);
  CHECK(billing.decided == 1);
  CHECK(f.Reading(*all, "support", "resolution").decided == 0);
}

TEST_CASE("the lead is told once on the way down, and again only after a recovery", "[standards]") {
  Fixture f;
  for (int i = 0; i < 4; ++i) f.Decided("support", true);
  f.Decided("support", false);
  // 4 of 5 is 80 %: the standard is met.
  StandardsCheck c = f.Check();
  CHECK(c.fell == 0);
  CHECK(f.Column("SELECT kind FROM outbox WHERE kind = 'standard_alert'").empty());

  int64_t late = f.Decided("support", false);  // 4 of 6
  c = f.Check(true);
  CHECK(c.fell == 0);
  CHECK(c.lines.size() == 1);
  CHECK(f.Column("SELECT kind FROM events WHERE ticket_id IS NULL").empty());  // a dry run writes nothing

  c = f.Check();
  CHECK(c.fell == 1);
  CHECK(f.Column("SELECT kind || ' to ' || recipient FROM outbox WHERE kind = 'standard_alert'") == Strings{"standard_alert to lead@example.test"});
  CHECK(f.Column("SELECT kind FROM events WHERE ticket_id IS NULL") == Strings{"standard_below"});
  Strings detail = f.Column("SELECT detail FROM events WHERE kind = 'standard_below'");
  CHECK(detail[0].find("\"missed\":[" + std::to_string(late - 1) + "," + std::to_string(late) + "]") !=
        std::string::npos);
  CHECK(detail[0].find("\"met\":4") != std::string::npos);

  // Still below, and below further: no second mail.
  f.Decided("support", false);
  c = f.Check();
  CHECK(c.fell == 0);
  CHECK(f.Column("SELECT kind FROM outbox WHERE kind = 'standard_alert'").size() == 1);

  // Recovered (12 of 15 is 80 %): an event, no mail.
  for (int i = 0; i < 8; ++i) f.Decided("support", true);
  c = f.Check();
  CHECK(c.recovered == 1);
  CHECK(f.Column("SELECT kind FROM events WHERE ticket_id IS NULL") == Strings{"standard_below", "standard_recovered"});
  CHECK(f.Column("SELECT kind FROM outbox WHERE kind = 'standard_alert'").size() == 1);

  // Fallen again: the second mail.
  f.Decided("support", false);
  c = f.Check();
  CHECK(c.fell == 1);
  CHECK(f.Column("SELECT dedupe_key FROM outbox WHERE kind = 'standard_alert' ORDER BY id") ==
        Strings{"standard:support:std:first_response:1:lead@example.test",
                "standard:support:std:first_response:2:lead@example.test"});
  CHECK(f.Column("SELECT falls FROM standard_state") == Strings{"2"});
}

TEST_CASE("a queue without a lead tells its agents; other queues are judged apart", "[standards]") {
  Fixture f;
  f.Decided("billing", false);
  f.Decided("support", true);
  StandardsCheck c = f.Check();
  CHECK(c.fell == 1);
  CHECK(f.Column("SELECT recipient FROM outbox WHERE kind = 'standard_alert'") == Strings{"b1@example.test"});
  CHECK(f.Column("SELECT queue FROM standard_state") == Strings{"billing"});
}

TEST_CASE("of two checks that both saw the fall, one tells", "[standards]") {
  Fixture f;
  StandardStore s(*f.store);
  StandardKey key{"support", "std", "first_response"};
  Result<std::optional<int64_t>> first = s.Fall(key, 1, 2, f.now);
  Result<std::optional<int64_t>> second = s.Fall(key, 1, 2, f.now);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(**first == 1);
  CHECK_FALSE(second->has_value());
  CHECK(*s.Recover(key, 2, 2, f.now));
  CHECK_FALSE(*s.Recover(key, 2, 2, f.now));
  CHECK(**s.Fall(key, 1, 3, f.now) == 2);
}

TEST_CASE("the period slides: an old breach stops counting", "[standards]") {
  Fixture f;
  f.Decided("support", false, std::chrono::hours(24 * 6));
  f.Decided("support", true);
  CHECK(f.Check().fell == 1);
  f.now += std::chrono::hours(24 * 2);  // the breach is now 8 days old
  StandardsCheck c = f.Check();
  CHECK(c.recovered == 1);
}

}  // namespace
}  // namespace frontdesk
