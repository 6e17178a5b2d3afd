#include "daemon/store/pg_listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include "daemon/store/pg_db.h"

namespace frontdesk {

struct PgListener::Conn {
  std::unique_ptr<PgDb> db;
  PGconn* raw = nullptr;
};

PgListener::~PgListener() = default;

Result<std::unique_ptr<PgListener>> PgListener::Open(const std::string& url, const DbOptions& options,
                                                     const std::string& channel) {
  Result<std::unique_ptr<PgDb>> db = PgDb::Open(url, options);
  if (!db.ok()) return db.status();
  // The channel is one of ours (kOutboxChannel), never input.
  Status s = (*db)->Exec("LISTEN " + channel);
  if (!s.ok()) return s;
  std::unique_ptr<PgListener> listener(new PgListener());
  listener->conn_ = std::make_unique<Conn>();
  Status why;
  listener->conn_->raw = (*db)->Live(&why);
  if (listener->conn_->raw == nullptr) return why;
  listener->conn_->db = std::move(*db);
  return listener;
}

Result<bool> PgListener::Wait(std::chrono::milliseconds timeout) {
  PGconn* c = conn_->raw;
  auto drain = [c]() {
    bool heard = false;
    while (PGnotify* n = PQnotifies(c)) {
      heard = true;
      PQfreemem(n);
    }
    return heard;
  };
  if (drain()) return true;
  pollfd p{PQsocket(c), POLLIN, 0};
  if (p.fd < 0) return Status::Unavailable("PostgreSQL listener: the connection is gone");
  int ready = poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready < 0) return errno == EINTR ? Result<bool>(false) : Status::Io("PostgreSQL listener: poll failed");
  if (ready == 0) return false;
  if (PQconsumeInput(c) == 0 || PQstatus(c) != CONNECTION_OK) {
    return Status::Unavailable(std::string("PostgreSQL listener: ") + PQerrorMessage(c));
  }
  return drain();
}

}  // namespace frontdesk
