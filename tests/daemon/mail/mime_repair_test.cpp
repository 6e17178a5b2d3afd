#include "daemon/mail/mime_repair.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

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
  WordRepairs left;
  CHECK(RepairEncodedWords("Subject: =?utf-8?b?QQ =?utf-8?Q?B\n =?x?b?C\nTo: =?a?b?D\n", &left) ==
        std::string(
            "Subject: =?utf-8?b?QQ =\xE2\x81\xA0?utf-8?Q?B\n =\xE2\x81\xA0?x?b?C\nTo: =?a?b?D\n"));
  CHECK(left.left_as_text == 2);
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
  WordRepairs repairs;
  std::optional<std::string> fixed = RepairEncodedWords(words, &repairs);
  REQUIRE(fixed);
  int left = repairs.left_as_text;
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

TEST_CASE("base64 cut short in its last group keeps every whole byte", "[mail][repair]") {
  bool cut = false;
  // 18 characters carry 13 bytes, 15 carry 11: GMime alone gives 12 and 9.
  CHECK(DecodeBase64Whole("VGhpcnRlZW4gYnl0ZQ", &cut) == "Thirteen byte");
  CHECK(cut);
  CHECK(DecodeBase64Whole("ZWxldmVuIGJ5dGU", &cut) == "eleven byte");
  CHECK(cut);
  CHECK(DecodeBase64Whole("QUJD\r\nRA\r\n", &cut) == "ABCD");
  CHECK(cut);
  // Padded, whole, or six bits that make no byte: as GMime reads them.
  CHECK(DecodeBase64Whole("VGhpcnRlZW4gYnl0ZQ==", &cut) == "Thirteen byte");
  CHECK_FALSE(cut);
  CHECK(DecodeBase64Whole("ZWxldmVuIGJ5dGU=\n", &cut) == "eleven byte");
  CHECK_FALSE(cut);
  CHECK(DecodeBase64Whole("QUJDR", &cut) == "ABC");
  CHECK_FALSE(cut);
  CHECK(DecodeBase64Whole("", &cut).empty());
}

TEST_CASE("a B word cut short becomes a Q word with all its bytes", "[mail][repair]") {
  WordRepairs r;
  CHECK(RepairEncodedWords("Subject: =?UTF-8?B?w5xiZXI?= uns\n", &r) ==
        std::string("Subject: =?UTF-8?Q?=C3=9C=62=65=72?= uns\n"));
  CHECK(r.short_base64 == 1);
  // Whole groups need nothing.
  CHECK_FALSE(RepairEncodedWords("Subject: =?UTF-8?B?QUJD?=\n"));
}

TEST_CASE("x-uuencode without a begin line is decoded when its lines look like uuencode",
          "[mail][repair]") {
  CHECK(DecodeHeadlessUuencode("/2&5L;&\\@1G)O;G1D97-K\n`\n") ==
        std::optional<std::string>("Hello Frontdesk"));
  CHECK(DecodeHeadlessUuencode("\r\n/2&5L;&\\@1G)O;G1D97-K\r\nend\r\n") ==
        std::optional<std::string>("Hello Frontdesk"));
  // The length character promises more than the line holds, or the text is
  // not uuencode at all: nothing.
  CHECK_FALSE(DecodeHeadlessUuencode("M2&5L;&\\@\n"));
  CHECK_FALSE(DecodeHeadlessUuencode("This is plain text, labelled x-uuencode.\n"));
  CHECK_FALSE(DecodeHeadlessUuencode("hello\n"));
  CHECK_FALSE(DecodeHeadlessUuencode("`\n"));
  CHECK_FALSE(DecodeHeadlessUuencode("/2&5L;&\\@1G)o;G1D97-K\n"));  // 'o' is past '`'
}

