// mail_intake.h: one inbound mail, from mailgate or the IMAP poller, into the
// store. PlanMail (mail_plan.h) decides what the mail is; ApplyMailPlan
// hands that to TicketService inside the caller's write transaction: the
// raw bytes are always kept, a duplicate changes nothing, a threaded mail
// joins its ticket, an agent's mail replies and runs its commands, and
// anything unreadable or over the soft cap becomes a quarantined ticket
// instead of being dropped. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/intake/mail_plan.h"
#include "daemon/mail/mime.h"
#include "daemon/sla/engine.h"
#include "daemon/store/store.h"
#include "daemon/tickets/router.h"

namespace frontdesk {

struct MailOutcome {
  enum class Kind { kCreated, kAppended, kDuplicate, kRejected };
  Kind kind = Kind::kCreated;
  int64_t ticket_id = 0;
  int64_t message_id = 0;
  bool quarantined = false;
  std::string detail;  // the reason for a rejection or quarantine
  std::vector<int64_t> copies;  // more tickets, with mail.ticket_per_queue
};

// Plans and applies one mail in the caller's write transaction.
Result<MailOutcome> AcceptMail(Store& store, const InboundMail& in, const Config& config, const Router& router,
                               const SlaEngine& sla, Timestamp now);

// Writes what `plan` decided for `in`.
Result<MailOutcome> ApplyMailPlan(Store& store, const InboundMail& in, const MailPlan& plan, const Config& config,
                                  const SlaEngine& sla, Timestamp now);

// Runs a quarantined ticket's raw message through the intake again, parsed
// in full whatever its size (a person asked for it). When it now reads as
// mail with a sender, the ticket is updated, routed and given its SLA
// clocks, and the quarantine is lifted; otherwise it stays quarantined and
// the reason says why.
Result<std::string> Reprocess(Store& store, int64_t ticket_id, const Config& config, const Router& router,
                              const SlaEngine& sla, Timestamp now);

}  // namespace frontdesk
