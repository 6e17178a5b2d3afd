#include "daemon/web/chunked_body.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace frontdesk {
namespace {

using S = ChunkedBodyScanner::State;

// Scans `body` as if it arrived `step` bytes at a time.
S ScanInSteps(ChunkedBodyScanner& scanner, const std::string& body, size_t step) {
  S state = S::kIncomplete;
  for (size_t have = std::min(step, body.size());; have = std::min(have + step, body.size())) {
    state = scanner.Scan(std::string_view(body).substr(0, have));
    if (state != S::kIncomplete || have == body.size()) return state;
  }
}

TEST_CASE("a chunked body's end is found however it arrives", "[http][chunked]") {
  std::vector<std::string> bodies = {
      "0\r\n\r\n",
      "5\r\nhello\r\n0\r\n\r\n",
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
      "A;name=value\r\n0123456789\r\n000\r\n\r\n",
      "5 ; ext\r\nhello\r\n0\r\n\r\n",
      "0000000000000005\r\nhello\r\n0\r\n\r\n",
      "5\r\nhello\r\n0\r\nX-Sum: 1\r\nX-Other: two\r\n\r\n",
  };
  for (const std::string& body : bodies) {
    for (size_t step : {size_t{1}, size_t{3}, body.size()}) {
      INFO(body << " in steps of " << step);
      ChunkedBodyScanner scanner(1000);
      CHECK(ScanInSteps(scanner, body, step) == S::kComplete);
      CHECK(scanner.size() == body.size());
      // What follows is the next request's, and is not looked at.
      ChunkedBodyScanner again(1000);
      CHECK(again.Scan(body + "GET / HTTP/1.1\r\n") == S::kComplete);
      CHECK(again.size() == body.size());
    }
  }
}

TEST_CASE("an unfinished chunked body waits for more", "[http][chunked]") {
  for (std::string body : {"", "5", "5\r", "5\r\nhel", "5\r\nhello", "5\r\nhello\r\n",
                           "5\r\nhello\r\n0\r\n", "5\r\nhello\r\n0\r\nX-A: b\r\n"}) {
    INFO(body);
    ChunkedBodyScanner scanner(1000);
    CHECK(scanner.Scan(body) == S::kIncomplete);
  }
}

TEST_CASE("broken chunked framing is refused, not guessed at", "[http][chunked]") {
  std::vector<std::string> bodies = {
      "x\r\n",                             // not hex
      "\r\n",                              // no size
      "-5\r\nhello\r\n",                   // a sign
      "0x5\r\nhello\r\n",                  // a prefix
      "5\r\nhelloXX0\r\n\r\n",             // data longer than its size
      "5\r\nhell\r\n0\r\n\r\n",            // shorter: CRLF is not where it belongs
      "5 junk\r\nhello\r\n",               // not an extension
      "5;a\x01\r\nhello\r\n",              // a control byte in an extension
      "5\nhello\r\n",                      // a bare LF ends no line
      "00000000000000005\r\nhello\r\n",    // seventeen digits
      "0\r\nno colon\r\n\r\n",             // a trailer that is no field
      "0\r\n X-A: folded\r\n\r\n",         // a folded trailer
      "0\r\nX A: b\r\n\r\n",               // a space in a trailer's name
      std::string(5000, '1'),              // a size line without end
  };
  for (const std::string& body : bodies) {
    INFO(body.substr(0, 40));
    ChunkedBodyScanner scanner(1u << 20);
    CHECK(ScanInSteps(scanner, body, 2) == S::kBad);
    CHECK_FALSE(scanner.problem().empty());
  }
}

TEST_CASE("a chunked body over the cap is too large, framing included", "[http][chunked]") {
  ChunkedBodyScanner big(100);
  CHECK(big.Scan("65\r\n") == S::kTooLarge);  // 101 bytes of data
  ChunkedBodyScanner huge(100);
  CHECK(huge.Scan("FFFFFFFFFFFFFFFF\r\n") == S::kTooLarge);
  // Many small chunks: their framing counts too.
  std::string tiny;
  for (int i = 0; i < 30; ++i) tiny += "1\r\nx\r\n";
  ChunkedBodyScanner framed(100);
  CHECK(ScanInSteps(framed, tiny, 7) == S::kTooLarge);
  ChunkedBodyScanner fits(100);
  CHECK(fits.Scan("5\r\nhello\r\n0\r\n\r\n") == S::kComplete);
}

}  // namespace
}  // namespace frontdesk
