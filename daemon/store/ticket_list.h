// ticket_list.h: the SQL that lists and counts tickets by filters: the
// list API and the console's queue views. Keyset paging, so a page costs
// the same at the end of a long list as at its start; the views sorted by
// what is due next read the schema v14 indexes in order.
// Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/model/ticket.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct TicketQuery {
  std::vector<TicketStatus> statuses;
  std::optional<std::string> queue;
  std::optional<std::string> priority;
  std::optional<std::string> assignee;
  std::optional<std::string> requester;
  std::optional<std::string> text;  // full-text search over subjects and bodies
  std::optional<Timestamp> created_after;   // inclusive
  std::optional<Timestamp> created_before;  // exclusive
  std::optional<bool> quarantined;
  std::optional<bool> breached;
  std::optional<bool> automatic;  // opened by automatic mail (an out-of-office to nothing of ours)
  bool unassigned = false;
  // By sla_due_at; a ticket without a due time counts as due at the end of time.
  std::optional<Timestamp> due_from;    // inclusive
  std::optional<Timestamp> due_before;  // exclusive
  // kDueAsc: what is due next first (sla_due_at), tickets without a due
  // time last; its keyset key is the due time, or INT64_MAX for none.
  enum class Sort { kIdDesc, kIdAsc, kCreatedDesc, kCreatedAsc, kUpdatedDesc, kUpdatedAsc, kDueAsc };
  Sort sort = Sort::kIdDesc;
  int limit = 50;
  // Keyset position: return rows strictly after (after_key, after_id).
  std::optional<int64_t> after_key;
  std::optional<int64_t> after_id;
};

struct TicketPage {
  std::vector<Ticket> tickets;
  bool more = false;  // there is at least one more row after the last one
};

class TicketList {
 public:
  explicit TicketList(Store& store) : db_(store.db()) {}

  Result<TicketPage> List(const TicketQuery& q);
  // How many tickets the filters of `q` find (its sort, limit and position
  // do not matter).
  Result<int64_t> Count(const TicketQuery& q);

 private:
  // Whether q's created range holds few enough tickets to read them all
  // and sort (PostgreSQL only).
  Result<bool> NarrowCreatedRange(const TicketQuery& q);

  Db& db_;
};

}  // namespace frontdesk
