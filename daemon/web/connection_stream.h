// connection_stream.h: one client connection of a listener, and the
// httplib::Stream a worker thread serves one request of it through. The
// stream first hands out the bytes the gate (connection_gate.h) has already
// read, then reads the socket, never past the request's deadline nor past
// its body cap, and bounds the answer's writes the same way.
//
// A Connection has one holder at a time: the gate, or the worker serving its
// request. It passes between them through the gate's inbox and the thread
// pool's queue, whose locks order the hand-over, so it has no lock itself.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/unique_fd.h"

namespace frontdesk {

// What one listener allows a client. See [server] in frontdesk.example.toml.
struct ConnectionLimits {
  size_t max_connections = 512;
  size_t max_connections_per_address = 32;
  // Peers not counted per address: a proxy on this machine carries many clients.
  std::vector<std::string> unlimited_addresses;
  size_t max_header_bytes = 16 * 1024;
  // A body up to this size is read by the gate before a thread takes the request.
  size_t buffered_body_bytes = 64 * 1024;
  uint64_t max_body_bytes = 10 * 1024 * 1024;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds request_timeout{60};
  std::chrono::seconds read_timeout{10};  // the longest silence within a request
  std::chrono::seconds write_timeout{10};
  std::chrono::seconds keep_alive_timeout{2};
};

struct Connection {
  using Time = std::chrono::steady_clock::time_point;
  // Where the gate is with the connection's current request.
  enum class Phase {
    kWaiting,  // no byte of a request yet: new, or idle between requests
    kHead,     // reading the request line and headers
    kBody,     // the head is in; reading a body small enough to buffer
    kClosing,  // answered by the gate; draining what the client still sends
  };

  UniqueFd fd;
  std::string peer_ip;
  int peer_port = 0;
  std::string local_ip;
  int local_port = 0;
  std::string buffered;  // read from the socket, not yet consumed by a request
  size_t head_size = 0;  // the head at the front of `buffered`, once complete
  // The head gave a Content-Length or chunked coding. Without either a
  // request has no body (RFC 9112, 6.3), and httplib must not wait for one.
  bool body_framed = false;
  Time accepted_at;
  Time request_start;  // the connection, or a later request's first byte
  Time idle_since;     // the connection, or the end of its last request
  int answered = 0;    // requests served on this connection
  Phase phase = Phase::kWaiting;
  Time deadline;  // when the gate gives up on the current phase
};

class ConnectionStream final : public httplib::Stream {
 public:
  using Time = Connection::Time;

  // `c` and `limits` must outlive the stream.
  ConnectionStream(Connection& c, const ConnectionLimits& limits);

  bool is_readable() const override;
  bool is_writable() const override;
  // 0 at the end of the client's data; -1 when the request's time or body
  // cap ran out, or the socket failed.
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override;

  // Drops what the request consumed; what stays in the connection's buffer
  // is the start of a pipelined next request.
  void Finish();
  // A read or a write failed or ran out of time: the connection cannot
  // carry another request.
  bool broken() const { return broken_; }

 private:
  // Reads what the socket has into the empty buffer; false at the end of
  // the data or on failure (then broken_ is set).
  bool Fill();
  bool WaitFor(short events, Time deadline) const;
  Time ReadDeadline() const;
  Time WriteDeadline() const;

  Connection& c_;
  const ConnectionLimits& limits_;
  size_t offset_ = 0;   // of the next unconsumed byte in c_.buffered
  uint64_t taken_ = 0;  // bytes of this request handed out, its head included
  std::optional<Time> answer_deadline_;
  bool broken_ = false;
};

// The peer's or our end's address as cpp-httplib prints it; false when the
// socket has none.
bool SocketAddress(int fd, bool peer, std::string* ip, int* port);

}  // namespace frontdesk
