#include "daemon/outbox/sent_text.h"

#include "daemon/store/outbox_store.h"

namespace frontdesk {

Result<int64_t> ForgetSentText(const Config& config, const TxnRunner& run, Timestamp now, int64_t* after) {
  // A few hundred rows a transaction keep the writers' lock short.
  constexpr int kRowsPerTxn = 500;
  constexpr int kTxnsPerRound = 20;
  if (config.mail.keep_sent_text.count() == 0) return int64_t{0};
  Timestamp before = now - config.mail.keep_sent_text;
  int64_t cleared = 0;
  for (int i = 0; i < kTxnsPerRound; ++i) {
    OutboxStore::Forgotten done;
    Status s = run([&](Store& store) -> Status {
      Result<OutboxStore::Forgotten> r = OutboxStore(store).ForgetSentText(*after, before, kRowsPerTxn);
      if (!r.ok()) return r.status();
      done = *r;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    cleared += done.cleared;
    if (done.next == *after) break;
    *after = done.next;
  }
  return cleared;
}

}  // namespace frontdesk
