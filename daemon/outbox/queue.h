// queue.h: puts one mail in the outbox, in the caller's write transaction.
// Its Message-ID is signed here (daemon/mail/signature.h) and fixed in the
// row, so a reply to it finds its ticket and every retry carries the same
// one. Thread-safe (no state).
#pragma once

#include "daemon/store/outbox_store.h"
#include "daemon/store/store.h"

namespace frontdesk {

// Returns the outbox id, or 0 when the same dedupe_key was queued before.
Result<int64_t> QueueMail(Store& store, const OutboxMail& mail);
// QueueMail for each, with the secret read once and the rows written
// together (OutboxStore::InsertMany).
Status QueueMails(Store& store, const std::vector<OutboxMail>& mails);

}  // namespace frontdesk
