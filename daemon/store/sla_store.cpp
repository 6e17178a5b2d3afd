#include "daemon/store/sla_store.h"

#include <cstdint>
#include <map>
#include <string>

#include "daemon/store/json_rows.h"

namespace frontdesk {
namespace {

std::optional<int64_t> Unix(const std::optional<Timestamp>& t) {
  return t ? std::optional<int64_t>(ToUnix(*t)) : std::nullopt;
}
std::optional<Timestamp> Time(const std::optional<int64_t>& v) {
  return v ? std::optional<Timestamp>(FromUnix(*v)) : std::nullopt;
}

constexpr const char* kClockColumns =
    "target, cycle, started_at, due_at, paused_since, paused_seconds, met_at, breached_at, "
    "business_seconds, total_seconds, remaining_seconds, running_since";

// Reads kClockColumns from column `at` on.
TargetClock ReadClock(const Stmt& r, int at) {
  TargetClock c;
  c.target = r.Text(at);
  c.cycle = r.Int(at + 1);
  c.started_at = FromUnix(r.Int(at + 2));
  c.due_at = Time(r.OptInt(at + 3));
  c.paused_since = Time(r.OptInt(at + 4));
  c.paused_seconds = r.Int(at + 5);
  c.met_at = Time(r.OptInt(at + 6));
  c.breached_at = Time(r.OptInt(at + 7));
  c.business_seconds = r.OptInt(at + 8);
  c.total_seconds = r.Int(at + 9);
  c.remaining_seconds = r.Int(at + 10);
  c.running_since = Time(r.OptInt(at + 11));
  return c;
}

template <class Visit>
Status EachRow(Stmt& st, Visit visit) {
  for (;;) {
    Result<bool> row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    visit(st);
  }
}

}  // namespace

Result<std::vector<TargetClock>> SlaStore::Clocks(int64_t ticket_id) {
  Result<Stmt> st =
      db_.Prepare(std::string("SELECT ") + kClockColumns + " FROM sla_targets WHERE ticket_id = ?1 ORDER BY target, cycle");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  return st->Rows([](const Stmt& r) { return ReadClock(r, 0); });
}

Status SlaStore::SetDue(int64_t ticket_id, const std::string& target, int64_t cycle, std::optional<Timestamp> due) {
  Result<Stmt> st = db_.Prepare("UPDATE sla_targets SET due_at = ?4 WHERE ticket_id = ?1 AND target = ?2 AND cycle = ?3");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, target).Bind(3, cycle).Bind(4, Unix(due));
  return st->Run();
}

