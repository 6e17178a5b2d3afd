// report_store.h: the facts the KPI report is made of, read for one period
// and scope. Each list holds one row per ticket (or per SLA target) with
// the time that places it in the period and the values it adds; kpi.h
// does the arithmetic. Every fact comes from the tickets table and the
// per-target SLA state, so the report agrees with `sla explain`.
// Read-only. Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct ReportScope {
  Timestamp from, to;  // [from, to)
  Timestamp now;       // for the backlog's ages
  std::optional<std::string> queue;  // the ticket's queue now
  std::optional<std::string> agent;  // the ticket's assignee now
};

struct ReceivedFact {
  int64_t at = 0;  // created, Unix seconds
  std::string channel;
  bool escalated = false;  // an escalation level fired for it, ever
};

struct FirstResponseFact {
  int64_t at = 0;  // the first public reply
  int64_t wall_seconds = 0;
  std::optional<int64_t> business_seconds;  // with an SLA first_response clock
};

struct ResolvedFact {
  int64_t at = 0;  // solved
  int64_t wall_seconds = 0;
  std::optional<int64_t> business_seconds;  // with an SLA resolution clock
  int64_t public_replies = 0;
  int64_t reopened = 0;
};

struct TargetFact {
  int64_t at = 0;  // when its outcome was known: breached, or else met
  int64_t ticket_id = 0;
  std::string target;
  bool breached = false;
};

struct SatisfactionFact {
  int64_t at = 0;  // answered
  int64_t score = 0, scale_min = 1, scale_max = 5;
};

// Open tickets now, counted by queue, priority and age: under a day, 1 to
// 3 days, 3 to 7, 7 to 30, over 30 (age_bucket 0 to 4).
struct BacklogFact {
  std::string queue, priority;
  int age_bucket = 0;
  int64_t count = 0;
};

struct ReportFacts {
  std::vector<ReceivedFact> received;
  std::vector<FirstResponseFact> first_responses;
  std::vector<ResolvedFact> resolved;
  std::vector<TargetFact> targets;
  std::vector<int64_t> reopened;  // when each reopening happened
  std::vector<SatisfactionFact> satisfaction;
  std::vector<BacklogFact> backlog;  // open now, whenever created
};

class ReportStore {
 public:
  explicit ReportStore(Store& store) : db_(store.db()) {}

  Result<ReportFacts> Facts(const ReportScope& scope);

 private:
  Db& db_;
};

}  // namespace frontdesk
