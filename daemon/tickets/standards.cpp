#include "daemon/tickets/standards.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/outbox/queue.h"
#include "daemon/outbox/render.h"
#include "daemon/store/report_store.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {
namespace {

using nlohmann::json;

// The mail lists this many of the tickets that missed the target; the
// event keeps every one.
constexpr size_t kListed = 50;

int TargetCode(std::string_view target) {
  for (int i = 0; i < kFactCodes; ++i)
    if (target == kFactTargets[i]) return i;
  return -1;
}

// Adds the target facts of each reading's queue, policy and target that
// fall in its period; the rest of the facts are not needed here.
class StandardFacts : public FactSink {
 public:
  explicit StandardFacts(std::vector<StandardReading>& readings) : readings_(readings) {
    for (size_t i = 0; i < readings.size(); ++i) {
      const StandardKey& k = readings[i].key;
      index_[{k.queue, k.policy, TargetCode(k.target)}] = i;
    }
  }

  void Target(const TargetFact& f, const FactOwner& o) override {
    auto it = index_.find({std::string(o.queue), std::string(f.policy), f.target});
    if (it == index_.end()) return;
    StandardReading& r = readings_[it->second];
    const Timestamp at = FromUnix(f.at);
    if (at < r.from || at >= r.to) return;
    ++r.decided;
    if (f.breached) r.missed.emplace_back(f.ticket_id, at);
    else ++r.met;
  }
  void Received(const ReceivedFact&, const FactOwner&) override {}
  void FirstResponse(const FirstResponseFact&, const FactOwner&) override {}
  void Resolved(const ResolvedFact&, const FactOwner&) override {}
  void Reopened(const ReopenedFact&, const FactOwner&) override {}
  void Satisfaction(const SatisfactionFact&, const FactOwner&) override {}

 private:
  std::vector<StandardReading>& readings_;
  std::map<std::tuple<std::string, std::string, int>, size_t> index_;
};

std::string OneDecimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string PercentText(double v) {
  // 90 stays "90 %"; 99.5 keeps its decimal.
  return (v == std::floor(v) ? std::to_string(static_cast<int64_t>(v)) : OneDecimal(v)) + " %";
}

std::string Describe(const StandardReading& r) {
  StandardVerdict v = r.verdict();
  return r.key.queue + ": " + r.key.policy + "/" + r.key.target + " " + std::to_string(r.met) + " of " +
         std::to_string(r.decided) + " met in the last " + r.standard.period_text + " (" +
         (v.percent ? OneDecimal(*v.percent) + " %" : std::string("-")) + "), standard " +
         PercentText(r.standard.percent);
}

// The lines of the mail: each missed ticket with its subject and when.
Result<std::string> MissedList(Store& store, const Config& config, const StandardReading& r) {
  TicketStore tickets(store);
  const std::string zone = CustomerZone(config, r.key.queue, r.key.policy);
  std::string out;
  for (size_t i = 0; i < r.missed.size() && i < kListed; ++i) {
    const auto& [id, at] = r.missed[i];
    Result<Ticket> t = tickets.Get(id);
    if (!t.ok() && t.status().code() != Status::Code::kNotFound) return t.status();
    out += "  " + std::to_string(id) + "  " + (t.ok() ? t->subject : std::string("(deleted)")) + "\n" +
           "      missed " + HumanTime(at, zone) + "\n";
  }
  if (r.missed.size() > kListed) {
    out += "  ... and " + std::to_string(r.missed.size() - kListed) + " more (the event lists them all)\n";
  }
  return out;
}

Status TellOfFall(Store& store, const Config& config, const StandardReading& r, int64_t falls, Timestamp now) {
  const StandardVerdict v = r.verdict();
  json missed = json::array();
  for (const auto& m : r.missed) missed.push_back(m.first);
  json detail = {{"queue", r.key.queue},       {"policy", r.key.policy},
                 {"target", r.key.target},     {"standard", r.standard.percent},
                 {"period", r.standard.period_text}, {"from", ToUnix(r.from)},
                 {"met", r.met},               {"targets", r.decided},
                 {"percent", *v.percent},      {"missed", missed},
                 {"fall", falls}};
  Status s = TicketStore(store).AddEvent(std::nullopt, now, "standard_below", "system", std::nullopt, detail.dump());
  if (!s.ok()) return s;
  Result<std::string> list = MissedList(store, config, r);
  if (!list.ok()) return list.status();
  json vars = {{"queue", r.key.queue},
               {"policy", r.key.policy},
               {"target", r.key.target},
               {"standard", PercentText(r.standard.percent)},
               {"compliance", OneDecimal(*v.percent) + " %"},
               {"below_by", OneDecimal(-*v.by)},
               {"met", std::to_string(r.met)},
               {"targets", std::to_string(r.decided)},
               {"missed", std::to_string(r.missed.size())},
               {"period", r.standard.period_text},
               {"tickets", *list}};
  for (const std::string& to : config.LeadsOf(r.key.queue)) {
    OutboxMail m;
    m.dedupe_key = "standard:" + r.key.queue + ":" + r.key.policy + ":" + r.key.target + ":" + std::to_string(falls) +
                   ":" + to;
    m.kind = "standard_alert";
    m.recipient = to;
    m.subject = r.key.policy + "/" + r.key.target;
    m.vars = vars.dump();
    m.now = now;
    Result<int64_t> q = QueueMail(store, m);
    if (!q.ok()) return q.status();
  }
  return Status::Ok();
}

}  // namespace

