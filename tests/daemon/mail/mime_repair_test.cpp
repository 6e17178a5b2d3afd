#include "daemon/mail/mime_repair.h"

#include <catch2/catch.hpp>

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
  CHECK(text == "Here:\n[uuencoded file a b.txt (3 bytes), attached]\nThanks\nbegin not-a-mode x\n");
  std::string unterminated = "begin 644 x.bin\n#:&D*\n";
  CHECK(ExtractUuencoded(&unterminated).empty());
}

}  // namespace
}  // namespace frontdesk
