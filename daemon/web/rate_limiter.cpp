#include "daemon/web/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace frontdesk {
namespace {
// Past this many addresses, full buckets are dropped: a full bucket carries
// no information, and an attacker rotating addresses must not grow memory.
constexpr size_t kPruneAbove = 10000;
}  // namespace

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
