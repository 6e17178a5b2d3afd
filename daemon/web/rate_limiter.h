// rate_limiter.h: a token bucket per client address. Each address may spend
// `capacity` at once, and the allowance refills evenly over `window`. Time
// comes from the injected Clock. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "daemon/base/clock.h"
#include "daemon/base/guarded.h"

namespace frontdesk {

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
