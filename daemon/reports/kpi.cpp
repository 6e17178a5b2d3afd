#include "daemon/reports/kpi.h"

#include <date/tz.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "daemon/base/text.h"
#include "daemon/tickets/standards.h"

namespace frontdesk {
namespace {

using nlohmann::json;

Durations Summarize(std::vector<int64_t>& v) {
  Durations d;
  d.count = static_cast<int64_t>(v.size());
  if (v.empty()) return d;
  long double sum = 0;
  for (int64_t x : v) sum += x;
  d.mean = static_cast<int64_t>(std::llround(sum / v.size()));
  // Nearest rank: the smallest value with at least p % of the values at or
  // below it. Selection, not a sort: the report over a million tickets
  // spends its time here otherwise.
  auto rank = [&](int p) {
    size_t r = static_cast<size_t>((static_cast<int64_t>(v.size()) * p + 99) / 100);
    return std::max<size_t>(r, 1) - 1;
  };
  const size_t r90 = rank(90), r50 = rank(50);
  std::nth_element(v.begin(), v.begin() + r90, v.end());
  d.p90 = v[r90];
  std::nth_element(v.begin(), v.begin() + r50, v.begin() + r90 + 1);
  d.median = v[r50];
  return d;
}

// Which group a Unix time falls in: the index, or -1 outside them all.
class Grouper {
 public:
  explicit Grouper(const std::vector<KpiGroup>& groups) {
    for (const KpiGroup& g : groups) starts_.push_back(ToUnix(g.from));
    end_ = groups.empty() ? 0 : ToUnix(groups.back().to);
  }
  int Of(int64_t at) const {
    if (starts_.empty() || at < starts_.front() || at >= end_) return -1;
    auto it = std::upper_bound(starts_.begin(), starts_.end(), at);
    return static_cast<int>(it - starts_.begin()) - 1;
  }

 private:
  std::vector<int64_t> starts_;
  int64_t end_ = 0;
};

// The running sums of one group (or of the whole period).
struct Tally {
  const std::vector<PolicyStandard>* standards = nullptr;
  std::vector<Ratio> by_standard;  // met and decided, beside *standards
  int64_t received = 0, escalated = 0;
  int64_t by_channel[kFactCodes] = {};
  std::vector<int64_t> frw, frb, rsw, rsb;
  int64_t solved = 0, one_touch = 0;
  int64_t targets[kFactCodes] = {}, met[kFactCodes] = {};
  std::vector<int64_t> breached[kFactCodes];  // ticket ids, repeats and all
  int64_t reopened = 0;
  int64_t answers = 0;
  long double score_sum = 0, placed_sum = 0;
  std::map<int64_t, int64_t> distribution;

  void Add(const ReceivedFact& f) {
    ++received;
    ++by_channel[f.channel];
    if (f.escalated) ++escalated;
  }
  void Add(const FirstResponseFact& f) {
    frw.push_back(f.wall_seconds);
    if (f.business_seconds) frb.push_back(*f.business_seconds);
  }
  void Add(const ResolvedFact& f) {
    rsw.push_back(f.wall_seconds);
    if (f.business_seconds) rsb.push_back(*f.business_seconds);
    ++solved;
    if (f.public_replies == 1 && f.reopened == 0) ++one_touch;
  }
  void Add(const TargetFact& f) {
    // A few standards at most: a scan costs less than a map keyed by name.
    for (size_t i = 0; standards && i < standards->size(); ++i) {
      const PolicyStandard& s = (*standards)[i];
      if (s.policy != f.policy || s.standard.target != kFactTargets[f.target]) continue;
      by_standard.resize(standards->size());
      ++by_standard[i].whole;
      if (!f.breached) ++by_standard[i].part;
    }
    ++targets[f.target];
    if (f.breached) {
      breached[f.target].push_back(f.ticket_id);
    } else {
      ++met[f.target];
    }
  }
  void Add(const ReopenedFact&) { ++reopened; }
  void Add(const SatisfactionFact& f) {
    ++answers;
    ++distribution[f.score];
    score_sum += f.score;
    long double span = f.scale_max > f.scale_min ? f.scale_max - f.scale_min : 1;
    placed_sum += (f.score - f.scale_min) * 100.0L / span;
  }

