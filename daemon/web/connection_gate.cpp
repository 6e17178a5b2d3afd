#include "daemon/web/connection_gate.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/web/request_head.h"

namespace frontdesk {
namespace {

using std::chrono::steady_clock;

// How long a connection the gate has answered itself is drained before it
// is closed. Closing a socket with unread input sends a reset, which can
// destroy the answer before the client reads it; a short drain lets the
// client finish sending.
constexpr auto kDrainTime = std::chrono::seconds(2);
// One recv() of the gate; a readable socket is read again on the next turn.
constexpr size_t kReadChunk = 16 * 1024;
constexpr int kEventBatch = 64;

int MillisUntil(Connection::Time deadline, Connection::Time now) {
  if (deadline == Connection::Time::max()) return -1;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return static_cast<int>(std::clamp<int64_t>(ms, 0, 60000));
}

// Reads and drops what has already arrived; true while the client is still
// connected.
bool Discard(int fd) {
  char scratch[kReadChunk];
  for (int i = 0; i < 4; ++i) {
    ssize_t n = recv(fd, scratch, sizeof scratch, MSG_DONTWAIT);
    if (n > 0) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
  }
  return true;
}

}  // namespace

std::string GateAnswer(int status, std::string_view problem) {
  const char* phrase = "Service Unavailable";
  std::string code = "busy";
  std::string message = "the server is busy; try again shortly";
  switch (status) {
    case 400:
      phrase = "Bad Request";
      code = "bad_request";
      message = "the request could not be read";
      break;
    case 401:
      phrase = "Unauthorized";
      code = "unauthorized";
      message = "a request with a large body needs an Authorization: Bearer token or a session";
      break;
    case 408:
      phrase = "Request Timeout";
      code = "timeout";
      message = "the request took too long to arrive";
      break;
    case 413:
      phrase = "Payload Too Large";
      code = "too_large";
      message = "the request body is too large";
      break;
    case 431:
      phrase = "Request Header Fields Too Large";
      code = "too_large";
      message = "the request headers are too large";
      break;
    case 501:
      phrase = "Not Implemented";
      code = "not_implemented";
      message = "the request asks for something this server does not do";
      break;
    case 505:
      phrase = "HTTP Version Not Supported";
      code = "bad_request";
      message = "only HTTP/1.1 and HTTP/1.0 are served";
      break;
    default:
      status = 503;
  }
  if (!problem.empty()) {
    // A problem may name the client's method; only printable ASCII is kept
    // and JSON's two special characters are escaped.
    message.clear();
    for (char ch : problem) {
      if (ch == '"' || ch == '\\') message += '\\';
      if (ch >= 0x20 && ch < 0x7f) message += ch;
    }
  }
  std::string body =
      R"({"error":{"code":")" + code + R"(","message":")" + message + R"(","field":null}})";
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + phrase + "\r\n";
  out +=
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (status == 503) out += "Retry-After: 5\r\n";
  if (status == 401) out += "WWW-Authenticate: Bearer\r\n";
  out += "Connection: close\r\n\r\n" + body;
  return out;
}

ConnectionGate::ConnectionGate(std::string name, ConnectionLimits limits, Dispatch dispatch,
                               Refused refused)
    : name_(std::move(name)),
      limits_(std::move(limits)),
      dispatch_(std::move(dispatch)),
      refused_(std::move(refused)) {}

ConnectionGate::~ConnectionGate() { Stop(); }

Status ConnectionGate::Open() {
  epoll_ = UniqueFd(epoll_create1(EPOLL_CLOEXEC));
  wake_ = UniqueFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_.get();
  if (!epoll_ || !wake_ || epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev) != 0) {
    return Status::Unavailable(name_ +
                               " listener: cannot create its epoll set: " + std::strerror(errno));
  }
  return Status::Ok();
}

void ConnectionGate::Start() {
  thread_ = std::thread([this] { Run(); });
}

