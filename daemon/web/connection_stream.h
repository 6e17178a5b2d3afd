// connection_stream.h: one client connection of a listener, and the
// httplib::Stream a worker thread serves one request of it through. The gate
// (connection_gate.h) reads the whole request, head and body, before a
// worker sees it; the stream hands out exactly those bytes and then reports
// the end of the data, so a worker never waits on a client's socket to read,
// and what the library leaves unread of a request can never be taken for
// the next one. The stream bounds the answer's writes in time.
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
#include "daemon/web/chunked_body.h"

namespace frontdesk {

// What one listener allows a client. See [server] in frontdesk.example.toml.
struct ConnectionLimits {
  size_t max_connections = 512;
  size_t max_connections_per_address = 32;
  // Peers not counted per address: a proxy on this machine carries many clients.
  std::vector<std::string> unlimited_addresses;
  size_t max_header_bytes = 16 * 1024;
  // A body up to this size is read at once; a larger one first reserves its
  // size out of body_memory_bytes, which all its connections share.
  size_t buffered_body_bytes = 64 * 1024;
  uint64_t max_body_bytes = 10 * 1024 * 1024;
  uint64_t body_memory_bytes = 64 * 1024 * 1024;
  // A body over buffered_body_bytes needs an Authorization or Cookie
  // header, or is answered 401 before it is read: on the admin listener
  // every request needs one, and no stranger should hold its memory.
  bool large_body_needs_credentials = false;
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
    kBody,     // the head is in; reading the body
    kRoom,     // a large body waits for its share of body_memory_bytes, unread
    kClosing,  // answered by the gate; draining what the client still sends
  };

  UniqueFd fd;
  std::string peer_ip;
  int peer_port = 0;
  std::string local_ip;
  int local_port = 0;
  std::string buffered;  // read from the socket, not yet consumed by a request
  size_t head_size = 0;  // the head at the front of `buffered`, once complete
  // The body's length once the head is in: its Content-Length, none
  // without one (RFC 9112, 6.3), or found by `chunks` as it arrives.
  uint64_t body_length = 0;
  std::optional<ChunkedBodyScanner> chunks;
  bool expects_continue = false;  // the client waits for 100 Continue
  bool has_credentials = false;   // the head has an Authorization or Cookie header
  size_t request_size = 0;  // head and body, once the whole request is in
  uint64_t reserved = 0;    // this request's share of body_memory_bytes
  bool watched = false;     // in the gate's epoll set
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

  // `c` and `limits` must outlive the stream; `c` holds a whole request.
  ConnectionStream(Connection& c, const ConnectionLimits& limits);

  bool is_readable() const override;
  bool is_writable() const override;
  // The request's bytes; 0 at its end.
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override;

  // Drops the request, read or not; what stays in the connection's buffer
  // is the start of a pipelined next request.
  void Finish();
  // A write failed or ran out of time: the connection cannot carry another
  // request.
  bool broken() const { return broken_; }

 private:
  bool WaitFor(short events, Time deadline) const;
  Time WriteDeadline() const;

  Connection& c_;
  const ConnectionLimits& limits_;
  size_t offset_ = 0;  // of the next byte of the request to hand out
  std::optional<Time> answer_deadline_;
  bool broken_ = false;
};

// The peer's or our end's address as cpp-httplib prints it; false when the
// socket has none.
bool SocketAddress(int fd, bool peer, std::string* ip, int* port);

}  // namespace frontdesk
