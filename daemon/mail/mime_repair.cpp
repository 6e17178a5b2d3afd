#include "daemon/mail/mime_repair.h"

#include <glib.h>
#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>

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

// atext of RFC 5322, with 8-bit bytes for UTF-8 local parts.
bool IsAtext(char ch) {
  unsigned char c = static_cast<unsigned char>(ch);
  return std::isalnum(c) || c >= 0x80 ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(ch) != std::string_view::npos;
}

bool IsAddressField(std::string_view name) {
  std::string n = AsciiLower(Trim(name));
  if (n.rfind("resent-", 0) == 0) n = n.substr(7);
  return n == "from" || n == "to" || n == "cc" || n == "bcc" || n == "reply-to" || n == "sender";
}

bool DotsNeedQuotes(std::string_view local) {
  return !local.empty() && (local.front() == '.' || local.back() == '.' ||
                            local.find("..") != std::string_view::npos);
}

// U+2060 WORD JOINER: invisible, and no longer "=?" to GMime.
constexpr std::string_view kWordJoiner = "\xE2\x81\xA0";

std::string QDecode(std::string_view payload) {
  std::string out;
  for (size_t i = 0; i < payload.size(); ++i) {
    char c = payload[i];
    if (c == '_') {
      out += ' ';
    } else if (c == '=' && i + 2 < payload.size() &&
               std::isxdigit(static_cast<unsigned char>(payload[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(payload[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(payload.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string QWord(std::string_view charset, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "=?";
  out.append(charset);
  out += "?Q?";
  for (unsigned char b : bytes) {
    out += '=';
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  out += "?=";
  return out;
}

// The word as GMime can read it, or nothing when it reads it right as it
// is. Linear in the payload.
std::optional<std::string> RewriteWord(std::string_view charset, bool base64,
                                       std::string_view payload, WordRepairs* repairs) {
  if (payload.empty()) return std::nullopt;
  std::string label = AsciiLower(charset.substr(0, charset.find('*')));
  bool jis = IsIso2022JpLabel(label);
  if (!jis && (!base64 || (payload.back() != '=' && payload.size() % 4 == 0))) return std::nullopt;
  bool cut_short = false;
  std::string bytes = base64 ? DecodeBase64Whole(payload, &cut_short) : QDecode(payload);
  if (jis) {
    JisReading reading;
    std::string sjis = Iso2022JpToShiftJis(bytes, &reading);
    if (reading.extended || reading.shift_jis) {
      if (repairs) ++(reading.shift_jis ? repairs->shift_jis : repairs->jis_extended);
      std::string utf8 = ToUtf8(sjis, "CP932");
      gchar* b64 = g_base64_encode(reinterpret_cast<const guchar*>(utf8.data()), utf8.size());
      std::string word = std::string("=?UTF-8?B?") + b64 + "?=";
      g_free(b64);
      return word;
    }
  }
  if (!base64 || (payload.back() != '=' && !cut_short)) return std::nullopt;
  if (cut_short && repairs) ++repairs->short_base64;
  return QWord(charset, bytes);
}

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
std::optional<std::string> RepairEncodedWords(std::string_view headers, WordRepairs* repairs) {
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
    // =?charset?B?payload?= or =?charset?Q?payload?=
    size_t q1 = start + 2;
    while (q1 < n && q1 - (start + 2) <= 40 && headers[q1] != '?' && !IsWhite(headers[q1])) ++q1;
    if (q1 + 2 >= n || headers[q1] != '?' || q1 - (start + 2) > 40 || headers[q1 + 2] != '?')
      continue;
    char encoding = headers[q1 + 1];
    if (std::string_view("BbQq").find(encoding) == std::string_view::npos) continue;
    // The payload runs to the first '?' or white space, which must open "?=".
    size_t end = q1 + 3;
    while (end < n && headers[end] != '?' && !IsWhite(headers[end])) ++end;
    if (end + 1 >= n || headers[end] != '?' || headers[end + 1] != '=') continue;
    std::optional<std::string> word =
        RewriteWord(headers.substr(start + 2, q1 - start - 2), encoding == 'B' || encoding == 'b',
                    headers.substr(q1 + 3, end - q1 - 3), repairs);
    if (!word) continue;
    out.append(headers.substr(copied, start - copied));
    out += *word;
    copied = pos = end + 2;
  }
  if (repairs) repairs->left_as_text += joined;
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

std::string DecodeBase64Whole(std::string_view encoded, bool* cut_short) {
  std::string out(encoded.size() / 4 * 3 + 3, '\0');
  int state = 0;
  guint32 save = 0;
  size_t len = g_mime_encoding_base64_decode_step(
      reinterpret_cast<const unsigned char*>(encoded.data()), encoded.size(),
      reinterpret_cast<unsigned char*>(out.data()), &state, &save);
  out.resize(len);
  // GMime keeps the characters of an unfinished group in `save` (6 bits
  // each, `state` counting them) and never writes them. Two characters
  // carry one whole byte, three carry two; with '=' padding GMime has
  // already written what the padding says.
  size_t last = encoded.find_last_not_of(" \t\r\n");
  bool padded = last != std::string_view::npos && encoded[last] == '=';
  int pending = state & 0xff;
  bool cut = !padded && (pending == 2 || pending == 3);
  if (pending == 2 && cut) {
    out += static_cast<char>((save >> 4) & 0xff);
  } else if (pending == 3 && cut) {
    out += static_cast<char>((save >> 10) & 0xff);
    out += static_cast<char>((save >> 2) & 0xff);
  }
  if (cut_short) *cut_short = cut;
  return out;
}

// A uuencoded line: a length character (' ' + n, or '`' for 0), then
// groups of four characters from ' ' to '`', each three bytes.
std::optional<std::string> DecodeHeadlessUuencode(std::string_view encoded) {
  auto value = [](char c) { return (static_cast<unsigned char>(c) - 0x20) & 0x3f; };
  std::string out;
  bool any = false;
  size_t line = 0;
  while (line < encoded.size()) {
    size_t eol = encoded.find('\n', line);
    if (eol == std::string_view::npos) eol = encoded.size();
    std::string_view l = encoded.substr(line, eol - line);
    line = eol + 1;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) {
      if (any) break;  // blank lines may come before the data, not inside it
      continue;
    }
    if (l == "end" || l[0] == '`' || (l[0] == ' ' && l.size() == 1)) break;
    size_t count = value(l[0]);
    if (l[0] < 0x20 || l[0] > 0x60 || count == 0 || count > 45) return std::nullopt;
    std::string_view chars = l.substr(1);
    for (char c : chars)
      if (c < 0x20 || c > 0x60) return std::nullopt;
    // Encoders write ceil(count / 3) groups; some drop trailing spaces,
    // some add a check character.
    size_t needed = (count + 2) / 3 * 4;
    if (chars.size() + 3 < needed || chars.size() > needed + 2) return std::nullopt;
    for (size_t g = 0; g * 3 < count; ++g) {
      unsigned v[4];
      for (size_t k = 0; k < 4; ++k) v[k] = g * 4 + k < chars.size() ? value(chars[g * 4 + k]) : 0;
      unsigned char bytes[3] = {static_cast<unsigned char>(v[0] << 2 | v[1] >> 4),
                                static_cast<unsigned char>(v[1] << 4 | v[2] >> 2),
                                static_cast<unsigned char>(v[2] << 6 | v[3])};
      for (size_t k = 0; k < 3 && g * 3 + k < count; ++k) out += static_cast<char>(bytes[k]);
    }
    any = true;
  }
  if (!any) return std::nullopt;
  return out;
}

bool IsIso2022JpLabel(std::string_view charset) {
  std::string c = AsciiLower(charset);
  return c == "iso-2022-jp" || c == "csiso2022jp" || c == "iso2022jp" || c == "iso-2022-jp-ms" ||
         c == "cp50220" || c == "cp50221" || c == "cp50222";
}

// JIS X 0208 row and cell (0x21 to 0x7E each) to Shift_JIS is arithmetic;
// CP932 puts NEC row 13 at 0x87 and the NEC-selected IBM rows 89 to 92 at
// 0xED and 0xEE, exactly where the arithmetic lands them.
std::string Iso2022JpToShiftJis(std::string_view bytes, JisReading* reading) {
  enum class Mode { kAscii, kJis0208, kKana, kOther };
  Mode mode = Mode::kAscii;
  bool shifted_out = false;  // SO ... SI: half-width katakana (CP50222)
  std::string out;
  out.reserve(bytes.size());
  JisReading r;
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = bytes[i];
    if (c == 0x1b && i + 2 < bytes.size()) {
      std::string_view esc = bytes.substr(i + 1, 2);
      if (esc == "(B" || esc == "(J") {
        mode = Mode::kAscii;
      } else if (esc == "$B" || esc == "$@") {
        mode = Mode::kJis0208;
      } else if (esc == "(I") {
        mode = Mode::kKana;
      } else if (esc == "$(" && i + 3 < bytes.size()) {
        mode = Mode::kOther;  // JIS X 0212 and the like: CP932 has no room for it
        ++i;
      } else {
        out += static_cast<char>(c);
        ++i;
        continue;
      }
      i += 3;
      continue;
    }
    if (c == 0x0e || c == 0x0f) {
      shifted_out = c == 0x0e;
      ++i;
      continue;
    }
    if (c >= 0x80) {
      r.shift_jis = true;
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x21 || c == 0x7f) {  // controls and space keep the mode
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (shifted_out || mode == Mode::kKana) {
      out += static_cast<char>(c < 0x60 ? c + 0x80 : c);
      ++i;
      continue;
    }
    if (mode == Mode::kAscii) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    unsigned char c2 = i + 1 < bytes.size() ? bytes[i + 1] : 0;
    i += 2;
    if (c2 < 0x21 || c2 > 0x7e || mode == Mode::kOther) {
      out += '?';
      if (c2 < 0x21 || c2 > 0x7e) --i;  // not a pair: the second byte is read again
      continue;
    }
    if (c == 0x2d || c >= 0x75) r.extended = true;
    unsigned char s1 = static_cast<unsigned char>(((c + 1) >> 1) + (c <= 0x5e ? 0x70 : 0xb0));
    unsigned char s2 = (c & 1) ? static_cast<unsigned char>(c2 + (c2 >= 0x60 ? 0x20 : 0x1f))
                               : static_cast<unsigned char>(c2 + 0x7e);
    out += static_cast<char>(s1);
    out += static_cast<char>(s2);
  }
  if (reading) *reading = r;
  return out;
}

// One pass over each address field, keeping track of quoted strings,
// comments and where the current run of atext and dots began, so that an
// '@' knows its local part without looking back.
std::optional<std::string> QuoteDottedLocalParts(std::string_view headers, int* quoted) {
  std::string out;
  size_t copied = 0;
  int count = 0;
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t end = FieldEnd(headers, pos);
    size_t colon = headers.find(':', pos);
    if (colon != std::string_view::npos && colon < end &&
        IsAddressField(headers.substr(pos, colon - pos))) {
      bool in_quote = false;
      int comment = 0;
      size_t run = colon + 1;  // start of the current run of atext and dots
      for (size_t i = colon + 1; i < end; ++i) {
        char c = headers[i];
        if (in_quote) {
          if (c == '\\')
            ++i;
          else if (c == '"')
            in_quote = false;
          run = i + 1;
          continue;
        }
        if (comment > 0) {
          if (c == '\\')
            ++i;
          else if (c == '(')
            ++comment;
          else if (c == ')')
            --comment;
          run = i + 1;
          continue;
        }
        if (c == '"')
          in_quote = true;
        else if (c == '(')
          comment = 1;
        if (c == '@' && run < i && headers[run - 1] != '"' &&
            DotsNeedQuotes(headers.substr(run, i - run))) {
          out.append(headers.substr(copied, run - copied));
          out += '"';
          out.append(headers.substr(run, i - run));
          out += '"';
          copied = i;
          ++count;
        }
        if (!IsAtext(c) && c != '.') run = i + 1;
      }
    }
    pos = end;
  }
  if (quoted) *quoted += count;
  if (count == 0) return std::nullopt;
  out.append(headers.substr(copied));
  return out;
}

std::string UnquoteLocalPart(std::string_view address) {
  size_t close = address.rfind("\"@");
  if (address.size() < 3 || address[0] != '"' || close == std::string_view::npos || close == 0)
    return std::string(address);
  std::string_view local = address.substr(1, close - 1);
  if (!DotsNeedQuotes(local)) return std::string(address);
  for (char c : local)
    if (!IsAtext(c) && c != '.') return std::string(address);
  return std::string(local) + std::string(address.substr(close + 1));
}

namespace {

// A field name, then optional white space (the obsolete "Subject :"), then
// the colon.
bool IsHeaderLine(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon > 76) return false;
  size_t name_end = line.find_last_not_of(" \t", colon == 0 ? 0 : colon - 1);
  if (colon == 0 || name_end == std::string_view::npos || name_end >= colon) return false;
  for (size_t i = 0; i <= name_end; ++i) {
    unsigned char c = line[i];
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> OpenBodyAfterHeaders(std::string_view raw, std::vector<std::string>& problems) {
  // Lines that may be headers, however broken: a name of any length up to
  // its colon (RFC 5322 allows 998 characters), or an mbox "From " line.
  auto header_like = [](std::string_view line) {
    if (IsHeaderLine(line) || line.rfind("From ", 0) == 0) return true;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    return line.substr(0, colon).find_first_of(" \t") == std::string_view::npos;
  };
  size_t text = std::string_view::npos;  // the first line that is no header
  int text_lines = 0;
  bool ended = false;  // an empty line came after the text
  for (size_t at = 0; at < raw.size();) {
    size_t eol = raw.find('\n', at);
    size_t next = eol == std::string_view::npos ? raw.size() : eol + 1;
    std::string_view line = raw.substr(at, next - at);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) {
      ended = true;  // the headers' own end, or the text's first paragraph's
      break;
    }
    bool folded = line.front() == ' ' || line.front() == '\t';
    if (text == std::string_view::npos) {
      if (!folded && !header_like(line)) text = at;
    } else if (!folded && IsHeaderLine(line)) {
      // A header after a line that was none: that line was a broken
      // header, which GMime leaves out, and not the start of the text.
      return std::nullopt;
    }
    if (text != std::string_view::npos) ++text_lines;
    at = next;
  }
  if (text == std::string_view::npos || text == 0) return std::nullopt;
  // One stray line right before the empty line may be half of a broken
  // fold: that is left to GMime. Text that runs to the end, or for two
  // lines or more, is the body.
  if (ended && text_lines < 2) return std::nullopt;
  bool crlf = text >= 2 && raw[text - 2] == '\r';
  problems.push_back("the headers ran into the text without an empty line; the text was kept as the body");
  std::string out(raw.substr(0, text));
  out += crlf ? "\r\n" : "\n";
  out.append(raw.substr(text));
  return out;
}

std::string_view SkipBeforeHeaders(std::string_view raw, std::vector<std::string>& problems) {
  constexpr int kMaxSkipped = 5;
  auto is_header = IsHeaderLine;
  size_t at = 0;
  for (int skipped = 0; skipped <= kMaxSkipped && at < raw.size(); ++skipped) {
    size_t eol = raw.find('\n', at);
    std::string_view line =
        raw.substr(at, eol == std::string_view::npos ? std::string_view::npos : eol - at);
    if (is_header(line)) {
      if (skipped == 0) return raw;
      if (skipped == 1 && raw.rfind("From ", 0) == 0)
        problems.push_back("a leading mbox From line was skipped");
      else if (skipped == 1)
        problems.push_back("a line before the first header was skipped");
      else
        problems.push_back(std::to_string(skipped) + " lines before the first header were skipped");
      return raw.substr(at);
    }
    if (eol == std::string_view::npos) break;
    at = eol + 1;
  }
  return raw;
}

std::string EightBitHeaderLines(std::string_view raw,
                                const std::vector<std::pair<size_t, size_t>>& blocks,
                                size_t count) {
  std::string out;
  for (size_t b = 0; b < count && b < blocks.size(); ++b) {
    auto [begin, end] = blocks[b];
    size_t line = begin;
    while (line < end) {
      size_t nl = raw.find('\n', line);
      size_t eol = nl == std::string_view::npos ? end : std::min(end, nl + 1);
      std::string_view l = raw.substr(line, eol - line);
      if (std::any_of(l.begin(), l.end(),
                      [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
        out += l;
      line = eol;
    }
  }
  return out;
}

}  // namespace frontdesk
