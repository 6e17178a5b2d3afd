// rate_limiter.h: a token bucket per client, and what counts as one client
// (RateLimitKey). Each key may spend `capacity` at once, and the allowance
// refills evenly over `window`. Time comes from the injected Clock.
// Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>

#include "daemon/base/clock.h"
#include "daemon/base/guarded.h"

namespace frontdesk {

// The bucket a client address spends from. An IPv4 address is one client.
// An IPv6 client is its /64: a subscriber is routinely given a whole /64
// and may take a new address from it whenever it likes, so a limit per
// address would cost a rotating sender nothing. An IPv4-mapped address
// (::ffff:a.b.c.d, how a dual-stack listener sees IPv4 peers) is the IPv4
// address. Brackets, a port or a zone around the address are ignored, as
// an X-Forwarded-For hop may carry them; text that is no IP address at all
// is its own key. Pure.
std::string RateLimitKey(std::string_view address);

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, int capacity, std::chrono::seconds window)
      : clock_(clock), capacity_(capacity), window_(window) {}

  // Takes one token for `key`. Returns zero when allowed, else how long to
  // wait before one token is back (for Retry-After).
  std::chrono::seconds Take(const std::string& key);
  // Applies new limits; buckets keep their level, capped at the new capacity.
  void Configure(int capacity, std::chrono::seconds window);

 private:
  struct Bucket {
    double tokens;
    int64_t at;  // unix seconds of the last refill
  };
  struct State {
    std::unordered_map<std::string, Bucket> buckets;
  };
  const Clock& clock_;
  Guarded<State> state_;
  std::atomic<int> capacity_;
  std::atomic<std::chrono::seconds> window_;
};

}  // namespace frontdesk