// The gate drains before it stops: a request whose head is under way when
// the daemon is told to stop is still read and answered (within
// header_timeout), as it would have been had it been quicker.
void ConnectionGate::Stop() {
  inbox_.Lock()->draining = true;
  Wake();
  if (thread_.joinable()) thread_.join();
  std::vector<UniqueFd> accepted;
  std::vector<std::pair<Ptr, bool>> returned;
  {
    auto inbox = inbox_.Lock();
    inbox->stopped = true;
    accepted.swap(inbox->accepted);
    returned.swap(inbox->returned);
  }
  held_.clear();
}

void ConnectionGate::Wake() {
  uint64_t one = 1;
  if (wake_ && write(wake_.get(), &one, sizeof one) < 0 && errno != EAGAIN) {
    spdlog::error("{} listener: cannot wake its gate: {}", name_, std::strerror(errno));
  }
}

void ConnectionGate::Adopt(int fd) {
  UniqueFd owned(fd);
  // A child process must not inherit a client's socket and keep it open.
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  {
    auto inbox = inbox_.Lock();
    if (inbox->stopped) return;
    inbox->accepted.push_back(std::move(owned));
  }
  Wake();
}

void ConnectionGate::Return(std::shared_ptr<Connection> c, bool keep) {
  {
    auto inbox = inbox_.Lock();
    if (inbox->stopped) return;
    inbox->returned.emplace_back(std::move(c), keep);
  }
  Wake();
}

void ConnectionGate::Run() {
  epoll_event events[kEventBatch];
  for (;;) {
    int n = epoll_wait(epoll_.get(), events, kEventBatch,
                       MillisUntil(next_sweep_, steady_clock::now()));
    if (n < 0 && errno != EINTR) {
      spdlog::error("{} listener: epoll_wait failed: {}", name_, std::strerror(errno));
      return;
    }
    Time now = steady_clock::now();
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_.get()) {
        uint64_t count;
        while (read(wake_.get(), &count, sizeof count) > 0) {
        }
        TakeInbox(now);
        continue;
      }
      auto it = held_.find(fd);
      if (it != held_.end()) OnReadable(Ptr(it->second), now);
    }
    if (now >= next_sweep_) Sweep(now);
    if (draining_ && held_.empty()) return;
  }
}

void ConnectionGate::TakeInbox(Time now) {
  std::vector<UniqueFd> accepted;
  std::vector<std::pair<Ptr, bool>> returned;
  bool draining = false;
  {
    auto inbox = inbox_.Lock();
    draining = inbox->draining;
    accepted.swap(inbox->accepted);
    returned.swap(inbox->returned);
  }
  if (draining && !draining_) {
    draining_ = true;
    std::vector<Ptr> idle, unread;
    for (const auto& [fd, c] : held_) {
      if (c->phase == Connection::Phase::kWaiting || c->phase == Connection::Phase::kClosing) {
        idle.push_back(c);
      } else if (c->phase == Connection::Phase::kRoom) {
        unread.push_back(c);
      }
    }
    for (const Ptr& c : idle) Close(c);
    // A body still waiting for room would not be read before the stop.
    for (const Ptr& c : unread) Answer(c, 503, "body_memory", now);
  }
  for (auto& [c, keep] : returned) TakeBack(std::move(c), keep, now);
  // While draining, a new connection is closed unread.
  if (!draining_) {
    for (UniqueFd& fd : accepted) Admit(std::move(fd), now);
  }
}

bool ConnectionGate::Limited(const std::string& ip) const {
  const auto& free = limits_.unlimited_addresses;
  return std::find(free.begin(), free.end(), ip) == free.end();
}

