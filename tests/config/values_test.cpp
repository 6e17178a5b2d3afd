#include "config/values.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

using std::chrono::milliseconds;

TEST_CASE("ParseDuration accepts units in decreasing order", "[config][values]") {
  struct Case {
    const char* text;
    int64_t ms;
  };
  const Case cases[] = {
      {"90s", 90000},       {"30m", 1800000},        {"4h", 14400000},
      {"3d 2h", 266400000}, {"1h30m", 5400000},      {"1w", 604800000},
      {"250ms", 250},       {"2h 15m 10s", 8110000}, {"0s", 0},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    Result<milliseconds> r = ParseDuration(c.text);
    REQUIRE(r.ok());
    CHECK(r->count() == c.ms);
  }
}

TEST_CASE("ParseDuration rejects malformed text", "[config][values]") {
  for (const char* bad : {"", "4", "h", "4 h", "3x", "2h 3d", "1h1h", "-5m", "1.5h", "99999999999999999999s"}) {
    INFO(bad);
    Result<milliseconds> r = ParseDuration(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() ==
          std::string("expected a duration such as \"30m\", \"4h\" or \"3d 2h\", got \"") + bad + "\"");
  }
}

TEST_CASE("ParseByteSize", "[config][values]") {
  CHECK(*ParseByteSize("1024") == 1024);
  CHECK(*ParseByteSize("512KiB") == 512 * 1024);
  CHECK(*ParseByteSize("10MiB") == 10 * 1024 * 1024);
  CHECK(*ParseByteSize("10 MB") == 10000000);
  CHECK(*ParseByteSize("1GiB") == 1024LL * 1024 * 1024);
  CHECK_FALSE(ParseByteSize("10 parsecs").ok());
  CHECK_FALSE(ParseByteSize("MiB").ok());
  CHECK_FALSE(ParseByteSize("99999999999999999GiB").ok());
}

TEST_CASE("ParseMailAddress accepts bare addresses and lower-cases them", "[config][values]") {
  CHECK(*ParseMailAddress("Support@Example.COM") == "support@example.com");
  CHECK(*ParseMailAddress("a.b+tag@sub.example.org") == "a.b+tag@sub.example.org");
  CHECK(*ParseMailAddress("root@localhost") == "root@localhost");
}

TEST_CASE("ParseMailAddress names what is wrong", "[config][values]") {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"", "it is empty"},
      {"bob", "it has no '@'"},
      {"bob@", "the domain is empty"},
      {"@example.com", "the part before '@' must be 1 to 64 characters"},
      {"a@b@c.com", "it has more than one '@'"},
      {"Bob <bob@example.com>", "it contains white space or a control character"},
      {"<bob@example.com>", "it contains '<'; give the bare address, as in user@example.com"},
      {"bob@example.com\r\nBcc: x@y.z", "it contains white space or a control character"},
      {"bob@exa_mple.com", "the domain contains '_'"},
      {"bob@example..com", "the domain has an empty or overlong label"},
      {".bob@example.com", "the part before '@' has a misplaced dot"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    Result<std::string> r = ParseMailAddress(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == std::string("invalid mail address \"") + c.text + "\": " + c.why);
  }
}

TEST_CASE("ParseListenAddress", "[config][values]") {
  ListenAddress a = *ParseListenAddress("127.0.0.1:8080");
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 8080);
  ListenAddress b = *ParseListenAddress("[::1]:8081");
  CHECK(b.host == "::1");
  CHECK(b.ToString() == "[::1]:8081");
  for (const char* bad : {"localhost:80", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "[::1]8080",
                          "::1:8080", "1.2.3.4:80x"}) {
    INFO(bad);
    CHECK_FALSE(ParseListenAddress(bad).ok());
  }
}

}  // namespace
}  // namespace frontdesk
