#include "daemon/mail/builder.h"

#include <catch2/catch.hpp>

#include "daemon/mail/mime.h"

namespace frontdesk {
namespace {

OutgoingMail Sample() {
  OutgoingMail m;
  m.from_address = "support@example.test";
  m.from_name = "Support";
  m.to_address = "ann@example.org";
  m.to_name = "Ann Müller";
  m.reply_to = "support@example.test";
  m.subject = "Re: [FD#1001] Drucker geht nicht";
  m.text = "Grüße,\nbitte neu starten.\n";
  m.message_id = "fd.1001.abc.def@helpdesk.example.test";
  m.in_reply_to = "c1@example.org";
  m.references = {"c1@example.org"};
  m.loop_token = "token";
  m.date = FromUnix(1795341600);
  return m;
}

std::string Headers(const std::string& raw) { return raw.substr(0, raw.find("\r\n\r\n") + 2); }

TEST_CASE("a built mail parses back to what went in, with CRLF line ends", "[mail][builder]") {
  Result<std::string> raw = BuildMessage(Sample());
  REQUIRE(raw.ok());
  for (size_t i = 0; i < raw->size(); ++i) {
    if ((*raw)[i] == '\n') REQUIRE((i > 0 && (*raw)[i - 1] == '\r'));
  }
  ParsedMail p = ParseMail(*raw);
  CHECK(p.subject == "Re: [FD#1001] Drucker geht nicht");
  CHECK(p.from.address == "support@example.test");
  CHECK(p.to.at(0).name == "Ann Müller");
  CHECK(p.body_text == "Grüße,\nbitte neu starten.\n");
  CHECK(p.message_id == "fd.1001.abc.def@helpdesk.example.test");
  CHECK(p.in_reply_to == "c1@example.org");
  CHECK_FALSE(p.auto_submitted);
  CHECK(Headers(*raw).find("X-Frontdesk-Loop: token\r\n") != std::string::npos);
}

TEST_CASE("automatic mail says so, per RFC 3834", "[mail][builder]") {
  OutgoingMail m = Sample();
  m.auto_submitted = "auto-replied";
  Result<std::string> raw = BuildMessage(m);
  REQUIRE(raw.ok());
  CHECK(Headers(*raw).find("Auto-Submitted: auto-replied\r\n") != std::string::npos);
  CHECK(ParseMail(*raw).auto_submitted);
}

TEST_CASE("no text put into a mail can add a header", "[mail][builder]") {
  OutgoingMail m = Sample();
  m.subject = "Hi\r\nBcc: victim@evil.example\r\n\r\nbody";
  m.to_name = "Ann\r\nBcc: victim@evil.example";
  m.from_name = "Support\nX-Injected: yes";
  m.in_reply_to = "c1@example.org>\r\nBcc: victim@evil.example";
  m.references = {"ok@example.org", "bad>\r\nX-Injected: yes"};
  m.loop_token = "t\r\nX-Injected: yes";
  Result<std::string> raw = BuildMessage(m);
  REQUIRE(raw.ok());
  std::string head = Headers(*raw);
  CHECK(head.find("\r\nBcc:") == std::string::npos);
  CHECK(head.find("\r\nX-Injected:") == std::string::npos);
  ParsedMail p = ParseMail(*raw);
  CHECK(p.subject == "Hi Bcc: victim@evil.example body");
  CHECK(p.to.size() == 1);
  CHECK(p.in_reply_to.empty());  // not a Message-ID: left out
  CHECK(p.references == std::vector<std::string>{"ok@example.org"});
}

TEST_CASE("addresses and Message-IDs must be what they claim", "[mail][builder]") {
  OutgoingMail m = Sample();
  m.to_address = "ann@example.org\r\nBcc: victim@evil.example";
  CHECK(BuildMessage(m).status().code() == Status::Code::kInvalid);
  m = Sample();
  m.message_id = "a b@example.test";
  CHECK(BuildMessage(m).status().code() == Status::Code::kInvalid);
  CHECK(HeaderSafe(" a\tb\r\nc\x01 ") == "a b c");
}

}  // namespace
}  // namespace frontdesk
