// submission.h: turns a submission from the web form or the API into a ticket.
// It validates every field at once (the form shows each error beside its
// field), derives the idempotency key, routes it, and opens the ticket
// through TicketService in a WriteQueue job, so a success is returned only
// after the ticket is durable.
// Thread-safe: one Intake serves all request threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/base/metrics.h"
#include "daemon/sla/engine.h"
#include "daemon/model/changes.h"
#include "daemon/outbox/render.h"
#include "daemon/store/ticket_store.h"
#include "daemon/store/write_queue.h"
#include "daemon/tickets/router.h"

namespace frontdesk {

struct RawAttachment {
  std::string filename;      // as sent; sanitised on intake
  std::string content_type;  // as sent; normalised on intake
  std::string data;
};

struct IntakeRequest {
  Channel channel = Channel::kWeb;  // web or api
  std::string name;
  std::string email;
  std::string subject;
  std::string message;
  std::vector<RawAttachment> attachments;
  std::vector<std::pair<std::string, std::string>> fields;  // custom fields
  // Only the admin API may set these.
  std::optional<std::string> queue;
  std::optional<std::string> priority;
  std::vector<std::string> tags;
  // Mail the customer the acknowledgement (the API's `acknowledge`, default true).
  bool acknowledge = true;
  // The client's key: the form's hidden token, or an Idempotency-Key header.
  std::string idempotency_key;
  // Namespaces the key, so two API tokens cannot collide ("api:<token id>").
  std::string key_scope;
  Actor actor;
};

struct FieldError {
  std::string field;
  std::string message;     // in English, as the admin API answers it
  bool too_large = false;  // 413 rather than 400
  // The page text (customer_texts.h) that says `message` to a customer of
  // the public form, and the values it is filled with; "" for the API's
  // own checks, which no customer sees.
  std::string key;
  std::map<std::string, std::string> values;
};

// What `e` says to a customer who reads `language`: `message` itself in
// English (byte for byte what the form always said) or when there is no key,
// else its page text in that language. Plain text: escape it for HTML.
std::string FieldErrorText(const FieldError& e, std::string_view language);

// Puts a routing decision on a new ticket: its queue (and the rule that
// chose it), priority, category, assignee, added tags, and a rule's
// suppress_auto_reply. Shared by every intake path.
void ApplyRoute(const RouteDecision& d, NewTicket* t);

class Intake {
 public:
  Intake(WriteQueue& writer, Metrics* metrics, const Clock& clock)
      : writer_(writer), metrics_(metrics), clock_(clock) {}

  std::vector<FieldError> Validate(const IntakeRequest& r, const Config& config) const;
  // Validates, routes, then commits the ticket with its routing decision and
  // SLA clocks. Field errors come back as one kInvalid or kTooLarge Status
  // naming the first field (call Validate() for them all); a rule's reject
  // as kRejected with its reason, recorded in the rejections log.
  Result<CreatedTicket> Submit(const IntakeRequest& r, const Config& config, const Router& router,
                               const SlaEngine& sla);
  // The reply time a valid request would be promised if it were submitted
  // now, routed as Submit would route it; writes nothing. The honeypot's
  // answer carries it, so that it reads as a real ticket's.
  std::optional<ReplyPromise> PromiseFor(const IntakeRequest& r, const Config& config, const Router& router,
                                         const SlaEngine& sla) const;

 private:
  // The ticket a valid request asks for, before routing.
  NewTicket BuildTicket(const IntakeRequest& r, const Config& config, const QueueConfig& queue) const;

  WriteQueue& writer_;
  Metrics* metrics_;
  const Clock& clock_;
};

}  // namespace frontdesk