void ConnectionGate::Admit(UniqueFd fd, Time now) {
  auto c = std::make_shared<Connection>();
  c->fd = std::move(fd);
  if (!SocketAddress(c->fd.get(), true, &c->peer_ip, &c->peer_port)) return;  // already gone
  SocketAddress(c->fd.get(), false, &c->local_ip, &c->local_port);
  bool limited = Limited(c->peer_ip);
  if (limited) {
    auto it = per_address_.find(c->peer_ip);
    if (it != per_address_.end() && it->second >= limits_.max_connections_per_address) {
      return Refuse(*c, "max_connections_per_address");
    }
  }
  if (open_ >= limits_.max_connections && !EvictOne()) return Refuse(*c, "max_connections");
  ++open_;
  if (limited) ++per_address_[c->peer_ip];
  c->accepted_at = c->request_start = c->idle_since = now;
  c->phase = Connection::Phase::kWaiting;
  if (!Watch(c)) return Close(c);
  Arm(*c, now + limits_.header_timeout);
  // Most clients send their request with the connect; it is often here.
  OnReadable(c, now);
}

// A connection refused at the door is never counted nor kept: keeping it to
// drain would let a flood of them hold descriptors past the cap.
void ConnectionGate::Refuse(Connection& c, std::string_view reason) {
  if (refused_) refused_(reason);
  spdlog::debug("{} listener: refused a connection from {}: {}", name_, c.peer_ip, reason);
  if (!Discard(c.fd.get())) return;
  std::string answer = GateAnswer(503);
  (void)!send(c.fd.get(), answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  shutdown(c.fd.get(), SHUT_WR);
  Discard(c.fd.get());
}

// At the cap, a connection that is only draining or that its client has
// closed, or else the one idle the longest, makes room for a new one: none
// has a request under way. A connection whose request has arrived but is
// not read yet is not idle; a peek tells.
bool ConnectionGate::EvictOne() {
  Ptr victim;
  for (const auto& [fd, c] : held_) {
    if (c->phase == Connection::Phase::kClosing) {
      victim = c;
      break;
    }
    if (c->phase != Connection::Phase::kWaiting || !c->buffered.empty()) continue;
    char byte;
    ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
      victim = c;
      break;
    }
    if (!victim || c->idle_since < victim->idle_since) victim = c;
  }
  if (!victim) return false;
  Close(victim);
  return true;
}

void ConnectionGate::TakeBack(Ptr c, bool keep, Time now) {
  if (!keep || draining_) return Forget(*c);
  bool had_room = c->reserved > 0;
  Release(*c);
  c->phase = Connection::Phase::kWaiting;
  c->head_size = 0;
  c->chunks.reset();
  c->idle_since = now;
  // An idle connection keeps no buffer, and one that carried a large body
  // gives its memory back.
  if (c->buffered.empty()) {
    std::string().swap(c->buffered);
  } else if (c->buffered.capacity() > limits_.max_header_bytes + limits_.buffered_body_bytes) {
    c->buffered.shrink_to_fit();
  }
  if (had_room) GrantRoom(now);
  if (!Watch(c)) return Close(c);
  Arm(*c, now + limits_.keep_alive_timeout);
  // The client may have sent its next request already (pipelining).
  if (!c->buffered.empty()) Advance(c, now);
}

void ConnectionGate::OnReadable(const Ptr& c, Time now) {
  int fd = c->fd.get();
  if (c->phase == Connection::Phase::kClosing) {
    if (!Discard(fd)) Close(c);
    return;
  }
  if (c->phase == Connection::Phase::kRoom) return;  // not read until it has room
  // A head and a small body, or a head and the body it has room for; a
  // little of a pipelined next request may come with them.
  size_t cap = c->phase == Connection::Phase::kBody
                   ? c->head_size + static_cast<size_t>(std::max<uint64_t>(
                                        c->reserved, limits_.buffered_body_bytes))
                   : limits_.max_header_bytes + limits_.buffered_body_bytes;
  size_t have = c->buffered.size();
  size_t want = std::min(kReadChunk, cap > have ? cap - have : 0);
  if (want == 0) {
    if (c->phase == Connection::Phase::kBody) return Answer(c, 413, "body_too_large", now);
    return Answer(c, 431, "header_too_large", now);
  }
  c->buffered.resize(have + want);
  ssize_t n = recv(fd, c->buffered.data() + have, want, MSG_DONTWAIT);
  c->buffered.resize(have + (n > 0 ? static_cast<size_t>(n) : 0));
  if (n == 0) return Close(c);  // the client left; there is no one to answer
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) Close(c);
    return;
  }
  Advance(c, now);
}

