// spool_store.h: the inbound spool, read and emptied by the daemon and by
// `frontdesk fetch`. Rows are added by the daemon for the quick mailgate
// (mailgate_server.h) and for IMAP mail a parse worker failed on, and by a
// mailgate that finds the daemon without its socket (spool_append.h).
// Writes expect the caller's transaction. Not thread-safe; bound to one
// Store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/store/store.h"

namespace frontdesk {

struct SpoolEntry {
  int64_t id = 0;
  std::string raw;
  std::string source;
  std::optional<std::string> queue;
  bool as_comment = false;
  Timestamp received_at;
  int64_t attempts = 0;
};

class SpoolStore {
 public:
  explicit SpoolStore(Store& store) : db_(store.db()) {}

  // The oldest entries first: at most `limit`, and no more than fit in
  // `max_bytes` of raw mail, but at least one.
  Result<std::vector<SpoolEntry>> Oldest(int limit, int64_t max_bytes);
  // Deletes the entry; false when another process filed it first.
  Result<bool> Take(int64_t id);
  Status Failed(int64_t id, const std::string& error);
  // Adds a message to be filed: one the quick mailgate handed over (no
  // error yet), or one another intake path could not file yet (IMAP mail
  // that a parse worker failed on), with the tries so far and the last
  // error, so that the spool's retry rules apply to it too.
  Result<int64_t> Add(const SpoolEntry& entry, const std::string& last_error);
  struct Depth {
    int64_t entries = 0;
    std::optional<Timestamp> oldest;
  };
  Result<Depth> Measure();

 private:
  Db& db_;
};

}  // namespace frontdesk
