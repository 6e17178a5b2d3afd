#include "daemon/outbox/auto_reply.h"

#include <catch2/catch.hpp>
#include <string>

namespace frontdesk {
namespace {

const std::string kMark = "[\u2026]\n";

TEST_CASE("a quoted copy is the text up to its cap, then cut and marked", "[outbox][quote]") {
  CHECK(QuotedCopy("") == "");
  CHECK(QuotedCopy("Hello.\n") == "Hello.\n");
  std::string exact(kQuotedCopyBytes, 'a');
  CHECK(QuotedCopy(exact) == exact);

  // One long line: cut at the cap.
  std::string long_line(kQuotedCopyBytes * 3, 'b');
  CHECK(QuotedCopy(long_line) == std::string(kQuotedCopyBytes, 'b') + "\n" + kMark);

  // Lines: cut after the last whole line before the cap.
  std::string lines;
  while (lines.size() < kQuotedCopyBytes * 2) lines += "A line of the customer's text.\n";
  std::string copy = QuotedCopy(lines);
  REQUIRE(copy.size() <= kQuotedCopyBytes + kMark.size());
  CHECK(copy.substr(copy.size() - kMark.size()) == kMark);
  std::string kept = copy.substr(0, copy.size() - kMark.size());
  CHECK(lines.rfind(kept, 0) == 0);
  CHECK(kept.substr(kept.size() - 31) == "A line of the customer's text.\n");
}

TEST_CASE("a quoted copy is never cut inside a character", "[outbox][quote]") {
  // Three-byte characters put the cap inside one at every offset.
  for (size_t shift = 0; shift < 3; ++shift) {
    std::string text(shift, 'x');
    while (text.size() < kQuotedCopyBytes * 2) text += "\u20ac";
    std::string copy = QuotedCopy(text);
    std::string kept = copy.substr(0, copy.size() - kMark.size() - 1);  // the cut's newline too
    INFO(shift);
    CHECK(kept.size() <= kQuotedCopyBytes);
    CHECK((kept.size() - shift) % 3 == 0);
    CHECK(text.rfind(kept, 0) == 0);
  }
}

}  // namespace
}  // namespace frontdesk
