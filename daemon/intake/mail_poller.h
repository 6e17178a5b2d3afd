// mail_poller.h: one poll of one IMAP mailbox, shared by `serve` (on an
// interval, with backoff) and `frontdesk fetch` (once, from cron).
//
// The order of work is what makes IMAP intake exactly-once:
//  1. messages committed earlier but not yet moved or deleted (a crash came
//     between the commit and the server) are finished first;
//  2. new messages are the UIDs above the last one committed, oldest first,
//     at most `batch` of them;
//  3. each chunk commits its tickets, its last UID and its pending rows in
//     one transaction, and only then is moved or deleted on the server.
// A crash anywhere leaves either an uncommitted message (fetched again) or
// a pending row (finished next time). Content dedupe (Message-ID + SHA-256)
// covers what UIDs cannot: a changed UIDVALIDITY, or cron and the daemon
// polling at once. Only UIDs this poller committed are ever moved or deleted.
// Thread-safe (no state of its own).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/mail/isolated_parser.h"
#include "daemon/sla/engine.h"
#include "daemon/store/store.h"
#include "daemon/tickets/router.h"

namespace frontdesk {

struct PollContext {
  const Config& config;
  const Router& router;
  const SlaEngine& sla;
  Store& reader;
  TxnRunner run;
  const Clock& clock;
  // Fault injection for tests: runs after each chunk's commit, before the
  // server is told; a test makes it end the process there.
  std::function<void()> after_commit;
  // Parses mail in workers under the [mail] limits; null parses in this
  // process (tests).
  IsolatedParser* parser = nullptr;
};

struct PollReport {
  std::string mailbox;
  int64_t uidvalidity = 0;
  bool uidvalidity_changed = false;
  int64_t found = 0;       // new messages on the server
  int64_t created = 0;     // new tickets
  int64_t appended = 0;    // replies added to tickets
  int64_t duplicates = 0;  // already stored (same Message-ID and bytes)
  int64_t rejected = 0;    // refused by a routing rule
  int64_t too_large = 0;   // over the hard cap: left on the server, logged as a rejection
  int64_t deferred = 0;    // a parse worker failed on it: moved to the spool, tried again there
  int64_t finished = 0;    // moved or deleted on the server
  int64_t waiting = 0;     // left for the next poll
  // Another process sharing the PostgreSQL database was polling this
  // mailbox: this round did nothing and recorded nothing.
  bool polled_elsewhere = false;
};

// Polls once and records the outcome (success, or the error and one more
// failure) in the mailbox's state, which /healthz shows.
Result<PollReport> PollMailbox(const MailboxConfig& box, const PollContext& ctx);

// How long to wait before the next poll after `failures` failed polls in a
// row: the interval, doubling per failure, up to 16 intervals or 15 minutes.
std::chrono::seconds PollDelay(const MailboxConfig& box, int64_t failures);

// One line for logs and `frontdesk fetch`.
std::string DescribePoll(const PollReport& r);

}  // namespace frontdesk
