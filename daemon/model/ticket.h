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
enum class TicketStatus { kNew, kOpen, kPending, kOnHold, kSolved, kClosed };
// Who wrote a message: the customer (or anyone writing in), an agent's
// public reply, an internal note, automatic mail, or Frontdesk itself.
enum class MessageKind { kCustomer, kReply, kNote, kAuto, kSystem };
// How a ticket or message came in. A new channel must be handled in every
// switch over it before it compiles (-Wswitch, -Werror).
enum class Channel { kWeb, kEmail, kApi };
// Who causes a change: the customer, an agent of the queue, an admin API
// token, or Frontdesk itself (the router, an SLA policy, an admin command).
enum class ActorKind { kCustomer, kAgent, kApiToken, kSystem };

inline constexpr TicketStatus kAllStatuses[] = {TicketStatus::kNew,    TicketStatus::kOpen,
                                                TicketStatus::kPending, TicketStatus::kOnHold,
                                                TicketStatus::kSolved,  TicketStatus::kClosed};
inline constexpr std::string_view kPriorities[] = {"low", "normal", "high", "urgent"};

// The names used in the database, JSON and the config, and back.
std::string_view Name(TicketStatus s);
std::string_view Name(MessageKind k);
std::string_view Name(Channel c);
std::optional<TicketStatus> ParseTicketStatus(std::string_view s);
std::optional<MessageKind> ParseMessageKind(std::string_view s);
std::optional<Channel> ParseChannel(std::string_view s);
// "new, open, pending, on_hold, solved, closed", for error messages.
std::string StatusList();

bool IsPriority(std::string_view s);
// Whether a ticket may go from `from` to `to`. Nothing goes back to "new",
// and "closed" is final: a later message opens a new, linked ticket.
bool IsLegalTransition(TicketStatus from, TicketStatus to);
// Tags are 1 to 64 of a-z, 0-9 and - _ . : / (lower case, no spaces).
Status ValidateTag(std::string_view tag);
// A ticket's tags as they are kept: sorted, each once.
std::vector<std::string> NormalizeTags(std::vector<std::string> tags);

// Who caused a change, as its kind and the label the event log shows
// ("api:deploy-bot", "mail:alice@example.com", "router", "sla:standard").
struct Actor {
  ActorKind kind = ActorKind::kSystem;
  std::string label;

  // A customer writing in: "customer" from the web form, "mail:ADDRESS" by mail.
  static Actor Customer(Channel channel, const std::string& email);
  // An agent of the ticket's queue, by mail.
  static Actor AgentByMail(const std::string& email);
  // An agent in the web console: "console:ADDRESS".
  static Actor AgentInConsole(const std::string& email);
  static Actor ApiToken(const std::string& token_name);
  // Frontdesk itself: "router", "sla:POLICY", "admin", "mail".
  static Actor System(std::string what);
};

struct Ticket {
  int64_t id = 0;
  std::string subject;
  TicketStatus status = TicketStatus::kNew;
  std::string priority = "normal";
  std::string queue;
  std::optional<std::string> category;
  std::optional<std::string> assignee;
  std::string requester_email;
  std::string requester_name;
  Channel channel = Channel::kWeb;
  std::vector<std::string> tags;
  std::string fields_json = "{}";  // form fields, a JSON object of strings
  bool quarantined = false;
  std::optional<std::string> quarantine_reason;
  std::optional<std::string> route_rule;
  std::optional<std::string> sla_policy;
  std::optional<Timestamp> next_due_at;
  // The earliest due time of its running, unmet targets (a breached one is
  // in the past); none without one.
  std::optional<Timestamp> sla_due_at;
  std::optional<int64_t> linked_ticket_id;
  int64_t reopened_count = 0;
  int64_t version = 1;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> first_response_at;
  std::optional<Timestamp> solved_at;
  std::optional<Timestamp> closed_at;
  // Opened by automatic mail that answers nothing of ours: kept, listed
  // under its own filter, counted in no KPI and no backlog.
  bool automatic = false;
  // Joined to another ticket (a reply that arrived before its parent).
  std::optional<int64_t> merged_into;
};

struct MessageRecord {
  int64_t id = 0;
  MessageKind kind = MessageKind::kCustomer;
  Channel channel = Channel::kEmail;
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
