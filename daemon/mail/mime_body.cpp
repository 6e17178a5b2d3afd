#include "daemon/mail/mime_body.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "daemon/base/text.h"
#include "daemon/mail/charset.h"
#include "daemon/mail/gmime_util.h"
#include "daemon/mail/html_text.h"
#include "daemon/mail/mime_repair.h"

namespace frontdesk {
namespace {

std::string StreamBytes(GMimeStream* stream) {
  GPtr<GMimeStream> mem(g_mime_stream_mem_new());
  g_mime_stream_reset(stream);
  g_mime_stream_write_to_stream(stream, mem.get());
  g_mime_stream_reset(stream);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

bool HasBeginLine(std::string_view s) {
  return s.rfind("begin ", 0) == 0 || s.find("\nbegin ") != std::string_view::npos;
}

// The part's content, decoded. Base64 and uuencode are decoded here rather
// than by GMime where GMime loses bytes: the whole bytes of a base64 group
// cut short at the end, and an x-uuencode body without its "begin" line
// (GMime waits for that line and yields nothing).
std::string DecodeContent(GMimePart* part, std::vector<std::string>& problems) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (!wrapper) return "";
  GMimeContentEncoding encoding = g_mime_data_wrapper_get_encoding(wrapper);
  GMimeStream* raw = g_mime_data_wrapper_get_stream(wrapper);
  if (raw && encoding == GMIME_CONTENT_ENCODING_BASE64) {
    bool cut_short = false;
    std::string data = DecodeBase64Whole(StreamBytes(raw), &cut_short);
    const char* note = "base64 cut short in its last group; its whole bytes were kept";
    if (cut_short && std::find(problems.begin(), problems.end(), note) == problems.end()) problems.push_back(note);
    return data;
  }
  // GMime knows "x-uuencode" and "uuencode"; "x-uue" is the same thing.
  bool uue_label = false;
  if (encoding == GMIME_CONTENT_ENCODING_DEFAULT) {
    const char* cte = g_mime_object_get_header(GMIME_OBJECT(part), "Content-Transfer-Encoding");
    std::string label = cte ? AsciiLower(std::string(Trim(cte))) : "";
    uue_label = label == "x-uue" || label == "uue";
  }
  if (raw && (encoding == GMIME_CONTENT_ENCODING_UUENCODE || uue_label)) {
    std::string encoded = StreamBytes(raw);
    if (!HasBeginLine(encoded)) {
      if (std::optional<std::string> data = DecodeHeadlessUuencode(encoded)) {
        problems.push_back("an x-uuencode part without a begin line was decoded line by line");
        return *data;
      }
    } else if (uue_label) {
      size_t begin = encoded.rfind("begin ", 0) == 0 ? 0 : encoded.find("\nbegin ") + 1;
      size_t data_start = encoded.find('\n', begin);
      std::string decoded(encoded.size(), '\0');
      int state = GMIME_UUDECODE_STATE_BEGIN;
      guint32 save = 0;
      size_t at = data_start == std::string::npos ? encoded.size() : data_start + 1;
      size_t len = g_mime_encoding_uudecode_step(reinterpret_cast<const unsigned char*>(encoded.data()) + at,
                                                 encoded.size() - at,
                                                 reinterpret_cast<unsigned char*>(decoded.data()), &state, &save);
      decoded.resize(len);
      return decoded;
    }
  }
  GPtr<GMimeStream> mem(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(wrapper, mem.get());
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// Undeclared ISO-2022-JP is plain 7-bit text with escapes; read as ASCII,
// the escapes would be dropped as control characters and the Japanese
// shown as letters and signs.
bool HasJisEscapes(std::string_view s) {
  for (std::string_view esc : {"\x1b$B", "\x1b$@", "\x1b(J", "\x1b$(D"})
    if (s.find(esc) != std::string_view::npos) return true;
  return false;
}

// Text bytes in `charset` ("" when none is declared), as UTF-8.
std::string TextToUtf8(std::string raw, std::string charset, const MailParseOptions& options,
                       std::vector<std::string>& problems) {
  charset = AsciiLower(charset);
  if (charset.empty() || charset == "us-ascii" || charset == "utf-8" || charset == "utf8") {
    if (raw.size() >= 3 && raw.compare(0, 3, "\xEF\xBB\xBF") == 0) raw.erase(0, 3);
    if (charset != "utf-8" && charset != "utf8" && HasJisEscapes(raw)) {
      problems.push_back("text with ISO-2022-JP escapes but no such charset was read as ISO-2022-JP");
      return CharsetToUtf8(raw, "iso-2022-jp", &problems);
    }
    if (IsValidUtf8(raw)) return raw;
    if (charset == "utf-8" || charset == "utf8") {
      problems.push_back("text declared as UTF-8 is not; invalid bytes were replaced");
      return ValidUtf8(raw);
    }
    // Undeclared 8-bit text: UTF-8 first (checked above), then the fallback.
    problems.push_back("text without a valid charset read as " + options.fallback_charset);
    return CharsetToUtf8(raw, options.fallback_charset, nullptr);
  }
  return CharsetToUtf8(raw, charset, &problems);
}

std::string PartText(GMimePart* part, const MailParseOptions& options, std::vector<std::string>& problems) {
  const char* cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  return TextToUtf8(DecodeContent(part, problems), cs ? cs : "", options, problems);
}

// A multipart whose boundary never appears is all prologue. It is the text
// rather than lost, decoded with the transfer encoding and charset its own
// header gives (some mailers put them on the multipart).
std::string PrologueText(GMimeObject* obj, const char* prologue, const MailParseOptions& options,
                         std::vector<std::string>& problems) {
  std::string raw = prologue;
  const char* cte = g_mime_object_get_header(obj, "Content-Transfer-Encoding");
  GMimeContentEncoding encoding = cte ? g_mime_content_encoding_from_string(cte) : GMIME_CONTENT_ENCODING_DEFAULT;
  if (encoding == GMIME_CONTENT_ENCODING_BASE64) {
    raw = DecodeBase64Whole(raw);
  } else if (encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
    std::string decoded(raw.size() + 3, '\0');
    int state = 0;
    guint32 save = 0;
    size_t n = g_mime_encoding_quoted_decode_step(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                                                  reinterpret_cast<unsigned char*>(decoded.data()), &state, &save);
    decoded.resize(n);
    raw = std::move(decoded);
  }
  const char* cs = g_mime_object_get_content_type_parameter(obj, "charset");
  return TextToUtf8(raw, cs ? cs : "", options, problems);
}

// The letters and digits of a text, to tell a copy of a part from new text:
// a plain part and its HTML copy differ in their marks (*bold*, "> " for a
// quote, a link's address in <> or ()) and in the placeholders Outlook
// writes for pictures ("[cid:image001.png@...]"), not in their words.
std::string Words(std::string_view text) {
  std::string out;
  size_t close = 0;  // the next ']' at or after i, found once per stretch
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 5, "[cid:") == 0) {
      if (close != std::string_view::npos && close <= i) close = text.find(']', i);
      if (close != std::string_view::npos) {
        i = close;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(text[i]);
    if (std::isalnum(c) || c >= 0x80) out += static_cast<char>(c);
  }
  return out;
}

// The name the sender gave a part, from its Content-Disposition or its
// Content-Type; nullptr when it has none or only blanks.
const char* FileName(GMimeObject* obj) {
  const char* name = g_mime_object_get_content_disposition_parameter(obj, "filename");
  if (!name || Trim(name).empty()) name = g_mime_object_get_content_type_parameter(obj, "name");
  if (!name || Trim(name).empty()) return nullptr;
  return name;
}

struct Walker {
  const MailParseOptions& options;
  MailBody& body;
  std::vector<std::string>& problems;
  // The body's text in the order its parts come: plain, or HTML.
  struct Segment {
    bool html;
    std::string content;
  };
  std::vector<Segment> segments;
  // The versions of the multipart/alternative being walked: the first plain
  // and the first HTML.
  std::string alt_text, alt_html;
  // Whether any text part read so far had more than white space; kept as
  // it goes, so that a mail of many parts is not scanned again per part.
  bool has_text = false;

  void Took(const std::string& text) {
    if (!has_text && !Trim(text).empty()) has_text = true;
  }

  void AddAttachment(GMimeObject* obj, const std::string& data, const std::string& fallback_name) {
    MailAttachment a;
    const char* fn = FileName(obj);
    a.filename = SanitizeFilename(fn ? ValidUtf8(fn) : fallback_name);
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    char* mime = ct ? g_mime_content_type_get_mime_type(ct) : nullptr;
    a.content_type = NormalizeContentType(mime ? mime : "application/octet-stream");
    g_free(mime);
    if (const char* cid = g_mime_object_get_content_id(obj)) a.content_id = cid;
    const char* disp = g_mime_object_get_disposition(obj);
    a.is_inline = disp && AsciiLower(disp) == "inline";
    a.data = data;
    body.attachments.push_back(std::move(a));
  }

  // Whether a text part is a file: the sender said "attachment", or named
  // it. A named plain text part is still the body when no text came
  // before it (some mailers name the body itself); after the body it is a
  // file the sender attached, shown inline by their mailer.
  bool IsFile(GMimeObject* obj, bool is_plain) const {
    const char* disp = g_mime_object_get_disposition(obj);
    if (disp && AsciiLower(disp) == "attachment") return true;
    if (!FileName(obj)) return false;
    return !is_plain || has_text;
  }

  // `resource`: a part a multipart/related's root refers to (RFC 2387), a
  // file however it is typed.
  void Walk(GMimeObject* obj, bool in_alternative, bool resource, int level) {
    ++body.parts;
    body.depth = std::max(body.depth, level);
    if (body.over || body.parts > options.max_parts || body.depth > options.max_depth) {
      body.over = true;
      return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
      // A forwarded or attached message stays whole, as an .eml attachment.
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
      std::string raw;
      if (inner) {
        char* s = g_mime_object_to_string(GMIME_OBJECT(inner), nullptr);
        if (s) raw = s;
        g_free(s);
      }
      AddAttachment(obj, raw, "forwarded-message.eml");
      // Named or not, it opens as a message.
      std::string& name = body.attachments.back().filename;
      if (name.size() < 4 || AsciiLower(name.substr(name.size() - 4)) != ".eml") name += ".eml";
      return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
      GMimeMultipart* mp = GMIME_MULTIPART(obj);
      GMimeContentType* ct = g_mime_object_get_content_type(obj);
      bool alternative = g_mime_content_type_is_type(ct, "multipart", "alternative");
      bool related = g_mime_content_type_is_type(ct, "multipart", "related");
      if (g_mime_content_type_is_type(ct, "multipart", "report")) {
        const char* rt = g_mime_object_get_content_type_parameter(obj, "report-type");
        if (rt && AsciiLower(rt) == "delivery-status") body.is_dsn = true;
      }
      if (g_mime_content_type_is_type(ct, "multipart", "encrypted"))
        problems.push_back("the message is encrypted (PGP/MIME): its text cannot be read; the encrypted part is kept");
      int n = g_mime_multipart_get_count(mp);
      if (n == 0) {
        problems.push_back("a multipart without parts (a missing or wrong boundary); its raw content is the text");
        if (const char* prologue = g_mime_multipart_get_prologue(mp)) {
          std::string t = PrologueText(obj, prologue, options, problems);
          Took(t);
          if (in_alternative) {
            if (alt_text.empty()) alt_text = std::move(t);
          } else {
            segments.push_back({false, std::move(t)});
          }
        }
      }
      int root = related ? RelatedRoot(obj, mp) : 0;
      for (int i = 0; i < n && !body.over; ++i)
        Walk(g_mime_multipart_get_part(mp, i), alternative || in_alternative, resource || (related && i != root),
             level + 1);
      if (alternative && !in_alternative) {
        // One version of the alternative: the plain one when it has text.
        if (!Trim(alt_text).empty()) segments.push_back({false, std::move(alt_text)});
        else if (!alt_html.empty()) segments.push_back({true, std::move(alt_html)});
        alt_text.clear();
        alt_html.clear();
      }
      return;
    }
    if (!GMIME_IS_PART(obj)) return;
    GMimePart* part = GMIME_PART(obj);
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    bool is_plain = ct && g_mime_content_type_is_type(ct, "text", "plain");
    bool is_html = ct && g_mime_content_type_is_type(ct, "text", "html");
    if ((is_plain || is_html) && !resource && !IsFile(obj, is_plain)) {
      std::string t = PartText(part, options, problems);
      Took(t);
      if (in_alternative) {
        // The first part of each kind is that version; more of the same
        // kind in an alternative repeat it.
        std::string& version = is_html ? alt_html : alt_text;
        if (version.empty()) version = std::move(t);
        return;
      }
      // Outside an alternative every text part is the body's, in order: a
      // footer a list server adds, or a mailer that splits the text around
      // an inline picture.
      segments.push_back({is_html, std::move(t)});
      return;
    }
    if (ct && (g_mime_content_type_is_type(ct, "application", "pkcs7-mime") ||
               g_mime_content_type_is_type(ct, "application", "x-pkcs7-mime"))) {
      const char* kind = g_mime_object_get_content_type_parameter(obj, "smime-type");
      if (!kind || AsciiLower(kind) == "enveloped-data")
        problems.push_back("the message is encrypted (S/MIME): its text cannot be read; the encrypted part is kept");
    }
    AddAttachment(obj, DecodeContent(part, problems), DefaultName(ct));
  }

  // The root of a multipart/related: the part its `start` parameter names
  // by Content-ID, else the first (RFC 2387).
  static int RelatedRoot(GMimeObject* obj, GMimeMultipart* mp) {
    const char* start = g_mime_object_get_content_type_parameter(obj, "start");
    if (!start) return 0;
    std::string_view want = Trim(start);
    if (want.size() >= 2 && want.front() == '<' && want.back() == '>') want = want.substr(1, want.size() - 2);
    for (int i = 0; i < g_mime_multipart_get_count(mp); ++i) {
      const char* id = g_mime_object_get_content_id(g_mime_multipart_get_part(mp, i));
      if (id && want == id) return i;
    }
    return 0;
  }

  // A name for a part that has none, from its type: "image.png".
  static std::string DefaultName(GMimeContentType* ct) {
    if (!ct) return "attachment";
    std::string type = AsciiLower(g_mime_content_type_get_media_type(ct));
    std::string sub = AsciiLower(g_mime_content_type_get_media_subtype(ct));
    static const std::pair<const char*, const char*> kExt[] = {
        {"png", "png"}, {"jpeg", "jpg"}, {"jpg", "jpg"}, {"gif", "gif"}, {"pdf", "pdf"}, {"html", "html"},
        {"plain", "txt"}, {"delivery-status", "txt"}, {"rfc822-headers", "txt"}, {"zip", "zip"},
        {"calendar", "ics"}};
    for (const auto& [s, ext] : kExt)
      if (sub == s) return (type == "message" || sub == "rfc822-headers" ? sub : type) + "." + ext;
    return "attachment";
  }
};

}  // namespace

MailBody ReadBody(GMimeObject* top, const MailParseOptions& options, std::vector<std::string>& problems) {
  MailBody body;
  Walker w{options, body, problems, {}, {}, {}};
  w.Walk(top, false, false, 0);
  bool plain = false, html = false;
  std::string last;  // the words of the part before, for the copy below
  bool last_html = false;
  for (const Walker::Segment& s : w.segments) {
    std::string t = s.html ? HtmlToText(s.content) : s.content;
    std::string words = Words(t);
    if (words.empty()) continue;
    // Some mailers send the text and an HTML copy of it side by side,
    // without an alternative: the copy is not read twice.
    if (s.html != last_html && words == last) continue;
    last = std::move(words);
    last_html = s.html;
    if (!body.text.empty()) body.text += "\n";
    body.text += t;
    (s.html ? html : plain) = true;
  }
  body.from_html = html && !plain;
  return body;
}

}  // namespace frontdesk
