// mime_limits.h: measures a raw message's MIME structure (how many entities,
// how deeply nested) before GMime builds its tree, so that a mail made to
// exhaust the parser (millions of tiny parts, parts nested thousands deep)
// is turned away after one linear scan instead of gigabytes of objects.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace frontdesk {

struct MimeShape {
  int parts = 0;          // MIME entities seen; the message itself is one
  int depth = 0;          // deepest nesting seen; 0 for a message of one part
  size_t body_start = 0;  // where the top-level header block ends (raw.size() if it never does)
  bool stopped = false;   // the scan stopped early because a cap was passed
  // Every entity's header block, [begin, end) without the empty line that
  // ends it, in order: what GMime will decode, for repairs to reach.
  std::vector<std::pair<size_t, size_t>> header_blocks;
};

// Follows the structure the way GMime's parser does, so that its count is
// never below what GMime would build: a header block runs to the first
// empty line or delimiter line, and its last Content-Type decides the type
// and the boundary;
// a multipart's delimiter lines ("--boundary", then optional white space)
// and close delimiter ("--boundary--") are matched against every open
// boundary, innermost first, and a line naming an outer boundary closes the
// inner multiparts; a message/rfc822 (or global) body is a nested entity.
// Stops as soon as parts exceeds max_parts or depth exceeds max_depth.
// Time is O(size * max_depth): only lines that start with "--" are
// compared, each against at most max_depth open boundaries.
MimeShape MeasureMime(std::string_view raw, int max_parts, int max_depth);

// "" when `shape` is within both caps; otherwise the reason, in words a
// person can act on (it names the setting that would let the mail in).
std::string MimeLimitReason(const MimeShape& shape, int max_parts, int max_depth);
std::string MimeLimitReason(std::string_view raw, int max_parts, int max_depth);

}  // namespace frontdesk
