// agent_mail.h: what an agent's mail to a ticket asks for. Agents work from
// their own mail client: their reply is relayed to the customer, and lines
// such as "/status solved" at its top are commands. Only the text above the
// quoted part (or above a marker line) is kept; command lines are removed.
// Either every command applies, or none does and the agent is told why.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "daemon/model/ticket.h"
#include "daemon/model/changes.h"

namespace frontdesk {

// The line agents may type above; everything from it down is the quote.
inline constexpr std::string_view kReplyMarker = "##- Please type your reply above this line -##";

struct AgentMail {
  std::string text;                 // what is stored (and relayed): no quote, no commands
  bool note = false;                // /note: internal, never sent to the customer
  TicketPatch patch;                // the commands, to apply together
  std::vector<std::string> applied; // "status solved", for the event
  std::vector<std::string> errors;  // "/status maybe: ...", for the reply to the agent
};

// The new text of a reply: everything above the marker line, a "On ...
// wrote:" line, an "-----Original Message-----" line, or the first block of
// lines quoted with '>'; trailing blank lines removed.
std::string StripQuoted(std::string_view body);

// Reads the commands on the first lines of `body` (after StripQuoted) from
// agent `agent`, against the ticket as it is.
AgentMail ReadAgentMail(std::string_view body, const std::string& agent, const Ticket& ticket, const Config& config);

// Whether `address` is an agent of the ticket's queue: only they may reply
// as the helpdesk or give commands.
bool IsQueueAgent(const Config& config, const std::string& queue, const std::string& address);

}  // namespace frontdesk
