// outbox_store.h: the outbox as the sender works it: rows due now, and the
// three ways a try ends (sent, tried again later, failed for good). Rows
// are added through daemon/outbox/queue.h, in the transaction of their cause.
// Writes expect the caller's transaction. Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

// A mail for the outbox. dedupe_key is (ticket, event, recipient): queueing
// the same mail twice is a no-op, so a replayed cause cannot send twice.
struct OutboxMail {
  std::string dedupe_key;
  int64_t ticket_id = 0;
  std::string kind;  // reply, escalation, ...
  bool automatic = true;
  std::string recipient;
  std::string subject;
  std::string body;
  // The template's variables, a JSON object; see OutboxRow::vars.
  std::optional<std::string> vars;
  Timestamp now;
  // When it may go; none: at once.
  std::optional<Timestamp> send_at;
};

struct OutboxRow {
  int64_t id = 0;
  int64_t ticket_id = 0;
  std::string kind;
  bool automatic = true;
  std::string recipient;
  std::string message_id;  // the signed local part; the sender adds "@domain"
  std::string subject;
  std::string body;
  std::string status;  // pending, sent, failed, suppressed
  int64_t attempts = 0;
  Timestamp next_attempt_at;
  std::string last_error;
  Timestamp created_at;
  std::optional<Timestamp> sent_at;
  // The variables of its template, a JSON object; none: the body is the
  // whole text.
  std::optional<std::string> vars;
};

class OutboxStore {
 public:
  explicit OutboxStore(Store& store) : db_(store.db()) {}

  // Adds a row with its Message-ID's local part fixed now, so that every
  // retry carries the same one. Returns its id, or 0 when the same
  // dedupe_key was queued before.
  Result<int64_t> Insert(const OutboxMail& m, const std::string& message_id);
  // Insert for each mail, with the Message-ID local part of the same
  // index: one statement on PostgreSQL, one per mail on SQLite. Returns
  // their ids in the same order (0 where the dedupe key was there).
  Result<std::vector<int64_t>> InsertMany(const std::vector<OutboxMail>& mails,
                                          const std::vector<std::string>& message_ids);
  // The ticket of the mail with Message-ID local part `message_id` that was
  // queued for `recipient`, if there was one.
  Result<std::optional<int64_t>> TicketSentTo(const std::string& message_id, const std::string& recipient);

  // Pending rows whose next attempt is due, oldest first.
  Result<std::vector<OutboxRow>> Due(Timestamp now, int limit);
  // Takes a due row for one sender until `until`: its next attempt moves
  // there, so no other sender (another daemon, `frontdesk send`) finds it
  // due meanwhile. False when another sender took it first or it is no
  // longer pending. A sender that dies holding the row leaves it to be
  // tried again once `until` has passed.
  Result<bool> Claim(int64_t id, Timestamp now, Timestamp until);
  // Clears last_error: it is the error of a try that did not succeed, and
  // a sent row has none.
  Status MarkSent(int64_t id, Timestamp now);
  Status MarkRetry(int64_t id, Timestamp next_attempt, const std::string& error);
  Status MarkFailed(int64_t id, Timestamp now, const std::string& error);
  Status MarkSuppressed(int64_t id, Timestamp now, const std::string& reason);
  // Automatic mail sent to `recipient` since `since`.
  Result<int64_t> AutomaticSentSince(const std::string& recipient, Timestamp since);
  // Whether a mail of `kind` with `subject` went to `recipient` since `since`.
  Result<bool> SentSameSince(const std::string& recipient, const std::string& kind, const std::string& subject,
                             Timestamp since);
  // Forgets the text of sent and suppressed mail created before `before`;
  // the row stays, as the record of what went to whom and when. Looks at
  // the rows after id `after`, at most `limit` of those created before
  // `before`. `next` is the id to continue after; it stays `after` once no
  // row older than `before` is left past it.
  struct Forgotten {
    int64_t next = 0;
    int64_t cleared = 0;
  };
  Result<Forgotten> ForgetSentText(int64_t after, Timestamp before, int limit);
  // Newest first; `status` filters when set; `before_id` pages back.
  Result<std::vector<OutboxRow>> List(std::optional<std::string> status, int limit, std::optional<int64_t> before_id);
  struct Depth {
    int64_t pending = 0, failed = 0, suppressed = 0;
    std::optional<Timestamp> oldest_pending;
    std::string last_error;
  };
  Result<Depth> Measure();

 private:
  Db& db_;
};

}  // namespace frontdesk