TEST_CASE("ISO-2022-JP becomes Shift_JIS, NEC and IBM rows included", "[mail][repair]") {
  JisReading r;
  CHECK(Iso2022JpToShiftJis("a\x1b$B$3\x1b(Bb", &r) ==
        "a\x82\xb1"
        "b");
  CHECK_FALSE(r.extended);
  CHECK_FALSE(r.shift_jis);
  // Circled one: NEC row 13, Shift_JIS 0x8740.
  CHECK(Iso2022JpToShiftJis("\x1b$B-!\x1b(B", &r) == "\x87\x40");
  CHECK(r.extended);
  // Row 89 (NEC-selected IBM): Shift_JIS 0xED40.
  CHECK(Iso2022JpToShiftJis("\x1b$By!\x1b(B", &r) == "\xed\x40");
  CHECK(r.extended);
  // Half-width katakana, by escape and by SO/SI.
  CHECK(Iso2022JpToShiftJis("\x1b(I1\x1b(B\x0e"
                            "1\x0f",
                            &r) == "\xb1\xb1");
  // Shift_JIS under the label passes through.
  CHECK(Iso2022JpToShiftJis("\x8eR\x93"
                            "c",
                            &r) ==
        "\x8eR\x93"
        "c");
  CHECK(r.shift_jis);
  CHECK(ToUtf8(Iso2022JpToShiftJis("\x1b$B-!-6\x1b(B"), "CP932") ==
        "\xe2\x91\xa0\xe2\x85\xa1");  // ①Ⅱ
}

TEST_CASE("ISO-2022-JP words GMime cannot read are rewritten in UTF-8", "[mail][repair]") {
  WordRepairs r;
  // ① in ISO-2022-JP.
  CHECK(RepairEncodedWords("Subject: =?ISO-2022-JP?B?GyRCLSEbKEI=?=\n", &r) ==
        std::string("Subject: =?UTF-8?B?4pGg?=\n"));
  CHECK(r.jis_extended == 1);
  // Shift_JIS "山田" labelled ISO-2022-JP.
  CHECK(RepairEncodedWords("From: =?iso-2022-jp?B?jlKTYw==?= <y@example.jp>\n", &r) ==
        std::string("From: =?UTF-8?B?5bGx55Sw?= <y@example.jp>\n"));
  CHECK(r.shift_jis == 1);
  // Plain ISO-2022-JP is GMime's to read: a Q word stays, a padded B word
  // becomes the same bytes in Q as any other.
  CHECK_FALSE(RepairEncodedWords("Subject: =?ISO-2022-JP?Q?=1B$B$3=1B(B?=\n"));
  CHECK(RepairEncodedWords("Subject: =?ISO-2022-JP?B?GyRCJDMbKEI=?=\n") ==
        std::string("Subject: =?ISO-2022-JP?Q?=1B=24=42=24=33=1B=28=42?=\n"));
}

TEST_CASE("a megabyte of ISO-2022-JP and cut base64 words is read in linear time",
          "[mail][repair]") {
  std::string words;
  while (words.size() < (1 << 20)) words += "=?ISO-2022-JP?B?GyRCLSEbKEI=?= =?UTF-8?B?w5xiZXI?= ";
  WordRepairs r;
  std::optional<std::string> fixed = RepairEncodedWords("Subject: " + words + "\n", &r);
  REQUIRE(fixed);
  CHECK(r.jis_extended > 10000);
  CHECK(r.short_base64 == r.jis_extended);
  std::string escapes(1 << 20, '\x1b');
  CHECK(Iso2022JpToShiftJis(escapes).size() == escapes.size());
  std::string lines;
  while (lines.size() < (1 << 20)) lines += "/2&5L;&\\@1G)O;G1D97-K\n";
  CHECK(DecodeHeadlessUuencode(lines)->size() == lines.size() / 22 * 15);
}

