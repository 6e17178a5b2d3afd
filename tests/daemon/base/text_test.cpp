#include "daemon/base/text.h"

#include <catch2/catch.hpp>

#include <vector>

namespace frontdesk {
namespace {

TEST_CASE("IsValidUtf8 accepts text and refuses malformed sequences", "[text]") {
  CHECK(IsValidUtf8("plain"));
  CHECK(IsValidUtf8("Zoë 日本 😀"));
  CHECK_FALSE(IsValidUtf8("\xff"));
  CHECK_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(IsValidUtf8("\xe6\x97"));          // truncated
  CHECK(Utf8Length("Zoë") == 3);
}

TEST_CASE("IsValidUtf8 gives the same answer wherever ASCII runs put a sequence", "[text]") {
  // Eight plain bytes are passed over at once, so each sequence is tried at
  // every offset within and across those words, and at the very end.
  const std::vector<std::pair<std::string, bool>> sequences = {
      {"é", true}, {"日", true}, {"😀", true}, {"\xff", false}, {"\xc0\xaf", false},
      {"\xed\xa0\x80", false}, {"\xf4\x90\x80\x80", false}, {"\xe6\x97", false}, {"\x80", false}};
  for (const auto& [seq, valid] : sequences) {
    for (size_t before = 0; before < 17; ++before) {
      for (size_t after : {0, 1, 7, 8, 9}) {
        const std::string text = std::string(before, 'a') + seq + std::string(after, 'z');
        INFO(before << " + " << after);
        CHECK(IsValidUtf8(text) == valid);
      }
    }
  }
  CHECK(IsValidUtf8(std::string(1000, 'x')));
  CHECK_FALSE(IsValidUtf8(std::string(1000, 'x') + "\xe6"));
}

TEST_CASE("HtmlEscape escapes every markup character", "[text]") {
  CHECK(HtmlEscape(R"(<a href="x" onclick='y'>&</a>)") ==
        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

TEST_CASE("SanitizeFilename keeps names safe to store and to offer", "[text]") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"report.pdf", "report.pdf"},
      {"../../etc/passwd", "passwd"},
      {"C:\\Users\\me\\evil.exe", "evil.exe"},
      {"..", "attachment"},
      {"", "attachment"},
      {".htaccess", "htaccess"},
      {"a\r\nb.txt", "a__b.txt"},
      {"what?.txt", "what_.txt"},
      {"résumé.pdf", "résumé.pdf"},
      {"bad\xff.txt", "bad_.txt"},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(SanitizeFilename(c.in) == c.out);
  }
  std::string long_name = std::string(300, 'a') + ".pdf";
  std::string cut = SanitizeFilename(long_name);
  CHECK(cut.size() == 200);
  CHECK(cut.substr(cut.size() - 4) == ".pdf");
}

TEST_CASE("NormalizeContentType", "[text]") {
  CHECK(NormalizeContentType("Image/PNG; name=x") == "image/png");
  CHECK(NormalizeContentType("text/html\r\nX-Evil: 1") == "application/octet-stream");
  CHECK(NormalizeContentType("") == "application/octet-stream");
  CHECK(NormalizeContentType("nonsense") == "application/octet-stream");
}

TEST_CASE("ContentDisposition is always a download and never breaks the header", "[text]") {
  CHECK(ContentDisposition("a.pdf") == "attachment; filename=\"a.pdf\"; filename*=UTF-8''a.pdf");
  CHECK(ContentDisposition("x\"; y.html") ==
        "attachment; filename=\"x_; y.html\"; filename*=UTF-8''x%22%3B%20y.html");
  CHECK(ContentDisposition("é") == "attachment; filename=\"__\"; filename*=UTF-8''%C3%A9");
}

TEST_CASE("base64url round trip", "[text]") {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    std::string back;
    REQUIRE(Base64UrlDecode(Base64UrlEncode(s), &back));
    CHECK(back == s);
  }
  std::string out;
  CHECK_FALSE(Base64UrlDecode("ab+c", &out));
}

TEST_CASE("only plain digits of a bounded length are a number", "[text]") {
  CHECK(ParseDigits("0", 2) == 0);
  CHECK(ParseDigits("10", 2) == 10);
  CHECK(ParseDigits("100", 2) == std::nullopt);
  CHECK(ParseDigits("", 2) == std::nullopt);
  CHECK(ParseDigits("-1", 2) == std::nullopt);
  CHECK(ParseDigits(" 1", 2) == std::nullopt);
  CHECK(ParseDigits("1e", 2) == std::nullopt);
  CHECK(ParseDigits("999999999999999", 15) == 999999999999999);
}

}  // namespace
}  // namespace frontdesk
