#include "daemon/mail/signature.h"

#include <catch2/catch.hpp>

#include "daemon/mail/dsn.h"

namespace frontdesk {
namespace {

const std::string kSecret(32, 'k');

TEST_CASE("a signed Message-ID names its ticket, with or without brackets and domain", "[mail][signature]") {
  std::string id = SignMessageId(kSecret, 1042, "n0nce");
  CHECK(id.rfind("fd.1042.n0nce.", 0) == 0);
  CHECK(VerifyMessageId(kSecret, id) == 1042);
  CHECK(VerifyMessageId(kSecret, id + "@helpdesk.example.com") == 1042);
  CHECK(VerifyMessageId(kSecret, "<" + id + "@helpdesk.example.com>") == 1042);
}

TEST_CASE("a forged, altered or foreign Message-ID verifies as nothing", "[mail][signature]") {
  std::string id = SignMessageId(kSecret, 1042, "n0nce");
  std::string mac = id.substr(id.rfind('.') + 1);
  CHECK_FALSE(VerifyMessageId(std::string(32, 'x'), id));              // another installation
  CHECK_FALSE(VerifyMessageId(kSecret, "fd.1043.n0nce." + mac));         // another ticket
  CHECK_FALSE(VerifyMessageId(kSecret, "fd.1042.other." + mac));         // another nonce
  CHECK_FALSE(VerifyMessageId(kSecret, id.substr(0, id.size() - 1)));    // cut
  CHECK_FALSE(VerifyMessageId(kSecret, "fd.1042"));
  CHECK_FALSE(VerifyMessageId(kSecret, "fd..." + mac));
  CHECK_FALSE(VerifyMessageId(kSecret, "x" + id));
  CHECK_FALSE(VerifyMessageId("", id));
  CHECK_FALSE(VerifyMessageId(kSecret, ""));
}

TEST_CASE("the loop token depends on the secret and the message", "[mail][signature]") {
  CHECK(LoopToken(kSecret, "fd.1.a.b@x.example") == LoopToken(kSecret, "<fd.1.a.b@y.example>"));
  CHECK(LoopToken(kSecret, "fd.1.a.b") != LoopToken(std::string(32, 'x'), "fd.1.a.b"));
  // Bound to the message: a header copied into another mail does not verify.
  CHECK(LoopToken(kSecret, "fd.1.a.b") != LoopToken(kSecret, "fd.1.a.c"));
  CHECK(LoopToken(kSecret, "fd.1.a.b").size() == 22);
}

TEST_CASE("delivery status fields: recipients, actions, status codes, folded diagnostics", "[mail][dsn]") {
  std::vector<DsnRecipient> r = ParseDeliveryStatus(
      "Reporting-MTA: dns; mx.example.org\r\n"
      "Arrival-Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\n"
      "Final-Recipient: rfc822; <Gone@Example.org>\r\nAction: failed\r\nStatus: 5.1.1 (user unknown)\r\n"
      "Diagnostic-Code: smtp; 550 5.1.1\r\n  No such user\r\n\r\n"
      "Original-Recipient: rfc822;later@example.org\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n"
      "Action: failed\r\nStatus: 5.0.0\r\n");  // no recipient: ignored
  REQUIRE(r.size() == 2);
  CHECK(r[0].address == "gone@example.org");
  CHECK(r[0].status == "5.1.1");
  CHECK(r[0].diagnostic == "smtp; 550 5.1.1 No such user");
  CHECK(r[0].permanent());
  CHECK(r[1].address == "later@example.org");
  CHECK(r[1].action == "delayed");
  CHECK_FALSE(r[1].permanent());
}

TEST_CASE("a mail that is not a DSN has no DSN report", "[mail][dsn]") {
  ParsedMail m;
  MailAttachment a;
  a.content_type = "message/delivery-status";
  a.data = "Final-Recipient: rfc822; x@example.org\nAction: failed\nStatus: 5.1.1\n";
  m.attachments.push_back(a);
  CHECK(ReadDsn(m).recipients.empty());
  m.is_dsn = true;
  CHECK(ReadDsn(m).recipients.size() == 1);
}

}  // namespace
}  // namespace frontdesk