TEST_CASE("local parts with a dot at an end are quoted for GMime, and unquoted after",
          "[mail][repair]") {
  int quoted = 0;
  CHECK(QuoteDottedLocalParts(
            "From: john.@example.com\nTo: A. <.a@x.org>, b..c@x.org\nSubject: x.@y\n", &quoted) ==
        std::string(
            "From: \"john.\"@example.com\nTo: A. <\".a\"@x.org>, \"b..c\"@x.org\nSubject: x.@y\n"));
  CHECK(quoted == 3);
  // Quoted already, in a quoted display name, in a comment, or fine as it is.
  CHECK_FALSE(QuoteDottedLocalParts("From: \"john.\"@example.com\n"));
  CHECK_FALSE(QuoteDottedLocalParts("From: \"x.@y\" <a@b.c>\n"));
  CHECK_FALSE(QuoteDottedLocalParts("From: a@b.c (old x.@y)\n"));
  CHECK_FALSE(QuoteDottedLocalParts("From: J. Doe. <j.doe@example.com>\n"));
  CHECK(UnquoteLocalPart("\"john.\"@example.com") == "john.@example.com");
  CHECK(UnquoteLocalPart("\"x y\"@example.com") == "\"x y\"@example.com");
  CHECK(UnquoteLocalPart("\"john\"@example.com") == "\"john\"@example.com");
  CHECK(UnquoteLocalPart("plain@example.com") == "plain@example.com");

  std::string many = "To: ";
  while (many.size() < (1 << 20)) many += "a.@b, ";
  quoted = 0;
  CHECK(QuoteDottedLocalParts(many + "\n", &quoted));
  CHECK(quoted == static_cast<int>((many.size() - 4) / 6));
}

TEST_CASE("text that follows the headers without an empty line is the body", "[mail][repair]") {
  std::vector<std::string> problems;
  std::optional<std::string> opened =
      OpenBodyAfterHeaders("From: a@example.com\r\nSubject: x\r\nHello, my printer is broken.\r\nPlease help.\r\n"
                           "\r\nSecond paragraph.\r\n",
                           problems);
  REQUIRE(opened);
  CHECK(*opened ==
        "From: a@example.com\r\nSubject: x\r\n\r\nHello, my printer is broken.\r\nPlease help.\r\n\r\n"
        "Second paragraph.\r\n");
  CHECK(problems.size() == 1);
  // Folded headers, a proper empty line, a broken header line among good
  // ones, and headers alone: nothing to do.
  problems.clear();
  CHECK_FALSE(OpenBodyAfterHeaders("Subject: a\n long\nFrom: a@example.com\n\nbody\n", problems));
  CHECK_FALSE(OpenBodyAfterHeaders("Subject: a\nnot a header\nFrom: a@example.com\n\nbody\n", problems));
  CHECK_FALSE(OpenBodyAfterHeaders("Subject: a\nFrom: a@example.com\n", problems));
  // A last header that is odd but a header (a long name, a space or 8-bit
  // byte in the name, an mbox line), or one stray line before the empty
  // line (half of a broken fold), is left to GMime.
  CHECK_FALSE(OpenBodyAfterHeaders("Subject: a\nX-" + std::string(90, 'A') + ": yes\n\nbody\n", problems));
  CHECK_FALSE(OpenBodyAfterHeaders("Subject: a\nThread Topic: x\n\nbody\n", problems));
  CHECK_FALSE(OpenBodyAfterHeaders("Subject: a\nX-\xc3\x9cnicode: v\n\nbody\n", problems));
  CHECK_FALSE(OpenBodyAfterHeaders("Subject: a\nFrom a@x Mon Jan  1 10:00:00 2024\n\nbody\n", problems));
  CHECK_FALSE(OpenBodyAfterHeaders("Subject: a\nX-Note: first half\nsecond half\n\nbody\n", problems));
  CHECK(problems.empty());
  // Text to the end of the mail is the body, a line of it too.
  REQUIRE(OpenBodyAfterHeaders("Subject: a\nHelp me\n", problems));
  CHECK(problems.size() == 1);
}

}  // namespace
}  // namespace frontdesk
