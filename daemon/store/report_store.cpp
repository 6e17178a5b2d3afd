#include "daemon/store/report_store.h"

#include <spdlog/spdlog.h>

#include "daemon/store/fact_codec.h"

namespace frontdesk {
namespace {

constexpr int64_t kHour = 3600;

// Tickets the KPIs count: not opened by automatic mail (an out-of-office to
// nothing of ours), and not joined into another ticket (counted there).
constexpr std::string_view kCounted = " AND t.automatic = 0 AND t.merged_into IS NULL";

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

// Passes on the facts of tickets in the scope's queue and with its agent.
class ScopeFilter : public FactSink {
 public:
  ScopeFilter(const ReportScope& scope, FactSink& next) : scope_(scope), next_(next) {}

  void Received(const ReceivedFact& f, const FactOwner& o) override {
    if (Keep(o)) next_.Received(f, o);
  }
  void FirstResponse(const FirstResponseFact& f, const FactOwner& o) override {
    if (Keep(o)) next_.FirstResponse(f, o);
  }
  void Resolved(const ResolvedFact& f, const FactOwner& o) override {
    if (Keep(o)) next_.Resolved(f, o);
  }
  void Target(const TargetFact& f, const FactOwner& o) override {
    if (Keep(o)) next_.Target(f, o);
  }
  void Reopened(const ReopenedFact& f, const FactOwner& o) override {
    if (Keep(o)) next_.Reopened(f, o);
  }
  void Satisfaction(const SatisfactionFact& f, const FactOwner& o) override {
    if (Keep(o)) next_.Satisfaction(f, o);
  }

 private:
  bool Keep(const FactOwner& o) const {
    return (!scope_.queue || o.queue == *scope_.queue) && (!scope_.agent || o.agent == *scope_.agent);
  }
  const ReportScope& scope_;
  FactSink& next_;
};

// Hands each fact to the encoder of its hour; hours [first, first + n).
class HourRouter : public FactSink {
 public:
  HourRouter(int64_t first, std::vector<HourEncoder>& hours) : first_(first), hours_(hours) {}

  void Received(const ReceivedFact& f, const FactOwner& o) override { Of(f.at).Received(f, o); }
  void FirstResponse(const FirstResponseFact& f, const FactOwner& o) override { Of(f.at).FirstResponse(f, o); }
  void Resolved(const ResolvedFact& f, const FactOwner& o) override { Of(f.at).Resolved(f, o); }
  void Target(const TargetFact& f, const FactOwner& o) override { Of(f.at).Target(f, o); }
  void Reopened(const ReopenedFact& f, const FactOwner& o) override { Of(f.at).Reopened(f, o); }
  void Satisfaction(const SatisfactionFact& f, const FactOwner& o) override { Of(f.at).Satisfaction(f, o); }

 private:
  // ReadTables gives only facts inside the range asked for.
  HourEncoder& Of(int64_t at) { return hours_[static_cast<size_t>(FloorDiv(at, kHour) - first_)]; }
  int64_t first_;
  std::vector<HourEncoder>& hours_;
};

// Drops what it is given: decoding alone checks a blob.
class NoSink : public FactSink {
 public:
  void Received(const ReceivedFact&, const FactOwner&) override {}
  void FirstResponse(const FirstResponseFact&, const FactOwner&) override {}
  void Resolved(const ResolvedFact&, const FactOwner&) override {}
  void Target(const TargetFact&, const FactOwner&) override {}
  void Reopened(const ReopenedFact&, const FactOwner&) override {}
  void Satisfaction(const SatisfactionFact&, const FactOwner&) override {}
};

// One read snapshot for a whole report, inside or outside a transaction.
class ReadSnapshot {
 public:
  // On SQLite a SAVEPOINT outside a transaction begins one. PostgreSQL
  // wants a transaction first; a repeatable-read one sees one snapshot.
  explicit ReadSnapshot(Db& db) : db_(db), own_(db.postgres() && !db.InTransaction()) {
    status_ = own_ ? db.BeginRead() : db.Exec("SAVEPOINT report_read");
  }
  ~ReadSnapshot() {
    if (status_.ok()) (void)db_.Exec(own_ ? "COMMIT" : "RELEASE report_read");
  }
  const Status& status() const { return status_; }

