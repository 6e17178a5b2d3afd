#include "daemon/store/metrics_store.h"

namespace frontdesk {

Result<std::vector<CountedSeries>> MetricsStore::Query(const char* sql, int labels) {
  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  return st->Rows([labels](const Stmt& r) {
    CountedSeries s;
    for (int i = 0; i < labels; ++i) s.labels.push_back(r.Text(i));
    s.value = r.Int(labels);
    return s;
  });
}

Result<std::vector<CountedSeries>> MetricsStore::BreachesByTarget() {
  return Query("SELECT target, count(*) FROM sla_targets WHERE breached_at IS NOT NULL GROUP BY target", 1);
}

Result<std::vector<CountedSeries>> MetricsStore::EscalationsByLevel() {
  // Levels are stored from 0; people count rungs from 1.
  return Query("SELECT target, level + 1, count(*) FROM sla_levels_fired GROUP BY target, level", 2);
}

Result<std::vector<CountedSeries>> MetricsStore::SuppressedByKind() {
  return Query("SELECT kind, count(*) FROM outbox WHERE status = 'suppressed' GROUP BY kind", 1);
}

Result<std::vector<CountedSeries>> MetricsStore::SurveysByState() {
  return Query(
      "SELECT CASE WHEN answered_at IS NOT NULL THEN 'answered' WHEN sent_at IS NOT NULL THEN 'sent' "
      "ELSE 'scheduled' END AS state, count(*) FROM csat GROUP BY state",
      1);
}

Result<std::vector<CountedSeries>> MetricsStore::AnswersByScore() {
  return Query("SELECT score, count(*) FROM csat WHERE answered_at IS NOT NULL GROUP BY score", 1);
}

Result<std::vector<CountedSeries>> MetricsStore::StandardsBelow() {
  return Query("SELECT queue, policy, target, below_since IS NOT NULL FROM standard_state", 3);
}

Result<std::vector<CountedSeries>> MetricsStore::StandardFalls() {
  return Query("SELECT queue, policy, target, falls FROM standard_state", 3);
}

Result<int64_t> MetricsStore::Count(const char* sql) {
  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return st->Int(0);
}

Result<int64_t> MetricsStore::Watched() {
  return Count("SELECT count(DISTINCT address) FROM watch_list WHERE cleared_at IS NULL");
}

Result<int64_t> MetricsStore::KpiCacheHours() { return Count("SELECT count(*) FROM kpi_hours"); }

}  // namespace frontdesk
