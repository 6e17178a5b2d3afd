// sender.h: delivers the outbox over SMTP, shared by `serve` (on an
// interval) and `frontdesk send` (once). Each due row is rendered (signed
// Message-ID, threading headers, subject tag, RFC 3834 headers for
// automatic mail), submitted, and then marked: sent; failed for good on a
// 5xx answer or after smtp.max_attempts; otherwise tried again after a
// delay that doubles per attempt. The Message-ID is fixed when the row is
// queued, so every retry carries the same one and receivers can dedupe.
// A crash between the server's 250 and the mark sends that one message
// again, at most once per crash (at-least-once, as DESIGN.md promises).
// Thread-safe (no state of its own).
#pragma once

#include <chrono>
#include <functional>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/mail/builder.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct SendContext {
  const Config& config;
  Store& reader;
  TxnRunner run;
  const Clock& clock;
};

struct SendReport {
  int64_t sent = 0;
  int64_t retried = 0;
  int64_t failed = 0;
  int64_t suppressed = 0;  // automatic mail the loop-safety rules held back
  std::string last_error;
};

// Sends what is due, at most `limit` rows.
Result<SendReport> SendDue(const SendContext& ctx, int limit);

// Why automatic mail must not go to its recipient now, or "": the
// recipient bounces, is one of our own addresses, has had
// mail.auto_reply_cap automatic mails within mail.auto_reply_window, or has
// had an acknowledgement for the same subject within the window; or, for
// a survey, its ticket is no longer solved or closed.
Result<std::string> SuppressReason(const Config& config, Store& reader, const OutboxRow& row, Timestamp now);

// The delay before attempt `attempts + 1`: smtp.retry_after doubling per
// attempt, at most 6 hours.
std::chrono::seconds RetryDelay(const SmtpConfig& smtp, int64_t attempts);

// The mail a row becomes, before rendering; exposed for tests.
Result<OutgoingMail> ComposeOutgoing(const Config& config, Store& reader, const OutboxRow& row, Timestamp now);

}  // namespace frontdesk
