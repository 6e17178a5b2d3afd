#include "daemon/base/clock.h"

#include <catch2/catch.hpp>
#include <date/date.h>

#include <random>
#include <vector>

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

TEST_CASE("FormatRfc3339 writes what the date library writes, across the years", "[clock]") {
  std::mt19937_64 random(11);
  // From year 0 to 9999, then the edges: the epoch, a leap day, the last
  // second of a day and of a year, and times before 1970.
  std::uniform_int_distribution<int64_t> any(-62167219200, 253402300799);
  std::vector<int64_t> times = {0, -1, 951782400, 951868799, 1798761599, 1798761600, -62167219200, 253402300799};
  for (int i = 0; i < 20000; ++i) times.push_back(any(random));
  for (int64_t s : times) {
    Timestamp t = FromUnix(s);
    INFO(s);
    CHECK(FormatRfc3339(t) == date::format("%Y-%m-%dT%H:%M:%SZ", t));
  }
  // Outside four-digit years the library's form is kept.
  CHECK(FormatRfc3339(FromUnix(253402300800)) == "10000-01-01T00:00:00Z");
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
