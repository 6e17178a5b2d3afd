#include "daemon/store/ticket_list.h"

#include <functional>
#include <limits>

#include "daemon/store/ticket_store.h"

namespace frontdesk {
namespace {

// Turns free text into an FTS5 query that matches every word, so that a
// user's quotes, stars and operators are searched for, not interpreted.
std::string FtsQuery(std::string_view text) {
  std::string out;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : word) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

// The WHERE clause of `q`'s filters, assembled from fixed fragments; every
// value is bound.
struct Where {
  std::string sql = " WHERE 1=1";
  int n = 0;
  std::vector<std::function<void(Stmt&)>> binds;
  std::string Param() { return "?" + std::to_string(++n); }
};

// The same expression as the tickets_open_*due indexes (schema v14).
constexpr const char* kDue = "coalesce(sla_due_at, 9223372036854775807)";

Where Filters(const TicketQuery& q, Engine engine) {
  Where w;
  if (!q.statuses.empty()) {
    // Written out, not bound: the names come from the enum, and SQLite uses
    // a partial index (WHERE status IN ('new', 'open', 'pending',
    // 'on_hold'), schema v14) only for a query that names the same values.
    w.sql += " AND status IN (";
    for (size_t i = 0; i < q.statuses.size(); ++i) {
      w.sql += std::string(i ? ", '" : "'") + std::string(Name(q.statuses[i])) + "'";
    }
    w.sql += ")";
  }
  auto eq = [&](const char* col, const std::optional<std::string>& v) {
    if (!v) return;
    w.sql += std::string(" AND ") + col + " = " + w.Param();
    w.binds.push_back([v = *v, k = w.n](Stmt& s) { s.Bind(k, v); });
  };
  eq("queue", q.queue);
  eq("priority", q.priority);
  eq("assignee", q.assignee);
  eq("requester_email", q.requester);
  if (q.created_after) {
    w.sql += " AND created_at >= " + w.Param();
    w.binds.push_back([v = ToUnix(*q.created_after), k = w.n](Stmt& s) { s.Bind(k, v); });
  }
  if (q.created_before) {
    w.sql += " AND created_at < " + w.Param();
    w.binds.push_back([v = ToUnix(*q.created_before), k = w.n](Stmt& s) { s.Bind(k, v); });
  }
  if (q.unassigned) w.sql += " AND assignee IS NULL";
  if (q.due_from) {
    w.sql += std::string(" AND ") + kDue + " >= " + w.Param();
    w.binds.push_back([v = ToUnix(*q.due_from), k = w.n](Stmt& s) { s.Bind(k, v); });
  }
  if (q.due_before) {
    w.sql += std::string(" AND ") + kDue + " < " + w.Param();
    w.binds.push_back([v = ToUnix(*q.due_before), k = w.n](Stmt& s) { s.Bind(k, v); });
  }
  if (q.quarantined) w.sql += *q.quarantined ? " AND quarantined = 1" : " AND quarantined = 0";
  if (q.automatic) w.sql += *q.automatic ? " AND automatic = 1" : " AND automatic = 0";
  if (q.breached) {
    w.sql += std::string(" AND ") + (*q.breached ? "" : "NOT ") +
           "EXISTS (SELECT 1 FROM sla_targets s WHERE s.ticket_id = tickets.id AND s.breached_at IS NOT NULL)";
  }
  if (q.text && engine == Engine::kPostgres) {
    // plainto_tsquery matches every word and reads no operators.
    w.sql += " AND id IN (SELECT m.ticket_id FROM messages m WHERE m.id IN "
           "(SELECT id FROM message_search WHERE document @@ plainto_tsquery('simple', translate(" + w.Param() +
           ", '<>', '  '))))";
    w.binds.push_back([v = *q.text, k = w.n](Stmt& s) { s.Bind(k, v); });
  } else if (q.text) {
    w.sql += " AND id IN (SELECT m.ticket_id FROM messages m WHERE m.id IN "
           "(SELECT rowid FROM message_search WHERE message_search MATCH " + w.Param() + "))";
    w.binds.push_back([v = FtsQuery(*q.text), k = w.n](Stmt& s) { s.Bind(k, v); });
  }

  return w;
}

// The index that reads the open tickets in due order for `q`, or "" to let
// the planner choose. Without statistics (a database that has never seen
// ANALYZE) SQLite prefers the status index and sorts every open ticket;
// named here, the page reads 51 index entries.
std::string DueIndex(const TicketQuery& q, Engine engine) {
  // PostgreSQL keeps statistics of its own and has no INDEXED BY.
  if (engine == Engine::kPostgres) return "";
  static const std::vector<TicketStatus> kOpen = {TicketStatus::kNew, TicketStatus::kOpen, TicketStatus::kPending,
                                                  TicketStatus::kOnHold};
  if (q.sort != TicketQuery::Sort::kDueAsc || q.statuses != kOpen || q.text || q.requester) return "";
  if (q.queue) return " INDEXED BY tickets_open_queue_due";
  if (q.assignee || q.unassigned) return " INDEXED BY tickets_open_assignee_due";
  return " INDEXED BY tickets_open_due";
}

// At most this many tickets in a created range make it narrow; counting
// them reads that many entries of tickets_created and no row.
constexpr int64_t kNarrowRange = 10000;

}  // namespace

// PostgreSQL reads a created range in id order by walking the id index back
// from the newest ticket: its estimate spreads the range's tickets evenly
// over the ids, while they are bunched where their dates are. For a day a
// year ago that walk passes every newer ticket (229 ms over a million). The
// planner cannot see it (its plans are the same, custom or generic), so a
// bounded count tells a narrow range, whose tickets are then read through
// tickets_created and sorted: 3 ms for the same day.
Result<bool> TicketList::NarrowCreatedRange(const TicketQuery& q) {
  Result<Stmt> st = db_.Prepare(
      "SELECT count(*) FROM (SELECT 1 FROM tickets WHERE created_at >= ?1 AND created_at < ?2 LIMIT ?3) AS r");
  if (!st.ok()) return st.status();
  st->Bind(1, q.created_after ? ToUnix(*q.created_after) : std::numeric_limits<int64_t>::min());
  st->Bind(2, q.created_before ? ToUnix(*q.created_before) : std::numeric_limits<int64_t>::max());
  st->Bind(3, kNarrowRange + 1);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return *row && st->Int(0) <= kNarrowRange;
}

Result<TicketPage> TicketList::List(const TicketQuery& q) {
  Where w = Filters(q, db_.engine());
  std::string sql = std::string("SELECT ") + TicketColumns() + " FROM tickets" + DueIndex(q, db_.engine()) + w.sql;
  const char* key = "id";
  bool desc = true;
  switch (q.sort) {
    case TicketQuery::Sort::kIdDesc: break;
    case TicketQuery::Sort::kIdAsc: desc = false; break;
    case TicketQuery::Sort::kCreatedDesc: key = "created_at"; break;
    case TicketQuery::Sort::kCreatedAsc: key = "created_at"; desc = false; break;
    case TicketQuery::Sort::kUpdatedDesc: key = "updated_at"; break;
    case TicketQuery::Sort::kUpdatedAsc: key = "updated_at"; desc = false; break;
    case TicketQuery::Sort::kDueAsc: key = kDue; desc = false; break;
  }
  const char* cmp = desc ? "<" : ">";
  if (q.after_id) {
    if (std::string_view(key) == "id") {
      sql += std::string(" AND id ") + cmp + " " + w.Param();
      w.binds.push_back([v = *q.after_id, k = w.n](Stmt& s) { s.Bind(k, v); });
    } else {
      std::string pk = w.Param();
      w.binds.push_back([v = q.after_key.value_or(0), k = w.n](Stmt& s) { s.Bind(k, v); });
      std::string pi = w.Param();
      w.binds.push_back([v = *q.after_id, k = w.n](Stmt& s) { s.Bind(k, v); });
      sql += std::string(" AND (") + key + " " + cmp + " " + pk + " OR (" + key + " = " + pk +
             " AND id " + cmp + " " + pi + "))";
    }
  }
  const char* dir = desc ? " DESC" : " ASC";
  if (std::string_view(key) == "id") {
    bool by_range = false;
    if (db_.engine() == Engine::kPostgres && (q.created_after || q.created_before)) {
      Result<bool> narrow = NarrowCreatedRange(q);
      if (!narrow.ok()) return narrow.status();
      by_range = *narrow;
    }
    // "id + 0" is the same order, but not one the id index can give.
    sql += std::string(by_range ? " ORDER BY id + 0" : " ORDER BY id") + dir;
  } else {
    sql += std::string(" ORDER BY ") + key + dir + ", id" + dir;
  }
  sql += " LIMIT " + w.Param();
  w.binds.push_back([v = static_cast<int64_t>(q.limit + 1), k = w.n](Stmt& s) { s.Bind(k, v); });

  Result<Stmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  for (auto& b : w.binds) b(*st);
  TicketPage page;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.tickets.size()) == q.limit) {
      page.more = true;
      break;
    }
    page.tickets.push_back(ReadTicket(*st));
  }
  return page;
}

Result<int64_t> TicketList::Count(const TicketQuery& q) {
  Where w = Filters(q, db_.engine());
  TicketQuery due_order = q;
  due_order.sort = TicketQuery::Sort::kDueAsc;
  Result<Stmt> st = db_.Prepare("SELECT count(*) FROM tickets" + DueIndex(due_order, db_.engine()) + w.sql);
  if (!st.ok()) return st.status();
  for (auto& b : w.binds) b(*st);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  return st->Int(0);
}

}  // namespace frontdesk
