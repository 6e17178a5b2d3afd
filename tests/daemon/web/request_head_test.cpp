#include "daemon/web/request_head.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace frontdesk {
namespace {

using S = RequestHead::State;

TEST_CASE("the head scanner finds the end of a head and the headers that frame its body",
          "[http][head]") {
  struct Row {
    std::string bytes;
    size_t cap;
    S state;
    size_t size;
    std::optional<uint64_t> length;
    bool chunked;
    bool expects;
  };
  std::vector<Row> rows = {
      {"GET / HTTP/1.1\r\nHost: a\r\n", 100, S::kIncomplete, 0, {}, false, false},
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 100, S::kComplete, 27, {}, false, false},
      {"POST / HTTP/1.1\r\nHost: a\r\ncontent-LENGTH:  12 \r\n\r\nbody", 100, S::kComplete, 50,
       12, false, false},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n", 100,
       S::kComplete, 66, 7, false, false},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7, 7\r\n\r\n", 100, S::kComplete, 50, 7,
       false, false},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", 100, S::kComplete, 56,
       {}, true, false},
      {"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n", 100, S::kComplete, 50, {},
       false, true},
      // HTTP/1.0 has no 100 Continue and needs no Host.
      {"POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", 100, S::kComplete, 41, {}, false,
       false},
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, S::kComplete, 27, {}, false, false},
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 26, S::kTooLarge, 0, {}, false, false},
      {std::string(64, 'a'), 64, S::kTooLarge, 0, {}, false, false},
      {std::string(63, 'a'), 64, S::kIncomplete, 0, {}, false, false},
  };
  for (const Row& row : rows) {
    INFO(row.bytes);
    RequestHead head = ScanRequestHead(row.bytes, row.cap);
    CHECK(head.state == row.state);
    CHECK(head.size == row.size);
    CHECK(head.content_length == row.length);
    CHECK(head.chunked == row.chunked);
    CHECK(head.expects_continue == row.expects);
    CHECK(head.problem.empty());
  }
  CHECK(*ScanRequestHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999"
                         "\r\n\r\n",
                         200)
             .content_length == UINT64_MAX);
  CHECK(LeadingLineBreaks("\r\n\r\nGET") == 4);
  CHECK(LeadingLineBreaks("\r\n") == 2);
  CHECK(LeadingLineBreaks("GET") == 0);
}

// Each of these could be framed one way here and another way by a proxy in
// front, or lets a body be read as the next request: refused, never served.
TEST_CASE("a head whose framing is ambiguous or broken is refused with the reason",
          "[http][head]") {
  struct Row {
    std::string head;
    int status;
    std::string problem_part;
  };
  const std::string h = "Host: a\r\n";
  std::vector<Row> rows = {
      {"POST / HTTP/1.1\r\n" + h + "Content-Length: 7\r\nContent-Length: 9\r\n", 400,
       "Content-Length"},
      {"POST / HTTP/1.1\r\n" + h + "Content-Length: 7, 9\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\n" + h + "Content-Length: 1e3\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\n" + h + "Content-Length: -1\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\n" + h + "Content-Length: +5\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\n" + h + "Content-Length:\r\n", 400, "Content-Length"},
      {"POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400,
       "both Content-Length and Transfer-Encoding"},
      {"POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400,
       "both"},
      {"POST / HTTP/1.1\r\n" + h + "Transfer-Encoding : chunked\r\n", 400, "colon"},
      {"POST / HTTP/1.1\r\n" + h + "Transfer-Encoding\t: chunked\r\n", 400, "colon"},
      {"POST / HTTP/1.1\r\n" + h + " Transfer-Encoding: chunked\r\n", 400, "folded"},
      {"POST / HTTP/1.1\r\n" + h + "X-A: b\r\n c\r\n", 400, "folded"},
      {"POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, gzip\r\n", 400,
       "does not end with chunked"},
      {"POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip, chunked\r\n", 501,
       "Transfer-Encoding"},
      {"POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
       501, "Transfer-Encoding"},
      {"POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: xchunked\r\n", 400, "chunked"},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n", 400, "HTTP/1.1"},
      {"GET / HTTP/1.1\r\n" + h + "X-A: b" + std::string(1, '\0') + "c\r\n", 400, "X-A"},
      {"GET / HTTP/1.1\r\n" + h + "X-A: b\rc\r\n", 400, "X-A"},
      {"GET / HTTP/1.1\r\n" + h + "X-A: b\nc\r\n", 400, "X-A"},
      {"GET / HTTP/1.1\r\n" + h + "X-A: b\x7f\r\n", 400, "X-A"},
      {"GET / HTTP/1.1\r\n" + h + "X\"A: b\r\n", 400, "NAME: VALUE"},
      {"GET / HTTP/1.1\r\n" + h + ": b\r\n", 400, "NAME: VALUE"},
      {"GET / HTTP/1.1\r\n" + h + "no colon\r\n", 400, "NAME: VALUE"},
      {"GET / HTTP/1.1\r\n", 400, "Host"},
      {"GET / HTTP/1.1\r\n" + h + h, 400, "more than one Host"},
      {"BREW / HTTP/1.1\r\n" + h, 501, "BREW"},
      {"TRACE / HTTP/1.1\r\n" + h, 501, "TRACE"},
      {"get / HTTP/1.1\r\n" + h, 501, "get"},
      {"G(T / HTTP/1.1\r\n" + h, 400, "method"},
      {"GET  / HTTP/1.1\r\n" + h, 400, "request line"},
      {"GET / HTTP/1.1 \r\n" + h, 400, "request line"},
      {"GET /\r\n" + h, 400, "request line"},
      {"GET / x HTTP/1.1\r\n" + h, 400, "request line"},
      {"GET /a\tb HTTP/1.1\r\n" + h, 400, "target"},
      {"GET /\xc3\xa9 HTTP/1.1\r\n" + h, 400, "target"},
      {"GET / HTTP/2.0\r\n" + h, 505, "HTTP/1.1"},
      {"GET / HTTP/1.2\r\n" + h, 505, "HTTP/1.1"},
      {"GET / http/1.1\r\n" + h, 400, "HTTP/1.1"},
  };
  for (const Row& row : rows) {
    std::string bytes = row.head + "\r\n";
    INFO(bytes);
    RequestHead head = ScanRequestHead(bytes, 1000);
    CHECK(head.state == S::kRefused);
    CHECK(head.status == row.status);
    CHECK(head.problem.find(row.problem_part) != std::string::npos);
    CHECK(head.size == bytes.size());
  }
}

TEST_CASE("the Expect lines are taken out of a head, and nothing else", "[http][head]") {
  std::string bytes =
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nHost: a\r\nexpect: 100-continue\r\n"
      "X-Expected: 1\r\n\r\nbody";
  size_t size = DropExpectHeaders(bytes, bytes.size() - 4);
  CHECK(bytes == "POST / HTTP/1.1\r\nHost: a\r\nX-Expected: 1\r\n\r\nbody");
  CHECK(size == bytes.size() - 4);
  std::string plain = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  CHECK(DropExpectHeaders(plain, plain.size()) == plain.size());
  CHECK(plain == "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
}

}  // namespace
}  // namespace frontdesk
