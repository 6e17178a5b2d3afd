#include "daemon/mail/mime.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

namespace frontdesk {
namespace {

bool HasProblem(const ParsedMail& m, const std::string& p) {
  return std::find(m.problems.begin(), m.problems.end(), p) != m.problems.end();
}

TEST_CASE("an x-uuencode part without a begin line is decoded", "[mail][mime]") {
  for (const char* label : {"x-uuencode", "x-uue"}) {
    ParsedMail m =
        ParseMail(std::string("From: a@example.com\nSubject: uu\nMIME-Version: 1.0\n"
                              "Content-Type: multipart/mixed; boundary=b\n\n"
                              "--b\nContent-Type: text/plain\n\nSee the file.\n"
                              "--b\nContent-Type: application/octet-stream; name=hello.txt\n"
                              "Content-Transfer-Encoding: ") +
                  label + "\n\n/2&5L;&\\@1G)O;G1D97-K\n`\n--b--\n");
    INFO(label);
    REQUIRE(m.attachments.size() == 1);
    CHECK(m.attachments[0].filename == "hello.txt");
    CHECK(m.attachments[0].data == "Hello Frontdesk");
    CHECK(HasProblem(m, "an x-uuencode part without a begin line was decoded line by line"));
  }
  // With its begin line, GMime decodes it as before.
  ParsedMail with_begin = ParseMail(
      "From: a@example.com\nSubject: uu\nMIME-Version: 1.0\nContent-Type: "
      "application/octet-stream\n"
      "Content-Transfer-Encoding: x-uuencode\n\nbegin 644 "
      "hello.txt\n/2&5L;&\\@1G)O;G1D97-K\n`\nend\n");
  REQUIRE(with_begin.attachments.size() == 1);
  CHECK(with_begin.attachments[0].data == "Hello Frontdesk");
  CHECK(with_begin.problems.empty());
}

TEST_CASE("base64 cut short keeps its whole bytes in bodies, attachments and words",
          "[mail][mime]") {
  ParsedMail m = ParseMail(
      "From: a@example.com\nSubject: =?UTF-8?B?w5xiZXI?= uns\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
      "base64\n\nVGhpcnRlZW4gYnl0ZQ\n"
      "--b\nContent-Type: application/octet-stream; name=e.bin\nContent-Transfer-Encoding: "
      "base64\n\n"
      "ZWxldmVuIGJ5dGU\n--b--\n");
  CHECK(m.subject ==
        "\xC3\x9C"
        "ber uns");
  CHECK(m.body_text == "Thirteen byte");
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].data == "eleven byte");
  CHECK(HasProblem(m, "base64 cut short in its last group; its whole bytes were kept"));
  CHECK(HasProblem(
      m, "1 encoded words had base64 cut short in their last group; their whole bytes were kept"));
}

TEST_CASE("headers are read after a stray line or a blank line", "[mail][mime]") {
  ParsedMail garbage =
      ParseMail("---- Original message ----\nFrom: a@example.com\nSubject: s1\n\nbody\n");
  CHECK(garbage.subject == "s1");
  CHECK(garbage.from.address == "a@example.com");
  CHECK(garbage.body_text == "body\n");
  CHECK(HasProblem(garbage, "a line before the first header was skipped"));

  ParsedMail blank = ParseMail("\r\nFrom: a@example.com\r\nSubject: s2\r\n\r\nbody\r\n");
  CHECK(blank.subject == "s2");
  CHECK(blank.body_text == "body\n");
  ParsedMail two = ParseMail("\n--- cut here ---\nFrom: a@example.com\nSubject: s4\n\nb\n");
  CHECK(two.subject == "s4");
  CHECK(HasProblem(two, "2 lines before the first header were skipped"));

  ParsedMail mbox = ParseMail(
      "From a@example.com Mon Nov 30 10:00:00 2026\nFrom: a@example.com\nSubject: s3\n\nb\n");
  CHECK(mbox.subject == "s3");
  CHECK(HasProblem(mbox, "a leading mbox From line was skipped"));

  // The obsolete "Name :" form is a header, not a line to skip.
  ParsedMail obsolete = ParseMail("Subject : s5\nFrom: a@example.com\n\nb\n");
  CHECK(obsolete.subject == "s5");
  CHECK(obsolete.problems.empty());

  // A mail that has no header at all stays as it is: nothing is skipped
  // to reach a "name:" line deep in the text.
  ParsedMail text = ParseMail("just\ntext\nwith\nmany\nlines\nbefore\nNote: this\n\nmore\n");
  CHECK(text.subject.empty());
  CHECK(std::none_of(text.problems.begin(), text.problems.end(), [](const std::string& p) {
    return p.find("before the first header") != std::string::npos;
  }));
}

