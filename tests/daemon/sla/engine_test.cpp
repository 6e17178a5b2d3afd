#include "daemon/sla/engine.h"

#include <catch2/catch.hpp>

#include <map>
#include <thread>

#include "config/loader.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/ticket_store.h"
#include "daemon/tickets/escalator.h"
#include "tests/test_db.h"
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
  testing::ScratchDatabase db;
  Config config = *LoadConfigText(kConfig, "fd.toml");
  std::shared_ptr<const SlaEngine> sla = *SlaEngine::Build(config);
  std::unique_ptr<Store> store;
  Fixture() {
    StoreOptions o;
    o.migrate = true;
    store = std::move(*Store::Open(db.location(), o));
  }
  std::unique_ptr<Store> Connect() {
    StoreOptions o;
    o.busy_timeout = std::chrono::milliseconds(10000);
    return std::move(*Store::Open(db.location(), o));
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

// A chunk is written a kind of row at a time (on PostgreSQL the touch
// triggers leave its rows to the tickets' update): each ticket must end as
// the rows written one at a time leave it on SQLite, where every event and
// clock moves the version by one through the triggers.
TEST_CASE("a sweep's chunk leaves each ticket as its rows one at a time would", "[sla_engine]") {
  Fixture f;
  Timestamp t0 = At("2026-11-23T10:00:00Z");
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(f.MakeTicket(t0 + std::chrono::minutes(i)));
  // A ticket whose policy is gone: the sweep clears its next due time.
  REQUIRE(f.InTxn(*f.store, [&](Store& s) {
    Result<Stmt> st = s.db().Prepare("UPDATE tickets SET sla_snapshot = NULL, next_due_at = ?2 WHERE id = ?1");
    return st.ok() ? st->Bind(1, ids[4]).Bind(2, ToUnix(t0)).Run() : st.status();
  }).ok());
  std::map<int64_t, int64_t> version, events;
  for (int64_t id : ids) {
    version[id] = TicketStore(*f.store).Get(id)->version;
    events[id] = f.Count("SELECT count(*) FROM events WHERE ticket_id = " + std::to_string(id));
  }
  Timestamp later = t0 + std::chrono::hours(2);
  TxnRunner run = [&](const std::function<Status(Store&)>& job) { return f.InTxn(*f.store, job); };
  Result<SweepReport> r = RunEscalations(*f.store, f.config, *f.sla, run, later, 100, false);
  REQUIRE(r.ok());
  CHECK(r->tickets == 5);
  CHECK(r->breaches == 4);
  CHECK(r->levels_fired == 8);
  for (int i = 0; i < 4; ++i) {
    const int64_t id = ids[i];
    Ticket t = *TicketStore(*f.store).Get(id);
    // One event per fact, in the order they happened.
    Result<std::vector<EventRecord>> log = TicketStore(*f.store).Events(id);
    REQUIRE(log.ok());
    std::vector<std::string> kinds;
    for (size_t k = static_cast<size_t>(events[id]); k < log->size(); ++k) kinds.push_back((*log)[k].kind);
    CHECK(kinds == std::vector<std::string>{"sla_breached", "escalated", "priority_changed", "tags_changed", "escalated"});
    // One move for the changed fields, one per event, one for the breached clock.
    CHECK(t.version == version[id] + 1 + static_cast<int64_t>(kinds.size()) + 1);
    CHECK(ToUnix(t.updated_at) == ToUnix(later));
    CHECK(t.priority == "high");
    CHECK(t.tags == std::vector<std::string>{"late"});
    // Both levels fired and the first response is late: resolution is next.
    CHECK(f.NextDue(id) == ToUnix(t0 + std::chrono::minutes(i) + std::chrono::hours(4)));
    CHECK(f.Count("SELECT sla_due_at FROM tickets WHERE id = " + std::to_string(id)) ==
          f.Count("SELECT min(due_at) FROM sla_targets WHERE met_at IS NULL AND paused_since IS NULL AND ticket_id = " +
                  std::to_string(id)));
    CHECK(f.Count("SELECT count(*) FROM outbox WHERE ticket_id = " + std::to_string(id)) == 2);
  }
  CHECK_FALSE(f.NextDue(ids[4]).has_value());
  CHECK(TicketStore(*f.store).Get(ids[4])->version == version[ids[4]]);
  // The versions are the ones a client reads: a change that names one applies.
  REQUIRE(f.InTxn(*f.store, [&](Store& s) {
    Ticket t = *TicketStore(s).Get(ids[0]);
    t.priority = "urgent";
    return TicketStore(s).SaveTicket(t, later);
  }).ok());
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

// Monday and Tuesday 09:00-17:00 in Warsaw, a 4-hour first response with a
// level at half of it; kHoliday closes Monday 23 November 11:00-13:00.
std::string OfficeConfig(const std::string& holidays) {
  return std::string(R"toml(
[[queue]]
name = "support"
agents = ["agent@example.test"]
[calendar.office]
timezone = "Europe/Warsaw"
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
)toml") + holidays + R"toml(
[[sla]]
name = "office"
calendar = "office"
first_response = "4h"
pause_on = ["pending"]
[[sla.escalation]]
target = "first_response"
at = "50%"
notify = ["lead@example.test"]
)toml";
}
const char* kHoliday = "holidays = [\"2026-11-23 11:00-13:00\"]\n";

struct OfficeFixture : Fixture {
  Config before = *LoadConfigText(OfficeConfig(""), "fd.toml");
  Config after = *LoadConfigText(OfficeConfig(kHoliday), "fd.toml");
  std::shared_ptr<const SlaEngine> old_sla = *SlaEngine::Build(before);
  std::shared_ptr<const SlaEngine> new_sla = *SlaEngine::Build(after);
  TxnRunner run = [this](const std::function<Status(Store&)>& job) { return InTxn(*store, job); };
  OfficeFixture() { sla = old_sla; }
  std::string DueOf(int64_t id, const std::string& target) {
    Result<std::vector<TargetClock>> clocks = SlaStore(*store).Clocks(id);
    REQUIRE(clocks.ok());
    for (const TargetClock& c : *clocks) {
      if (c.target == target) return c.due_at ? FormatRfc3339(*c.due_at) : "none";
    }
    return "no clock";
  }
  std::string NextDueText(int64_t id) {
    std::optional<int64_t> n = NextDue(id);
    return n ? FormatRfc3339(FromUnix(*n)) : "none";
  }
};

TEST_CASE("the fingerprint follows the calendars and policies only", "[sla_engine]") {
  Config a = *LoadConfigText(OfficeConfig(""), "fd.toml");
  Config b = *LoadConfigText(OfficeConfig(kHoliday), "fd.toml");
  Config c = *LoadConfigText(OfficeConfig("") + "[escalation]\ninterval = \"5m\"\n", "fd.toml");
  CHECK((*SlaEngine::Build(a))->fingerprint() == (*SlaEngine::Build(c))->fingerprint());
  CHECK((*SlaEngine::Build(a))->fingerprint() != (*SlaEngine::Build(b))->fingerprint());
}

TEST_CASE("a holiday added to the calendar moves the due times of running clocks", "[sla_engine][recompute]") {
  OfficeFixture f;
  Timestamp t0 = At("2026-11-23T09:00:00Z");  // Monday 10:00 CET
  int64_t running = f.MakeTicket(t0);
  int64_t paused = f.MakeTicket(t0);
  int64_t answered = f.MakeTicket(t0);
  REQUIRE(f.InTxn(*f.store, [&](Store& s) {
    return f.sla->OnStatusChange(s, paused, TicketStatus::kNew, TicketStatus::kPending, t0);
  }).ok());
  REQUIRE(f.InTxn(*f.store, [&](Store& s) { return f.sla->OnPublicReply(s, answered, t0 + std::chrono::minutes(5)); }).ok());
  REQUIRE(f.DueOf(running, "first_response") == "2026-11-23T13:00:00Z");
  REQUIRE(f.NextDueText(running) == "2026-11-23T11:00:00Z");  // the 50 % level

  // The calendar gets Monday's 11:00-13:00 closed; the daemon recomputes.
  Timestamp t1 = At("2026-11-23T09:30:00Z");
  Result<RecomputeReport> r = RecomputeDueTimes(*f.new_sla, f.run, t1);
  REQUIRE(r.ok());
  CHECK(r->tickets == 1);  // the paused and the answered ones have no running clock
  CHECK(r->moved == 1);
  CHECK(f.DueOf(running, "first_response") == "2026-11-23T15:00:00Z");
  CHECK(f.NextDueText(running) == "2026-11-23T13:00:00Z");  // 2 business hours: 10-11, 13-14 CET
  CHECK(f.DueOf(paused, "first_response") == "none");
  CHECK(f.Count("SELECT remaining_seconds FROM sla_targets WHERE ticket_id = " + std::to_string(paused)) == 4 * 3600);
  CHECK(f.Count("SELECT count(*) FROM events WHERE kind = 'sla_recomputed'") == 1);
  Result<Stmt> ev = f.store->db().Prepare("SELECT ticket_id, at, detail FROM events WHERE kind = 'sla_recomputed'");
  REQUIRE(ev.ok());
  REQUIRE(*ev->Step());
  CHECK(ev->Int(0) == running);
  CHECK(ev->Int(1) == ToUnix(t1));
  CHECK(ev->Text(2) ==
        R"({"clocks":[{"cycle":0,"new_due_at":"2026-11-23T15:00:00Z","old_due_at":"2026-11-23T13:00:00Z",)"
        R"("target":"first_response"}],"new_next_due_at":"2026-11-23T13:00:00Z","old_next_due_at":"2026-11-23T11:00:00Z"})");

  // Nothing moves the second time.
  r = RecomputeDueTimes(*f.new_sla, f.run, t1);
  REQUIRE(r.ok());
  CHECK(r->moved == 0);
  CHECK(f.Count("SELECT count(*) FROM events WHERE kind = 'sla_recomputed'") == 1);

  // The paused clock resumes under the new calendar with what it had left.
  REQUIRE(f.InTxn(*f.store, [&](Store& s) {
    return f.new_sla->OnStatusChange(s, paused, TicketStatus::kPending, TicketStatus::kOpen, t1);
  }).ok());
  CHECK(f.DueOf(paused, "first_response") == "2026-11-23T15:30:00Z");

  // A sweep before the new due time fires the level and records no breach;
  // one after it records the breach at 15:00Z.
  Result<SweepReport> sweep = RunEscalations(*f.store, f.after, *f.new_sla, f.run, At("2026-11-23T14:00:00Z"), 100, false);
  REQUIRE(sweep.ok());
  CHECK(sweep->breaches == 0);
  CHECK(sweep->levels_fired == 2);
  CHECK(f.NextDueText(running) == "2026-11-23T15:00:00Z");
  sweep = RunEscalations(*f.store, f.after, *f.new_sla, f.run, At("2026-11-23T15:10:00Z"), 100, false);
  REQUIRE(sweep.ok());
  CHECK(sweep->breaches == 1);
  CHECK(f.Count("SELECT breached_at FROM sla_targets WHERE ticket_id = " + std::to_string(running)) ==
        ToUnix(At("2026-11-23T15:00:00Z")));
  CHECK(f.Count("SELECT count(*) FROM events WHERE kind = 'sla_breached' AND detail LIKE '%15:00:00Z%'") == 1);
}

TEST_CASE("a sweep whose calendar is newer than the stored due times breaches when time really ran out",
          "[sla_engine][recompute]") {
  OfficeFixture f;
  int64_t id = f.MakeTicket(At("2026-11-23T09:00:00Z"));
  // Past the stale due time (13:00Z) but before the real one: no breach, and
  // the ticket is not due again until the real one.
  Result<SweepReport> sweep = RunEscalations(*f.store, f.after, *f.new_sla, f.run, At("2026-11-23T13:30:00Z"), 100, false);
  REQUIRE(sweep.ok());
  CHECK(sweep->breaches == 0);
  CHECK(f.DueOf(id, "first_response") == "2026-11-23T15:00:00Z");
  CHECK(f.NextDueText(id) == "2026-11-23T15:00:00Z");
  CHECK(f.Count("SELECT count(*) FROM events WHERE kind = 'sla_recomputed'") == 1);
  sweep = RunEscalations(*f.store, f.after, *f.new_sla, f.run, At("2026-11-23T13:31:00Z"), 100, false);
  REQUIRE(sweep.ok());
  CHECK(sweep->tickets == 0);
  sweep = RunEscalations(*f.store, f.after, *f.new_sla, f.run, At("2026-11-23T16:00:00Z"), 100, false);
  REQUIRE(sweep.ok());
  CHECK(sweep->breaches == 1);
  CHECK(f.Count("SELECT breached_at FROM sla_targets") == ToUnix(At("2026-11-23T15:00:00Z")));
}

TEST_CASE("sla explain shows the due time it stores and the closed time it skips", "[sla_engine][recompute]") {
  OfficeFixture f;
  int64_t id = f.MakeTicket(At("2026-11-23T09:00:00Z"));
  REQUIRE(RecomputeDueTimes(*f.new_sla, f.run, At("2026-11-23T09:00:00Z")).ok());
  Result<std::string> text = f.new_sla->Explain(*f.store, id, At("2026-11-23T09:30:00Z"));
  REQUIRE(text.ok());
  INFO(*text);
  CHECK(text->find("  skipped   Mon 2026-11-23 11:00 CET -> Mon 2026-11-23 13:00 CET (holiday)\n"
                   "  due       Mon 2026-11-23 16:00 CET\n") != std::string::npos);
  CHECK(text->find("level 1 at 50%: due Mon 2026-11-23 14:00 CET") != std::string::npos);
  // Read with a config the daemon has not loaded yet, it says both.
  text = f.old_sla->Explain(*f.store, id, At("2026-11-23T09:30:00Z"));
  REQUIRE(text.ok());
  CHECK(text->find("  due       Mon 2026-11-23 14:00 CET (stored: Mon 2026-11-23 16:00 CET, from an older calendar; "
                   "the daemon recomputes it when it reloads or starts)\n") != std::string::npos);
  // A due time off the whole minute shows its seconds.
  int64_t odd = f.MakeTicket(At("2026-11-23T14:24:08Z"));
  text = f.sla->Explain(*f.store, odd, At("2026-11-23T14:30:00Z"));
  REQUIRE(text.ok());
  CHECK(text->find("  started   Mon 2026-11-23 15:24:08 CET\n") != std::string::npos);
  CHECK(text->find("  due       Tue 2026-11-24 11:24:08 CET\n") != std::string::npos);
}

}  // namespace
}  // namespace frontdesk