void ConnectionGate::Advance(const Ptr& c, Time now) {
  using Phase = Connection::Phase;
  if (c->phase == Phase::kWaiting) {
    c->buffered.erase(0, LeadingLineBreaks(c->buffered));
    if (c->buffered.empty()) return;  // still waiting; the deadline stands
    c->phase = Phase::kHead;
    // A new connection's head is timed from the connect, a later request's
    // from its first byte: the wait between them is keep_alive_timeout's.
    c->request_start = c->answered == 0 ? c->accepted_at : now;
  }
  if (c->phase == Phase::kHead) {
    RequestHead head = ScanRequestHead(c->buffered, limits_.max_header_bytes);
    switch (head.state) {
      case RequestHead::State::kTooLarge: return Answer(c, 431, "header_too_large", now);
      case RequestHead::State::kIncomplete:
        return Arm(*c,
                   std::min(c->request_start + limits_.header_timeout, now + limits_.read_timeout));
      case RequestHead::State::kRefused:
        return Answer(c, head.status, head.status == 501 ? "not_implemented" : "bad_request", now,
                      head.problem);
      case RequestHead::State::kComplete: break;
    }
    if (head.content_length && *head.content_length > limits_.max_body_bytes) {
      return Answer(c, 413, "body_too_large", now);
    }
    c->head_size = DropExpectHeaders(c->buffered, head.size);
    c->body_length = head.content_length.value_or(0);
    c->chunks.reset();
    if (head.chunked) c->chunks.emplace(limits_.max_body_bytes);
    c->expects_continue = head.expects_continue;
    c->has_credentials = head.has_credentials;
    c->phase = Phase::kBody;
  }
  ReadBody(c, now);
}

