#include "daemon/intake/mailgate_wire.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

TEST_CASE("The greeting carries the hard cap", "[mailgate][wire]") {
  CHECK(GreetingLine(131072) == "FRONTDESK-MAILGATE 1 max=131072\n");
  CHECK(ParseGreeting("FRONTDESK-MAILGATE 1 max=131072") == 131072);
  CHECK_FALSE(ParseGreeting("FRONTDESK-MAILGATE 2 max=1"));
  CHECK_FALSE(ParseGreeting("FRONTDESK-MAILGATE 1 max=-1"));
  CHECK_FALSE(ParseGreeting("FRONTDESK-MAILGATE 1 max=12x"));
  CHECK_FALSE(ParseGreeting("FRONTDESK-MAILGATE 1 max="));
}

TEST_CASE("A request line round-trips and refuses what it cannot carry", "[mailgate][wire]") {
  SpoolRequest r{true, "billing", 42};
  std::string line = RequestLine(r);
  CHECK(line == "SPOOL comment billing 42\n");
  std::string why;
  std::optional<SpoolRequest> back = ParseRequestLine(line.substr(0, line.size() - 1), &why);
  REQUIRE(back);
  CHECK(back->as_comment);
  CHECK(back->queue == "billing");
  CHECK(back->size == 42);
  back = ParseRequestLine("SPOOL correspond - 0", &why);
  REQUIRE(back);
  CHECK(back->queue.empty());
  for (const char* bad : {"", "SPOOL", "SPOOL correspond - ", "SPOOL reply - 1", "SPOOL correspond - 1 extra",
                          "spool correspond - 1", "SPOOL correspond - -1", "SPOOL correspond - 99999999999999999999",
                          "SPOOL correspond a\tb 1"}) {
    INFO(bad);
    CHECK_FALSE(ParseRequestLine(bad, &why));
    CHECK_FALSE(why.empty());
  }
  CHECK_FALSE(WireSafeQueue("two words"));
  CHECK_FALSE(WireSafeQueue("line\nbreak"));
  CHECK_FALSE(WireSafeQueue("-"));
  CHECK(WireSafeQueue("support-2"));
}

TEST_CASE("An answer line cannot be split by what it quotes", "[mailgate][wire]") {
  CHECK(AnswerLine("TEMPFAIL", "disk\r\nOK 1") == "TEMPFAIL disk  OK 1\n");
  CHECK(AnswerLine("OK", "7") == "OK 7\n");
  CHECK(AnswerLine("REFUSED", std::string(5000, 'x')).size() == kMaxWireLine);
}

TEST_CASE("The socket lives in the data directory", "[mailgate][wire]") {
  CHECK(MailgateSocketPath("/var/lib/frontdesk/") == "/var/lib/frontdesk/mailgate.sock");
  CHECK(MailgateSocketPath("data") == "data/mailgate.sock");
}

}  // namespace
}  // namespace frontdesk
