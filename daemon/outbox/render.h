// render.h: writes an outbox row out with its template. A row keeps
// only what is particular to its mail (the reply's text, the escalation
// level, the reason of a rejection) as template variables; the ticket's own
// variables (number, status, queue, the due time in the customer's zone)
// are read when it is sent, and the template is the one configured then.
// Rows without variables are sent as their body says.
// Thread-safe (no state).
#pragma once

#include <string>

#include "config/config.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct RenderedMail {
  std::string subject;  // without the [FD#n] tag, which the sender adds
  std::string text;
  std::string html;  // "" = text only
};

// The template a row of `kind` is written with: auto_ack, agent_reply for
// "reply", the escalation level's own, ...; "" when the row carries its
// whole text.
std::string TemplateNameFor(const OutboxRow& row);

// The variables of a row's mail: the ticket's, then the row's own.
// `now` is when the mail is written: a promise such as "today by 17:00"
// is worded from it.
Result<TemplateVars> MailVariables(const Config& config, Store& reader, const OutboxRow& row, Timestamp now);

Result<RenderedMail> RenderOutboxRow(const Config& config, Store& reader, const OutboxRow& row, Timestamp now);

// When a customer may expect an answer: the first response's due time,
// while that clock runs. Nothing where no SLA applies, or the clock is met
// or paused: the customer is never promised a time the SLA did not compute.
// The acknowledgement, the thank-you page and the API's answer all say this.
// A same_business_day target is promised in the customer's words, from
// `now`: "We will reply today by 17:00.", "... tomorrow by 17:00.", or the
// date when it is further away.
struct ReplyPromise {
  Timestamp due;
  std::string when;      // "Monday 30 November 2026, 14:00 CET", in the customer's zone
  std::string sentence;  // "We will reply by Monday 30 November 2026, 14:00 CET."
};
Result<std::optional<ReplyPromise>> FirstReplyPromise(const Config& config, Store& reader, int64_t ticket_id,
                                                      Timestamp now);
// The promise of a due time, in the zone of a customer of `queue`.
ReplyPromise MakeReplyPromise(const Config& config, Timestamp due, const std::string& queue,
                              const std::optional<std::string>& sla_policy, Timestamp now);

// The zone a customer of `queue` reads times in: the queue's timezone, or
// else that of the SLA policy's calendar, or else UTC.
std::string CustomerZone(const Config& config, const std::string& queue, const std::optional<std::string>& sla_policy);

// "Tuesday 24 November 2026, 10:00 CET"; UTC when the zone is unknown.
std::string HumanTime(Timestamp t, const std::string& timezone);

// "1.5 MB", "820 KB", "312 bytes".
std::string HumanSize(int64_t bytes);

}  // namespace frontdesk
