#include "admin/report_command.h"

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "daemon/reports/kpi.h"

namespace frontdesk {
namespace {

struct ReportFlags {
  KpiParams params;
  bool json = false, csv = false;
  bool from_tables = false, fill_cache = false;
};

// Drops damaged hours, then writes the cache's missing hours a day per
// transaction, as serve does.
int FillCache(CliContext& ctx) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return 78;
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return 75;
  const Timestamp now = ctx.clock->Now();
  // Fault injection for the crash test: die like kill -9 with the second
  // day's rows written and not committed.
  const char* fault = std::getenv("FRONTDESK_FAULT");
  const bool die_before_commit = fault && std::string(fault) == "kpi-fill-before-commit";
  auto fail = [](const Status& s) {
    std::cerr << "report: --fill-cache: " << s.message() << "\n";
    return 75;
  };
  Result<std::unique_ptr<Txn>> txn = Txn::Begin(store->db());
  if (!txn.ok()) return fail(txn.status());
  Result<int64_t> dropped = ReportStore(*store).DropDamagedHours();
  Status s = dropped.ok() ? (*txn)->Commit() : dropped.status();
  if (!s.ok()) return fail(s);
  CacheFill total;
  for (;;) {
    txn = Txn::Begin(store->db());
    if (!txn.ok()) return fail(txn.status());
    Result<CacheFill> fill = ReportStore(*store).FillCache(now, 24);
    if (!fill.ok()) return fail(fill.status());
    if (die_before_commit && total.hours > 0 && fill->hours > 0) {
      std::cerr << "frontdesk: FRONTDESK_FAULT=kpi-fill-before-commit: killed before the second commit\n";
      std::raise(SIGKILL);
    }
    s = (*txn)->Commit();
    if (!s.ok()) return fail(s);
    if (!fill->hours) break;
    total.hours += fill->hours;
    total.facts += fill->facts;
  }
  if (*dropped) std::cout << "report: dropped " << *dropped << " damaged hours\n";
  std::cout << "report: cached " << total.hours << " hours holding " << total.facts << " facts\n";
  return 0;
}

int Report(CliContext& ctx, const ReportFlags& f) {
  if (f.fill_cache) return FillCache(ctx);
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return 78;
  Timestamp now = ctx.clock->Now();
  Result<KpiQuery> q = MakeKpiQuery(f.params, *config, now);
  if (!q.ok()) {
    std::cerr << "report: --" << q.status().field() << ": " << q.status().message() << "\n";
    return 64;
  }
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return 75;
  Result<KpiReport> r =
      RunKpiReport(*store, *q, now, f.from_tables ? FactSource::kTablesOnly : FactSource::kCacheAndTables);
  if (!r.ok()) {
    std::cerr << "report: " << r.status().message() << "\n";
    return 75;
  }
  if (f.json) {
    std::cout << KpiJson(*r).dump(2) << "\n";
  } else if (f.csv) {
    std::cout << KpiCsv(*r);
  } else {
    std::cout << KpiTable(*r);
  }
  return 0;
}

}  // namespace

void AddReportCommand(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* report = app.add_subcommand(
      "report", "The KPIs of a period: tickets received and breached, first response and resolution times, "
                "satisfaction, SLA compliance and each service standard beside it, first-contact resolution, "
                "escalations, reopenings, the backlog.");
  KpiParams& p = flags->params;
  report->add_option("--from", p.from, "Start, inclusive: 2026-11-01 (midnight in --timezone) or RFC 3339; "
                                       "default 30 days before --to");
  report->add_option("--to", p.to, "End, exclusive, in the same forms; default now");
  report->add_option("--timezone", p.timezone,
                     "IANA zone for dates and groups; default the default queue's timezone, else the first "
                     "office calendar's, else UTC");
  report->add_option("--queue", p.queue, "Only tickets now in this queue");
  report->add_option("--agent", p.agent, "Only tickets now assigned to this address");
  report->add_option("--group-by", p.group_by, "Also per day, week (from Monday) or month")
      ->check(CLI::IsMember({"day", "week", "month"}));
  auto* json = report->add_flag("--json", flags->json, "Print JSON, as GET /api/v1/reports/kpi returns it");
  report->add_flag("--csv", flags->csv, "Print CSV: one line per group and one for the total")->excludes(json);
  report->add_flag("--from-tables", flags->from_tables,
                   "Read every fact from the tables, not the hourly cache: slower, and the same figures");
  report->add_flag("--fill-cache", flags->fill_cache,
                   "Drop damaged hours of the KPI cache and write the ones it lacks, then exit; serve fills it "
                   "every escalation interval");
  report->callback([&ctx, &exit_code, flags] { exit_code = Report(ctx, *flags); });
}

}  // namespace frontdesk