Result<std::vector<RunningTicket>> SlaStore::RunningTickets(int64_t after_id, int limit) {
  // The primary key (ticket_id, target, cycle) makes each read a range scan.
  Result<Stmt> st = db_.Prepare(
      "SELECT id, sla_snapshot, next_due_at FROM tickets WHERE id IN "
      "(SELECT DISTINCT ticket_id FROM sla_targets WHERE ticket_id > ?1 AND met_at IS NULL "
      "AND running_since IS NOT NULL ORDER BY ticket_id LIMIT ?2) ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, after_id).Bind(2, static_cast<int64_t>(limit));
  Result<std::vector<RunningTicket>> page = st->Rows([](const Stmt& r) {
    RunningTicket t;
    t.id = r.Int(0);
    t.snapshot = r.OptText(1).value_or("");
    t.next_due_at = Time(r.OptInt(2));
    return t;
  });
  if (!page.ok() || page->empty()) return page;
  std::map<int64_t, RunningTicket*> by_id;
  for (RunningTicket& t : *page) by_id[t.id] = &t;
  Result<Stmt> clocks = db_.Prepare(std::string("SELECT ticket_id, ") + kClockColumns +
                                    " FROM sla_targets WHERE ticket_id BETWEEN ?1 AND ?2 AND met_at IS NULL "
                                    "AND running_since IS NOT NULL ORDER BY ticket_id, target, cycle");
  if (!clocks.ok()) return clocks.status();
  clocks->Bind(1, page->front().id).Bind(2, page->back().id);
  Status s = EachRow(*clocks, [&](const Stmt& r) {
    auto it = by_id.find(r.Int(0));
    if (it != by_id.end()) it->second->clocks.push_back(ReadClock(r, 1));
  });
  if (!s.ok()) return s;
  Result<Stmt> fired =
      db_.Prepare("SELECT ticket_id, target, cycle, level FROM sla_levels_fired WHERE ticket_id BETWEEN ?1 AND ?2");
  if (!fired.ok()) return fired.status();
  fired->Bind(1, page->front().id).Bind(2, page->back().id);
  s = EachRow(*fired, [&](const Stmt& r) {
    auto it = by_id.find(r.Int(0));
    if (it != by_id.end()) it->second->fired.insert({r.Text(1), r.Int(2), static_cast<int>(r.Int(3))});
  });
  if (!s.ok()) return s;
  return page;
}

Status SlaStore::SaveClock(int64_t ticket_id, const TargetClock& c) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO sla_targets(ticket_id, target, cycle, started_at, due_at, paused_since, "
      "paused_seconds, met_at, breached_at, business_seconds, total_seconds, remaining_seconds, running_since) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
      "ON CONFLICT (ticket_id, target, cycle) DO UPDATE SET started_at = excluded.started_at, "
      "due_at = excluded.due_at, paused_since = excluded.paused_since, paused_seconds = excluded.paused_seconds, "
      "met_at = excluded.met_at, breached_at = excluded.breached_at, business_seconds = excluded.business_seconds, "
      "total_seconds = excluded.total_seconds, remaining_seconds = excluded.remaining_seconds, "
      "running_since = excluded.running_since");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, c.target).Bind(3, c.cycle).Bind(4, ToUnix(c.started_at))
      .Bind(5, Unix(c.due_at)).Bind(6, Unix(c.paused_since)).Bind(7, c.paused_seconds)
      .Bind(8, Unix(c.met_at)).Bind(9, Unix(c.breached_at)).Bind(10, c.business_seconds)
      .Bind(11, c.total_seconds).Bind(12, c.remaining_seconds).Bind(13, Unix(c.running_since));
  return st->Run();
}

Result<std::vector<std::pair<FiredLevel, Timestamp>>> SlaStore::FiredWithTimes(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT target, cycle, level, fired_at FROM sla_levels_fired WHERE ticket_id = ?1 ORDER BY fired_at, level");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  return st->Rows([](const Stmt& r) {
    return std::pair<FiredLevel, Timestamp>{{r.Text(0), r.Int(1), static_cast<int>(r.Int(2))}, FromUnix(r.Int(3))};
  });
}

Result<std::set<FiredLevel>> SlaStore::Fired(int64_t ticket_id) {
  Result<std::vector<std::pair<FiredLevel, Timestamp>>> all = FiredWithTimes(ticket_id);
  if (!all.ok()) return all.status();
  std::set<FiredLevel> out;
  for (const auto& f : *all) out.insert(f.first);
  return out;
}

Result<bool> SlaStore::MarkFired(int64_t ticket_id, const FiredLevel& level, Timestamp at) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO sla_levels_fired(ticket_id, target, cycle, level, fired_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, std::get<0>(level)).Bind(3, std::get<1>(level))
      .Bind(4, static_cast<int64_t>(std::get<2>(level))).Bind(5, ToUnix(at));
  Status s = st->Run();
  if (!s.ok()) return s;
  return db_.Changes() == 1;
}

