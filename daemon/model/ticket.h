// ticket.h: the ticket as the core sees it, and the rules about its values:
// the statuses and which changes between them are legal, the priorities,
// tags. Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"

namespace frontdesk {

// new: nobody has answered; open: being worked on; pending: waiting for the
// customer; on_hold: waiting for a third party; solved: answered, may be
// reopened by the customer; closed: final.
inline constexpr std::string_view kStatuses[] = {"new", "open", "pending", "on_hold", "solved", "closed"};
inline constexpr std::string_view kPriorities[] = {"low", "normal", "high", "urgent"};
inline constexpr std::string_view kChannels[] = {"web", "email", "api"};

bool IsStatus(std::string_view s);
bool IsPriority(std::string_view s);
// Whether a ticket may go from `from` to `to`. Nothing goes back to "new",
// and "closed" is final: a later message opens a new, linked ticket.
bool IsLegalTransition(std::string_view from, std::string_view to);
// Tags are 1 to 64 of a-z, 0-9 and - _ . : / (lower case, no spaces).
Status ValidateTag(std::string_view tag);

struct Ticket {
  int64_t id = 0;
  std::string subject;
  std::string status = "new";
  std::string priority = "normal";
  std::string queue;
  std::optional<std::string> category;
  std::optional<std::string> assignee;
  std::string requester_email;
  std::string requester_name;
  std::string channel;
  std::vector<std::string> tags;
  std::string fields_json = "{}";  // form fields, a JSON object of strings
  bool quarantined = false;
  std::optional<std::string> quarantine_reason;
  std::optional<std::string> route_rule;
  std::optional<std::string> sla_policy;
  std::optional<Timestamp> next_due_at;
  std::optional<int64_t> linked_ticket_id;
  int64_t reopened_count = 0;
  int64_t version = 1;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> first_response_at;
  std::optional<Timestamp> solved_at;
  std::optional<Timestamp> closed_at;
};

struct MessageRecord {
  int64_t id = 0;
  std::string kind;  // customer, reply, note, auto, system
  std::string channel;
  std::optional<std::string> author_email;
  std::optional<std::string> author_name;
  std::string subject;
  std::string body_text;
  std::optional<std::string> message_id;
  bool auto_submitted = false;
  Timestamp created_at;
};

struct AttachmentRecord {
  int64_t id = 0;
  int64_t message_id = 0;
  std::string filename;
  std::string content_type;
  int64_t size = 0;
  std::string sha256;
};

struct EventRecord {
  int64_t id = 0;
  Timestamp at;
  std::string kind;
  std::string actor;
  std::optional<std::string> rule_id;
  std::string detail_json;
};

struct SlaTargetRecord {
  std::string target;
  int64_t cycle = 0;
  Timestamp started_at;
  std::optional<Timestamp> due_at;
  std::optional<Timestamp> paused_since;
  int64_t paused_seconds = 0;
  std::optional<Timestamp> met_at;
  std::optional<Timestamp> breached_at;
  std::optional<int64_t> business_seconds;
};

}  // namespace frontdesk
