#include "daemon/intake/mail_poller.h"

#include <catch2/catch.hpp>

#include "daemon/intake/mail_intake.h"
#include "daemon/intake/mail_reading.h"
#include "daemon/mail/imap_client.h"

namespace frontdesk {
namespace {

using std::chrono::seconds;

TEST_CASE("a UID set names runs as ranges, sorted and without repeats", "[imap]") {
  CHECK(UidSet({}) == "");
  CHECK(UidSet({7}) == "7");
  CHECK(UidSet({3, 1, 2, 7, 9, 10, 10}) == "1:3,7,9:10");
}

TEST_CASE("IMAP quoting escapes quotes and backslashes and drops line breaks", "[imap]") {
  CHECK(ImapQuote("Done") == "\"Done\"");
  CHECK(ImapQuote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(ImapQuote("x\r\nA1 DELETE INBOX") == "\"xA1 DELETE INBOX\"");
}

TEST_CASE("the poll delay doubles per failure up to 16 intervals or 15 minutes", "[imap]") {
  MailboxConfig box;
  box.interval = seconds(60);
  CHECK(PollDelay(box, 0) == seconds(60));
  CHECK(PollDelay(box, 1) == seconds(120));
  CHECK(PollDelay(box, 3) == seconds(480));
  CHECK(PollDelay(box, 4) == seconds(900));
  CHECK(PollDelay(box, 40) == seconds(900));
  box.interval = seconds(1);
  CHECK(PollDelay(box, 2) == seconds(4));
  CHECK(PollDelay(box, 10) == seconds(16));
  box.interval = seconds(3600);  // longer than the cap: never shorter than the interval
  CHECK(PollDelay(box, 5) == seconds(3600));
}

TEST_CASE("the same mail by an MTA pipe and by IMAP has one identity", "[mail]") {
  std::string piped =
      "From bounce@example.org Mon Nov 16 10:00:00 2026\n"
      "Return-Path: <a@example.org>\n"
      "Delivered-To: support@example.test\n"
      "Received: from mx.example.org\n"
      "\tby mail.example.test; Mon, 16 Nov 2026 10:00:00 +0000\n"
      "From: a@example.org\nSubject: hi\nMessage-ID: <1@example.org>\n\nline one\nline two\n";
  std::string fetched =
      "Return-Path: <a@example.org>\r\n"
      "X-Original-To: support@example.test\r\n"
      "From: a@example.org\r\nSubject: hi\r\nMessage-ID: <1@example.org>\r\n\r\nline one\r\nline two\r\n";
  CHECK(CanonicalMailBytes(piped) == CanonicalMailBytes(fetched));
  CHECK(CanonicalMailBytes(fetched).rfind("From: a@example.org\r\n", 0) == 0);
  ParsedMail m;
  m.message_id = "1@example.org";
  CHECK(MailKey(m, piped) == MailKey(m, fetched));
  // Other content is another message, even under the same Message-ID.
  CHECK(MailKey(m, piped) != MailKey(m, fetched + "line three\r\n"));
  // A trace header after the first ordinary one is content.
  CHECK(CanonicalMailBytes("From: a@x\nReceived: y\n\nb\n") == "From: a@x\r\nReceived: y\r\n\r\nb\r\n");
}

}  // namespace
}  // namespace frontdesk