Result<std::vector<SlaState>> SlaStore::States(const std::vector<int64_t>& ids) {
  std::vector<SlaState> out;
  if (ids.empty()) return out;
  const std::string list = IdsParam(db_, ids);
  Result<Stmt> st = db_.Prepare("SELECT id, sla_snapshot FROM tickets WHERE " + InIds(db_, "id", 1) + " ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, list);
  Result<std::vector<SlaState>> states = st->Rows([](const Stmt& r) {
    SlaState t;
    t.id = r.Int(0);
    t.snapshot = r.OptText(1);
    return t;
  });
  if (!states.ok() || states->empty()) return states;
  std::map<int64_t, SlaState*> by_id;
  for (SlaState& t : *states) by_id[t.id] = &t;
  Result<Stmt> clocks = db_.Prepare(std::string("SELECT ticket_id, ") + kClockColumns + " FROM sla_targets WHERE " +
                                    InIds(db_, "ticket_id", 1) + " ORDER BY ticket_id, target, cycle");
  if (!clocks.ok()) return clocks.status();
  clocks->Bind(1, list);
  Status s = EachRow(*clocks, [&](const Stmt& r) {
    auto it = by_id.find(r.Int(0));
    if (it != by_id.end()) it->second->clocks.push_back(ReadClock(r, 1));
  });
  if (!s.ok()) return s;
  Result<Stmt> fired = db_.Prepare("SELECT ticket_id, target, cycle, level FROM sla_levels_fired WHERE " +
                                   InIds(db_, "ticket_id", 1));
  if (!fired.ok()) return fired.status();
  fired->Bind(1, list);
  s = EachRow(*fired, [&](const Stmt& r) {
    auto it = by_id.find(r.Int(0));
    if (it != by_id.end()) it->second->fired.insert({r.Text(1), r.Int(2), static_cast<int>(r.Int(3))});
  });
  if (!s.ok()) return s;
  return states;
}

Result<std::vector<FiredMark>> SlaStore::MarkFiredMany(const std::vector<FiredMark>& marks, Timestamp at) {
  std::vector<FiredMark> recorded;
  if (!db_.postgres()) {
    for (const FiredMark& m : marks) {
      Result<bool> inserted = MarkFired(m.ticket_id, m.level, at);
      if (!inserted.ok()) return inserted.status();
      if (*inserted) recorded.push_back(m);
    }
    return recorded;
  }
  if (marks.empty()) return recorded;
  JsonRows rows;
  for (const FiredMark& m : marks) {
    rows.Row().Add("t", m.ticket_id).Add("g", std::get<0>(m.level)).Add("c", std::get<1>(m.level))
        .Add("l", int64_t{std::get<2>(m.level)});
  }
  // In key order, so two sweeps that meet wait for each other in one order.
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO sla_levels_fired(ticket_id, target, cycle, level, fired_at) "
      "SELECT r.t, r.g, r.c, r.l, ?2 FROM jsonb_to_recordset(CAST(?1 AS JSONB)) AS r(t BIGINT, g TEXT, c BIGINT, l BIGINT) "
      "ORDER BY r.t, r.g, r.c, r.l ON CONFLICT DO NOTHING RETURNING ticket_id, target, cycle, level");
  if (!st.ok()) return st.status();
  st->Bind(1, rows.Take()).Bind(2, ToUnix(at));
  Result<std::vector<FiredMark>> inserted = st->Rows([](const Stmt& r) {
    return FiredMark{r.Int(0), {r.Text(1), r.Int(2), static_cast<int>(r.Int(3))}};
  });
  if (!inserted.ok()) return inserted.status();
  std::set<std::pair<int64_t, FiredLevel>> made;
  for (const FiredMark& m : *inserted) made.insert({m.ticket_id, m.level});
  for (const FiredMark& m : marks) {
    if (made.count({m.ticket_id, m.level})) recorded.push_back(m);
  }
  return recorded;
}

