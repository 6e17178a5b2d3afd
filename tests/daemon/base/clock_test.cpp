#include "daemon/base/clock.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

TEST_CASE("RFC 3339 round trip in UTC", "[clock]") {
  Timestamp t = FromUnix(1795341600);  // 2026-11-22T10:00:00Z
  CHECK(FormatRfc3339(t) == "2026-11-22T10:00:00Z");
  CHECK(*ParseRfc3339("2026-11-22T10:00:00Z") == t);
  CHECK(*ParseRfc3339("2026-11-22T11:00:00+01:00") == t);
  CHECK(*ParseRfc3339("2026-11-22T05:00:00.250-05:00") == t);
  CHECK(*ParseRfc3339("2026-11-22 10:00:00z") == t);
}

TEST_CASE("ParseRfc3339 rejects what is not a time", "[clock]") {
  for (const char* bad : {"", "2026-11-22", "2026-11-22T10:00:00", "2026-13-22T10:00:00Z",
                          "2026-11-22T10:00:00+25:00", "2026-11-22T10:00:00Zjunk", "yesterday",
                          "2026-11-22T10:00:00.Z"}) {
    INFO(bad);
    CHECK_FALSE(ParseRfc3339(bad).has_value());
  }
}

TEST_CASE("FakeClock moves only when told", "[clock]") {
  FakeClock clock(FromUnix(1000));
  CHECK(ToUnix(clock.Now()) == 1000);
  clock.Advance(std::chrono::hours(1));
  CHECK(ToUnix(clock.Now()) == 4600);
  clock.Set(FromUnix(7));
  CHECK(ToUnix(clock.Now()) == 7);
}

}  // namespace
}  // namespace frontdesk