  KpiFigures Figures() {
    KpiFigures k;
    k.received = received;
    for (int c = 0; c < kFactCodes; ++c) {
      if (by_channel[c]) k.received_by_channel[kFactChannels[c]] = by_channel[c];
    }
    k.escalation_rate = {escalated, received};
    k.first_response_wall = Summarize(frw);
    k.first_response_business = Summarize(frb);
    k.resolution_wall = Summarize(rsw);
    k.resolution_business = Summarize(rsb);
    k.first_contact_resolution = {one_touch, solved};
    std::vector<int64_t> any;
    for (int t = 0; t < kFactCodes; ++t) {
      if (!targets[t]) continue;
      k.sla_compliance_by_target[kFactTargets[t]] = {met[t], targets[t]};
      k.sla_compliance.part += met[t];
      k.sla_compliance.whole += targets[t];
      std::vector<int64_t>& ids = breached[t];
      if (ids.empty()) continue;
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      k.breached_by_target[kFactTargets[t]] = static_cast<int64_t>(ids.size());
      any.insert(any.end(), ids.begin(), ids.end());
    }
    std::sort(any.begin(), any.end());
    k.breached_tickets = static_cast<int64_t>(std::unique(any.begin(), any.end()) - any.begin());
    k.reopened = reopened;
    for (size_t i = 0; standards && i < standards->size(); ++i) {
      k.standards.push_back({(*standards)[i], i < by_standard.size() ? by_standard[i] : Ratio{}});
    }
    k.satisfaction_count = answers;
    k.satisfaction_distribution = distribution;
    if (answers) {
      k.satisfaction_mean = static_cast<double>(score_sum / answers);
      k.csi_percent = static_cast<double>(placed_sum / answers);
    }
    return k;
  }
};

// Adds each fact to the period's tally and to its group's.
class KpiSink : public FactSink {
 public:
  KpiSink(const KpiQuery& q, const std::vector<KpiGroup>& groups)
      : from_(ToUnix(q.from)), to_(ToUnix(q.to)), grouper_(groups), groups_(groups.size()) {
    total_.standards = &q.standards;
    for (Tally& t : groups_) t.standards = &q.standards;
  }

  void Received(const ReceivedFact& f, const FactOwner&) override { Add(f); }
  void FirstResponse(const FirstResponseFact& f, const FactOwner&) override { Add(f); }
  void Resolved(const ResolvedFact& f, const FactOwner&) override { Add(f); }
  void Target(const TargetFact& f, const FactOwner&) override { Add(f); }
  void Reopened(const ReopenedFact& f, const FactOwner&) override { Add(f); }
  void Satisfaction(const SatisfactionFact& f, const FactOwner&) override { Add(f); }

  Tally& total() { return total_; }
  Tally& group(size_t i) { return groups_[i]; }

 private:
  template <typename Fact>
  void Add(const Fact& f) {
    if (f.at < from_ || f.at >= to_) return;
    total_.Add(f);
    if (groups_.empty()) return;
    int g = grouper_.Of(f.at);
    if (g >= 0) groups_[static_cast<size_t>(g)].Add(f);
  }

