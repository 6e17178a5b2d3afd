// agent_proof.h: whether a mail from an agent's address really comes from
// the agent. The From: header proves nothing (anyone can write it), and a
// ticket's subject tag is easy to guess, so neither lets a mail act as the
// agent: relay text to the customer, run commands, or add an internal
// note. A mail is the agent's only when
// - it answers a mail Frontdesk sent to that agent about that ticket: its
//   In-Reply-To or References names the signed Message-ID of an outbox row
//   whose recipient is the agent (an alert, a notice, an escalation), a
//   value an outsider never sees; or
// - with mail.trusted_authserv_id set, the topmost Authentication-Results
//   header, added by that host (the box's own MTA), says dmarc=pass for the
//   From domain.
// Reads the store; writes nothing. Thread-safe (no state).
#pragma once

#include <string>

#include "config/config.h"
#include "daemon/mail/mime.h"
#include "daemon/model/ticket.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct AgentProof {
  bool proven = false;
  std::string how;  // what proved it, or why nothing did
  // Proven by answering our own mail to the agent about this very ticket:
  // the agent was told of it, whichever queue it has moved to since.
  bool answers_our_mail = false;
};

Result<AgentProof> ProveAgent(Store& store, const ParsedMail& m, const Ticket& ticket, const std::string& agent,
                              const Config& config, const std::string& secret);

// The DMARC verdict for the From domain in the topmost Authentication-Results
// header, when that header was added by `authserv_id`; "" otherwise. An MTA
// prepends its header, so one further down may have been written by anyone.
std::string TrustedDmarcResult(const ParsedMail& m, const std::string& authserv_id);
// True when the From address is proven: dmarc=pass from mail.trusted_authserv_id.
bool SenderVerified(const ParsedMail& m, const Config& config);

}  // namespace frontdesk