 private:
  Db& db_;
  bool own_;
  Status status_;
};

}  // namespace

Status ReportStore::ReadTables(int64_t from, int64_t to, FactSink& sink) {
  // Runs `query` over [from, to) and counted tickets only, calling `row`
  // per row. Every query's columns end with the ticket's queue and assignee.
  auto each = [&](std::string_view query, int owner_col, auto row) -> Status {
    const std::string sql = std::string(query) + std::string(kCounted);
    Result<Stmt> st = db_.Prepare(sql);
    if (!st.ok()) return st.status();
    st->Bind(1, from).Bind(2, to);
    for (;;) {
      Result<bool> more = st->Step();
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
      row(*st, FactOwner{st->TextView(owner_col), st->TextView(owner_col + 1)});
    }
  };

  Status s = each(
      "SELECT t.created_at, CASE t.channel WHEN 'web' THEN 0 WHEN 'email' THEN 1 ELSE 2 END, "
      "EXISTS (SELECT 1 FROM sla_levels_fired l WHERE l.ticket_id = t.id), t.queue, coalesce(t.assignee, '') "
      "FROM tickets t WHERE t.created_at >= ?1 AND t.created_at < ?2",
      3, [&](const Stmt& st, const FactOwner& o) {
        sink.Received({st.Int(0), static_cast<uint8_t>(st.Int(1)), st.Int(2) != 0}, o);
      });
  if (!s.ok()) return s;

  s = each(
      "SELECT t.first_response_at, t.first_response_at - t.created_at, c.business_seconds, t.queue, "
      "coalesce(t.assignee, '') "
      "FROM tickets t LEFT JOIN sla_targets c ON c.ticket_id = t.id "
      "AND c.target = 'first_response' AND c.cycle = 0 AND c.met_at IS NOT NULL "
      "WHERE t.first_response_at >= ?1 AND t.first_response_at < ?2",
      3, [&](const Stmt& st, const FactOwner& o) { sink.FirstResponse({st.Int(0), st.Int(1), st.OptInt(2)}, o); });
  if (!s.ok()) return s;

  s = each(
      "SELECT t.solved_at, t.solved_at - t.created_at, c.business_seconds, "
      "(SELECT count(*) FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'reply'), "
      "t.reopened_count, t.queue, coalesce(t.assignee, '') "
      "FROM tickets t LEFT JOIN sla_targets c ON c.ticket_id = t.id "
      "AND c.target = 'resolution' AND c.cycle = 0 AND c.met_at IS NOT NULL "
      "WHERE t.solved_at >= ?1 AND t.solved_at < ?2",
      5, [&](const Stmt& st, const FactOwner& o) {
        sink.Resolved({st.Int(0), st.Int(1), st.OptInt(2), st.Int(3), st.Int(4)}, o);
      });
  if (!s.ok()) return s;

  s = each(
      "SELECT coalesce(c.breached_at, c.met_at), c.ticket_id, "
      "CASE c.target WHEN 'first_response' THEN 0 WHEN 'next_response' THEN 1 ELSE 2 END, "
      "c.breached_at IS NOT NULL, t.queue, coalesce(t.assignee, ''), coalesce(t.sla_policy, '') "
      "FROM sla_targets c JOIN tickets t ON t.id = c.ticket_id "
      "WHERE coalesce(c.breached_at, c.met_at) >= ?1 AND coalesce(c.breached_at, c.met_at) < ?2",
      4, [&](const Stmt& st, const FactOwner& o) {
        sink.Target({st.Int(0), st.Int(1), static_cast<uint8_t>(st.Int(2)), st.Int(3) != 0, st.TextView(6)}, o);
      });
  if (!s.ok()) return s;

  s = each(
      db_.postgres()
          ? "SELECT c.at, t.queue, coalesce(t.assignee, '') FROM events c JOIN tickets t ON t.id = c.ticket_id "
            "WHERE c.kind = 'status_changed' AND c.at >= ?1 AND c.at < ?2 "
            "AND c.detail::jsonb ->> 'from' = 'solved' "
            "AND c.detail::jsonb ->> 'to' NOT IN ('solved', 'closed')"
          : "SELECT c.at, t.queue, coalesce(t.assignee, '') FROM events c JOIN tickets t ON t.id = c.ticket_id "
            "WHERE c.kind = 'status_changed' AND c.at >= ?1 AND c.at < ?2 "
            "AND json_extract(c.detail, '$.from') = 'solved' "
            "AND json_extract(c.detail, '$.to') NOT IN ('solved', 'closed')",
      1, [&](const Stmt& st, const FactOwner& o) { sink.Reopened({st.Int(0)}, o); });
  if (!s.ok()) return s;

  return each(
      "SELECT c.answered_at, c.score, coalesce(c.scale_min, 1), coalesce(c.scale_max, 5), t.queue, "
      "coalesce(t.assignee, '') FROM csat c JOIN tickets t ON t.id = c.ticket_id "
      "WHERE c.score IS NOT NULL AND c.answered_at >= ?1 AND c.answered_at < ?2",
      4, [&](const Stmt& st, const FactOwner& o) {
        sink.Satisfaction({st.Int(0), st.Int(1), st.Int(2), st.Int(3)}, o);
      });
}

Result<std::vector<BacklogFact>> ReportStore::Facts(const ReportScope& scope, FactSink& sink, FactSource source,
                                                    FactsRead* read) {
  FactsRead unused;
  FactsRead& r = read ? *read : unused;
  ReadSnapshot snapshot(db_);
  if (!snapshot.status().ok()) return snapshot.status();
  ScopeFilter filtered(scope, sink);
  const int64_t from = ToUnix(scope.from), to = ToUnix(scope.to);
  int64_t done = from;  // every fact before `done` has been read
  auto tables_to = [&](int64_t end) -> Status {
    if (end <= done) return Status::Ok();
    ++r.table_ranges;
    Status s = ReadTables(done, end, filtered);
    done = end;
    return s;
  };

  const int64_t first_hour = CeilDiv(from, kHour), end_hour = FloorDiv(to, kHour);
  if (source == FactSource::kCacheAndTables && first_hour < end_hour) {
    Result<Stmt> st = db_.Prepare("SELECT hour, facts FROM kpi_hours WHERE hour >= ?1 AND hour < ?2 ORDER BY hour");
    if (!st.ok()) return st.status();
    st->Bind(1, first_hour).Bind(2, end_hour);
    for (;;) {
      Result<bool> more = st->Step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      const int64_t hour = st->Int(0);
      Status s = DecodeHour(st->Blob(1), hour, filtered);
      if (!s.ok()) {
        // The tables still hold the truth; the next fill writes it again.
        if (!r.damaged_hours++) {
          spdlog::warn("{}; reading it from the tables (frontdesk report --fill-cache replaces it)", s.message());
        }
        continue;
      }
      ++r.cached_hours;
      s = tables_to(hour * kHour);
      if (!s.ok()) return s;
      done = (hour + 1) * kHour;
    }
  }
  Status s = tables_to(to);
  if (!s.ok()) return s;
  if (!scope.backlog) return std::vector<BacklogFact>();

  // Counted in SQL, in the order of the tickets_backlog index, so no
  // sorting: an open backlog can be most of a large database.
  std::string sql =
      "SELECT t.queue, t.priority, count(*) FILTER (WHERE t.created_at > ?1 - 86400), "
      "count(*) FILTER (WHERE t.created_at <= ?1 - 86400 AND t.created_at > ?1 - 3 * 86400), "
      "count(*) FILTER (WHERE t.created_at <= ?1 - 3 * 86400 AND t.created_at > ?1 - 7 * 86400), "
      "count(*) FILTER (WHERE t.created_at <= ?1 - 7 * 86400 AND t.created_at > ?1 - 30 * 86400), "
      "count(*) FILTER (WHERE t.created_at <= ?1 - 30 * 86400) FROM tickets t "
      "WHERE t.status IN ('new', 'open', 'pending', 'on_hold') AND t.automatic = 0";
  if (scope.queue) sql += " AND t.queue = ?2";
  if (scope.agent) sql += " AND t.assignee = ?3";
  sql += " GROUP BY t.status, t.queue, t.priority";
  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, ToUnix(scope.now));
  if (scope.queue) st->Bind(2, *scope.queue);
  if (scope.agent) st->Bind(3, *scope.agent);
  std::vector<BacklogFact> backlog;
  for (;;) {
    Result<bool> more = st->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    for (int age = 0; age < 5; ++age) {
      if (int64_t n = st->Int(2 + age)) backlog.push_back({st->Text(0), st->Text(1), age, n});
    }
  }
  return backlog;
}

