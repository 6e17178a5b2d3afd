#include "console/login_throttle.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

using std::chrono::seconds;

TEST_CASE("logins wait longer after each failure past the third, and never for good", "[console][throttle]") {
  LoginThrottle t;
  Timestamp now = FromUnix(1795341600);
  for (int i = 0; i < 3; ++i) {
    CHECK(t.WaitFor("192.0.2.1", "alice@example.test", now) == seconds(0));
    t.Failed("192.0.2.1", "alice@example.test", now);
  }
  // Whole seconds: a failure in second N counts from the end of it, so the
  // wait of 1 s ends at N + 2 at the earliest.
  CHECK(t.WaitFor("192.0.2.1", "alice@example.test", now) == seconds(2));
  CHECK(t.WaitFor("192.0.2.1", "alice@example.test", now + seconds(1)) == seconds(1));
  CHECK(t.WaitFor("192.0.2.1", "alice@example.test", now + seconds(2)) == seconds(0));
  t.Failed("192.0.2.1", "alice@example.test", now + seconds(2));
  CHECK(t.WaitFor("192.0.2.1", "alice@example.test", now + seconds(3)) == seconds(2));
  // The account is held from another address too, and the address for
  // another account: guessing spreads over neither.
  CHECK(t.WaitFor("198.51.100.7", "alice@example.test", now + seconds(3)) == seconds(2));
  CHECK(t.WaitFor("192.0.2.1", "bob@example.test", now + seconds(3)) == seconds(2));
  CHECK(t.WaitFor("198.51.100.7", "bob@example.test", now + seconds(3)) == seconds(0));
  // The wait doubles up to five minutes.
  Timestamp at = now + seconds(1);
  for (int i = 0; i < 20; ++i) {
    at += seconds(1000);
    t.Failed("192.0.2.1", "alice@example.test", at);
  }
  CHECK(t.WaitFor("192.0.2.1", "alice@example.test", at + seconds(1)) == seconds(300));
  // A success clears both counts.
  t.Succeeded("192.0.2.1", "alice@example.test");
  CHECK(t.WaitFor("192.0.2.1", "alice@example.test", at) == seconds(0));
}

TEST_CASE("a count forgets itself after an hour without failures", "[console][throttle]") {
  LoginThrottle t;
  Timestamp now = FromUnix(1795341600);
  for (int i = 0; i < 5; ++i) t.Failed("192.0.2.1", "a@example.test", now);
  t.Failed("192.0.2.1", "a@example.test", now + std::chrono::hours(2));
  CHECK(t.WaitFor("192.0.2.1", "a@example.test", now + std::chrono::hours(2)) == seconds(0));
}

}  // namespace
}  // namespace frontdesk
