#include "daemon/store/report_store.h"

namespace frontdesk {
namespace {

// The scope's filters, as the last two parameters of every query.
constexpr const char* kScope = " AND (?3 IS NULL OR t.queue = ?3) AND (?4 IS NULL OR t.assignee = ?4)";

}  // namespace

Result<ReportFacts> ReportStore::Facts(const ReportScope& scope) {
  ReportFacts f;
  const int64_t from = ToUnix(scope.from), to = ToUnix(scope.to);
  // Runs `sql` with the period and the scope bound, calling `row` per row.
  auto each = [&](const std::string& sql, auto row) -> Status {
    Result<Stmt> st = db_.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(1, from).Bind(2, to).Bind(3, scope.queue).Bind(4, scope.agent);
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
                       "FROM sla_targets c JOIN tickets t ON t.id = c.ticket_id "
                       "WHERE coalesce(c.breached_at, c.met_at) >= ?1 AND coalesce(c.breached_at, c.met_at) < ?2") +
               kScope,
           [&](const Stmt& st) { f.targets.push_back({st.Int(0), st.Int(1), st.Text(2), st.Int(3) != 0}); });
  if (!s.ok()) return s;

  s = each(std::string("SELECT e.at FROM events e JOIN tickets t ON t.id = e.ticket_id "
                       "WHERE e.kind = 'status_changed' AND e.at >= ?1 AND e.at < ?2 "
                       "AND json_extract(e.detail, '$.from') = 'solved' "
                       "AND json_extract(e.detail, '$.to') NOT IN ('solved', 'closed')") +
               kScope,
           [&](const Stmt& st) { f.reopened.push_back(st.Int(0)); });
  if (!s.ok()) return s;

  s = each(std::string("SELECT c.answered_at, c.score, coalesce(c.scale_min, 1), coalesce(c.scale_max, 5) "
                       "FROM csat c JOIN tickets t ON t.id = c.ticket_id "
                       "WHERE c.score IS NOT NULL AND c.answered_at >= ?1 AND c.answered_at < ?2") +
               kScope,
           [&](const Stmt& st) { f.satisfaction.push_back({st.Int(0), st.Int(1), st.Int(2), st.Int(3)}); });
  if (!s.ok()) return s;

  // The backlog is as of now; the period does not narrow it.
  s = each(std::string("SELECT t.queue, t.priority, t.created_at FROM tickets t "
                       "WHERE t.status IN ('new', 'open', 'pending', 'on_hold') AND ?1 <= ?2") +
               kScope,
           [&](const Stmt& st) { f.backlog.push_back({st.Text(0), st.Text(1), st.Int(2)}); });
  if (!s.ok()) return s;
  return f;
}

}  // namespace frontdesk
