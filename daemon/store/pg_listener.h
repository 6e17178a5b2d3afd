// pg_listener.h: PostgreSQL's LISTEN on a connection of its own, so that
// one daemon hears what another committed (a mail queued for the outbox)
// without waiting for its next round. Not thread-safe: one thread waits.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "daemon/store/db.h"

namespace frontdesk {

// The channel a commit that queued outbox mail notifies.
constexpr const char* kOutboxChannel = "frontdesk_outbox";

class PgListener {
 public:
  // Connects to `url` and listens on `channel`.
  static Result<std::unique_ptr<PgListener>> Open(const std::string& url, const DbOptions& options,
                                                  const std::string& channel);
  ~PgListener();
  // True when a notification came within `timeout`, false when none did;
  // an error when the connection is lost (open a new listener then).
  Result<bool> Wait(std::chrono::milliseconds timeout);

 private:
  PgListener() = default;
  struct Conn;
  std::unique_ptr<Conn> conn_;
};

}  // namespace frontdesk