Status SlaStore::UpdateClocks(const std::vector<ClockSave>& clocks) {
  if (!db_.postgres()) {
    for (const ClockSave& c : clocks) {
      Status s = SaveClock(c.ticket_id, c.clock);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  if (clocks.empty()) return Status::Ok();
  JsonRows rows;
  for (const ClockSave& s : clocks) {
    const TargetClock& c = s.clock;
    rows.Row().Add("ticket_id", s.ticket_id).Add("target", c.target).Add("cycle", c.cycle)
        .Add("started_at", ToUnix(c.started_at)).Add("due_at", Unix(c.due_at)).Add("paused_since", Unix(c.paused_since))
        .Add("paused_seconds", c.paused_seconds).Add("met_at", Unix(c.met_at)).Add("breached_at", Unix(c.breached_at))
        .Add("business_seconds", c.business_seconds).Add("total_seconds", c.total_seconds)
        .Add("remaining_seconds", c.remaining_seconds).Add("running_since", Unix(c.running_since));
  }
  // An UPDATE, not SaveClock's upsert: these clocks were read in this
  // transaction, and an upsert would run the insert trigger for every row.
  Result<Stmt> st = db_.Prepare(
      "UPDATE sla_targets AS s SET started_at = r.started_at, due_at = r.due_at, paused_since = r.paused_since, "
      "paused_seconds = r.paused_seconds, met_at = r.met_at, breached_at = r.breached_at, "
      "business_seconds = r.business_seconds, total_seconds = r.total_seconds, "
      "remaining_seconds = r.remaining_seconds, running_since = r.running_since "
      "FROM jsonb_to_recordset(CAST(?1 AS JSONB)) AS r(ticket_id BIGINT, target TEXT, cycle BIGINT, "
      "started_at BIGINT, due_at BIGINT, paused_since BIGINT, paused_seconds BIGINT, met_at BIGINT, "
      "breached_at BIGINT, business_seconds BIGINT, total_seconds BIGINT, remaining_seconds BIGINT, "
      "running_since BIGINT) "
      "WHERE s.ticket_id = r.ticket_id AND s.target = r.target AND s.cycle = r.cycle");
  if (!st.ok()) return st.status();
  st->Bind(1, rows.Take());
  Status s = st->Run();
  if (!s.ok()) return s;
  if (db_.Changes() != static_cast<int>(clocks.size())) {
    return Status::PreconditionFailed("an SLA clock of this batch is gone");
  }
  return Status::Ok();
}

Status SlaStore::SetPolicy(int64_t ticket_id, const std::string& name, int version, const std::string& snapshot) {
  Result<Stmt> st = db_.Prepare(
      "UPDATE tickets SET sla_policy = ?2, sla_policy_version = ?3, sla_snapshot = ?4 WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, name).Bind(3, static_cast<int64_t>(version)).Bind(4, snapshot);
  return st->Run();
}

Result<std::optional<std::string>> SlaStore::Snapshot(int64_t ticket_id) {
  Result<Stmt> st = db_.Prepare("SELECT sla_snapshot FROM tickets WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no ticket " + std::to_string(ticket_id));
  return st->OptText(0);
}

Status SlaStore::SetNextDue(int64_t ticket_id, std::optional<Timestamp> at) {
  Result<Stmt> st = db_.Prepare("UPDATE tickets SET next_due_at = ?2 WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, ticket_id).Bind(2, Unix(at));
  return st->Run();
}

Result<std::vector<int64_t>> SlaStore::DueTickets(Timestamp now, int limit) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id FROM tickets WHERE next_due_at IS NOT NULL AND next_due_at <= ?1 ORDER BY next_due_at LIMIT ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, ToUnix(now)).Bind(2, static_cast<int64_t>(limit));
  return st->Rows([](const Stmt& r) { return r.Int(0); });
}

Result<std::vector<SlaStore::Rejection>> SlaStore::Rejections(int limit, std::optional<int64_t> before_id) {
  Result<Stmt> st = db_.Prepare(
      "SELECT id, at, channel, COALESCE(rule_id, ''), reason, COALESCE(sender, ''), COALESCE(subject, '') "
      "FROM rejections WHERE id < ?1 ORDER BY id DESC LIMIT ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, before_id.value_or(INT64_MAX)).Bind(2, static_cast<int64_t>(limit));
  return st->Rows([](const Stmt& r) {
    return Rejection{r.Int(0), FromUnix(r.Int(1)), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6)};
  });
}

Status SlaStore::AddRejection(const std::string& channel, const std::string& rule, const std::string& reason,
                              const std::string& sender, const std::string& subject, Timestamp now) {
  Result<Stmt> st = db_.Prepare(
      "INSERT INTO rejections(at, channel, rule_id, reason, sender, subject) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st.ok()) return st.status();
  st->Bind(1, ToUnix(now)).Bind(2, channel).Bind(3, rule).Bind(4, reason).Bind(5, sender).Bind(6, subject);
  return st->Run();
}

}  // namespace frontdesk
