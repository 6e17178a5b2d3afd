// mailgate_server.h: the daemon's end of the quick mailgate
// (mailgate_wire.h). The process an MTA starts per message connects to
// data_dir/mailgate.sock, sends the message, and exits 0 once this side has
// committed it to the spool through the daemon's single writer, where the
// messages of concurrent mailgates share one fsync. Filing happens after,
// on the spool worker, so the MTA waits for a durable copy and nothing more.
//
// `handlers` threads each accept a connection and serve it to the end, so
// that a message reaches the writer without a hand-over between threads
// (the kernel wakes one waiting thread per connection). While all of them
// are busy, further connections wait in the listen backlog; a mailgate
// that gets no greeting within 10 s takes the full path instead. A client
// that does not finish its request within `timeout` is answered TEMPFAIL
// and closed (the MTA retries).
// Thread-safe: Start and Stop from the thread that owns it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/base/metrics.h"
#include "daemon/base/unique_fd.h"
#include "daemon/store/write_queue.h"

namespace frontdesk {

class MailgateServer {
 public:
  struct Options {
    std::string socket_path;
    size_t handlers = 16;
    std::chrono::milliseconds timeout{30000};  // for one whole request
  };
  using ConfigSource = std::function<std::shared_ptr<const Config>()>;

  // `spooled` is called after each message is committed (it wakes the
  // spool worker).
  MailgateServer(Options options, WriteQueue& writer, ConfigSource config, const Clock& clock, Metrics* metrics,
                 std::function<void()> spooled);
  ~MailgateServer();
  MailgateServer(const MailgateServer&) = delete;
  MailgateServer& operator=(const MailgateServer&) = delete;

  // Binds the socket (mode 0660), replacing one a daemon that died left
  // behind; the caller holds the serve lock, so no live daemon owns it.
  // Refuses a path that is there and is not a socket.
  Status Listen();
  void Start();
  // Stops accepting, lets the handlers finish, removes the socket.
  // Idempotent.
  void Stop();

 private:
  void HandlerLoop();
  // Serves one greeted connection, with the config it was greeted under.
  void Serve(UniqueFd conn, const std::shared_ptr<const Config>& config);
  // The answer line for one request read from `conn`.
  std::string Handle(int conn, const Config& config, std::chrono::steady_clock::time_point deadline);

  Options options_;
  WriteQueue& writer_;
  ConfigSource config_;
  const Clock& clock_;
  Metrics* metrics_;
  std::function<void()> spooled_;
  UniqueFd listen_fd_;
  std::vector<std::thread> handlers_;
  bool listening_ = false;
  // Set by Stop: a handler waiting on a slow client gives up at once.
  std::atomic<bool> stopping_{false};
};

}  // namespace frontdesk
