// mailbox_store.h: the IMAP poller's state per mailbox: the UIDVALIDITY and
// the last UID imported (which only grows), how the last polls went (for
// /healthz and the backoff), and the messages committed but not yet moved or
// deleted on the server. Writes expect the caller's transaction, so that a
// message's ticket, its UID and its pending row commit together.
// Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct MailboxState {
  std::string mailbox;
  std::optional<int64_t> uidvalidity;
  int64_t last_uid = 0;
  std::optional<Timestamp> last_success_at;
  std::string last_error;
  std::optional<Timestamp> last_error_at;
  int64_t failures = 0;  // consecutive failed polls
  int64_t waiting = 0;   // new messages left on the server by the last poll
  std::optional<Timestamp> caught_up_at;  // the last poll that left nothing waiting
  int64_t imported = 0;  // messages committed, ever
};

class MailboxStore {
 public:
  explicit MailboxStore(Store& store) : db_(store.db()) {}

  // The state, or a fresh one when the mailbox was never polled.
  Result<MailboxState> State(const std::string& mailbox);
  Result<std::vector<MailboxState>> All();
  // A new UIDVALIDITY invalidates every UID known for the old one: the last
  // UID starts again from 0 and the old pending rows are dropped (their UIDs
  // no longer name those messages, so they must not be touched).
  Status ResetUidValidity(const std::string& mailbox, int64_t uidvalidity);
  // One message committed: the last UID moves up (never down) and, unless
  // the message is to stay on the server, a pending row is added.
  Status Imported(const std::string& mailbox, int64_t uidvalidity, int64_t uid, std::optional<int64_t> ticket_id,
                  bool pending, Timestamp now);
  Result<std::vector<int64_t>> Pending(const std::string& mailbox, int64_t uidvalidity);
  Status Finished(const std::string& mailbox, int64_t uidvalidity, const std::vector<int64_t>& uids);
  Status PollSucceeded(const std::string& mailbox, int64_t waiting, Timestamp now);
  Status PollFailed(const std::string& mailbox, const std::string& error, Timestamp now);

  // The right to poll `mailbox`, held by this connection until
  // ReleasePoll() or its end: a PostgreSQL session advisory lock keyed on
  // the name, taken without waiting. False when another connection holds
  // it. Always true on SQLite, whose daemon and `frontdesk fetch` share one
  // box and keep each other out with the UID and Message-ID keys.
  Result<bool> TryHoldPoll(const std::string& mailbox);
  Status ReleasePoll(const std::string& mailbox);

 private:
  Status Ensure(const std::string& mailbox);
  Db& db_;
};

}  // namespace frontdesk
