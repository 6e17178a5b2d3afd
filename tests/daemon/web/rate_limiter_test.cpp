#include "daemon/web/rate_limiter.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

TEST_CASE("a bucket allows its capacity, then refills evenly", "[rate_limiter]") {
  FakeClock clock(FromUnix(1000));
  RateLimiter limiter(clock, 3, std::chrono::seconds(60));  // one token per 20 s
  CHECK(limiter.Take("1.2.3.4").count() == 0);
  CHECK(limiter.Take("1.2.3.4").count() == 0);
  CHECK(limiter.Take("1.2.3.4").count() == 0);
  CHECK(limiter.Take("1.2.3.4").count() == 20);
  // Another address has its own bucket.
  CHECK(limiter.Take("5.6.7.8").count() == 0);
  clock.Advance(std::chrono::seconds(19));
  CHECK(limiter.Take("1.2.3.4").count() == 1);
  clock.Advance(std::chrono::seconds(1));
  CHECK(limiter.Take("1.2.3.4").count() == 0);
  // A long pause refills only up to the capacity.
  clock.Advance(std::chrono::hours(5));
  for (int i = 0; i < 3; ++i) CHECK(limiter.Take("1.2.3.4").count() == 0);
  CHECK(limiter.Take("1.2.3.4").count() > 0);
}

TEST_CASE("many addresses do not grow memory without bound", "[rate_limiter]") {
  FakeClock clock(FromUnix(1000));
  RateLimiter limiter(clock, 2, std::chrono::seconds(10));
  for (int i = 0; i < 30000; ++i) {
    (void)limiter.Take("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256));
    if (i % 5000 == 0) clock.Advance(std::chrono::seconds(60));
  }
  // Buckets that refilled were pruned; a returning address starts full.
  CHECK(limiter.Take("10.0.0.1").count() == 0);
}

}  // namespace
}  // namespace frontdesk