StandardVerdict JudgeStandard(int64_t met, int64_t decided, double standard) {
  StandardVerdict v;
  if (decided <= 0) return v;
  v.percent = 100.0 * static_cast<double>(met) / static_cast<double>(decided);
  v.by = *v.percent - standard;
  // Compared without the division, so 9 of 10 meets a standard of 90.
  v.below = static_cast<double>(met) * 100.0 < standard * static_cast<double>(decided);
  v.word = v.below ? "below" : "met";
  return v;
}

Result<std::vector<StandardReading>> ReadStandards(Store& reader, const Config& config, Timestamp now) {
  std::vector<StandardReading> readings;
  std::chrono::seconds longest{0};
  // What was decided in the second of `now` counts already.
  const Timestamp end = now + std::chrono::seconds(1);
  for (const QueueConfig& q : config.queues) {
    for (const SlaPolicyConfig& p : config.slas) {
      for (const ServiceStandard& s : p.standards) {
        StandardReading r;
        r.key = {q.name, p.name, s.target};
        r.standard = s;
        r.from = end - s.period;
        r.to = end;
        longest = std::max(longest, s.period);
        readings.push_back(std::move(r));
      }
    }
  }
  if (readings.empty()) return readings;
  ReportScope scope;
  scope.from = end - longest;
  scope.to = end;
  scope.now = now;
  scope.backlog = false;
  StandardFacts sink(readings);
  Result<std::vector<BacklogFact>> read = ReportStore(reader).Facts(scope, sink);
  if (!read.ok()) return read.status();
  for (StandardReading& r : readings) {
    std::sort(r.missed.begin(), r.missed.end(), [](const auto& a, const auto& b) {
      return std::tie(a.second, a.first) < std::tie(b.second, b.first);
    });
  }
  return readings;
}

Result<StandardsCheck> CheckStandards(Store& reader, const Config& config, const TxnRunner& run, Timestamp now,
                                      bool dry_run) {
  StandardsCheck check;
  Result<std::vector<StandardReading>> readings = ReadStandards(reader, config, now);
  if (!readings.ok()) return readings.status();
  if (readings->empty()) return check;
  Result<std::vector<StandardState>> states = StandardStore(reader).All();
  if (!states.ok()) return states.status();
  std::map<StandardKey, bool> below;
  for (const StandardState& s : *states) below[s.key] = s.below_since.has_value();

  for (const StandardReading& r : *readings) {
    const bool was_below = below.count(r.key) && below[r.key];
    const bool is_below = r.verdict().below;
    if (is_below == was_below) continue;
    if (dry_run) {
      check.lines.push_back(Describe(r) + (is_below ? ": would fall below" : ": would recover"));
      continue;
    }
    bool changed = false;
    Status s = run([&](Store& store) -> Status {
      StandardStore standards(store);
      if (is_below) {
        Result<std::optional<int64_t>> falls = standards.Fall(r.key, r.met, r.decided, now);
        if (!falls.ok()) return falls.status();
        changed = falls->has_value();
        return changed ? TellOfFall(store, config, r, **falls, now) : Status::Ok();
      }
      Result<bool> recovered = standards.Recover(r.key, r.met, r.decided, now);
      if (!recovered.ok()) return recovered.status();
      changed = *recovered;
      if (!changed) return Status::Ok();
      json detail = {{"queue", r.key.queue}, {"policy", r.key.policy},          {"target", r.key.target},
                     {"standard", r.standard.percent}, {"period", r.standard.period_text}, {"met", r.met},
                     {"targets", r.decided}};
      return TicketStore(store).AddEvent(std::nullopt, now, "standard_recovered", "system", std::nullopt,
                                         detail.dump());
    });
    if (!s.ok()) return s;
    if (!changed) continue;  // another process got there first
    (is_below ? check.fell : check.recovered)++;
    std::string told;
    for (const std::string& to : config.LeadsOf(r.key.queue)) told += (told.empty() ? "" : ", ") + to;
    std::string line = Describe(r) + (is_below ? ": fell below; told " + (told.empty() ? "nobody" : told)
                                               : std::string(": recovered"));
    if (is_below) spdlog::warn("service standard {}", line);
    else spdlog::info("service standard {}", line);
    check.lines.push_back(std::move(line));
  }
  return check;
}

}  // namespace frontdesk