  int64_t from_, to_;
  Grouper grouper_;
  Tally total_;
  std::vector<Tally> groups_;
};

const char* kAgeBuckets[] = {"under_1d", "1d_to_3d", "3d_to_7d", "7d_to_30d", "over_30d"};

json DurationsJson(const Durations& d) {
  if (!d.count) return {{"count", 0}, {"mean", nullptr}, {"median", nullptr}, {"p90", nullptr}};
  return {{"count", d.count}, {"mean", d.mean}, {"median", d.median}, {"p90", d.p90}};
}

json RatioJson(const Ratio& r, const char* part, const char* whole) {
  std::optional<double> p = r.percent();
  return {{part, r.part}, {whole, r.whole}, {"percent", p ? json(std::round(*p * 10) / 10) : json(nullptr)}};
}

json Round2(std::optional<double> v) { return v ? json(std::round(*v * 100) / 100) : json(nullptr); }

json StandardsJson(const std::vector<KpiStandard>& standards) {
  json out = json::array();
  auto one_decimal = [](std::optional<double> v) { return v ? json(std::round(*v * 10) / 10) : json(nullptr); };
  for (const KpiStandard& s : standards) {
    StandardVerdict v = JudgeStandard(s.compliance.part, s.compliance.whole, s.of.standard.percent);
    out.push_back({{"policy", s.of.policy},
                   {"target", s.of.standard.target},
                   {"standard", s.of.standard.percent},
                   {"period", s.of.standard.period_text},
                   {"met", s.compliance.part},
                   {"targets", s.compliance.whole},
                   {"percent", one_decimal(v.percent)},
                   {"verdict", v.word},
                   {"by", one_decimal(v.by)}});
  }
  return out;
}

json FiguresJson(const KpiFigures& k) {
  json by_target = json::object();
  for (const auto& [t, r] : k.sla_compliance_by_target) by_target[t] = RatioJson(r, "met", "targets");
  json distribution = json::object();
  for (const auto& [score, n] : k.satisfaction_distribution) distribution[std::to_string(score)] = n;
  json compliance = RatioJson(k.sla_compliance, "met", "targets");
  compliance["by_target"] = by_target;
  return {
      {"received", {{"total", k.received}, {"by_channel", k.received_by_channel}}},
      {"breached", {{"tickets", k.breached_tickets}, {"by_target", k.breached_by_target}}},
      {"first_response",
       {{"wall_clock", DurationsJson(k.first_response_wall)},
        {"business", DurationsJson(k.first_response_business)}}},
      {"resolution",
       {{"wall_clock", DurationsJson(k.resolution_wall)}, {"business", DurationsJson(k.resolution_business)}}},
      {"satisfaction",
       {{"count", k.satisfaction_count},
        {"mean", Round2(k.satisfaction_mean)},
        {"csi_percent", Round2(k.csi_percent)},
        {"distribution", distribution}}},
      {"sla_compliance", compliance},
      {"first_contact_resolution", RatioJson(k.first_contact_resolution, "one_touch", "solved")},
      {"escalation_rate", RatioJson(k.escalation_rate, "escalated", "received")},
      {"reopened", k.reopened},
      {"standards", StandardsJson(k.standards)},
  };
}

std::string Percent(const Ratio& r) {
  std::optional<double> p = r.percent();
  if (!p) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *p);
  return buf;
}

std::string Number(std::optional<double> v) {
  if (!v) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", *v);
  return buf;
}

std::string Seconds(const Durations& d, int64_t Durations::*field) {
  return d.count ? std::to_string(d.*field) : "";
}

std::string LocalText(Timestamp t, const std::string& timezone) {
  auto zoned = date::make_zoned(date::locate_zone(timezone), t);
  return date::format("%Y-%m-%d %H:%M", zoned);
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::optional<double> Ratio::percent() const {
  if (!whole) return std::nullopt;
  return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

Result<Timestamp> ParseReportTime(const std::string& text, const std::string& timezone) {
  if (std::optional<Timestamp> t = ParseRfc3339(text)) return *t;
  auto number = [&](size_t pos, size_t n) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    date::year_month_day ymd{date::year(number(0, 4)), date::month(static_cast<unsigned>(number(5, 2))),
                             date::day(static_cast<unsigned>(number(8, 2)))};
    if (number(0, 4) >= 0 && number(5, 2) >= 0 && number(8, 2) >= 0 && ymd.ok()) {
      date::local_days day(ymd);
      try {
        return std::chrono::time_point_cast<std::chrono::seconds>(
            date::locate_zone(timezone)->to_sys(date::local_seconds(day), date::choose::earliest));
      } catch (const std::exception& e) {
        return Status::Invalid(std::string("unknown time zone \"") + timezone + "\"", "timezone");
      }
    }
  }
  return Status::Invalid("\"" + text + "\" is not a date (2026-11-01) or an RFC 3339 time");
}

Status ValidateKpiQuery(const KpiQuery& q) {
  try {
    (void)date::locate_zone(q.timezone);
  } catch (const std::exception&) {
    return Status::Invalid("unknown time zone \"" + q.timezone + "\"; use an IANA name such as \"Europe/Berlin\"",
                           "timezone");
  }
  if (!q.group_by.empty() && q.group_by != "day" && q.group_by != "week" && q.group_by != "month") {
    return Status::Invalid("must be day, week or month", "group_by");
  }
  if (q.to <= q.from) return Status::Invalid("must be after from", "to");
  if (q.to - q.from > std::chrono::hours(24 * 366 * 10)) return Status::Invalid("the period is over 10 years", "to");
  return Status::Ok();
}

Result<KpiQuery> MakeKpiQuery(const KpiParams& p, const Config& config, Timestamp now) {
  KpiQuery q;
  q.timezone = "UTC";
  const QueueConfig* home = config.DefaultQueue();
  if (home && !home->timezone.empty()) {
    q.timezone = home->timezone;
  } else {
    for (const CalendarConfig& c : config.calendars) {
      if (!c.always_open) {
        q.timezone = c.timezone;
        break;
      }
    }
  }
  if (!p.timezone.empty()) q.timezone = p.timezone;
  try {
    (void)date::locate_zone(q.timezone);
  } catch (const std::exception&) {
    return Status::Invalid("unknown time zone \"" + q.timezone + "\"; use an IANA name such as \"Europe/Berlin\"",
                           "timezone");
  }
  q.to = now;
  if (!p.to.empty()) {
    Result<Timestamp> t = ParseReportTime(p.to, q.timezone);
    if (!t.ok()) return Status::Invalid(t.status().message(), "to");
    q.to = *t;
  }
  q.from = q.to - std::chrono::hours(24 * 30);
  if (!p.from.empty()) {
    Result<Timestamp> t = ParseReportTime(p.from, q.timezone);
    if (!t.ok()) return Status::Invalid(t.status().message(), "from");
    q.from = *t;
  }
  if (!p.queue.empty()) {
    if (!config.FindQueue(p.queue)) return Status::Invalid("unknown queue \"" + p.queue + "\"", "queue");
    q.queue = p.queue;
  }
  if (!p.agent.empty()) q.agent = AsciiLower(p.agent);
  q.group_by = p.group_by;
  for (const SlaPolicyConfig& policy : config.slas) {
    for (const ServiceStandard& standard : policy.standards) q.standards.push_back({policy.name, standard});
  }
  Status s = ValidateKpiQuery(q);
  if (!s.ok()) return s;
  return q;
}

Result<KpiReport> RunKpiReport(Store& store, const KpiQuery& q, Timestamp now, FactSource source,
                               FactsRead* read) {
  KpiReport r;
  r.query = q;
  r.as_of = now;
  r.groups = KpiGroups(q);
  KpiSink sink(q, r.groups);
  ReportScope scope{q.from, q.to, now, q.queue, q.agent, true};
  Result<std::vector<BacklogFact>> backlog = ReportStore(store).Facts(scope, sink, source, read);
  if (!backlog.ok()) return backlog.status();
  r.total = sink.total().Figures();
  for (size_t i = 0; i < r.groups.size(); ++i) r.groups[i].figures = sink.group(i).Figures();
  for (const BacklogFact& b : *backlog) {
    r.backlog.total += b.count;
    r.backlog.by_queue[b.queue] += b.count;
    r.backlog.by_priority[b.priority] += b.count;
    r.backlog.by_age[kAgeBuckets[std::clamp(b.age_bucket, 0, 4)]] += b.count;
  }
  return r;
}

std::vector<KpiGroup> KpiGroups(const KpiQuery& q) {
  std::vector<KpiGroup> out;
  if (q.group_by.empty()) return out;
  const date::time_zone* zone = date::locate_zone(q.timezone);
  Timestamp at = q.from;
  while (at < q.to) {
    date::local_days day = date::floor<date::days>(zone->to_local(at));
    date::local_days start = day, next;
    std::string label;
    if (q.group_by == "day") {
      next = day + date::days(1);
      label = date::format("%Y-%m-%d", day);
    } else if (q.group_by == "week") {
      start = day - (date::weekday(day) - date::Monday);
      next = start + date::days(7);
      label = date::format("%Y-%m-%d", start);
    } else {
      date::year_month_day ymd(day);
      start = date::local_days(ymd.year() / ymd.month() / 1);
      next = date::local_days((ymd.year() / ymd.month() + date::months(1)) / 1);
      label = date::format("%Y-%m", start);
    }
    Timestamp end = std::chrono::time_point_cast<std::chrono::seconds>(
        zone->to_sys(date::local_seconds(next), date::choose::earliest));
    KpiGroup g;
    g.label = label;
    g.from = at;
    g.to = std::min(end, q.to);
    out.push_back(g);
    at = g.to;
  }
  return out;
}

json KpiJson(const KpiReport& r) {
  json groups = json::array();
  for (const KpiGroup& g : r.groups) {
    json j = FiguresJson(g.figures);
    j["label"] = g.label;
    j["from"] = FormatRfc3339(g.from);
    j["to"] = FormatRfc3339(g.to);
    groups.push_back(j);
  }
  const KpiQuery& q = r.query;
  return {
      {"period", {{"from", FormatRfc3339(q.from)}, {"to", FormatRfc3339(q.to)}, {"timezone", q.timezone}}},
      {"scope",
       {{"queue", q.queue ? json(*q.queue) : json(nullptr)},
        {"agent", q.agent ? json(*q.agent) : json(nullptr)},
        {"group_by", q.group_by.empty() ? json(nullptr) : json(q.group_by)}}},
      {"as_of", FormatRfc3339(r.as_of)},
      {"total", FiguresJson(r.total)},
      {"groups", groups},
      {"backlog",
       {{"total", r.backlog.total},
        {"by_queue", r.backlog.by_queue},
        {"by_priority", r.backlog.by_priority},
        {"by_age", r.backlog.by_age}}},
  };
}

std::vector<std::pair<std::string, std::string>> FlatFigures(const KpiFigures& k) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](std::string name, std::string value) { out.emplace_back(std::move(name), std::move(value)); };
  add("received", std::to_string(k.received));
  for (const char* c : {"email", "web", "api"}) {
    auto it = k.received_by_channel.find(c);
    add(std::string("received_") + c, std::to_string(it == k.received_by_channel.end() ? 0 : it->second));
  }
  add("breached_tickets", std::to_string(k.breached_tickets));
  for (const char* t : {"first_response", "next_response", "resolution"}) {
    auto it = k.breached_by_target.find(t);
    add(std::string("breached_") + t, std::to_string(it == k.breached_by_target.end() ? 0 : it->second));
  }
  auto durations = [&](const std::string& name, const Durations& d) {
    add(name + "_count", std::to_string(d.count));
    add(name + "_mean_s", Seconds(d, &Durations::mean));
    add(name + "_median_s", Seconds(d, &Durations::median));
    add(name + "_p90_s", Seconds(d, &Durations::p90));
  };
  durations("first_response_wall", k.first_response_wall);
  durations("first_response_business", k.first_response_business);
  durations("resolution_wall", k.resolution_wall);
  durations("resolution_business", k.resolution_business);
  add("satisfaction_count", std::to_string(k.satisfaction_count));
  add("satisfaction_mean", Number(k.satisfaction_mean));
  add("csi_percent", Number(k.csi_percent));
  add("sla_targets", std::to_string(k.sla_compliance.whole));
  add("sla_met", std::to_string(k.sla_compliance.part));
  add("sla_compliance_percent", Percent(k.sla_compliance));
  for (const char* t : {"first_response", "next_response", "resolution"}) {
    auto it = k.sla_compliance_by_target.find(t);
    add(std::string("sla_compliance_") + t + "_percent",
        it == k.sla_compliance_by_target.end() ? "" : Percent(it->second));
  }
  add("solved", std::to_string(k.first_contact_resolution.whole));
  add("first_contact_resolution_percent", Percent(k.first_contact_resolution));
  add("escalated", std::to_string(k.escalation_rate.part));
  add("escalation_rate_percent", Percent(k.escalation_rate));
  add("reopened", std::to_string(k.reopened));
  for (const KpiStandard& s : k.standards) {
    const std::string name = s.of.policy + "/" + s.of.standard.target;
    StandardVerdict v = JudgeStandard(s.compliance.part, s.compliance.whole, s.of.standard.percent);
    char standard[32], by[32] = "";
    std::snprintf(standard, sizeof standard, "%g", s.of.standard.percent);  // 90, 99.5
    if (v.by) std::snprintf(by, sizeof by, "%+.1f", *v.by);
    add(name + "_standard", standard);
    add(name + "_percent", Percent(s.compliance));
    add(name + "_verdict", v.percent ? v.word : "");
    add(name + "_by", by);
  }
  return out;
}

