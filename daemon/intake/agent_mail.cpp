#include "daemon/intake/agent_mail.h"

#include <algorithm>

#include "config/values.h"
#include "daemon/base/text.h"

namespace frontdesk {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (pos < text.size()) lines.push_back(text.substr(pos));
      break;
    }
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

bool StartsQuote(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.find(kReplyMarker) != std::string_view::npos) return true;
  if (t.rfind("-----Original Message-----", 0) == 0) return true;
  if (!t.empty() && t.front() == '>') return true;
  // "On Mon, 16 Nov 2026 at 10:00, Ann <ann@example.org> wrote:"
  return t.rfind("On ", 0) == 0 && t.size() > 6 && t.substr(t.size() - 6) == "wrote:";
}

std::string Join(const std::vector<std::string_view>& lines, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    out.append(lines[i]);
    out += '\n';
  }
  return out;
}

}  // namespace

std::string StripQuoted(std::string_view body) {
  std::vector<std::string_view> lines = SplitLines(body);
  size_t end = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (StartsQuote(lines[i])) {
      end = i;
      break;
    }
  }
  while (end > 0 && Trim(lines[end - 1]).empty()) --end;
  return Join(lines, 0, end);
}

bool IsQueueAgent(const Config& config, const std::string& queue, const std::string& address) {
  const QueueConfig* q = config.FindQueue(queue);
  return q && std::find(q->agents.begin(), q->agents.end(), address) != q->agents.end();
}

AgentMail ReadAgentMail(std::string_view body, const std::string& agent, const Ticket& ticket, const Config& config) {
  AgentMail out;
  std::string kept = StripQuoted(body);
  std::vector<std::string_view> lines = SplitLines(kept);
  size_t i = 0;
  std::vector<std::string> tags = ticket.tags;
  while (i < lines.size()) {
    std::string_view line = Trim(lines[i]);
    if (line.empty() && out.applied.empty() && out.errors.empty()) {
      ++i;
      continue;
    }
    if (line.empty() || line.front() != '/') break;
    ++i;
    size_t space = line.find(' ');
    std::string command = AsciiLower(line.substr(0, space));
    std::string value(space == std::string_view::npos ? std::string_view() : Trim(line.substr(space + 1)));
    std::string lowered = AsciiLower(value);
    auto fail = [&](const std::string& why) { out.errors.push_back(std::string(line) + ": " + why); };
    if (command == "/status" || command == "/close") {
      if (command == "/close") lowered = "closed";
      std::optional<TicketStatus> to = ParseTicketStatus(lowered);
      if (!to || *to == TicketStatus::kNew) {
        fail("expected open, pending, on_hold, solved or closed");
      } else if (!IsLegalTransition(ticket.status, *to)) {
        fail("a " + std::string(Name(ticket.status)) + " ticket cannot become " + lowered);
      } else {
        out.patch.status = *to;
        out.applied.push_back("status " + lowered);
      }
    } else if (command == "/priority") {
      if (!IsPriority(lowered)) {
        fail("expected low, normal, high or urgent");
      } else {
        out.patch.priority = lowered;
        out.applied.push_back("priority " + lowered);
      }
    } else if (command == "/queue") {
      if (!config.FindQueue(lowered)) {
        fail("no queue is named \"" + value + "\"");
      } else {
        out.patch.queue = lowered;
        out.applied.push_back("queue " + lowered);
      }
    } else if (command == "/assign") {
      std::string who = lowered == "me" ? agent : lowered;
      Result<std::string> address = ParseMailAddress(who);
      bool known = address.ok() && std::any_of(config.queues.begin(), config.queues.end(), [&](const QueueConfig& q) {
                     return std::find(q.agents.begin(), q.agents.end(), *address) != q.agents.end();
                   });
      if (!known) {
        fail("expected me or the address of an agent");
      } else {
        out.patch.assignee = std::optional<std::string>(*address);
        out.applied.push_back("assign " + *address);
      }
    } else if (command == "/tag") {
      Status valid = ValidateTag(lowered);
      if (!valid.ok()) {
        fail(valid.message());
      } else {
        if (std::find(tags.begin(), tags.end(), lowered) == tags.end()) tags.push_back(lowered);
        out.patch.tags = tags;
        out.applied.push_back("tag " + lowered);
      }
    } else if (command == "/note") {
      out.note = true;
      out.applied.push_back("note");
    } else {
      fail("unknown command; known are /status, /close, /assign, /priority, /queue, /tag and /note");
    }
  }
  while (i < lines.size() && Trim(lines[i]).empty()) ++i;
  out.text = Join(lines, i, lines.size());
  if (!out.errors.empty()) {
    out.patch = TicketPatch();
    out.applied.clear();
  }
  return out;
}

}  // namespace frontdesk
