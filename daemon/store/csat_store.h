// csat_store.h: satisfaction surveys and the watch list. A survey row exists
// from the moment a solved ticket qualifies for one; its mail waits in the
// outbox until it is due. Writes expect the caller's transaction.
// Not thread-safe; bound to one Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct Survey {
  int64_t ticket_id = 0;
  std::string requester;
  std::string nonce;  // the random half of the link's token
  Timestamp scheduled_at;  // when its mail is due
  std::optional<Timestamp> sent_at;
  Timestamp expires_at;
  int scale_min = 1, scale_max = 5;
  std::optional<int> score;
  std::string comment;
  std::optional<Timestamp> answered_at;        // the latest answer
  std::optional<Timestamp> first_answered_at;  // starts the change window
  int64_t answers = 0;
};

// One reason a customer is on the watch list.
struct WatchEntry {
  std::string address;
  int64_t ticket_id = 0;
  std::string subject;  // the ticket's, for the list
  std::string reason;
  std::optional<int> score;
  std::string comment;  // the survey's, if any
  Timestamp added_at;
};

class CsatStore {
 public:
  explicit CsatStore(Store& store) : db_(store.db()) {}

  // Adds the survey of `s.ticket_id`; false when that ticket already has one.
  Result<bool> Schedule(const Survey& s);
  Result<std::optional<Survey>> Get(int64_t ticket_id);
  // Surveys for `requester` scheduled at or after `since`.
  Result<int64_t> CountSince(const std::string& requester, Timestamp since);
  Status MarkSent(int64_t ticket_id, Timestamp now);
  // Forgets a survey whose mail never went (its ticket was reopened), so a
  // later solve may schedule one and the customer's period is not used up.
  Status Cancel(int64_t ticket_id);
  // Records an answer; the first answer also starts the change window.
  Status Answer(int64_t ticket_id, int score, const std::string& comment, Timestamp now);

  // Adds or renews the entry for (address, ticket), open again if cleared.
  Status Watch(const std::string& address, int64_t ticket_id, const std::string& reason, int score, Timestamp now);
  // Clears the entry for (address, ticket), as when a better answer
  // replaces a low one.
  Status Unwatch(const std::string& address, int64_t ticket_id, Timestamp now, const std::string& by);
  // Clears every open entry for `address`; how many there were.
  Result<int64_t> ClearWatch(const std::string& address, Timestamp now, const std::string& by);
  // Open entries, newest first, at most `limit`.
  Result<std::vector<WatchEntry>> Watched(int limit);

 private:
  Db& db_;
};

}  // namespace frontdesk
