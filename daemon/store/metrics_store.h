// metrics_store.h: the counts /metrics reads from the database at scrape
// time, so they survive restarts and include what cron runs did. Each is a
// small GROUP BY over an index or a small table. Read-only.
// Not thread-safe; bound to one Store.
#pragma once

#include <string>
#include <vector>

#include "daemon/store/store.h"

namespace frontdesk {

// One series: its label values, in the order the query names them, and
// its value.
struct CountedSeries {
  std::vector<std::string> labels;
  int64_t value = 0;
};

class MetricsStore {
 public:
  explicit MetricsStore(Store& store) : db_(store.db()) {}

  // SLA targets breached, by target.
  Result<std::vector<CountedSeries>> BreachesByTarget();
  // Escalation levels fired, by target and level (1 is the first rung).
  Result<std::vector<CountedSeries>> EscalationsByLevel();
  // Automatic mail held back by the loop-safety rules, by kind.
  Result<std::vector<CountedSeries>> SuppressedByKind();
  // Surveys by state: scheduled, sent, answered.
  Result<std::vector<CountedSeries>> SurveysByState();
  // Survey answers by score.
  Result<std::vector<CountedSeries>> AnswersByScore();
  // Service standards, by queue, policy and target: 1 while below (the
  // lead told), else 0; and how often each fell. Rows appear at the first fall.
  Result<std::vector<CountedSeries>> StandardsBelow();
  Result<std::vector<CountedSeries>> StandardFalls();
  // Customers on the watch list.
  Result<int64_t> Watched();
  // Hours the KPI report's cache holds.
  Result<int64_t> KpiCacheHours();

 private:
  Result<std::vector<CountedSeries>> Query(const char* sql, int labels);
  Result<int64_t> Count(const char* sql);
  Db& db_;
};

}  // namespace frontdesk
