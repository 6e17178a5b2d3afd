// auto_reply.h: the automatic mail a new ticket or a customer's reply
// causes. The acknowledgement a customer gets for a new ticket: its
// number, and the time by which the first reply is due, computed from the
// SLA clock and written in the time zone of the policy's calendar ("Tuesday
// 24 November 2026, 10:00 CET"). Queued in the outbox in the transaction
// that made the ticket; the sender applies the loop-safety rules.
// Thread-safe (no state).
#pragma once

#include <optional>
#include <string>

#include "config/config.h"
#include "daemon/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

// "Tuesday 24 November 2026, 10:00 CET"; UTC when the zone is unknown.
std::string HumanTime(Timestamp t, const std::string& timezone);

// Queues the acknowledgement of a new ticket; does nothing when
// mail.auto_ack is off. The caller decides whether the ticket may have one
// (not for automatic mail, quarantined mail, or a rule's suppress_auto_reply).
Status QueueAutoAck(Store& store, const Config& config, int64_t ticket_id, Timestamp now);

// Tells the people working a ticket: its assignee, or else every agent of
// its queue. `what` is "new_ticket" (with the ticket's first message) or
// "customer_reply" (with message `message_id`). Agents answer the alert by
// mail: its signed Message-ID threads their reply to the ticket.
Status QueueAgentAlert(Store& store, const Config& config, int64_t ticket_id, const std::string& what,
                       int64_t message_id, Timestamp now);

}  // namespace frontdesk
