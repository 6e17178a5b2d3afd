#include "daemon/web/rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace frontdesk {
namespace {
// Past this many addresses, full buckets are dropped: a full bucket carries
// no information, and an attacker rotating addresses must not grow memory.
constexpr size_t kPruneAbove = 10000;

// The address alone: "[2001:db8::1]:443" and "fe80::1%eth0" give the part
// inet_pton reads; "192.0.2.1:8080" gives the IPv4 address.
std::string BareAddress(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close != std::string_view::npos) text = text.substr(1, close - 1);
  } else if (size_t colon = text.find(':'); colon != std::string_view::npos &&
                                            text.find(':', colon + 1) == std::string_view::npos) {
    text = text.substr(0, colon);  // one colon: IPv4 with a port
  }
  return std::string(text.substr(0, text.find('%')));
}

}  // namespace

std::string RateLimitKey(std::string_view address) {
  std::string bare = BareAddress(address);
  char out[INET6_ADDRSTRLEN];
  in_addr a4;
  if (inet_pton(AF_INET, bare.c_str(), &a4) == 1) {
    return inet_ntop(AF_INET, &a4, out, sizeof out) ? out : bare;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, bare.c_str(), &a6) != 1) return std::string(address);
  if (IN6_IS_ADDR_V4MAPPED(&a6)) {
    std::memcpy(&a4, a6.s6_addr + 12, sizeof a4);
    return inet_ntop(AF_INET, &a4, out, sizeof out) ? out : bare;
  }
  std::memset(a6.s6_addr + 8, 0, 8);
  return inet_ntop(AF_INET6, &a6, out, sizeof out) ? std::string(out) + "/64" : bare;
}

void RateLimiter::Configure(int capacity, std::chrono::seconds window) {
  capacity_ = capacity;
  window_ = window;
}

std::chrono::seconds RateLimiter::Take(const std::string& key) {
  const int64_t now = ToUnix(clock_.Now());
  const double capacity = capacity_.load();
  const double per_second = capacity / static_cast<double>(std::max<int64_t>(1, window_.load().count()));
  auto state = state_.Lock();
  auto refill = [&](Bucket& b) {
    b.tokens = std::min(capacity, b.tokens + static_cast<double>(now - b.at) * per_second);
    b.at = now;
  };
  if (state->buckets.size() > kPruneAbove) {
    for (auto it = state->buckets.begin(); it != state->buckets.end();) {
      refill(it->second);
      it = it->second.tokens >= capacity ? state->buckets.erase(it) : std::next(it);
    }
  }
  auto [it, inserted] = state->buckets.try_emplace(key, Bucket{capacity, now});
  Bucket& b = it->second;
  refill(b);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::chrono::seconds(0);
  }
  double wait = (1.0 - b.tokens) / per_second;
  return std::chrono::seconds(static_cast<int64_t>(std::ceil(wait)));
}

}  // namespace frontdesk
