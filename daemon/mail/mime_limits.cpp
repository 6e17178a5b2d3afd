#include "daemon/mail/mime_limits.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "daemon/mail/gmime_util.h"

namespace frontdesk {
namespace {

// The scan must never count fewer entities than GMime then builds, or a
// mail could slip past the cap. So where this file and GMime could read a
// header differently (comments, RFC 2231 continuations, loose quoting) it
// asks GMime's own Content-Type parser, and where a reading is in doubt it
// takes the one that counts more.

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsLwsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && g_ascii_strncasecmp(a.data(), b.data(), a.size()) == 0;
}

enum class Delimiter { kNone, kPart, kClose };

// GMime's reading of a boundary line: `delimiter` ("--" and the boundary),
// "--" more for the close delimiter, then nothing but white space. The
// close delimiter is tried first, as GMime does.
Delimiter ReadDelimiter(std::string_view line, std::string_view delimiter) {
  if (!line.starts_with(delimiter)) return Delimiter::kNone;
  line.remove_prefix(delimiter.size());
  auto blank = [](std::string_view s) { return std::all_of(s.begin(), s.end(), IsLwsp); };
  if (line.starts_with("--") && blank(line.substr(2))) return Delimiter::kClose;
  return blank(line) ? Delimiter::kPart : Delimiter::kNone;
}

// What one header block says about the structure under it.
struct HeaderBlock {
  std::string content_type;  // the last Content-Type, unfolded: GMime obeys the last
  std::string encoding;      // the first Content-Transfer-Encoding: GMime reads only that one
  bool has_content_type = false;
  bool has_encoding = false;
  enum class Folding { kNone, kType, kEncoding } folding = Folding::kNone;

  // One non-empty line of the block, without its line end.
  void Add(std::string_view line) {
    if (IsBlank(line[0])) {
      if (folding == Folding::kType)
        content_type.append(line);
      else if (folding == Folding::kEncoding)
        encoding.append(line);
      return;
    }
    folding = Folding::kNone;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;  // GMime ignores such a line
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && IsBlank(name.back())) name.remove_suffix(1);
    std::string_view value = line.substr(colon + 1);
    if (EqualsIgnoringCase(name, "content-type")) {
      content_type.assign(value);
      has_content_type = true;
      folding = Folding::kType;
    } else if (EqualsIgnoringCase(name, "content-transfer-encoding") && !has_encoding) {
      encoding.assign(value);
      has_encoding = true;
      folding = Folding::kEncoding;
    }
  }
};

struct ParserOptionsDeleter {
  void operator()(GMimeParserOptions* o) const { g_mime_parser_options_free(o); }
};

