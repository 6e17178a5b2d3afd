#include "daemon/model/ticket.h"

#include <algorithm>

namespace frontdesk {

std::string_view Name(TicketStatus s) {
  switch (s) {
    case TicketStatus::kNew: return "new";
    case TicketStatus::kOpen: return "open";
    case TicketStatus::kPending: return "pending";
    case TicketStatus::kOnHold: return "on_hold";
    case TicketStatus::kSolved: return "solved";
    case TicketStatus::kClosed: return "closed";
  }
  return "new";
}

std::string_view Name(MessageKind k) {
  switch (k) {
    case MessageKind::kCustomer: return "customer";
    case MessageKind::kReply: return "reply";
    case MessageKind::kNote: return "note";
    case MessageKind::kAuto: return "auto";
    case MessageKind::kSystem: return "system";
  }
  return "customer";
}

std::string_view Name(Channel c) {
  switch (c) {
    case Channel::kWeb: return "web";
    case Channel::kEmail: return "email";
    case Channel::kApi: return "api";
  }
  return "web";
}

std::optional<TicketStatus> ParseTicketStatus(std::string_view s) {
  for (TicketStatus v : kAllStatuses) {
    if (Name(v) == s) return v;
  }
  return std::nullopt;
}

std::optional<MessageKind> ParseMessageKind(std::string_view s) {
  for (MessageKind v : {MessageKind::kCustomer, MessageKind::kReply, MessageKind::kNote, MessageKind::kAuto,
                        MessageKind::kSystem}) {
    if (Name(v) == s) return v;
  }
  return std::nullopt;
}

std::optional<Channel> ParseChannel(std::string_view s) {
  for (Channel v : {Channel::kWeb, Channel::kEmail, Channel::kApi}) {
    if (Name(v) == s) return v;
  }
  return std::nullopt;
}

std::string StatusList() {
  std::string out;
  for (TicketStatus v : kAllStatuses) out += (out.empty() ? "" : ", ") + std::string(Name(v));
  return out;
}

bool IsPriority(std::string_view s) {
  return std::find(std::begin(kPriorities), std::end(kPriorities), s) != std::end(kPriorities);
}

bool IsLegalTransition(TicketStatus from, TicketStatus to) {
  if (from == to) return true;
  if (to == TicketStatus::kNew) return false;
  if (from == TicketStatus::kClosed) return false;
  if (from == TicketStatus::kSolved) return to == TicketStatus::kOpen || to == TicketStatus::kClosed;
  return true;
}

Actor Actor::Customer(Channel channel, const std::string& email) {
  switch (channel) {
    case Channel::kWeb: return {ActorKind::kCustomer, "customer"};
    case Channel::kEmail: return {ActorKind::kCustomer, email.empty() ? "mail" : "mail:" + email};
    case Channel::kApi: return {ActorKind::kCustomer, "api"};
  }
  return {ActorKind::kCustomer, "customer"};
}

Actor Actor::AgentByMail(const std::string& email) { return {ActorKind::kAgent, "mail:" + email}; }

Actor Actor::AgentInConsole(const std::string& email) { return {ActorKind::kAgent, "console:" + email}; }

Actor Actor::ApiToken(const std::string& token_name) { return {ActorKind::kApiToken, "api:" + token_name}; }

Actor Actor::System(std::string what) { return {ActorKind::kSystem, std::move(what)}; }

std::vector<std::string> NormalizeTags(std::vector<std::string> tags) {
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

Status ValidateTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 64) {
    return Status::Invalid("a tag must be 1 to 64 characters", "tags");
  }
  for (char c : tag) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':' || c == '/';
    if (!ok) {
      return Status::Invalid("tag \"" + std::string(tag) +
                                 "\" may hold only a-z, 0-9 and - _ . : /",
                             "tags");
    }
  }
  return Status::Ok();
}

}  // namespace frontdesk
