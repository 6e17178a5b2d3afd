#include "daemon/mail/mime_repair.h"

#include <catch2/catch.hpp>

#include "daemon/mail/mime.h"

namespace frontdesk {
namespace {

TEST_CASE("padded base64 words become Q words with the same bytes", "[mail][repair]") {
  CHECK(RepairEncodedWords("Subject: =?UTF-8?B?w5xiZXI=?= =?UTF-8?B?IGRpZQ==?=\n") ==
        std::string("Subject: =?UTF-8?Q?=C3=9C=62=65=72?= =?UTF-8?Q?=20=64=69=65?=\n"));
  // Nothing to do: no padding, Q words, or no encoded words at all.
  CHECK_FALSE(RepairEncodedWords("Subject: =?UTF-8?B?w5xiZXJz?=\n"));
  CHECK_FALSE(RepairEncodedWords("Subject: =?UTF-8?Q?a?=\n"));
  CHECK_FALSE(RepairEncodedWords("Subject: plain = text ?=\n"));
  // Broken words are left for GMime to show as they are.
  CHECK_FALSE(RepairEncodedWords("Subject: =?UTF-8?B?bad space=?=\n"));
  CHECK_FALSE(RepairEncodedWords("Subject: =?UTF-8?B?unterminated=\n"));
}

TEST_CASE("uuencoded files leave the text as attachments", "[mail][repair]") {
  std::string text = "Here:\nbegin 644 a b.txt\n#:&D*\n`\nend\nThanks\nbegin not-a-mode x\n";
  std::vector<MailAttachment> found = ExtractUuencoded(&text);
  REQUIRE(found.size() == 1);
  CHECK(found[0].filename == "a b.txt");
  CHECK(found[0].data == "hi\n");
  CHECK(text ==
        "Here:\n[uuencoded file a b.txt (3 bytes), attached]\nThanks\nbegin not-a-mode x\n");
  std::string unterminated = "begin 644 x.bin\n#:&D*\n";
  CHECK(ExtractUuencoded(&unterminated).empty());
}

TEST_CASE("encoded-word repair keeps its reading of odd words", "[mail][repair]") {
  // A word at the very start, one after a stray "=?", and lower-case b.
  CHECK(RepairEncodedWords("=?x?b?QQ==?==?=?utf-8?b?Qg==?=") ==
        std::string("=?x?Q?=41?==?=?utf-8?Q?=42?="));
  // A charset over 40 bytes, a '?' or white space in the payload, "?" not
  // followed by "=": each word is left as it is.
  CHECK_FALSE(RepairEncodedWords("=?" + std::string(41, 'c') + "?B?QQ==?="));
  CHECK(RepairEncodedWords("=?" + std::string(40, 'c') + "?B?QQ==?="));
  CHECK_FALSE(RepairEncodedWords("=?utf-8?B?QQ?Q==?="));
  CHECK_FALSE(RepairEncodedWords("=?utf-8?B?QQ==?x ?="));
  CHECK_FALSE(RepairEncodedWords("=?utf 8?B?QQ==?="));
  // A broken word before a good one does not hide it.
  CHECK(RepairEncodedWords("=?utf-8?B?QQ== =?utf-8?B?Qg==?=") ==
        std::string("=?utf-8?B?QQ== =?utf-8?Q?=42?="));
}

TEST_CASE("words that never end are left for GMime to show, once per field", "[mail][repair]") {
  // One per field is left alone: GMime looks for its end once, then shows it.
  CHECK_FALSE(RepairEncodedWords("Subject: cut =?utf-8?b?SGVsbG8\nX-A: =?utf-8?q?a b\n"));
  // A later one in the same field (a folded line is the same field) gets a
  // word joiner, which GMime does not read as the start of a word.
  int left = 0;
  CHECK(RepairEncodedWords("Subject: =?utf-8?b?QQ =?utf-8?Q?B\n =?x?b?C\nTo: =?a?b?D\n", &left) ==
        std::string(
            "Subject: =?utf-8?b?QQ =\xE2\x81\xA0?utf-8?Q?B\n =\xE2\x81\xA0?x?b?C\nTo: =?a?b?D\n"));
  CHECK(left == 2);
  // Words with an end anywhere later in the field are left alone: GMime
  // reads up to that end in one go.
  CHECK_FALSE(RepairEncodedWords("Subject: =?utf-8?b?QQ =?utf-8?b?Qg ?= =?utf-8?q?x?=\n"));
  // Not a word to GMime: no encoding letter, or one it does not know.
  CHECK_FALSE(RepairEncodedWords("Subject: =?a =?b =?utf-8?x?y =?utf-8?b\n"));
}

// At full size, as an attacker sent them: a regression to quadratic time
// shows as a test that hangs (no timing is asserted).
TEST_CASE("a megabyte of unterminated encoded words is read in linear time", "[mail][repair]") {
  std::string words;
  while (words.size() < (1 << 20)) words += "=?utf-8?b?SGVsbG8gd29ybGQ= ";
  int left = 0;
  std::optional<std::string> fixed = RepairEncodedWords(words, &left);
  REQUIRE(fixed);
  CHECK(left == static_cast<int>(words.size() / 27) - 1);
  std::string runs;
  while (runs.size() < (1 << 20)) runs += "=?utf-8?b?" + std::string(1000, 'A');
  CHECK(RepairEncodedWords(runs));
  std::string openers(1 << 20, '=');
  for (size_t i = 1; i < openers.size(); i += 2) openers[i] = '?';
  CHECK_FALSE(RepairEncodedWords(openers));
  CHECK(RepairEncodedWords(openers + "=?utf-8?B?QQ==?=")->ends_with("=?utf-8?Q?=41?="));

  ParsedMail m = ParseMail("From: a@example.com\nSubject: " + words + "\n\n" + words + "\n");
  CHECK(m.subject.size() > 1000000);
  CHECK(m.subject.rfind("=?utf-8?b?SGVsbG8gd29ybGQ= =\xE2\x81\xA0?utf-8?b?", 0) == 0);
  CHECK(m.body_text.rfind(words.substr(0, 1000), 0) == 0);  // the body is not a header: untouched
  CHECK(std::find(m.problems.begin(), m.problems.end(),
                  std::to_string(left) +
                      " encoded words in the headers never end; they were left as written") !=
        m.problems.end());
  ParsedMail headerless = ParseMail("Subject: x\nX-Filler: " + runs);
  CHECK(headerless.subject == "x");
  // The same in a part's header block.
  ParsedMail part = ParseMail(
      "Subject: y\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: text/plain\nContent-Description: " +
      words + "\n\nin the part\n--b--\n");
  CHECK(part.body_text == "in the part");
}

TEST_CASE("uuencoded files: several, CR LF, and ends that are not ends", "[mail][repair]") {
  std::string text =
      "a\r\nbegin 644 one.txt\r\n#:&D*\r\n`\r\nend\r\nb\n"
      "begin 0644 two.txt\n#:&D*\n`\nendless\n#:&D*\n`\nend\n"
      "begin 644 three.txt\n#:&D*\n`\nend";
  std::vector<MailAttachment> found = ExtractUuencoded(&text);
  REQUIRE(found.size() == 3);
  CHECK(found[0].filename == "one.txt");
  CHECK(found[0].data == "hi\n");
  CHECK(found[1].filename == "two.txt");
  CHECK(found[2].filename == "three.txt");
  CHECK(text ==
        "a\r\n[uuencoded file one.txt (3 bytes), attached]\nb\n"
        "[uuencoded file two.txt (" +
            std::to_string(found[1].data.size()) +
            " bytes), attached]\n"
            "[uuencoded file three.txt (3 bytes), attached]\n");
  // "begin" inside a line, a mode that is not octal, no name: all text.
  std::string plain = "we begin 644 x\nbegin 648 x\nbegin 644 \nbegin 64 x\nend\n";
  std::string before = plain;
  CHECK(ExtractUuencoded(&plain).empty());
  CHECK(plain == before);
}

TEST_CASE("a megabyte of uuencode begin lines is read in linear time", "[mail][repair]") {
  std::string text;
  while (text.size() < (1 << 20)) text += "begin 644 x.bin\n#:&D*\n";
  std::string unchanged = text;
  CHECK(ExtractUuencoded(&text).empty());
  CHECK(text == unchanged);

  std::string many;
  while (many.size() < (1 << 20)) many += "begin 644 x.bin\n#:&D*\n`\nend\nsome text\n";
  std::vector<MailAttachment> found = ExtractUuencoded(&many);
  CHECK(found.size() > 20000);
  CHECK(many.find("begin") == std::string::npos);

  ParsedMail m = ParseMail("From: a@example.com\nSubject: uu\n\n" + unchanged +
                           "begin 644 last.txt\n#:&D*\n`\nend\n");
  REQUIRE(m.attachments.size() == 1);
  // The first begin line reaches the only end line, as it always has.
  CHECK(m.attachments[0].filename == "x.bin");
}

}  // namespace
}  // namespace frontdesk
