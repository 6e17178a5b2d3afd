#include "daemon/mail/isolated_parser.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

namespace frontdesk {
namespace {

using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

const std::string kMail =
    "From: Anna <anna@example.com>\r\n"
    "To: support@example.com\r\n"
    "Subject: =?UTF-8?B?WmFtw7N3aWVuaWU=?=\r\n"
    "Message-ID: <m1@example.com>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Where is my parcel?\r\n";

IsolatedParserOptions Real() {
  IsolatedParserOptions o;
  o.command = {FRONTDESK_BIN_PATH, "parse-worker"};
  o.cpu_limit = seconds(10);
  o.wall_limit = seconds(30);
  return o;
}

// A worker that never answers, or that dies at once, stands in for a
// parser that hangs or crashes on a message.
IsolatedParserOptions Shell(const char* script, seconds wall) {
  IsolatedParserOptions o;
  o.command = {"/bin/sh", "-c", script, "worker"};
  o.wall_limit = wall;
  return o;
}

TEST_CASE("a worker parses a mail exactly as the daemon itself would, and is kept for the next",
          "[mail][isolated_parser]") {
  IsolatedParser parser(Real());
  for (int i = 0; i < 3; ++i) {
    Result<ParsedMail> m = parser.Parse(kMail, MailParseOptions());
    REQUIRE(m.ok());
    CHECK(ParsedMailJson(*m) == ParsedMailJson(ParseMail(kMail)));
    CHECK(m->subject == "Zamówienie");
  }
  CHECK(parser.started() == 1);
}

TEST_CASE("a worker past the wall deadline is killed, the message gets the reason, and the next works",
          "[mail][isolated_parser]") {
  IsolatedParser parser(Shell("exec sleep 30", seconds(1)));
  Steady::time_point start = Steady::now();
  Result<ParsedMail> m = parser.Parse(kMail, MailParseOptions());
  CHECK(Steady::now() - start < seconds(5));
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kRejected);
  CHECK_THAT(m.status().message(), Catch::Contains("longer than 1 s"));
  // A fresh worker for the next message.
  CHECK_FALSE(parser.Parse(kMail, MailParseOptions()).ok());
  CHECK(parser.started() == 2);
}

TEST_CASE("a worker that dies is reported with how it died", "[mail][isolated_parser]") {
  IsolatedParser exits(Shell("exit 7", seconds(10)));
  Result<ParsedMail> m = exits.Parse(kMail, MailParseOptions());
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kRejected);
  CHECK_THAT(m.status().message(), Catch::Contains("status 7"));

  IsolatedParser crashes(Shell("kill -SEGV $$", seconds(10)));
  m = crashes.Parse(kMail, MailParseOptions());
  REQUIRE_FALSE(m.ok());
  CHECK_THAT(m.status().message(), Catch::Contains("signal 11"));

  IsolatedParser cpu(Shell("kill -XCPU $$", seconds(10)));
  m = cpu.Parse(kMail, MailParseOptions());
  REQUIRE_FALSE(m.ok());
  CHECK_THAT(m.status().message(), Catch::Contains("CPU time"));
}

TEST_CASE("no worker program is a failure to try again later, not the message's fault",
          "[mail][isolated_parser]") {
  IsolatedParserOptions o;
  o.command = {"/nonexistent/frontdesk", "parse-worker"};
  IsolatedParser parser(o);
  Result<ParsedMail> m = parser.Parse(kMail, MailParseOptions());
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kUnavailable);
  CHECK(m.status().transient());
}

TEST_CASE("many threads share at most max_workers workers", "[mail][isolated_parser]") {
  IsolatedParserOptions o = Real();
  o.max_workers = 2;
  IsolatedParser parser(o);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) ok += parser.Parse(kMail, MailParseOptions()).ok() ? 1 : 0;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(ok == 20);
  CHECK(parser.started() <= 2);
}

#if !defined(__SANITIZE_ADDRESS__)
// AddressSanitizer builds run workers without the address-space limit.
TEST_CASE("a message that needs more memory than the limit fails alone; the next is parsed",
          "[mail][isolated_parser]") {
  IsolatedParserOptions o = Real();
  o.memory_limit = int64_t{96} << 20;
  IsolatedParser parser(o);
  // 40 MB of base64: the raw copy, GMime's stream and the decoded bytes
  // do not fit in 96 MiB together.
  std::string big = "From: a@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  for (int i = 0; i < 40 * 1024 * 1024 / 78; ++i) big += std::string(76, 'Q') + "\r\n";
  Result<ParsedMail> m = parser.Parse(big, MailParseOptions());
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == Status::Code::kRejected);
  CHECK_THAT(m.status().message(), Catch::Contains("memory"));
  CHECK(parser.Parse(kMail, MailParseOptions()).ok());
}
#endif

}  // namespace
}  // namespace frontdesk