class MimeScanner {
 public:
  MimeScanner(std::string_view raw, int max_parts, int max_depth)
      : raw_(raw),
        max_parts_(max_parts),
        max_depth_(max_depth),
        options_(g_mime_parser_options_new()) {
    // The same leniency ParseMail gives GMime, so that both read a
    // parameter the same way.
    g_mime_parser_options_set_parameter_compliance_mode(options_.get(), GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_rfc2047_compliance_mode(options_.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  }

  MimeShape Run() {
    BeginEntity(0, false, 0);
    shape_.body_start = raw_.size();
    while (pos_ < raw_.size() && !shape_.stopped) {
      size_t eol = std::min(raw_.find('\n', pos_), raw_.size());
      std::string_view line = raw_.substr(pos_, eol - pos_);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      size_t line_start = pos_;
      pos_ = eol + 1;
      Hit hit = line.starts_with("--") ? FindLevel(line) : Hit{};
      if (in_headers_ && hit.kind != Delimiter::kNone) {
        // A delimiter ends a header block too (a part without its empty
        // line, an empty message/rfc822 part). As GMime does, the block
        // is read first, so the line is then matched against what it
        // opened: a message within (whose own block is then empty) or a
        // multipart's boundary.
        size_t open = levels_.size();
        EndBlock(line_start, line_start);
        if (in_headers_ && !shape_.stopped) EndBlock(line_start, line_start);
        if (levels_.size() != open) hit = FindLevel(line);
      }
      if (in_headers_) {
        if (!line.empty()) {
          block_.Add(line);
          continue;
        }
        if (top_level_) shape_.body_start = std::min(pos_, raw_.size());
        top_level_ = false;
        EndBlock(line_start, std::min(pos_, raw_.size()));
        continue;
      }
      if (hit.kind != Delimiter::kNone) Boundary(hit);
      // In a body with no multipart open, nothing can start another entity.
      if (levels_.empty()) break;
    }
    return shape_;
  }

 private:
  struct Level {
    std::string delimiter;  // "--" and the boundary
    int depth;              // the multipart's own depth; its parts are one deeper
    bool digest;            // multipart/digest: a part without a type is a message
  };

  // Counts an entity whose header block starts at `begin`.
  void BeginEntity(int depth, bool in_digest, size_t begin) {
    ++shape_.parts;
    shape_.depth = std::max(shape_.depth, depth);
    if (shape_.parts > max_parts_ || shape_.depth > max_depth_) shape_.stopped = true;
    entity_depth_ = depth;
    entity_in_digest_ = in_digest;
    block_ = HeaderBlock();
    in_headers_ = true;
    // Runs to the end of input unless an empty line or a delimiter ends it.
    shape_.header_blocks.emplace_back(begin, raw_.size());
  }

  // Ends the header block being read at `end`; a message/rfc822 body,
  // should the block open one, starts at `next`.
  void EndBlock(size_t end, size_t next) {
    shape_.header_blocks.back().second = end;
    EndHeaders(next);
  }

  struct Hit {
    Delimiter kind = Delimiter::kNone;
    size_t level = 0;
  };

  // The innermost open multipart whose boundary `line` is.
  Hit FindLevel(std::string_view line) const {
    for (size_t k = levels_.size(); k-- > 0;) {
      Delimiter kind = ReadDelimiter(line, levels_[k].delimiter);
      if (kind != Delimiter::kNone) return {kind, k};
    }
    return {};
  }

  // A delimiter of an open multipart ends whatever is inside it; after a
  // close delimiter comes the epilogue, plain text.
  void Boundary(Hit hit) {
    int depth = levels_[hit.level].depth;
    bool digest = levels_[hit.level].digest;
    bool close = hit.kind == Delimiter::kClose;
    levels_.resize(close ? hit.level : hit.level + 1);
    if (!close) BeginEntity(depth + 1, digest, std::min(pos_, raw_.size()));
  }

  void EndHeaders(size_t next) {
    in_headers_ = false;
    bool message = entity_in_digest_ && !block_.has_content_type;
    if (block_.has_content_type) {
      GPtr<GMimeContentType> ct(
          g_mime_content_type_parse(options_.get(), block_.content_type.c_str()));
      if (g_mime_content_type_is_type(ct.get(), "multipart", "*")) {
        // GMime reads a multipart without a boundary as one block of text.
        if (const char* boundary = g_mime_content_type_get_parameter(ct.get(), "boundary")) {
          levels_.push_back({std::string("--") + boundary, entity_depth_,
                             g_mime_content_type_is_type(ct.get(), "multipart", "digest") != 0});
        }
        return;
      }
      for (const char* sub : {"rfc822", "rfc2822", "global", "news"})
        message = message || g_mime_content_type_is_type(ct.get(), "message", sub);
      // A type GMime cannot parse is a message inside a digest; the parse
      // above cannot tell it from a real application/octet-stream, so both
      // count as one (the reading that counts more).
      message = message || (entity_in_digest_ &&
                            g_mime_content_type_is_type(ct.get(), "application", "octet-stream"));
    }
    if (!message) return;
    if (block_.has_encoding) {
      // An encoded message is an opaque attachment to GMime.
      GMimeContentEncoding e = g_mime_content_encoding_from_string(block_.encoding.c_str());
      if (e == GMIME_CONTENT_ENCODING_BASE64 || e == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
          e == GMIME_CONTENT_ENCODING_UUENCODE)
        return;
    }
    BeginEntity(entity_depth_ + 1, false, next);
  }

  std::string_view raw_;
  size_t pos_ = 0;  // the start of the next line
  int max_parts_, max_depth_;
  std::unique_ptr<GMimeParserOptions, ParserOptionsDeleter> options_;
  MimeShape shape_;
  std::vector<Level> levels_;  // open multiparts, outermost first
  HeaderBlock block_;          // the header block being read
  bool in_headers_ = false;
  bool top_level_ = true;  // still in the message's own header block
  int entity_depth_ = 0;
  bool entity_in_digest_ = false;
};

}  // namespace

MimeShape MeasureMime(std::string_view raw, int max_parts, int max_depth) {
  InitGMime();
  return MimeScanner(raw, max_parts, max_depth).Run();
}

std::string MimeLimitReason(const MimeShape& shape, int max_parts, int max_depth) {
  if (shape.parts > max_parts) {
    return "the message has more than " + std::to_string(max_parts) +
           " MIME parts (mail.max_mime_parts); it was not parsed beyond its headers";
  }
  if (shape.depth > max_depth) {
    return "the message nests MIME parts more than " + std::to_string(max_depth) +
           " deep (mail.max_mime_depth); it was not parsed beyond its headers";
  }
  return "";
}

std::string MimeLimitReason(std::string_view raw, int max_parts, int max_depth) {
  return MimeLimitReason(MeasureMime(raw, max_parts, max_depth), max_parts, max_depth);
}

}  // namespace frontdesk