TEST_CASE("raw 8-bit headers: UTF-8, then the body's charset, then the fallback", "[mail][mime]") {
  const std::string gb_subject = "\xB7\xA2\xC6\xB1";  // 发票 in GB2312
  const std::string utf8_subject = "\xE5\x8F\x91\xE7\xA5\xA8";
  ParsedMail by_body = ParseMail("From: a@example.com\nSubject: " + gb_subject +
                                 "\nContent-Type: text/plain; charset=gb2312\n\nx\n");
  CHECK(by_body.subject == utf8_subject);
  CHECK(HasProblem(
      by_body, "8-bit header text without a charset was read as gb18030, the charset of the body"));

  ParsedMail utf8 = ParseMail("From: a@example.com\nSubject: " + utf8_subject +
                              "\nContent-Type: text/plain; charset=gb2312\n\nx\n");
  CHECK(utf8.subject == utf8_subject);
  CHECK(utf8.problems.empty());

  MailParseOptions gb;
  gb.fallback_charset = "GB18030";
  ParsedMail by_fallback = ParseMail("From: a@example.com\nSubject: " + gb_subject + "\n\nx\n", gb);
  CHECK(by_fallback.subject == utf8_subject);
  CHECK(by_fallback.problems.empty());  // the fallback is what it always was

  // A body charset the header bytes are not: the fallback wins.
  ParsedMail latin = ParseMail(
      "From: a@example.com\nSubject: caf\xE9\nContent-Type: text/plain; charset=utf-8\n\nx\n");
  CHECK(latin.subject == "caf\xC3\xA9");
  CHECK(latin.problems.empty());
}

TEST_CASE("ISO-2022-JP with NEC characters reads in bodies and words", "[mail][mime]") {
  // 「①Ⅱ」 as Windows writes it: ESC $ B, NEC row 13, ESC ( B.
  ParsedMail m = ParseMail(
      "From: a@example.com\nSubject: =?ISO-2022-JP?B?GyRCLSEbKEI=?=\n"
      "Content-Type: text/plain; charset=ISO-2022-JP\n\nno \x1b$B-!-6$3\x1b(B end\n");
  CHECK(m.subject == "\xE2\x91\xA0");
  CHECK(m.body_text == "no \xE2\x91\xA0\xE2\x85\xA1\xE3\x81\x93 end\n");
  CHECK(HasProblem(m, "ISO-2022-JP text with NEC or IBM characters was read as CP50221"));
  CHECK(HasProblem(
      m, "1 encoded words in ISO-2022-JP with NEC or IBM characters were read as CP50221"));
}

TEST_CASE("Shift_JIS in a word labelled ISO-2022-JP reads as Shift_JIS", "[mail][mime]") {
  ParsedMail m = ParseMail("From: =?ISO-2022-JP?B?jlKTYw==?= <y@example.jp>\nSubject: x\n\nb\n");
  CHECK(m.from.name == "\xE5\xB1\xB1\xE7\x94\xB0");  // 山田
  CHECK(m.from.address == "y@example.jp");
  CHECK(HasProblem(m, "1 encoded words labelled ISO-2022-JP were read as Shift_JIS"));
}

TEST_CASE("addresses with a trailing dot are kept as written", "[mail][mime]") {
  ParsedMail m = ParseMail(
      "From: john.@example.com\nTo: \"J. Doe.\" <jdoe@example.com>, J. R. Smith. "
      "<jrs@example.com>\n"
      "Cc: Anna. <anna.@example.org>\nSubject: dots\n\nb\n");
  CHECK(m.from.address == "john.@example.com");
  REQUIRE(m.to.size() == 2);
  CHECK(m.to[0].name == "J. Doe.");
  CHECK(m.to[0].address == "jdoe@example.com");
  CHECK(m.to[1].name == "J. R. Smith.");
  CHECK(m.to[1].address == "jrs@example.com");
  REQUIRE(m.cc.size() == 1);
  CHECK(m.cc[0].name == "Anna.");
  CHECK(m.cc[0].address == "anna.@example.org");
}

TEST_CASE("a mail whose text follows its headers directly keeps the text", "[mail][mime]") {
  ParsedMail m = ParseMail("From: a@example.com\nSubject: help\nHello, my printer is broken.\nPlease help.\n");
  CHECK(m.subject == "help");
  CHECK(m.body_text == "Hello, my printer is broken.\nPlease help.\n");
  CHECK(HasProblem(m, "the headers ran into the text without an empty line; the text was kept as the body"));
}

TEST_CASE("a subject and a name lose the control characters an encoded word hid", "[mail][mime]") {
  ParsedMail m = ParseMail(
      "From: =?utf-8?q?Ann=07_Smith?= <ann@example.com>\nSubject: =?utf-8?q?=07Printer=1B_jam_?=\n\nbody\n");
  CHECK(m.subject == "Printer jam ");
  CHECK(m.from.name == "Ann Smith");
}

}  // namespace
}  // namespace frontdesk
