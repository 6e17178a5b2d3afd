#include "daemon/store/report_store.h"

namespace frontdesk {
namespace {

}  // namespace

Result<ReportFacts> ReportStore::Facts(const ReportScope& scope) {
  ReportFacts f;
  // The scope's filters, on parameters 3 and 4. Facts from other tables
  // join the ticket only when a filter needs it.
  const bool scoped = scope.queue || scope.agent;
  std::string kScope;
  if (scope.queue) kScope += " AND t.queue = ?3";
  if (scope.agent) kScope += " AND t.assignee = ?4";
  const std::string join = scoped ? " JOIN tickets t ON t.id = c.ticket_id" : "";
  const int64_t from = ToUnix(scope.from), to = ToUnix(scope.to);
  // Runs `sql` with the period and the scope bound, calling `row` per row.
  auto each = [&](const std::string& sql, auto row) -> Status {
    // Each query is prepared once per scope shape; the cache keeps it.
    Result<Stmt> st = db_.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(1, from).Bind(2, to);
    if (scope.queue) st->Bind(3, *scope.queue);
    if (scope.agent) st->Bind(4, *scope.agent);
    for (;;) {
      Result<bool> more = st->Step();
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
      row(*st);
    }
  };

  Status s = each(std::string("SELECT t.created_at, t.channel, "
                              "EXISTS (SELECT 1 FROM sla_levels_fired l WHERE l.ticket_id = t.id) "
                              "FROM tickets t WHERE t.created_at >= ?1 AND t.created_at < ?2") + kScope,
                  [&](const Stmt& st) { f.received.push_back({st.Int(0), st.Text(1), st.Int(2) != 0}); });
  if (!s.ok()) return s;

  s = each(std::string("SELECT t.first_response_at, t.first_response_at - t.created_at, c.business_seconds "
                       "FROM tickets t LEFT JOIN sla_targets c ON c.ticket_id = t.id "
                       "AND c.target = 'first_response' AND c.cycle = 0 AND c.met_at IS NOT NULL "
                       "WHERE t.first_response_at >= ?1 AND t.first_response_at < ?2") + kScope,
           [&](const Stmt& st) { f.first_responses.push_back({st.Int(0), st.Int(1), st.OptInt(2)}); });
  if (!s.ok()) return s;

  s = each(std::string("SELECT t.solved_at, t.solved_at - t.created_at, c.business_seconds, "
                       "(SELECT count(*) FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'reply'), "
                       "t.reopened_count "
                       "FROM tickets t LEFT JOIN sla_targets c ON c.ticket_id = t.id "
                       "AND c.target = 'resolution' AND c.cycle = 0 AND c.met_at IS NOT NULL "
                       "WHERE t.solved_at >= ?1 AND t.solved_at < ?2") + kScope,
           [&](const Stmt& st) {
             f.resolved.push_back({st.Int(0), st.Int(1), st.OptInt(2), st.Int(3), st.Int(4)});
           });
  if (!s.ok()) return s;

  s = each(std::string("SELECT coalesce(c.breached_at, c.met_at), c.ticket_id, c.target, c.breached_at IS NOT NULL "
                       "FROM sla_targets c") + join + " "
                       "WHERE coalesce(c.breached_at, c.met_at) >= ?1 AND coalesce(c.breached_at, c.met_at) < ?2" +
               kScope,
           [&](const Stmt& st) { f.targets.push_back({st.Int(0), st.Int(1), st.Text(2), st.Int(3) != 0}); });
  if (!s.ok()) return s;

  s = each(std::string("SELECT c.at FROM events c") + join +
               " WHERE c.kind = 'status_changed' AND c.at >= ?1 AND c.at < ?2 "
               "AND json_extract(c.detail, '$.from') = 'solved' "
               "AND json_extract(c.detail, '$.to') NOT IN ('solved', 'closed')" +
               kScope,
           [&](const Stmt& st) { f.reopened.push_back(st.Int(0)); });
  if (!s.ok()) return s;

  s = each(std::string("SELECT c.answered_at, c.score, coalesce(c.scale_min, 1), coalesce(c.scale_max, 5) "
                       "FROM csat c") + join + " "
                       "WHERE c.score IS NOT NULL AND c.answered_at >= ?1 AND c.answered_at < ?2" +
               kScope,
           [&](const Stmt& st) { f.satisfaction.push_back({st.Int(0), st.Int(1), st.Int(2), st.Int(3)}); });
  if (!s.ok()) return s;

  // The backlog is as of now; the period does not narrow it. Counted in
  // SQL: an open backlog can be most of a large database.
  {
    std::string sql = std::string("SELECT t.queue, t.priority, ") +
                      "CASE WHEN ?5 - t.created_at < 86400 THEN 0 WHEN ?5 - t.created_at < 3 * 86400 THEN 1 "
                      "WHEN ?5 - t.created_at < 7 * 86400 THEN 2 WHEN ?5 - t.created_at < 30 * 86400 THEN 3 "
                      "ELSE 4 END AS age, count(*) FROM tickets t "
                      "WHERE t.status IN ('new', 'open', 'pending', 'on_hold')" +
                      kScope + " GROUP BY 1, 2, 3";
    Result<Stmt> st = db_.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(5, ToUnix(scope.now));
    if (scope.queue) st->Bind(3, *scope.queue);
    if (scope.agent) st->Bind(4, *scope.agent);
    for (;;) {
      Result<bool> more = st->Step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      f.backlog.push_back({st->Text(0), st->Text(1), static_cast<int>(st->Int(2)), st->Int(3)});
    }
  }
  return f;
}

}  // namespace frontdesk
