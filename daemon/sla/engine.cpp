#include "daemon/sla/engine.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "config/policy_loader.h"
#include "daemon/base/random.h"
#include "daemon/sla/explain_text.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {
namespace {

using nlohmann::json;
constexpr const char* kTargets[] = {"first_response", "next_response", "resolution"};

const std::optional<SlaDuration>& TargetOf(const SlaPolicyConfig& p, const std::string& t) {
  return t == "first_response" ? p.first_response : t == "next_response" ? p.next_response : p.resolution;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

const char* kRaise[] = {"low", "normal", "high", "urgent"};

json TimeJson(const std::optional<Timestamp>& t) { return t ? json(FormatRfc3339(*t)) : json(nullptr); }

// A running clock whose due time moved when its calendar changed.
struct DueChange {
  std::string target;
  int64_t cycle = 0;
  std::optional<Timestamp> from, to;
};

std::vector<DueChange> RefreshAll(std::vector<TargetClock>& clocks, const Calendar& cal) {
  std::vector<DueChange> moved;
  for (TargetClock& c : clocks) {
    std::optional<Timestamp> before = c.due_at;
    if (RefreshDue(c, cal)) moved.push_back({c.target, c.cycle, before, c.due_at});
  }
  return moved;
}

// The earliest pending event of a ticket: a due time not yet breached, or a
// level not yet fired, all by the calendar as it is now.
std::optional<Timestamp> NextDue(const std::vector<TargetClock>& clocks, const std::set<FiredLevel>& fired,
                                 const SlaPolicyConfig& p, const Calendar& cal) {
  std::optional<Timestamp> next;
  auto consider = [&](std::optional<Timestamp> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  for (const TargetClock& c : clocks) {
    if (c.finished() || !c.running_since) continue;
    if (!c.breached_at) consider(DueAt(c, cal));
    for (size_t i = 0; i < p.escalations.size(); ++i) {
      const EscalationLevel& l = p.escalations[i];
      if (l.target != c.target || fired.count({c.target, c.cycle, static_cast<int>(i)})) continue;
      consider(LevelTime(c, cal, l));
    }
  }
  return next;
}

// The detail of the one event that tells of moved due times (with
// next_due_at when that moved too).
std::string MovedDetail(const std::vector<DueChange>& moved, std::optional<Timestamp> old_next,
                        std::optional<Timestamp> new_next) {
  json clocks = json::array();
  for (const DueChange& m : moved) {
    clocks.push_back({{"target", m.target}, {"cycle", m.cycle}, {"old_due_at", TimeJson(m.from)},
                      {"new_due_at", TimeJson(m.to)}});
  }
  json detail = {{"clocks", clocks}};
  if (old_next != new_next) {
    detail["old_next_due_at"] = TimeJson(old_next);
    detail["new_next_due_at"] = TimeJson(new_next);
  }
  return detail.dump();
}

// Writes the moved due times and the event that tells of them.
Status RecordMoved(Store& store, int64_t ticket_id, const std::string& policy, const std::vector<DueChange>& moved,
                   std::optional<Timestamp> old_next, std::optional<Timestamp> new_next, Timestamp now) {
  SlaStore sla(store);
  for (const DueChange& m : moved) {
    Status s = sla.SetDue(ticket_id, m.target, m.cycle, m.to);
    if (!s.ok()) return s;
  }
  return TicketStore(store).AddEvent(ticket_id, now, "sla_recomputed", "sla:" + policy, std::nullopt,
                                     MovedDetail(moved, old_next, new_next));
}

// Everything that decides a due time, in one canonical text.
std::string Fingerprint(const Config& config) {
  json cals = json::array();
  for (const CalendarConfig& c : config.calendars) {
    json week = json::array();
    for (const std::vector<TimeWindow>& day : c.week) {
      json windows = json::array();
      for (const TimeWindow& w : day) windows.push_back({w.start_minute, w.end_minute});
      week.push_back(windows);
    }
    json holidays = json::array();
    for (const Closure& h : c.holidays) {
      holidays.push_back({h.year, h.month, h.day, h.window.start_minute, h.window.end_minute});
    }
    cals.push_back({{"name", c.name}, {"timezone", c.timezone}, {"always_open", c.always_open}, {"week", week},
                    {"holidays", holidays}});
  }
  json policies = json::array();
  for (const SlaPolicyConfig& p : config.slas) {
    policies.push_back({{"policy", SlaEngine::MakeSnapshot(p)}, {"queues", p.queues}, {"priorities", p.priorities},
                        {"categories", p.categories}, {"tags", p.tags}, {"channels", p.channels}});
  }
  return Sha256Hex(json{{"calendars", cals}, {"policies", policies}}.dump());
}

}  // namespace

std::string SlaEngine::MakeSnapshot(const SlaPolicyConfig& p) {
  json levels = json::array();
  for (const EscalationLevel& l : p.escalations) {
    levels.push_back({{"target", l.target}, {"at", l.at_text}, {"notify", l.notify},
                      {"raise_priority", l.raise_priority}, {"set_priority", l.set_priority},
                      {"move_to_queue", l.move_to_queue}, {"add_tag", l.add_tag},
                      {"template", l.template_name}});
  }
  json j = {{"name", p.name}, {"version", p.version}, {"calendar", p.calendar}, {"pause_on", p.pause_on},
            {"escalations", levels}};
  for (const char* t : kTargets) {
    const std::optional<SlaDuration>& d = TargetOf(p, t);
    j[t] = d ? json(d->text) : json(nullptr);
  }
  if (p.cutoff_minute) j["cutoff"] = *p.cutoff_minute;
  return j.dump();
}

Result<SlaPolicyConfig> SlaEngine::ParseSnapshot(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::Internal("a ticket's SLA snapshot is not valid JSON");
  try {
    SlaPolicyConfig p;
    p.name = j.at("name").get<std::string>();
    p.version = j.at("version").get<int>();
    p.calendar = j.at("calendar").get<std::string>();
    p.pause_on = j.at("pause_on").get<std::vector<std::string>>();
    for (const char* t : kTargets) {
      if (!j.contains(t) || j[t].is_null()) continue;
      Result<SlaDuration> d = ParseSlaDuration(j[t].get<std::string>());
      if (!d.ok()) return d.status();
      (std::string_view(t) == "first_response" ? p.first_response
       : std::string_view(t) == "next_response" ? p.next_response
                                                 : p.resolution) = *d;
    }
    // Snapshots from before same_business_day targets have no cutoff.
    if (j.contains("cutoff") && j["cutoff"].is_number_integer()) p.cutoff_minute = j["cutoff"].get<int>();
    ApplyCutoff(p);
    for (const json& l : j.at("escalations")) {
      EscalationLevel level;
      level.target = l.at("target").get<std::string>();
      Status s = ParseLevelAt(l.at("at").get<std::string>(), &level);
      if (!s.ok()) return s;
      level.notify = l.at("notify").get<std::vector<std::string>>();
      level.raise_priority = l.at("raise_priority").get<bool>();
      level.set_priority = l.at("set_priority").get<std::string>();
      level.move_to_queue = l.at("move_to_queue").get<std::string>();
      level.add_tag = l.at("add_tag").get<std::string>();
      // Snapshots from before templates have none: the common one.
      level.template_name = l.value("template", std::string("escalation"));
      p.escalations.push_back(std::move(level));
    }
    return p;
  } catch (const json::exception& e) {
    return Status::Internal(std::string("a ticket's SLA snapshot is damaged: ") + e.what());
  }
}

Result<std::shared_ptr<const SlaEngine>> SlaEngine::Build(const Config& config) {
  auto engine = std::shared_ptr<SlaEngine>(new SlaEngine());
  engine->config_ = config;
  for (const CalendarConfig& c : config.calendars) {
    Result<Calendar> cal = Calendar::Build(c);
    if (!cal.ok()) return cal.status();
    engine->calendars_.emplace(c.name, std::move(*cal));
  }
  engine->fingerprint_ = Fingerprint(config);
  return std::shared_ptr<const SlaEngine>(engine);
}

const Calendar& SlaEngine::CalendarFor(const std::string& name) const {
  // A calendar removed from the config falls back to 24x7 rather than
  // stopping every clock that used it.
  auto it = calendars_.find(name);
  return it != calendars_.end() ? it->second : calendars_.at("24x7");
}

int64_t SlaEngine::BusinessSecondsBetween(const std::optional<std::string>& policy, Timestamp from,
                                          Timestamp to) const {
  const SlaPolicyConfig* p = policy ? config_.FindSla(*policy) : nullptr;
  if (!p) return ToUnix(to) - ToUnix(from);
  const Calendar& cal = CalendarFor(p->calendar);
  return to >= from ? cal.BusinessSeconds(from, to) : -cal.BusinessSeconds(to, from);
}

const SlaPolicyConfig* SlaEngine::Select(const Ticket& t, const std::string& named) const {
  if (!named.empty()) return config_.FindSla(named);
  for (const SlaPolicyConfig& p : config_.slas) {
    if (!p.queues.empty() && !Contains(p.queues, t.queue)) continue;
    if (!p.priorities.empty() && !Contains(p.priorities, t.priority)) continue;
    if (!p.categories.empty() && !Contains(p.categories, t.category.value_or(""))) continue;
    if (!p.channels.empty() && !Contains(p.channels, std::string(Name(t.channel)))) continue;
    if (!p.tags.empty() && std::none_of(t.tags.begin(), t.tags.end(), [&](const std::string& tag) {
          return Contains(p.tags, tag);
        })) {
      continue;
    }
    return &p;
  }
  return nullptr;
}

Result<SlaPolicyConfig> SlaEngine::PolicyOf(Store& store, int64_t ticket_id) const {
  SlaStore sla(store);
  Result<std::optional<std::string>> snap = sla.Snapshot(ticket_id);
  if (!snap.ok()) return snap.status();
  if (!*snap) return Status::NotFound("ticket " + std::to_string(ticket_id) + " has no SLA policy");
  return ParseSnapshot(**snap);
}

std::optional<Timestamp> SlaEngine::FirstResponseDueFor(const Ticket& t, const std::string& named,
                                                        Timestamp now) const {
  const SlaPolicyConfig* p = Select(t, named);
  if (!p) return std::nullopt;
  const std::optional<SlaDuration>& d = TargetOf(*p, "first_response");
  if (!d) return std::nullopt;
  return StartClock(CalendarFor(p->calendar), "first_response", 0, *d, now, false).due_at;
}

Status SlaEngine::Start(Store& store, int64_t ticket_id, const SlaPolicyConfig& p, Timestamp now) const {
  SlaStore sla(store);
  TicketStore tickets(store);
  Status s = sla.SetPolicy(ticket_id, p.name, p.version, MakeSnapshot(p));
  if (!s.ok()) return s;
  const Calendar& cal = CalendarFor(p.calendar);
  for (const char* target : {"first_response", "resolution"}) {
    const std::optional<SlaDuration>& d = TargetOf(p, target);
    if (!d) continue;
    s = sla.SaveClock(ticket_id, StartClock(cal, target, 0, *d, now, false));
    if (!s.ok()) return s;
  }
  s = tickets.AddEvent(ticket_id, now, "sla_assigned", "sla:" + p.name, std::nullopt,
                       json{{"policy", p.name}, {"version", p.version}, {"calendar", p.calendar}}.dump());
  if (!s.ok()) return s;
  return Reschedule(store, ticket_id, p, now);
}

Status SlaEngine::OnPublicReply(Store& store, int64_t ticket_id, Timestamp now) const {
  Result<SlaPolicyConfig> p = PolicyOf(store, ticket_id);
  if (!p.ok()) return p.status().code() == Status::Code::kNotFound ? Status::Ok() : p.status();
  SlaStore sla(store);
  Result<std::vector<TargetClock>> clocks = sla.Clocks(ticket_id);
  if (!clocks.ok()) return clocks.status();
  const Calendar& cal = CalendarFor(p->calendar);
  for (TargetClock& c : *clocks) {
    if (c.finished() || c.target == "resolution") continue;
    Meet(c, cal, now);
    Status s = sla.SaveClock(ticket_id, c);
    if (!s.ok()) return s;
    s = TicketStore(store).AddEvent(ticket_id, now, "sla_met", "sla:" + p->name, std::nullopt,
                                    json{{"target", c.target}, {"cycle", c.cycle}, {"business_seconds", *c.business_seconds},
                                         {"late", c.breached_at.has_value()}}.dump());
    if (!s.ok()) return s;
  }
  return Reschedule(store, ticket_id, *p, now);
}

Status SlaEngine::OnCustomerMessage(Store& store, int64_t ticket_id, Timestamp now) const {
  Result<SlaPolicyConfig> p = PolicyOf(store, ticket_id);
  if (!p.ok()) return p.status().code() == Status::Code::kNotFound ? Status::Ok() : p.status();
  if (!p->next_response) return Status::Ok();
  SlaStore sla(store);
  Result<std::vector<TargetClock>> clocks = sla.Clocks(ticket_id);
  if (!clocks.ok()) return clocks.status();
  int64_t next_cycle = 0;
  for (const TargetClock& c : *clocks) {
    // Still waiting for the first response, or for the last one: the
    // customer's extra message does not start another clock.
    if ((c.target == "first_response" || c.target == "next_response") && !c.finished()) return Status::Ok();
    if (c.target == "next_response") next_cycle = std::max(next_cycle, c.cycle + 1);
  }
  Result<Ticket> t = TicketStore(store).Get(ticket_id);
  if (!t.ok()) return t.status();
  bool paused = Contains(p->pause_on, std::string(Name(t->status)));
  Status s = sla.SaveClock(ticket_id, StartClock(CalendarFor(p->calendar), "next_response", next_cycle,
                                                 *p->next_response, now, paused));
  if (!s.ok()) return s;
  return Reschedule(store, ticket_id, *p, now);
}

Status SlaEngine::OnStatusChange(Store& store, int64_t ticket_id, TicketStatus from, TicketStatus to,
                                 Timestamp now) const {
  if (from == to) return Status::Ok();
  Result<SlaPolicyConfig> p = PolicyOf(store, ticket_id);
  if (!p.ok()) return p.status().code() == Status::Code::kNotFound ? Status::Ok() : p.status();
  SlaStore sla(store);
  Result<std::vector<TargetClock>> clocks = sla.Clocks(ticket_id);
  if (!clocks.ok()) return clocks.status();
  const Calendar& cal = CalendarFor(p->calendar);
  bool done = to == TicketStatus::kSolved || to == TicketStatus::kClosed;
  bool pause = Contains(p->pause_on, std::string(Name(to)));
  bool reopened = from == TicketStatus::kSolved && !done;
  for (TargetClock& c : *clocks) {
    if (done) {
      Meet(c, cal, now);  // solving ends every clock; responses included
    } else if (reopened && c.target == "resolution") {
      Reopen(c, cal, now, pause);
    } else if (pause) {
      Pause(c, cal, now);
    } else {
      Resume(c, cal, now);
    }
    Status s = sla.SaveClock(ticket_id, c);
    if (!s.ok()) return s;
  }
  return Reschedule(store, ticket_id, *p, now);
}

Status SlaEngine::Reschedule(Store& store, int64_t ticket_id, const SlaPolicyConfig& p, Timestamp now) const {
  SlaStore sla(store);
  Result<std::vector<TargetClock>> clocks = sla.Clocks(ticket_id);
  if (!clocks.ok()) return clocks.status();
  Result<std::set<FiredLevel>> fired = sla.Fired(ticket_id);
  if (!fired.ok()) return fired.status();
  (void)now;
  return sla.SetNextDue(ticket_id, NextDue(*clocks, *fired, p, CalendarFor(p.calendar)));
}

Status SlaEngine::Recompute(Store& store, std::vector<RunningTicket>& page, Timestamp now,
                            RecomputeReport* report) const {
  // Tickets share a handful of snapshots; each is parsed once per page.
  std::map<std::string, std::optional<SlaPolicyConfig>> policies;
  SlaStore sla(store);
  for (RunningTicket& t : page) {
    if (t.snapshot.empty()) continue;
    auto it = policies.find(t.snapshot);
    if (it == policies.end()) {
      Result<SlaPolicyConfig> p = ParseSnapshot(t.snapshot);
      it = policies.emplace(t.snapshot, p.ok() ? std::optional<SlaPolicyConfig>(*p) : std::nullopt).first;
    }
    if (!it->second) {
      report->damaged++;
      continue;
    }
    const SlaPolicyConfig& p = *it->second;
    const Calendar& cal = CalendarFor(p.calendar);
    report->tickets++;
    std::vector<DueChange> moved = RefreshAll(t.clocks, cal);
    std::optional<Timestamp> next = NextDue(t.clocks, t.fired, p, cal);
    if (moved.empty() && next == t.next_due_at) continue;
    report->moved++;
    Status s = next == t.next_due_at ? Status::Ok() : sla.SetNextDue(t.id, next);
    if (s.ok()) s = RecordMoved(store, t.id, p.name, moved, t.next_due_at, next, now);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

EscalationAction SlaEngine::LevelAction(const Ticket& t, const SlaPolicyConfig& p, const TargetClock& c,
                                        int index) const {
  const EscalationLevel& l = p.escalations[index];
  EscalationAction a;
  a.ticket_id = t.id;
  a.policy = p.name;
  a.target = c.target;
  a.cycle = c.cycle;
  a.level_index = index;
  a.level_text = l.at_text;
  a.template_name = l.template_name;
  for (const std::string& who : l.notify) {
    if (who == "agents") {
      if (const QueueConfig* q = config_.FindQueue(t.queue)) {
        a.recipients.insert(a.recipients.end(), q->agents.begin(), q->agents.end());
      }
    } else if (who == "assignee") {
      if (t.assignee) a.recipients.push_back(*t.assignee);
    } else {
      a.recipients.push_back(who);
    }
  }
  std::sort(a.recipients.begin(), a.recipients.end());
  a.recipients.erase(std::unique(a.recipients.begin(), a.recipients.end()), a.recipients.end());
  if (!l.set_priority.empty()) {
    a.patch.priority = l.set_priority;
  } else if (l.raise_priority) {
    auto it = std::find(std::begin(kRaise), std::end(kRaise), t.priority);
    if (it != std::end(kRaise) && it + 1 != std::end(kRaise)) a.patch.priority = *(it + 1);
  }
  if (!l.move_to_queue.empty()) a.patch.queue = l.move_to_queue;
  if (!l.add_tag.empty()) {
    std::vector<std::string> tags = t.tags;
    tags.push_back(l.add_tag);
    a.patch.tags = tags;
  }
  for (const std::string& r : a.recipients) a.done.push_back("notify " + r);
  if (a.patch.priority) a.done.push_back("priority " + *a.patch.priority);
  if (a.patch.queue) a.done.push_back("queue " + *a.patch.queue);
  if (a.patch.tags) a.done.push_back("tag " + l.add_tag);
  return a;
}

Status SlaEngine::SweepMany(Store& store, const std::vector<int64_t>& ids, Timestamp now, bool dry_run,
                            SweepReport* report, SweepWrites* writes, const LevelSink& fire) const {
  report->tickets += static_cast<int>(ids.size());
  Result<std::vector<SlaState>> states = SlaStore(store).States(ids);
  if (!states.ok()) return states.status();
  std::map<int64_t, Ticket> tickets;
  if (!dry_run) {
    Result<std::vector<Ticket>> read = TicketStore(store).GetMany(ids);
    if (!read.ok()) return read.status();
    for (Ticket& t : *read) tickets.emplace(t.id, std::move(t));
  }
  // Tickets share a handful of snapshots; each is parsed once per chunk.
  std::map<std::string, SlaPolicyConfig> policies;
  // What the first pass decided for one ticket, replayed in the second.
  struct Decided {
    SlaState* state = nullptr;
    const SlaPolicyConfig* policy = nullptr;
    std::vector<DueChange> moved;
    std::vector<bool> breached;  // per clock
    std::vector<std::pair<size_t, int>> levels;  // (clock, level) due now, in firing order
  };
  std::vector<Decided> decided;
  std::vector<FiredMark> candidates;
  // Pointers into writes->rows.tickets are kept while a ticket's levels fire.
  if (!dry_run) writes->rows.tickets.reserve(writes->rows.tickets.size() + states->size());
  for (SlaState& st : *states) {
    Decided d;
    d.state = &st;
    if (st.snapshot) {
      auto it = policies.find(*st.snapshot);
      if (it == policies.end()) {
        Result<SlaPolicyConfig> p = ParseSnapshot(*st.snapshot);
        if (!p.ok()) return p.status();
        it = policies.emplace(*st.snapshot, std::move(*p)).first;
      }
      d.policy = &it->second;
      const Calendar& cal = CalendarFor(d.policy->calendar);
      // A due time stored under an older calendar (this process's config
      // is newer than the last recompute) is brought up to date first, so
      // the breach below is recorded when the business time really ran out.
      d.moved = RefreshAll(st.clocks, cal);
      d.breached.assign(st.clocks.size(), false);
      for (size_t k = 0; k < st.clocks.size(); ++k) {
        TargetClock& c = st.clocks[k];
        if (c.finished() || !c.running_since) continue;
        d.breached[k] = CheckBreach(c, cal, now);
        for (size_t i = 0; i < d.policy->escalations.size(); ++i) {
          const EscalationLevel& l = d.policy->escalations[i];
          FiredLevel key{c.target, c.cycle, static_cast<int>(i)};
          if (l.target != c.target || st.fired.count(key)) continue;
          std::optional<Timestamp> at = LevelTime(c, cal, l);
          if (!at || *at > now) continue;
          d.levels.push_back({k, static_cast<int>(i)});
          candidates.push_back({st.id, key});
        }
      }
    }
    decided.push_back(std::move(d));
  }
  // The levels this sweep records are the ones it fires: another sweep may
  // have fired some first.
  std::set<std::pair<int64_t, FiredLevel>> firing;
  if (dry_run) {
    for (const FiredMark& m : candidates) firing.insert({m.ticket_id, m.level});
  } else {
    Result<std::vector<FiredMark>> recorded = SlaStore(store).MarkFiredMany(candidates, now);
    if (!recorded.ok()) return recorded.status();
    for (const FiredMark& m : *recorded) firing.insert({m.ticket_id, m.level});
  }
  for (Decided& d : decided) {
    SlaState& st = *d.state;
    TicketSave* save = nullptr;
    if (!dry_run) {
      auto t = tickets.find(st.id);
      if (t == tickets.end()) continue;  // gone since the chunk was read
      writes->rows.tickets.push_back({std::move(t->second), false});
      save = &writes->rows.tickets.back();
    }
    if (!d.policy) {
      if (save) save->ticket.next_due_at.reset();
      continue;
    }
    const SlaPolicyConfig& p = *d.policy;
    const std::string actor = "sla:" + p.name;
    const std::string id = std::to_string(st.id);
    std::set<size_t> changed_clocks;
    if (!d.moved.empty() && save) {
      writes->rows.events.push_back({st.id, now, "sla_recomputed", actor, std::nullopt,
                                MovedDetail(d.moved, std::nullopt, std::nullopt)});
      for (size_t k = 0; k < st.clocks.size(); ++k) {
        for (const DueChange& m : d.moved) {
          if (m.target == st.clocks[k].target && m.cycle == st.clocks[k].cycle) changed_clocks.insert(k);
        }
      }
    }
    size_t next_level = 0;
    for (size_t k = 0; k < st.clocks.size(); ++k) {
      const TargetClock& c = st.clocks[k];
      if (d.breached[k]) {
        report->breaches++;
        report->lines.push_back("ticket " + id + ": " + c.target + " breached at " + FormatRfc3339(*c.breached_at));
        if (save) {
          changed_clocks.insert(k);
          writes->rows.events.push_back(
              {st.id, now, "sla_breached", actor, std::nullopt,
               json{{"target", c.target}, {"cycle", c.cycle}, {"due_at", FormatRfc3339(*c.breached_at)}}.dump()});
        }
      }
      for (; next_level < d.levels.size() && d.levels[next_level].first == k; ++next_level) {
        int i = d.levels[next_level].second;
        FiredLevel key{c.target, c.cycle, i};
        std::string line = "ticket " + id + ": " + c.target + " level " + std::to_string(i + 1) + " (" +
                           p.escalations[i].at_text + ")";
        if (!firing.count({st.id, key})) continue;
        report->levels_fired++;
        if (dry_run) {
          report->lines.push_back(line + " would fire");
          continue;
        }
        Status s = fire(LevelAction(save->ticket, p, c, i), *save, *writes);
        if (!s.ok()) return s;
        report->lines.push_back(line + " fired");
      }
    }
    if (!save) continue;
    for (size_t k : changed_clocks) writes->rows.clocks.push_back({st.id, st.clocks[k]});
    // Every level due now has fired, by this sweep or another.
    std::set<FiredLevel> fired = st.fired;
    for (const auto& [k, i] : d.levels) fired.insert({st.clocks[k].target, st.clocks[k].cycle, i});
    save->ticket.next_due_at = NextDue(st.clocks, fired, p, CalendarFor(p.calendar));
  }
  return Status::Ok();
}

Result<std::string> SlaEngine::Explain(Store& store, int64_t ticket_id, Timestamp now) const {
  TicketStore tickets(store);
  Result<Ticket> t = tickets.Get(ticket_id);
  if (!t.ok()) return t.status();
  Result<SlaPolicyConfig> p = PolicyOf(store, ticket_id);
  if (!p.ok()) {
    if (p.status().code() == Status::Code::kNotFound) return "ticket " + std::to_string(ticket_id) + " has no SLA policy\n";
    return p.status();
  }
  const Calendar& cal = CalendarFor(p->calendar);
  SlaStore sla(store);
  Result<std::vector<TargetClock>> clocks = sla.Clocks(ticket_id);
  if (!clocks.ok()) return clocks.status();
  Result<std::vector<std::pair<FiredLevel, Timestamp>>> fired = sla.FiredWithTimes(ticket_id);
  if (!fired.ok()) return fired.status();
  std::string out = "ticket " + std::to_string(ticket_id) + " \"" + t->subject + "\" (" + std::string(Name(t->status)) + ", " + t->priority +
                    ")\npolicy " + p->name + " v" + std::to_string(p->version) + ", calendar " + p->calendar + " (" +
                    (cal.timezone().empty() ? "UTC" : cal.timezone()) + ")";
  if (!p->pause_on.empty()) {
    out += ", paused while";
    for (const std::string& s : p->pause_on) out += " " + s;
  }
  out += "\nnow " + cal.FormatLocal(now) + "\n";
  for (const TargetClock& c : *clocks) {
    const std::optional<SlaDuration>& target = TargetOf(*p, c.target);
    out += "\n" + c.target + (c.target == "next_response" ? " (cycle " + std::to_string(c.cycle) + ")" : "") +
           ": target " + (target ? target->text : "?") + " = " + Human(c.total_seconds) + " of business time\n";
    out += "  started   " + cal.FormatLocal(c.started_at) + "\n";
    if (target && target->same_business_day) out += "  same day  " + SameDayReason(cal, c, *target) + "\n";
    int64_t counted = c.met_at ? c.business_seconds.value_or(0) : Consumed(c, cal, now);
    out += "  counted   " + Human(counted) + " of business time";
    if (c.paused_seconds || c.paused_since) {
      int64_t paused = c.paused_seconds + (c.paused_since ? (now - *c.paused_since).count() : 0);
      out += ", paused for " + Human(paused) + (c.paused_since ? " (paused now)" : "");
    }
    out += "\n";
    // The due time by the calendar as it is now: the one the sweep, the
    // levels and next_due_at use.
    std::optional<Timestamp> due = c.breached_at ? c.due_at : DueAt(c, cal);
    if (!due) due = c.due_at;
    // The closed time the clock has skipped, and, while it runs, the closed
    // time its due time skips: nights, weekends, holidays.
    Timestamp until = c.met_at ? *c.met_at : due && !c.breached_at ? std::max(now, *due) : now;
    out += SkippedLines(cal, c.started_at, until);
    if (due) out += "  due       " + cal.FormatLocal(*due) + StaleNote(cal, c, *due) + "\n";
    if (c.breached_at) out += "  breached  " + cal.FormatLocal(*c.breached_at) + "\n";
    if (c.met_at) out += "  met       " + cal.FormatLocal(*c.met_at) + (c.breached_at ? " (late)" : " (on time)") + "\n";
    for (size_t i = 0; i < p->escalations.size(); ++i) {
      const EscalationLevel& l = p->escalations[i];
      if (l.target != c.target) continue;
      std::string line = "  level " + std::to_string(i + 1) + " at " + l.at_text + ": ";
      bool was = false;
      for (const auto& [key, at] : *fired) {
        if (key == FiredLevel{c.target, c.cycle, static_cast<int>(i)}) {
          line += "fired " + cal.FormatLocal(at);
          was = true;
        }
      }
      if (!was) {
        std::optional<Timestamp> at = LevelTime(c, cal, l);
        line += at ? "due " + cal.FormatLocal(*at) : std::string("not scheduled (clock not running)");
      }
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace frontdesk
