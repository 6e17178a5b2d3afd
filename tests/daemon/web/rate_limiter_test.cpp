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

TEST_CASE("the rate limit counts a client as an IPv4 address or an IPv6 /64", "[rate_limiter]") {
  struct Case {
    const char* address;
    const char* key;
  };
  const Case cases[] = {
      {"192.0.2.1", "192.0.2.1"},
      {"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
      {"2001:db8:1:2::1", "2001:db8:1:2::/64"},
      {"2001:DB8:1:2:FFFF::", "2001:db8:1:2::/64"},
      {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
      {"::1", "::/64"},
      // How a dual-stack listener sees an IPv4 peer: the IPv4 address.
      {"::ffff:192.0.2.1", "192.0.2.1"},
      {"::FFFF:c000:0201", "192.0.2.1"},
      // What an X-Forwarded-For hop may carry around the address.
      {"[2001:db8:1:2::7]:443", "2001:db8:1:2::/64"},
      {"[2001:db8:1:2::7]", "2001:db8:1:2::/64"},
      {"fe80::1%eth0", "fe80::/64"},
      {"192.0.2.1:8080", "192.0.2.1"},
      // Not an address: its own key, as it was.
      {"unknown", "unknown"},
      {"", ""},
      {"2001:db8::1::2", "2001:db8::1::2"},
  };
  for (const Case& c : cases) {
    INFO(c.address);
    CHECK(RateLimitKey(c.address) == c.key);
  }
}

TEST_CASE("an IPv6 sender rotating addresses in its /64 shares one rate-limit bucket",
          "[rate_limiter]") {
  FakeClock clock(FromUnix(1000));
  RateLimiter limiter(clock, 2, std::chrono::seconds(600));
  CHECK(limiter.Take(RateLimitKey("2001:db8:1:2::1")).count() == 0);
  CHECK(limiter.Take(RateLimitKey("2001:db8:1:2::2")).count() == 0);
  CHECK(limiter.Take(RateLimitKey("2001:db8:1:2:dead:beef:0:3")).count() > 0);
  // The neighbouring /64 is another subscriber.
  CHECK(limiter.Take(RateLimitKey("2001:db8:1:3::1")).count() == 0);
  // An IPv4 client seen through a dual-stack socket and directly is one.
  CHECK(limiter.Take(RateLimitKey("::ffff:192.0.2.9")).count() == 0);
  CHECK(limiter.Take(RateLimitKey("192.0.2.9")).count() == 0);
  CHECK(limiter.Take(RateLimitKey("192.0.2.9")).count() > 0);
  // IPv4 stays per address: the next one is someone else.
  CHECK(limiter.Take(RateLimitKey("192.0.2.10")).count() == 0);
}

}  // namespace
}  // namespace frontdesk
