#include "daemon/mail/charset.h"

#include <catch2/catch.hpp>

namespace frontdesk {
namespace {

TEST_CASE("ValidUtf8 keeps valid text and marks each bad byte", "[mail][charset]") {
  CHECK(ValidUtf8("Zoë") == "Zoë");
  CHECK(ValidUtf8("a\xff" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(ValidUtf8("\xe6\x97") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // a sequence cut short
}

TEST_CASE("labels that lie are read as what their senders meant", "[mail][charset]") {
  CHECK(WidenCharset("iso-8859-1") == "WINDOWS-1252");
  CHECK(WidenCharset("gb2312") == "GB18030");
  // 0x80 is the euro sign in windows-1252, a control in ISO 8859-1.
  CHECK(CharsetToUtf8("\x80 5", "iso-8859-1", nullptr) == "€ 5");
  // "テスト" in ISO-2022-JP.
  CHECK(CharsetToUtf8("\x1b$B%F%9%H\x1b(B", "iso-2022-jp", nullptr) == "テスト");
  // An unknown label keeps what is valid.
  CHECK(CharsetToUtf8("ok \xff", "x-no-such-charset", nullptr) == "ok \xEF\xBF\xBD");
  CHECK(ConvertsCleanly("\xd7\xaa", "GB18030"));
  CHECK_FALSE(ConvertsCleanly("\xff", "UTF-8"));
}

}  // namespace
}  // namespace frontdesk
