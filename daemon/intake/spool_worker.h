// spool_worker.h: files what the quick mailgate spooled, oldest first, each
// entry through the same intake as every other mail (AcceptMail), its row
// deleted in the transaction that files it: a crash leaves it spooled, and
// two processes draining at once file it once. Used by the daemon (on a
// short interval) and by `frontdesk fetch`. Thread-safe (no state).
#pragma once

#include "daemon/intake/mail_poller.h"

namespace frontdesk {

struct SpoolReport {
  int64_t filed = 0;
  int64_t failed = 0;  // kept, with the error, for the next round
  int64_t left = 0;    // entries beyond `limit`, or that failed
  int64_t raw_bytes = 0;  // of the entries read this round
};

// Files up to `limit` entries, and no more than 64 MiB of raw mail (but at
// least one entry). `ctx.after_commit` is not used.
Result<SpoolReport> DrainSpool(const PollContext& ctx, int limit);

}  // namespace frontdesk
