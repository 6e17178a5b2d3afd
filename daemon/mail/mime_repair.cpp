#include "daemon/mail/mime_repair.h"

#include <glib.h>
#include <gmime/gmime.h>

#include <algorithm>

#include "daemon/base/text.h"

namespace frontdesk {

namespace {

bool IsWhite(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Finds, from `from` on, the line end that an "end" line follows ("\nend"
// and then a line end or the end of the text). Searches only move forward
// and a result is kept until the caller has passed it, so that a thousand
// "begin" lines with no "end" cost one scan of the text, not a thousand.
class EndLineFinder {
 public:
  explicit EndLineFinder(std::string_view text) : text_(text) {}

  size_t Next(size_t from) {
    if (found_ != std::string_view::npos && found_ >= from) return found_;
    if (exhausted_) return std::string_view::npos;
    size_t at = text_.find("\nend", from);
    while (at != std::string_view::npos) {
      size_t after = at + 4;
      if (after >= text_.size() || text_[after] == '\n' || text_[after] == '\r') break;
      at = text_.find("\nend", after);
    }
    found_ = at;
    exhausted_ = at == std::string_view::npos;
    return at;
  }

 private:
  std::string_view text_;
  size_t found_ = std::string_view::npos;
  bool exhausted_ = false;
};

// "644 name" after "begin ": three or four octal digits, a space, a name.
std::optional<std::string> UuencodeName(std::string_view line) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp < 3 || sp > 4) return std::nullopt;
  for (size_t i = 0; i < sp; ++i)
    if (line[i] < '0' || line[i] > '7') return std::nullopt;
  std::string name(Trim(line.substr(sp + 1)));
  if (name.empty()) return std::nullopt;
  return name;
}

// The end of the header field that holds `at`: past the line end of its
// last line (a line that starts with a space or a tab continues the field).
size_t FieldEnd(std::string_view headers, size_t at) {
  size_t eol = headers.find('\n', at);
  while (eol != std::string_view::npos && eol + 1 < headers.size() &&
         (headers[eol + 1] == ' ' || headers[eol + 1] == '\t'))
    eol = headers.find('\n', eol + 1);
  return eol == std::string_view::npos ? headers.size() : eol + 1;
}

// U+2060 WORD JOINER: invisible, and no longer "=?" to GMime.
constexpr std::string_view kWordJoiner = "\xE2\x81\xA0";

}  // namespace

// One pass from left to right. Every candidate word is rejected after at
// most its charset (40 bytes) and a payload run that holds no '?' (so no
// later word can start inside it), and output is built once.
//
// The second repair is for GMime, whose lenient decoder looks for the "?="
// of an encoded word to the end of the header field, and starts over two
// bytes later when there is none: a field of unterminated words took it
// time quadratic in the field's length (1 MiB: 15 s). Such a word is never
// decoded, so GMime shows it as written; all but the first in a field get
// an invisible U+2060 after their '=', which GMime does not take for the
// start of a word, so that it scans each field once.
std::optional<std::string> RepairEncodedWords(std::string_view headers, int* left_as_text) {
  const size_t n = headers.size();
  std::string out;
  size_t copied = 0;  // headers[0, copied) is already in out
  size_t field_end = 0;
  size_t last_end_marker =
      std::string_view::npos;      // the last "?=" of the field, from its first word on
  bool unterminated_seen = false;  // the field has had a word that never ends
  int joined = 0;
  size_t pos = 0;
  while ((pos = headers.find("=?", pos)) != std::string_view::npos) {
    size_t start = pos;
    pos = start + 2;
    if (start >= field_end) {
      field_end = FieldEnd(headers, start);
      last_end_marker = headers.substr(start, field_end - start).rfind("?=");
      if (last_end_marker != std::string_view::npos) last_end_marker += start;
      unterminated_seen = false;
    }
    // As GMime reads a word's start: "=?", a charset to the next '?' (white
    // space and all), an encoding letter, '?'.
    size_t mark = headers.find('?', start + 2);
    bool gmime_word = mark != std::string_view::npos && mark + 2 < field_end &&
                      std::string_view("BbQq").find(headers[mark + 1]) != std::string_view::npos &&
                      headers[mark + 2] == '?';
    if (gmime_word && (last_end_marker == std::string_view::npos || last_end_marker < mark + 3)) {
      if (unterminated_seen) {
        out.append(headers.substr(copied, start + 1 - copied));
        out.append(kWordJoiner);
        copied = start + 1;
        ++joined;
      }
      unterminated_seen = true;
      continue;
    }
    // =?charset?B?payload?=
    size_t q1 = start + 2;
    while (q1 < n && q1 - (start + 2) <= 40 && headers[q1] != '?' && !IsWhite(headers[q1])) ++q1;
    if (q1 + 2 >= n || headers[q1] != '?' || q1 - (start + 2) > 40 || headers[q1 + 2] != '?' ||
        (headers[q1 + 1] != 'B' && headers[q1 + 1] != 'b'))
      continue;
    // The payload runs to the first '?' or white space, which must open "?=".
    size_t end = q1 + 3;
    while (end < n && headers[end] != '?' && !IsWhite(headers[end])) ++end;
    if (end + 1 >= n || headers[end] != '?' || headers[end + 1] != '=') continue;
    std::string_view payload = headers.substr(q1 + 3, end - q1 - 3);
    if (payload.empty() || payload.back() != '=') continue;
    std::string b64(payload);
    gsize len = 0;
    guchar* bytes = g_base64_decode(b64.c_str(), &len);
    out.append(headers.substr(copied, start - copied));
    out += "=?";
    out.append(headers.substr(start + 2, q1 - start - 2));
    out += "?Q?";
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (gsize i = 0; i < len; ++i) {
      out += '=';
      out += kHex[bytes[i] >> 4];
      out += kHex[bytes[i] & 15];
    }
    out += "?=";
    g_free(bytes);
    copied = pos = end + 2;
  }
  if (left_as_text) *left_as_text += joined;
  if (copied == 0) return std::nullopt;
  out.append(headers.substr(copied));
  return out;
}

// Builds the new text once, left to right, instead of splicing each note
// into the middle of the old one.
std::vector<MailAttachment> ExtractUuencoded(std::string* text) {
  std::vector<MailAttachment> found;
  const std::string_view in(*text);
  EndLineFinder ends(in);
  std::string out;
  size_t copied = 0;  // in[0, copied) is settled: copied to out, or replaced by a note
  size_t line = 0;
  while (line < in.size()) {
    size_t eol = in.find('\n', line);
    if (eol == std::string_view::npos) break;
    size_t next = eol + 1;
    std::optional<std::string> name;
    if (in.substr(line, 6) == "begin ") name = UuencodeName(in.substr(line + 6, eol - line - 6));
    size_t end = name ? ends.Next(eol) : std::string_view::npos;
    if (end == std::string_view::npos) {
      line = next;
      continue;
    }
    std::string_view body = in.substr(eol + 1, end + 1 - (eol + 1));
    std::string decoded(body.size(), '\0');
    int state = GMIME_UUDECODE_STATE_BEGIN;
    guint32 save = 0;
    size_t len = g_mime_encoding_uudecode_step(
        reinterpret_cast<const unsigned char*>(body.data()), body.size(),
        reinterpret_cast<unsigned char*>(decoded.data()), &state, &save);
    decoded.resize(len);
    MailAttachment a;
    a.filename = SanitizeFilename(*name);
    a.content_type = "application/octet-stream";
    a.data = std::move(decoded);
    out.append(in.substr(copied, line - copied));
    out += "[uuencoded file " + a.filename + " (" + std::to_string(a.data.size()) +
           " bytes), attached]\n";
    found.push_back(std::move(a));
    // Past the "end" line and its line end (CR LF or LF).
    copied = line =
        std::min(in.size(), end + 4 + ((end + 4 < in.size() && in[end + 4] == '\r') ? 2 : 1));
  }
  if (found.empty()) return found;
  out.append(in.substr(copied));
  *text = std::move(out);
  return found;
}

}  // namespace frontdesk
