// report_facts.h: the facts the KPI report is made of, and the sink that
// receives them. One fact is one ticket received, answered or solved, one
// SLA target decided, one reopening or one survey answer, placed in time by
// `at` (Unix seconds). ReportStore reads them from the tables or from the
// hourly cache (fact_codec); kpi.h adds them up. Types only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace frontdesk {

// The channel and target columns allow three values each (schema CHECKs);
// facts carry them as these codes.
inline constexpr const char* kFactChannels[] = {"web", "email", "api"};
inline constexpr const char* kFactTargets[] = {"first_response", "next_response", "resolution"};
inline constexpr int kFactCodes = 3;

struct ReceivedFact {
  int64_t at = 0;  // created
  uint8_t channel = 0;
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
  uint8_t target = 0;
  bool breached = false;
  std::string_view policy;  // the ticket's SLA policy; lasts for the call, like FactOwner
};

struct ReopenedFact {
  int64_t at = 0;
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

// Whose a fact is now: its ticket's queue and assignee ("" for nobody).
// The views last only for the call they are passed to.
struct FactOwner {
  std::string_view queue, agent;
};

class FactSink {
 public:
  virtual ~FactSink() = default;
  virtual void Received(const ReceivedFact& f, const FactOwner& o) = 0;
  virtual void FirstResponse(const FirstResponseFact& f, const FactOwner& o) = 0;
  virtual void Resolved(const ResolvedFact& f, const FactOwner& o) = 0;
  virtual void Target(const TargetFact& f, const FactOwner& o) = 0;
  virtual void Reopened(const ReopenedFact& f, const FactOwner& o) = 0;
  virtual void Satisfaction(const SatisfactionFact& f, const FactOwner& o) = 0;
};

}  // namespace frontdesk
