// connection_gate.h: the door of one HTTP listener. It takes every accepted
// socket and, on one epoll thread, reads each whole request, head and body,
// before a worker thread sees it. A slow, silent or idle client therefore
// costs a descriptor and a buffer, never a thread. Bodies over
// buffered_body_bytes are read only once their size fits in the listener's
// body_memory_bytes, which bounds the memory all clients' bodies take
// together; the others wait their turn, unread.
//
// The gate keeps the connection caps, the header cap, the header and
// request deadlines, and refuses a Content-Length over the body cap before
// the body is sent. It refuses a head whose framing is ambiguous or broken
// (request_head.h) and a broken chunked body (chunked_body.h) and closes the
// connection, so that no byte of one request is ever read as the start of
// another. It answers its refusals (400, 401, 408, 413, 431, 501, 503, 505)
// itself, then drains the socket briefly so the client can read them. It
// answers 100 Continue itself when a body may be sent.
//
// Adopt() and Return() may be called from any thread. Open(), Start() and
// Stop() are called by the owner only; Stop() must run before the
// dispatch callback's target is destroyed, and while it can still take
// work: a draining gate may dispatch the requests it finishes reading.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/base/guarded.h"
#include "daemon/base/status.h"
#include "daemon/base/unique_fd.h"
#include "daemon/web/connection_stream.h"

namespace frontdesk {

class ConnectionGate {
 public:
  using Time = Connection::Time;
  // Takes a connection whose request head is complete, and gives it back
  // through Return(). False when there is no room; the gate answers 503.
  using Dispatch = std::function<bool(const std::shared_ptr<Connection>&)>;
  // Told of each refusal: "max_connections", "max_connections_per_address",
  // "header_too_large", "body_too_large", "header_timeout",
  // "request_timeout", "bad_request", "not_implemented", "body_memory",
  // "no_credentials" or "busy". May be empty.
  using Refused = std::function<void(std::string_view reason)>;

  ConnectionGate(std::string name, ConnectionLimits limits, Dispatch dispatch,
                 Refused refused = {});
  ~ConnectionGate();
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // Creates the epoll set and the descriptor that wakes it.
  Status Open();
  // Runs the gate on a thread of its own until Stop().
  void Start();
  // Closes the idle connections, finishes reading the requests under way
  // and dispatches them, then stops; a connection that arrives or comes
  // back later is closed at once. Idempotent.
  void Stop();

  // Takes ownership of an accepted socket.
  void Adopt(int fd);
  // A worker is done with `c`'s request: the gate waits for the next one
  // when `keep`, and closes the connection otherwise.
  void Return(std::shared_ptr<Connection> c, bool keep);

  const ConnectionLimits& limits() const { return limits_; }

 private:
  struct Inbox {
    std::vector<UniqueFd> accepted;
    std::vector<std::pair<std::shared_ptr<Connection>, bool>> returned;
    bool draining = false;  // Stop() was called
    bool stopped = false;   // the gate's thread is gone
  };
  using Ptr = std::shared_ptr<Connection>;

  void Run();
  void TakeInbox(Time now);
  void Admit(UniqueFd fd, Time now);
  void TakeBack(Ptr c, bool keep, Time now);
  void OnReadable(const Ptr& c, Time now);
  // Decides what the bytes buffered so far allow: wait, dispatch, refuse.
  void Advance(const Ptr& c, Time now);
  // The head is in: reads the body, or waits for room to read it.
  void ReadBody(const Ptr& c, Time now);
  bool Reserve(Connection& c, uint64_t bytes);
  void Release(Connection& c);
  // Lets the bodies waiting for room in, in their order, while room lasts.
  void GrantRoom(Time now);
  void Hand(const Ptr& c, Time now);
  void Answer(const Ptr& c, int status, std::string_view reason, Time now,
              std::string_view problem = {});
  void Refuse(Connection& c, std::string_view reason);
  void Close(const Ptr& c);
  void Forget(Connection& c);
  bool EvictOne();
  void Sweep(Time now);
  void Arm(Connection& c, Time deadline);
  bool Watch(const Ptr& c);
  void Unwatch(Connection& c);
  bool Limited(const std::string& ip) const;
  void Wake();

  std::string name_;
  ConnectionLimits limits_;
  Dispatch dispatch_;
  Refused refused_;
  UniqueFd epoll_;
  UniqueFd wake_;
  std::thread thread_;
  Guarded<Inbox> inbox_;

  // Owned by the gate's thread.
  std::unordered_map<int, Ptr> held_;  // by descriptor: the connections the gate holds
  size_t open_ = 0;                    // every open connection, with a worker or not
  std::unordered_map<std::string, size_t> per_address_;
  uint64_t room_used_ = 0;    // of body_memory_bytes, by the requests that hold a share
  std::deque<Ptr> waiting_;  // in kRoom, oldest first
  Time next_sweep_ = Time::max();
  bool draining_ = false;
};

// The whole answer the gate writes for `status` (400, 401, 408, 413, 431,
// 501, 503 or 505): a JSON error in the shape WriteError gives, with `problem`
// as its message when given, Connection: close, and Retry-After on a 503.
std::string GateAnswer(int status, std::string_view problem = {});

}  // namespace frontdesk
