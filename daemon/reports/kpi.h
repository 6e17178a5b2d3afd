// kpi.h: the support team's numbers for a period, from the facts
// ReportStore reads: tickets received (NST), tickets that breached (NTB),
// first response times (AFRT) and times to resolve (MTTR) in wall-clock and
// business time, satisfaction (CSI), SLA compliance, first-contact
// resolution, the escalation rate, reopenings, and the backlog. The
// definitions are in docs/METRICS.md; this is their only implementation.
// Pure functions of the facts and the clock; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/store/report_store.h"

namespace frontdesk {

// A policy's service standard, named for the report.
struct PolicyStandard {
  std::string policy;
  ServiceStandard standard;
};

struct KpiQuery {
  Timestamp from, to;  // [from, to)
  std::string timezone = "UTC";
  std::optional<std::string> queue, agent;
  std::string group_by;  // "", "day", "week" or "month", in `timezone`
  std::vector<PolicyStandard> standards;  // judged over the period, beside the figures
};

// Durations in seconds; median and p90 by nearest rank.
struct Durations {
  int64_t count = 0;
  int64_t mean = 0, median = 0, p90 = 0;
};

struct Ratio {
  int64_t part = 0, whole = 0;
  std::optional<double> percent() const;  // none when whole is 0
};

// A standard beside the compliance of its policy's target in a period:
// met or below, and by how much (JudgeStandard).
struct KpiStandard {
  PolicyStandard of;
  Ratio compliance;  // the policy's targets met in time, of those decided
};

struct KpiFigures {
  int64_t received = 0;
  std::map<std::string, int64_t> received_by_channel;
  int64_t breached_tickets = 0;
  std::map<std::string, int64_t> breached_by_target;
  Durations first_response_wall, first_response_business;
  Durations resolution_wall, resolution_business;
  int64_t satisfaction_count = 0;
  std::optional<double> satisfaction_mean;  // on the answers' own scale
  std::optional<double> csi_percent;        // each answer placed on 0..100, averaged
  std::map<int64_t, int64_t> satisfaction_distribution;
  Ratio sla_compliance;  // targets met in time, of the targets decided
  std::map<std::string, Ratio> sla_compliance_by_target;
  Ratio first_contact_resolution;  // solved with one public reply and never reopened
  Ratio escalation_rate;           // received tickets an escalation level fired for
  int64_t reopened = 0;
  std::vector<KpiStandard> standards;  // in the query's order
};

struct KpiGroup {
  std::string label;  // "2026-11-23" (day; week: its Monday) or "2026-11" (month)
  Timestamp from, to;
  KpiFigures figures;
};

struct Backlog {
  int64_t total = 0;
  std::map<std::string, int64_t> by_queue, by_priority, by_age;
};

struct KpiReport {
  KpiQuery query;
  Timestamp as_of;
  KpiFigures total;
  std::vector<KpiGroup> groups;
  Backlog backlog;
};

// "2026-11-01" (midnight in `timezone`) or an RFC 3339 time.
Result<Timestamp> ParseReportTime(const std::string& text, const std::string& timezone);

// Checks a query: a known zone and grouping, from before to, at most 10 years.
Status ValidateKpiQuery(const KpiQuery& q);

// A query as the command line and the API give it, every part optional.
struct KpiParams {
  std::string from, to, timezone, queue, agent, group_by;
};
// Fills the defaults: `to` now, `from` 30 days before `to`, the zone of the
// default queue (else of the first calendar other than 24x7, else UTC),
// and the standards of every policy.
// Errors name the parameter.
Result<KpiQuery> MakeKpiQuery(const KpiParams& p, const Config& config, Timestamp now);

// Reads the facts and computes the report. `read`, when given, says how
// much came from the hourly cache.
Result<KpiReport> RunKpiReport(Store& store, const KpiQuery& q, Timestamp now,
                               FactSource source = FactSource::kCacheAndTables, FactsRead* read = nullptr);

// The groups of a query, figures empty; none without group_by.
std::vector<KpiGroup> KpiGroups(const KpiQuery& q);

nlohmann::json KpiJson(const KpiReport& r);
// The figures as rows of (name, value), for the table and CSV.
std::vector<std::pair<std::string, std::string>> FlatFigures(const KpiFigures& f);
// A table for people: one row per figure, a column per group and the total.
std::string KpiTable(const KpiReport& r);
// One CSV line per group and one for the total, a column per figure.
std::string KpiCsv(const KpiReport& r);

}  // namespace frontdesk