std::string KpiTable(const KpiReport& r) {
  const KpiQuery& q = r.query;
  std::string out = "Frontdesk KPIs from " + LocalText(q.from, q.timezone) + " to " + LocalText(q.to, q.timezone) +
                    " (" + q.timezone + "), queue " + q.queue.value_or("all") + ", agent " +
                    q.agent.value_or("all") + "\n";
  out += "Durations in seconds; percentages of the count in the row above them. docs/METRICS.md defines each.\n\n";
  std::vector<std::string> headers;
  std::vector<std::vector<std::pair<std::string, std::string>>> columns;
  for (const KpiGroup& g : r.groups) {
    headers.push_back(g.label);
    columns.push_back(FlatFigures(g.figures));
  }
  headers.push_back("total");
  columns.push_back(FlatFigures(r.total));
  size_t name_width = 0;
  for (const auto& [name, value] : columns.back()) name_width = std::max(name_width, name.size());
  std::vector<size_t> widths;
  for (size_t c = 0; c < columns.size(); ++c) {
    size_t w = headers[c].size();
    for (const auto& [name, value] : columns[c]) w = std::max(w, std::max<size_t>(value.size(), 1));
    widths.push_back(w);
  }
  auto pad_left = [](const std::string& s, size_t w) { return std::string(w > s.size() ? w - s.size() : 0, ' ') + s; };
  std::string line = std::string(name_width, ' ');
  for (size_t c = 0; c < columns.size(); ++c) line += "  " + pad_left(headers[c], widths[c]);
  out += line + "\n";
  for (size_t row = 0; row < columns.back().size(); ++row) {
    const std::string& name = columns.back()[row].first;
    line = name + std::string(name_width - name.size(), ' ');
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string& v = columns[c][row].second;
      line += "  " + pad_left(v.empty() ? "-" : v, widths[c]);
    }
    out += line + "\n";
  }
  out += "\nBacklog as of " + LocalText(r.as_of, q.timezone) + ": " + std::to_string(r.backlog.total) + " open\n";
  auto list = [&](const char* title, const std::map<std::string, int64_t>& m) {
    out += std::string("  by ") + title + ":";
    for (const auto& [k, v] : m) out += " " + k + " " + std::to_string(v) + ",";
    if (!m.empty()) out.pop_back();
    out += "\n";
  };
  list("queue", r.backlog.by_queue);
  list("priority", r.backlog.by_priority);
  list("age", r.backlog.by_age);
  return out;
}

std::string KpiCsv(const KpiReport& r) {
  std::vector<std::pair<std::string, std::string>> total = FlatFigures(r.total);
  std::string out = "group,from,to";
  for (const auto& [name, value] : total) out += "," + name;
  out += "\r\n";
  auto line = [&](const std::string& label, Timestamp from, Timestamp to, const KpiFigures& f) {
    out += CsvField(label) + "," + FormatRfc3339(from) + "," + FormatRfc3339(to);
    for (const auto& [name, value] : FlatFigures(f)) out += "," + CsvField(value);
    out += "\r\n";
  };
  for (const KpiGroup& g : r.groups) line(g.label, g.from, g.to, g.figures);
  line("total", r.query.from, r.query.to, r.total);
  return out;
}

}  // namespace frontdesk