Result<CacheFill> ReportStore::FillCache(Timestamp before, int64_t max_hours) {
  CacheFill fill;
  int64_t first = 0;
  {
    Result<Stmt> st = db_.Prepare("SELECT min(created_at) FROM tickets");
    if (!st.ok()) return st.status();
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row || st->IsNull(0)) return fill;
    first = FloorDiv(st->Int(0), kHour);
  }
  const int64_t end = FloorDiv(ToUnix(before), kHour);
  // The missing hours, as runs [from, to), oldest first.
  std::vector<std::pair<int64_t, int64_t>> runs;
  {
    int64_t wanted = max_hours, next = first;
    auto add = [&](int64_t to) {
      int64_t stop = std::min(to, next + wanted);
      if (stop > next) {
        runs.emplace_back(next, stop);
        wanted -= stop - next;
      }
    };
    Result<Stmt> st = db_.Prepare("SELECT hour FROM kpi_hours WHERE hour >= ?1 AND hour < ?2 ORDER BY hour");
    if (!st.ok()) return st.status();
    st->Bind(1, first).Bind(2, end);
    while (wanted > 0) {
      Result<bool> more = st->Step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      add(st->Int(0));
      next = st->Int(0) + 1;
    }
    if (wanted > 0) add(end);
  }
  for (const auto& [from, to] : runs) {
    std::vector<HourEncoder> hours;
    hours.reserve(static_cast<size_t>(to - from));
    for (int64_t h = from; h < to; ++h) hours.emplace_back(h);
    HourRouter router(from, hours);
    Status s = ReadTables(from * kHour, to * kHour, router);
    if (!s.ok()) return s;
    for (int64_t h = from; h < to; ++h) {
      const HourEncoder& e = hours[static_cast<size_t>(h - from)];
      Result<Stmt> st = db_.Prepare("INSERT INTO kpi_hours(hour, facts) VALUES (?1, ?2) "
                                    "ON CONFLICT (hour) DO UPDATE SET facts = excluded.facts");
      if (!st.ok()) return st.status();
      s = st->Bind(1, h).BindBlob(2, e.Finish()).Run();
      if (!s.ok()) return s;
      ++fill.hours;
      fill.facts += e.facts();
    }
  }
  return fill;
}

Result<int64_t> ReportStore::DropDamagedHours() {
  std::vector<int64_t> damaged;
  {
    Result<Stmt> st = db_.Prepare("SELECT hour, facts FROM kpi_hours ORDER BY hour");
    if (!st.ok()) return st.status();
    NoSink none;
    for (;;) {
      Result<bool> more = st->Step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      Status s = DecodeHour(st->Blob(1), st->Int(0), none);
      if (!s.ok()) {
        spdlog::warn("{}; dropped, to be written again", s.message());
        damaged.push_back(st->Int(0));
      }
    }
  }
  for (int64_t hour : damaged) {
    Result<Stmt> st = db_.Prepare("DELETE FROM kpi_hours WHERE hour = ?1");
    if (!st.ok()) return st.status();
    Status s = st->Bind(1, hour).Run();
    if (!s.ok()) return s;
  }
  return static_cast<int64_t>(damaged.size());
}

}  // namespace frontdesk
