// router.h: the routing rules of [[route]], compiled once per config (RE2
// regexes run in linear time, which is safe on hostile bodies). Route() is a
// pure function of the request and the time, and records every condition it
// evaluated, so the event log and `frontdesk route --explain` can say why.
// A Router is immutable and thread-safe.
#pragma once

#include <re2/re2.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/sla/calendar.h"

namespace frontdesk {

struct RouteInput {
  std::string channel;  // web, email, api
  std::vector<std::string> to;  // recipient addresses, lower case
  std::string mailbox;          // the [[mailbox]] name mail was fetched from, or ""
  std::string from;             // sender address, lower case
  std::string subject;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string sender_priority;  // low/normal/high/urgent as the sender gave it, or ""
  Timestamp now;
};

struct ConditionTrace {
  std::string text;  // "subject =~ /(?i)invoice/"
  bool result = false;
};

struct RuleTrace {
  std::string id;
  bool match_any = false;
  bool matched = false;
  std::vector<ConditionTrace> conditions;
  std::vector<std::string> actions;  // "queue=billing", "tags+=order-77"
  bool stopped = false;
};

struct RouteDecision {
  std::string queue;       // empty: leave the queue as it was
  std::string queue_rule;  // the rule that set the queue
  std::string priority, category, assignee, sla;
  std::vector<std::string> tags;
  bool suppress_auto_reply = false;
  bool rejected = false;
  std::string reject_reason;
  std::string reject_rule;
  std::vector<std::string> matched;  // ids of the rules that matched, in order
  std::vector<RuleTrace> trace;
};

class Router {
 public:
  static Result<std::shared_ptr<const Router>> Build(const Config& config);
  RouteDecision Route(const RouteInput& in) const;

 private:
  struct Compiled {
    const RouteCondition* condition;
    std::unique_ptr<RE2> re;
    const Calendar* calendar = nullptr;
  };
  struct Rule {
    const RouteRule* rule;
    std::vector<Compiled> conditions;
  };
  bool Evaluate(const Compiled& c, const RouteInput& in, std::map<std::string, std::string>& captures,
                std::string* text) const;

  std::vector<RouteRule> rules_;  // owned copies the compiled rules point into
  std::vector<Rule> compiled_;
  std::vector<std::unique_ptr<Calendar>> calendars_;
};

// The priority a mail's sender asked for: X-Priority 1-2 and Importance high
// are "high", 4-5 and low are "low", 3 and normal are "normal"; "" when the
// headers say nothing.
std::string SenderPriority(const std::vector<std::pair<std::string, std::string>>& headers);

// Renders a decision's trace as the text `route --explain` prints.
std::string ExplainRoute(const RouteInput& in, const RouteDecision& d);

}  // namespace frontdesk
