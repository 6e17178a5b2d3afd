#include "daemon/web/connection_stream.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace frontdesk {
namespace {

using std::chrono::steady_clock;

}  // namespace

bool SocketAddress(int fd, bool peer, std::string* ip, int* port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len)) != 0) return false;
  if (addr.ss_family == AF_INET) {
    *port = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    *port = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  } else {
    return false;
  }
  // The same numeric form httplib gives req.remote_addr, so that
  // trusted_proxies and the per-address cap compare the same strings.
  char host[NI_MAXHOST];
  if (getnameinfo(sa, len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return false;
  *ip = host;
  return true;
}

ConnectionStream::ConnectionStream(Connection& c, const ConnectionLimits& limits)
    : c_(c), limits_(limits) {}

ConnectionStream::Time ConnectionStream::WriteDeadline() const {
  Time deadline = steady_clock::now() + limits_.write_timeout;
  return answer_deadline_ ? std::min(deadline, *answer_deadline_) : deadline;
}

bool ConnectionStream::WaitFor(short events, Time deadline) const {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{c_.fd.get(), events, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 60000)));
    if (n > 0) return true;  // ready, or an error the next call reports
    if (n < 0 && errno != EINTR) return false;
  }
}

bool ConnectionStream::is_readable() const { return offset_ < c_.request_size; }

bool ConnectionStream::is_writable() const { return WaitFor(POLLOUT, WriteDeadline()); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  size_t n = std::min(size, c_.request_size - offset_);
  std::copy_n(c_.buffered.data() + offset_, n, ptr);
  offset_ += n;
  return static_cast<ssize_t>(n);
}

// The answer gets request_timeout of its own from its first byte, so that a
// client that reads it a byte at a time cannot hold the thread for longer.
ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (!answer_deadline_) answer_deadline_ = steady_clock::now() + limits_.request_timeout;
  for (;;) {
    ssize_t n = send(c_.fd.get(), ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if ((errno != EAGAIN && errno != EWOULDBLOCK) || !WaitFor(POLLOUT, WriteDeadline())) {
      broken_ = true;
      return -1;
    }
  }
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = c_.peer_ip;
  port = c_.peer_port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = c_.local_ip;
  port = c_.local_port;
}

int ConnectionStream::socket() const { return c_.fd.get(); }

void ConnectionStream::Finish() {
  c_.buffered.erase(0, c_.request_size);
  c_.request_size = 0;
  offset_ = 0;
}

}  // namespace frontdesk
