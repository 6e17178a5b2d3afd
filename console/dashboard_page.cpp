#include "console/dashboard_page.h"

#include "console/views.h"
#include "daemon/store/csat_store.h"
#include "daemon/tickets/standards.h"

namespace frontdesk {
namespace {

std::optional<double> Hours(const Durations& d, int64_t Durations::*field) {
  if (!d.count) return std::nullopt;
  return static_cast<double>(d.*field) / 3600.0;
}

// The groups of the report, or the whole period as one when ungrouped.
std::vector<std::pair<std::string, const KpiFigures*>> Columns(const KpiReport& r) {
  std::vector<std::pair<std::string, const KpiFigures*>> out;
  for (const KpiGroup& g : r.groups) out.emplace_back(g.label, &g.figures);
  if (out.empty()) out.emplace_back("total", &r.total);
  return out;
}

std::string Param(const httplib::Request& req, const char* k) {
  return req.has_param(k) ? req.get_param_value(k) : std::string();
}

std::string StandardsTable(const KpiFigures& f) {
  if (f.standards.empty()) return "";
  std::string out = "<table class=\"figures\" id=\"standards\"><caption>Service standards over the period"
                    "</caption><thead><tr><th>Policy</th><th>Target</th><th>Standard</th><th>Met in time</th>"
                    "<th>Verdict</th></tr></thead><tbody>";
  for (const KpiStandard& s : f.standards) {
    const StandardVerdict v = JudgeStandard(s.compliance.part, s.compliance.whole, s.of.standard.percent);
    char share[64] = "-", by[32] = "", standard[32];
    if (v.percent) {
      std::snprintf(share, sizeof share, "%lld of %lld, %.1f %%", static_cast<long long>(s.compliance.part),
                    static_cast<long long>(s.compliance.whole), *v.percent);
      std::snprintf(by, sizeof by, " (%+.1f)", *v.by);
    }
    std::snprintf(standard, sizeof standard, "%g %%", s.of.standard.percent);
    out += "<tr class=\"" + std::string(v.word) + "\"><td>" + H(s.of.policy) + "</td><td>" +
           H(s.of.standard.target) + "</td><td>" + standard + "</td><td>" + share + "</td><td>" +
           (v.percent ? std::string(v.word) + by : std::string("no targets")) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

}  // namespace

std::vector<ChartData> DashboardCharts(const KpiReport& r) {
  std::vector<ChartData> out;
  auto columns = Columns(r);
  ChartData received{"Tickets received by channel", {}, {}, ""};
  for (const char* channel : {"email", "web", "api"}) received.series.push_back({channel, {}});
  ChartData compliance{"SLA compliance", {}, {{"all targets", {}}}, "%"};
  for (const KpiStandard& s : r.total.standards) {
    compliance.series.push_back({s.of.policy + "/" + s.of.standard.target, {}});
  }
  ChartData first{"First response, business time", {}, {{"median", {}}, {"p90", {}}}, "h"};
  ChartData resolution{"Resolution, business time", {}, {{"median", {}}, {"p90", {}}}, "h"};
  for (const auto& [label, f] : columns) {
    for (ChartData* c : {&received, &compliance, &first, &resolution}) c->labels.push_back(label);
    for (ChartSeries& s : received.series) {
      auto it = f->received_by_channel.find(s.name);
      s.values.push_back(static_cast<double>(it == f->received_by_channel.end() ? 0 : it->second));
    }
    compliance.series[0].values.push_back(f->sla_compliance.percent());
    for (size_t i = 0; i < f->standards.size() && i + 1 < compliance.series.size(); ++i) {
      compliance.series[i + 1].values.push_back(f->standards[i].compliance.percent());
    }
    first.series[0].values.push_back(Hours(f->first_response_business, &Durations::median));
    first.series[1].values.push_back(Hours(f->first_response_business, &Durations::p90));
    resolution.series[0].values.push_back(Hours(f->resolution_business, &Durations::median));
    resolution.series[1].values.push_back(Hours(f->resolution_business, &Durations::p90));
  }
  ChartData backlog{"Open tickets by age", {}, {{"open", {}}}, ""};
  for (const char* age : {"under_1d", "1d_to_3d", "3d_to_7d", "7d_to_30d", "over_30d"}) {
    backlog.labels.push_back(age);
    auto it = r.backlog.by_age.find(age);
    backlog.series[0].values.push_back(static_cast<double>(it == r.backlog.by_age.end() ? 0 : it->second));
  }
  ChartData satisfaction{"Satisfaction answers by score", {}, {{"answers", {}}}, ""};
  for (const auto& [score, n] : r.total.satisfaction_distribution) {
    satisfaction.labels.push_back(std::to_string(score));
    satisfaction.series[0].values.push_back(static_cast<double>(n));
  }
  out = {received, backlog, compliance, first, resolution, satisfaction};
  return out;
}

void ShowDashboard(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  std::optional<PageStart> start = StartPage(ctx, env.nav, who, "Dashboard", res, "dashboard");
  if (!start) return;
  ConfigInfo& info = start->info;
  const Config& config = *info.config;
  const Timestamp now = start->now;
  std::optional<StorePool::Lease>& store = start->store;
  PageFrame* frame = &start->frame;
  KpiParams p;
  p.from = Param(req, "from");
  p.to = Param(req, "to");
  p.queue = Param(req, "queue");
  p.group_by = Param(req, "group_by").empty() ? "day" : Param(req, "group_by");
  Result<KpiQuery> q = MakeKpiQuery(p, config, now);
  if (!q.ok()) return SendProblem(res, 400, *frame, q.status().field() + ": " + q.status().message());
  // By default the last 30 days with today, whole days in the report's zone.
  if (p.from.empty() || p.to.empty()) {
    if (p.to.empty()) p.to = ShortTime(now + std::chrono::hours(24), q->timezone).substr(0, 10);
    if (p.from.empty()) p.from = ShortTime(now - std::chrono::hours(24 * 29), q->timezone).substr(0, 10);
    q = MakeKpiQuery(p, config, now);
    if (!q.ok()) return SendProblem(res, 400, *frame, q.status().field() + ": " + q.status().message());
  }
  if (q->to - q->from > std::chrono::hours(24 * 400) && q->group_by == "day") q->group_by = "month";
  Result<KpiReport> report = RunKpiReport(**store, *q, now);
  if (!report.ok()) return SendProblem(res, 503, *frame, report.status().message());
  std::string queues = "<option value=\"\">all queues</option>";
  for (const QueueConfig& queue : config.queues) {
    queues += "<option value=\"" + H(queue.name) + "\"" + (q->queue == queue.name ? " selected" : "") + ">" +
              H(queue.name) + "</option>";
  }
  std::string groups;
  for (const char* g : {"day", "week", "month"}) {
    groups += std::string("<option") + (q->group_by == g ? " selected" : "") + ">" + g + "</option>";
  }
  const KpiFigures& t = report->total;
  char csi[64] = "-";
  if (t.csi_percent) std::snprintf(csi, sizeof csi, "%.1f %%", *t.csi_percent);
  std::string body =
      "<h1>Dashboard</h1><form id=\"dashboard-form\" method=\"get\" action=\"/dashboard\"><label>From <input "
      "type=\"date\" name=\"from\" value=\"" + H(ShortTime(q->from, q->timezone).substr(0, 10)) + "\"></label><label>Until "
      "<input type=\"date\" name=\"to\" value=\"" + H(ShortTime(q->to, q->timezone).substr(0, 10)) + "\"></label><label>"
      "Queue <select name=\"queue\">" + queues + "</select></label><label>By <select name=\"group_by\">" + groups +
      "</select></label><button>Show</button></form>"
      "<p id=\"totals\">" + std::to_string(t.received) + " received, " + std::to_string(report->backlog.total) +
      " open now, satisfaction " + csi + " over " + std::to_string(t.satisfaction_count) + " answers.</p>";
  std::vector<ChartData> charts = DashboardCharts(*report);
  for (size_t i = 0; i < charts.size(); ++i) {
    const ChartData& c = charts[i];
    const bool lines = c.unit == "%" || c.unit == "h";
    body += "<section class=\"chart-box\"><h2>" + H(c.title) + "</h2>" +
            (lines ? Lines(c, c.unit == "%" ? std::optional<double>(100) : std::nullopt) : StackedBars(c)) +
            "<details><summary>The numbers</summary>" + ChartTable(c, lines ? 1 : 0) + "</details>" +
            (c.title == "SLA compliance" ? StandardsTable(t) : "") + "</section>";
  }
  Result<std::vector<WatchEntry>> watched = CsatStore(**store).Watched(50);
  body += "<section class=\"chart-box\"><h2>Watch list</h2>";
  if (watched.ok() && !watched->empty()) {
    body += "<table class=\"figures\" id=\"watch-list\"><thead><tr><th>Customer</th><th>Ticket</th><th>Why</th>"
            "</tr></thead><tbody>";
    for (const WatchEntry& w : *watched) {
      body += "<tr><td>" + H(w.address) + "</td><td><a href=\"/tickets/" + std::to_string(w.ticket_id) + "\">" +
              std::to_string(w.ticket_id) + " " + H(w.subject) + "</a></td><td>" + H(w.reason) + "</td></tr>";
    }
    body += "</tbody></table>";
  } else {
    body += "<p class=\"empty\">Nobody is on the watch list.</p>";
  }
  body += "</section>";
  SendPage(res, 200, RenderPage(*frame, body));
}

}  // namespace frontdesk