void ConnectionGate::ReadBody(const Ptr& c, Time now) {
  std::string_view body = std::string_view(c->buffered).substr(c->head_size);
  uint64_t need = 0;  // the share of body_memory_bytes the body must hold to go on
  if (c->chunks) {
    switch (c->chunks->Scan(body)) {
      case ChunkedBodyScanner::State::kBad:
        return Answer(c, 400, "bad_request", now, c->chunks->problem());
      case ChunkedBodyScanner::State::kTooLarge: return Answer(c, 413, "body_too_large", now);
      case ChunkedBodyScanner::State::kComplete:
        c->request_size = c->head_size + c->chunks->size();
        return Hand(c, now);
      case ChunkedBodyScanner::State::kIncomplete: break;
    }
    // A chunked body's size is known only at its end: past the small
    // allowance it reserves the most it may grow to.
    if (body.size() >= limits_.buffered_body_bytes) need = limits_.max_body_bytes;
  } else {
    if (body.size() >= c->body_length) {
      c->request_size = c->head_size + static_cast<size_t>(c->body_length);
      return Hand(c, now);
    }
    if (c->body_length > limits_.buffered_body_bytes) need = c->body_length;
  }
  if (need > c->reserved && limits_.large_body_needs_credentials && !c->has_credentials) {
    return Answer(c, 401, "no_credentials", now);
  }
  if (need > c->reserved) {
    // First come, first served: a body does not pass the ones waiting.
    if (!waiting_.empty() || !Reserve(*c, need)) {
      c->phase = Connection::Phase::kRoom;
      Unwatch(*c);
      waiting_.push_back(c);
      return Arm(*c, now + limits_.read_timeout);
    }
  }
  if (c->expects_continue) {
    c->expects_continue = false;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    (void)!send(c->fd.get(), kContinue.data(), kContinue.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  Arm(*c, std::min(c->request_start + limits_.request_timeout, now + limits_.read_timeout));
}

bool ConnectionGate::Reserve(Connection& c, uint64_t bytes) {
  uint64_t more = bytes - c.reserved;
  if (room_used_ + more > limits_.body_memory_bytes) return false;
  room_used_ += more;
  c.reserved = bytes;
  return true;
}

void ConnectionGate::Release(Connection& c) {
  room_used_ -= c.reserved;
  c.reserved = 0;
}

void ConnectionGate::GrantRoom(Time now) {
  while (!waiting_.empty()) {
    Ptr c = waiting_.front();
    auto it = held_.find(c->fd.get());
    bool still_waiting = it != held_.end() && it->second == c &&
                         c->phase == Connection::Phase::kRoom;
    if (still_waiting) {
      uint64_t need = c->chunks ? limits_.max_body_bytes : c->body_length;
      if (!Reserve(*c, need)) return;
      c->phase = Connection::Phase::kBody;
      if (!Watch(c)) {
        waiting_.pop_front();
        Close(c);
        continue;
      }
    }
    waiting_.pop_front();
    if (still_waiting) ReadBody(c, now);
  }
}

void ConnectionGate::Hand(const Ptr& c, Time now) {
  Unwatch(*c);
  held_.erase(c->fd.get());
  if (dispatch_(c)) return;
  // Every thread is busy and the queue is full.
  if (!Watch(c)) return Close(c);
  Answer(c, 503, "busy", now);
}

void ConnectionGate::Answer(const Ptr& c, int status, std::string_view reason, Time now,
                            std::string_view problem) {
  if (refused_) refused_(reason);
  spdlog::debug("{} listener: answered {} to {}: {}{}{}", name_, status, c->peer_ip, reason,
                problem.empty() ? "" : ": ", problem);
  std::string answer = GateAnswer(status, problem);
  (void)!send(c->fd.get(), answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  shutdown(c->fd.get(), SHUT_WR);
  if (draining_) return Close(c);
  std::string().swap(c->buffered);
  bool had_room = c->reserved > 0;
  Release(*c);
  c->phase = Connection::Phase::kClosing;
  Arm(*c, now + kDrainTime);
  // A body that waited for room is read again, to drain it.
  if (!c->watched && !Watch(c)) return Close(c);
  if (had_room) GrantRoom(now);
}

void ConnectionGate::Sweep(Time now) {
  using Phase = Connection::Phase;
  next_sweep_ = Time::max();
  std::vector<Ptr> due;
  for (const auto& [fd, c] : held_) {
    if (c->deadline <= now) {
      due.push_back(c);
    } else {
      next_sweep_ = std::min(next_sweep_, c->deadline);
    }
  }
  for (const Ptr& c : due) {
    switch (c->phase) {
      case Phase::kWaiting:
      case Phase::kClosing:
        Close(c);
        break;
      case Phase::kHead:
        Answer(c, 408, "header_timeout", now);
        break;
      case Phase::kBody:
        Answer(c, 408, "request_timeout", now);
        break;
      case Phase::kRoom:
        Answer(c, 503, "body_memory", now);
        break;
    }
  }
}

void ConnectionGate::Arm(Connection& c, Time deadline) {
  c.deadline = deadline;
  next_sweep_ = std::min(next_sweep_, deadline);
}

// A connection in held_ is the gate's; it is in the epoll set too unless
// its body waits for room.
bool ConnectionGate::Watch(const Ptr& c) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = c->fd.get();
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c->fd.get(), &ev) != 0) {
    spdlog::warn("{} listener: cannot watch a connection: {}", name_, std::strerror(errno));
    return false;
  }
  c->watched = true;
  held_[c->fd.get()] = c;
  return true;
}

void ConnectionGate::Unwatch(Connection& c) {
  if (!c.watched) return;
  c.watched = false;
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
}

void ConnectionGate::Close(const Ptr& c) {
  auto it = held_.find(c->fd.get());
  if (it != held_.end() && it->second == c) held_.erase(it);
  Unwatch(*c);
  Forget(*c);
}

void ConnectionGate::Forget(Connection& c) {
  if (c.reserved > 0) {
    Release(c);
    GrantRoom(Connection::Time::clock::now());
  }
  --open_;
  if (!Limited(c.peer_ip)) return;
  auto it = per_address_.find(c.peer_ip);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

}  // namespace frontdesk
