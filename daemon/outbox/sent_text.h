// sent_text.h: how long the outbox keeps the text of mail it has sent.
// A sent or suppressed row keeps its text for mail.keep_sent_text; then the
// text is cleared and the row stays, the record of who was mailed what kind
// of mail and when. The tickets keep every message whatever this says.
// Thread-safe (no state); serve runs it from its send loop.
#pragma once

#include <cstdint>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

// One round: clears the text of rows sent before now - keep_sent_text, in
// transactions of a few hundred rows that walk the outbox by id, starting
// after `*after` and moving it on. A round stops after a few thousand rows;
// the next goes on from there. Returns how many were cleared.
Result<int64_t> ForgetSentText(const Config& config, const TxnRunner& run, Timestamp now, int64_t* after);

}  // namespace frontdesk
