#include "daemon/mail/mime.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <nlohmann/json.hpp>

#include "daemon/base/text.h"
#include "daemon/mail/dsn.h"
#include "daemon/mail/gmime_util.h"
#include "daemon/mail/html_text.h"
#include "daemon/mail/mime_limits.h"
#include "daemon/mail/mime_repair.h"

namespace frontdesk {
namespace {

std::string Trimmed(std::string_view s) { return std::string(Trim(s)); }

// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string ValidUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    unsigned char c = s[i];
    if (c >= 0xc0 && c < 0xe0) len = 2;
    else if (c >= 0xe0 && c < 0xf0) len = 3;
    else if (c >= 0xf0 && c < 0xf8) len = 4;
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (i + len <= s.size() && IsValidUtf8(s.substr(i, len))) {
      out.append(s.substr(i, len));
    } else {
      out += "\xEF\xBF\xBD";
      len = 1;
    }
    i += len;
  }
  return out;
}

// Labels that lie in practice, widened to the charset senders meant.
// `charset` is lower case.
std::string WidenCharset(std::string charset) {
  if (charset == "gb2312" || charset == "gbk" || charset == "x-gbk" || charset == "euc-cn") return "GB18030";
  if (charset.rfind("ks_c_5601", 0) == 0 || charset == "euc-kr") return "CP949";
  if (charset == "iso-8859-1" || charset == "latin1" || charset == "us-ascii" || charset == "ascii")
    return "WINDOWS-1252";
  if (charset == "shift_jis" || charset == "x-sjis" || charset == "sjis") return "CP932";
  if (charset == "utf8") return "UTF-8";
  return charset;
}

// ToUtf8, noting in `problems` (when given) where ISO-2022-JP needed more
// than its own tables.
std::string CharsetToUtf8(std::string_view bytes, std::string charset, std::vector<std::string>* problems) {
  charset = AsciiLower(charset);
  if (IsIso2022JpLabel(charset)) {
    // Read as Windows writes it (CP50221): the same text as CP932.
    JisReading reading;
    std::string sjis = Iso2022JpToShiftJis(bytes, &reading);
    if (problems && reading.shift_jis) problems->push_back("Shift_JIS text labelled ISO-2022-JP was read as Shift_JIS");
    else if (problems && reading.extended)
      problems->push_back("ISO-2022-JP text with NEC or IBM characters was read as CP50221");
    return CharsetToUtf8(sjis, "cp932", nullptr);
  }
  charset = WidenCharset(charset);
  if (charset == "utf-8" || charset == "UTF-8") return ValidUtf8(bytes);
  GIConv cd = g_iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<GIConv>(-1)) {
    // An unknown label: keep what is valid, as UTF-8 if it is.
    return ValidUtf8(bytes);
  }
  std::string out;
  std::string in(bytes);
  char* inbuf = in.data();
  gsize inleft = in.size();
  char buf[4096];
  while (inleft > 0) {
    char* outbuf = buf;
    gsize outleft = sizeof buf;
    gsize r = g_iconv(cd, &inbuf, &inleft, &outbuf, &outleft);
    out.append(buf, outbuf - buf);
    if (r == static_cast<gsize>(-1)) {
      if (errno == E2BIG) continue;
      // An invalid or truncated sequence: mark it and go on after one byte.
      out += "\xEF\xBF\xBD";
      ++inbuf;
      --inleft;
    }
  }
  char* outbuf = buf;
  gsize outleft = sizeof buf;
  g_iconv(cd, nullptr, nullptr, &outbuf, &outleft);
  out.append(buf, outbuf - buf);
  g_iconv_close(cd);
  return ValidUtf8(out);
}

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
    std::string label = cte ? AsciiLower(Trimmed(cte)) : "";
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

std::string PartText(GMimePart* part, const MailParseOptions& options, std::vector<std::string>& problems) {
  std::string raw = DecodeContent(part, problems);
  const char* cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  std::string charset = cs ? AsciiLower(cs) : "";
  if (charset.empty() || charset == "us-ascii" || charset == "utf-8" || charset == "utf8") {
    if (raw.size() >= 3 && raw.compare(0, 3, "\xEF\xBB\xBF") == 0) raw.erase(0, 3);
    if (IsValidUtf8(raw)) return raw;
    if (charset == "utf-8" || charset == "utf8") {
      problems.push_back("text declared as UTF-8 is not; invalid bytes were replaced");
      return ValidUtf8(raw);
    }
    // Undeclared 8-bit text: UTF-8 first (checked above), then the fallback.
    problems.push_back("text without a valid charset read as " + options.fallback_charset);
    return ToUtf8(raw, options.fallback_charset);
  }
  return CharsetToUtf8(raw, charset, &problems);
}

bool IsAttachment(GMimeObject* obj) {
  const char* disp = g_mime_object_get_disposition(obj);
  if (disp && AsciiLower(disp) == "attachment") return true;
  if (GMIME_IS_PART(obj) && g_mime_part_get_filename(GMIME_PART(obj))) {
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    return !g_mime_content_type_is_type(ct, "text", "plain") || (disp && AsciiLower(disp) == "attachment");
  }
  return false;
}

struct Walker {
  const MailParseOptions& options;
  ParsedMail& mail;
  std::string text, html;
  // A second count of parts and nesting, over GMime's own tree, in case the
  // scan of mime_limits.h and GMime ever read a structure differently.
  int parts = 0;
  int depth = 0;
  bool over = false;

  void AddAttachment(GMimeObject* obj, const std::string& data, const std::string& fallback_name) {
    MailAttachment a;
    const char* fn = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj)) : nullptr;
    a.filename = SanitizeFilename(fn ? ValidUtf8(fn) : fallback_name);
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    char* mime = ct ? g_mime_content_type_get_mime_type(ct) : nullptr;
    a.content_type = NormalizeContentType(mime ? mime : "application/octet-stream");
    g_free(mime);
    if (const char* cid = g_mime_object_get_content_id(obj)) a.content_id = cid;
    const char* disp = g_mime_object_get_disposition(obj);
    a.is_inline = disp && AsciiLower(disp) == "inline";
    a.data = data;
    mail.attachments.push_back(std::move(a));
  }

  void Walk(GMimeObject* obj, bool in_alternative, int level) {
    ++parts;
    depth = std::max(depth, level);
    if (over || parts > options.max_parts || depth > options.max_depth) {
      over = true;
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
      return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
      GMimeMultipart* mp = GMIME_MULTIPART(obj);
      GMimeContentType* ct = g_mime_object_get_content_type(obj);
      bool alternative = g_mime_content_type_is_type(ct, "multipart", "alternative");
      if (g_mime_content_type_is_type(ct, "multipart", "report")) {
        const char* rt = g_mime_object_get_content_type_parameter(obj, "report-type");
        if (rt && AsciiLower(rt) == "delivery-status") mail.is_dsn = true;
      }
      int n = g_mime_multipart_get_count(mp);
      if (n == 0) {
        // With a boundary that never appears, everything is prologue: keep
        // it as the text rather than lose it.
        mail.problems.push_back("a multipart without parts (a missing or wrong boundary); its raw content is the text");
        if (const char* prologue = g_mime_multipart_get_prologue(mp)) text += ValidUtf8(prologue);
      }
      for (int i = 0; i < n && !over; ++i)
        Walk(g_mime_multipart_get_part(mp, i), alternative || in_alternative, level + 1);
      return;
    }
    if (!GMIME_IS_PART(obj)) return;
    GMimePart* part = GMIME_PART(obj);
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    bool is_text = ct && g_mime_content_type_is_type(ct, "text", "*");
    if (is_text && !IsAttachment(obj)) {
      bool is_html = g_mime_content_type_is_type(ct, "text", "html");
      bool is_plain = g_mime_content_type_is_type(ct, "text", "plain");
      std::string t = PartText(part, options, mail.problems);
      if (is_plain) {
        if (!text.empty() && !in_alternative) text += "\n";
        if (text.empty() || !in_alternative) text += t;
        return;
      }
      // The first HTML part is the body's, and others in an alternative
      // are versions of it; a later one outside any alternative (a mailer
      // that splits a message around an inline file) is kept as a file
      // rather than lost.
      if (is_html && (html.empty() || in_alternative)) {
        if (html.empty()) html = t;
        return;
      }
    }
    AddAttachment(obj, DecodeContent(part, mail.problems), DefaultName(ct));
  }

  // A name for a part that has none, from its type: "image.png".
  static std::string DefaultName(GMimeContentType* ct) {
    if (!ct) return "attachment";
    std::string type = AsciiLower(g_mime_content_type_get_media_type(ct));
    std::string sub = AsciiLower(g_mime_content_type_get_media_subtype(ct));
    static const std::pair<const char*, const char*> kExt[] = {
        {"png", "png"}, {"jpeg", "jpg"}, {"gif", "gif"}, {"pdf", "pdf"}, {"html", "html"}, {"plain", "txt"},
        {"delivery-status", "txt"}, {"rfc822-headers", "txt"}, {"zip", "zip"}, {"calendar", "ics"}};
    for (const auto& [s, ext] : kExt)
      if (sub == s) return (type == "message" || sub == "rfc822-headers" ? sub : type) + "." + ext;
    return "attachment";
  }
};

std::vector<MailAddress> Addresses(InternetAddressList* list) {
  std::vector<MailAddress> out;
  for (int i = 0; list && i < internet_address_list_length(list); ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
    MailAddress m;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    const char* name = internet_address_get_name(a);
    m.address = addr ? AsciiLower(ValidUtf8(UnquoteLocalPart(addr))) : "";
    m.name = name ? ValidUtf8(name) : "";
    out.push_back(std::move(m));
  }
  return out;
}

// RFC 3834 and the signs mail systems use in practice.
void DetectAutomatic(ParsedMail& m) {
  if (m.is_dsn) {
    m.auto_submitted = true;
    m.auto_reason = "delivery status notification (multipart/report)";
  }
  auto set = [&](std::string reason) {
    if (!m.auto_submitted) {
      m.auto_submitted = true;
      m.auto_reason = std::move(reason);
    }
  };
  for (const auto& [name, raw] : m.headers) {
    std::string n = AsciiLower(name), v = AsciiLower(Trimmed(raw));
    if (n == "auto-submitted" && v != "no" && !v.empty()) set("Auto-Submitted: " + Trimmed(raw));
    else if (n == "precedence" && (v == "bulk" || v == "junk" || v == "list" || v == "auto_reply"))
      set("Precedence: " + v);
    else if (n == "x-autoreply" || n == "x-autorespond") set(name + " present");
    else if (n == "x-auto-response-suppress" && (v.find("all") != std::string::npos || v.find("autoreply") != std::string::npos))
      set("X-Auto-Response-Suppress: " + Trimmed(raw));
    else if (n == "list-id" || n == "list-unsubscribe") set(name + " present");
  }
  if (m.is_dsn) set("delivery status notification (multipart/report)");
  if (m.null_return_path) set("Return-Path: <>");
  std::string local = m.from.address.substr(0, m.from.address.find('@'));
  if (local == "mailer-daemon" || local == "postmaster") set("sender is " + local);
}

// RepairEncodedWords on the first `count` of `blocks` (mime_limits.h):
// every header block GMime will decode; QuoteDottedLocalParts on the first. Returns the repaired message, or ""
// when nothing changed; *body_start follows the first block's growth.
std::string RepairHeaderBlocks(std::string_view raw, const std::vector<std::pair<size_t, size_t>>& blocks,
                               size_t count, size_t* body_start, WordRepairs* repairs, int* quoted) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < count && i < blocks.size(); ++i) {
    auto [begin, end] = blocks[i];
    std::optional<std::string> fixed = RepairEncodedWords(raw.substr(begin, end - begin), repairs);
    if (i == 0) {
      // The mail's own addresses: a part's header block has none.
      std::string_view block = fixed ? std::string_view(*fixed) : raw.substr(begin, end - begin);
      if (std::optional<std::string> dotted = QuoteDottedLocalParts(block, quoted)) fixed = std::move(dotted);
    }
    if (!fixed) continue;
    out.append(raw.substr(copied, begin - copied));
    out += *fixed;
    copied = end;
    if (end <= *body_start) *body_start += fixed->size() - (end - begin);
  }
  if (out.empty()) return out;
  out.append(raw.substr(copied));
  return out;
}

void NoteWordRepairs(const WordRepairs& r, std::vector<std::string>& problems) {
  if (r.left_as_text > 0)
    problems.push_back(std::to_string(r.left_as_text) +
                       " encoded words in the headers never end; they were left as written");
  if (r.short_base64 > 0)
    problems.push_back(std::to_string(r.short_base64) +
                       " encoded words had base64 cut short in their last group; their whole bytes were kept");
  if (r.jis_extended > 0)
    problems.push_back(std::to_string(r.jis_extended) +
                       " encoded words in ISO-2022-JP with NEC or IBM characters were read as CP50221");
  if (r.shift_jis > 0)
    problems.push_back(std::to_string(r.shift_jis) + " encoded words labelled ISO-2022-JP were read as Shift_JIS");
}

using ParserOptionsPtr = std::unique_ptr<GMimeParserOptions, decltype(&g_mime_parser_options_free)>;

ParserOptionsPtr MakeParserOptions(const std::vector<std::string>& charsets) {
  ParserOptionsPtr popts(g_mime_parser_options_new(), &g_mime_parser_options_free);
  std::vector<const char*> list;
  for (const std::string& c : charsets)
    if (!c.empty()) list.push_back(c.c_str());
  list.push_back(nullptr);
  g_mime_parser_options_set_fallback_charsets(popts.get(), list.data());
  g_mime_parser_options_set_rfc2047_compliance_mode(popts.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode(popts.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode(popts.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  return popts;
}

// The charset iconv should use for 8-bit text a sender wrote in `charset`,
// or "" when it says nothing useful (none, or US-ASCII).
std::string CharsetLabel(std::string_view charset) {
  std::string c = AsciiLower(Trim(charset));
  if (c.empty() || c == "us-ascii" || c == "ascii") return "";
  if (c == "utf-8" || c == "utf8") return "UTF-8";
  // Raw 8-bit Japanese is Shift_JIS even where the body is ISO-2022-JP.
  if (IsIso2022JpLabel(c)) return "CP932";
  return WidenCharset(c);
}

// The charset parameter of the mail's first text part, or, when no text
// part has one, of its top-level Content-Type (some mailers put it on the
// multipart); "" when neither has one. Visits at most `max_parts` parts.
std::string BodyCharset(GMimeMessage* msg, int max_parts) {
  std::vector<GMimeObject*> stack;
  GMimeObject* top = g_mime_message_get_mime_part(msg);
  if (top) stack.push_back(top);
  for (int seen = 0; !stack.empty() && seen < max_parts; ++seen) {
    GMimeObject* obj = stack.back();
    stack.pop_back();
    if (GMIME_IS_MULTIPART(obj)) {
      GMimeMultipart* mp = GMIME_MULTIPART(obj);
      for (int i = g_mime_multipart_get_count(mp) - 1; i >= 0; --i) stack.push_back(g_mime_multipart_get_part(mp, i));
      continue;
    }
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    if (GMIME_IS_PART(obj) && ct && g_mime_content_type_is_type(ct, "text", "*")) {
      if (const char* cs = g_mime_object_get_content_type_parameter(obj, "charset")) return cs;
      break;
    }
  }
  const char* top_cs = top ? g_mime_object_get_content_type_parameter(top, "charset") : nullptr;
  return top_cs ? top_cs : "";
}

// Whether iconv reads all of `bytes` as `charset` without an error.
bool ConvertsCleanly(std::string_view bytes, const std::string& charset) {
  GIConv cd = g_iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<GIConv>(-1)) return false;
  std::string in(bytes);
  char* inbuf = in.data();
  gsize inleft = in.size();
  char buf[4096];
  bool clean = true;
  while (inleft > 0) {
    char* outbuf = buf;
    gsize outleft = sizeof buf;
    if (g_iconv(cd, &inbuf, &inleft, &outbuf, &outleft) == static_cast<gsize>(-1) && errno != E2BIG) {
      clean = false;
      break;
    }
  }
  g_iconv_close(cd);
  return clean;
}

// The top-level headers: sender, recipients, subject, threading.
void ReadHeaders(GMimeMessage* msg, GMimeParserOptions* popts, ParsedMail& m) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
  for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
    const char* value = g_mime_header_get_value(h);
    m.headers.emplace_back(ValidUtf8(g_mime_header_get_name(h)), ValidUtf8(value ? value : ""));
  }
  if (const char* s = g_mime_message_get_subject(msg)) m.subject = ValidUtf8(s);
  std::vector<MailAddress> from = Addresses(g_mime_message_get_from(msg));
  if (!from.empty()) m.from = from.front();
  m.to = Addresses(g_mime_message_get_to(msg));
  m.cc = Addresses(g_mime_message_get_cc(msg));
  m.reply_to = Addresses(g_mime_message_get_reply_to(msg));
  if (const char* id = g_mime_message_get_message_id(msg)) m.message_id = ValidUtf8(id);
  for (const auto& [name, value] : m.headers) {
    std::string n = AsciiLower(name);
    if (n == "return-path") {
      std::string v = Trimmed(value);
      m.null_return_path = v == "<>" || v.empty();
      if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
      m.return_path = AsciiLower(v);
    }
    if (n == "in-reply-to" || n == "references") {
      GMimeReferences* refs = g_mime_references_parse(popts, value.c_str());
      for (int i = 0; refs && i < g_mime_references_length(refs); ++i) {
        std::string id = ValidUtf8(g_mime_references_get_message_id(refs, i));
        if (n == "in-reply-to" && m.in_reply_to.empty()) m.in_reply_to = id;
        if (n == "references") m.references.push_back(id);
      }
      if (refs) g_mime_references_free(refs);
    }
  }
}

}  // namespace

std::string ToUtf8(std::string_view bytes, std::string charset) {
  return CharsetToUtf8(bytes, std::move(charset), nullptr);
}

ParsedMail ParseMail(std::string_view raw, const MailParseOptions& options) {
  InitGMime();
  ParsedMail m;
  raw = SkipBeforeHeaders(raw, m.problems);
  // Measured before GMime sees the body: GMime spends about 1.3 KB and 5 us
  // per part however small (3.7 million empty parts: 4.8 GB, 21 s) and has
  // no cap of its own worth having. A mail over a cap is read up to its
  // empty line only. The shape also says where every header block is, for
  // the encoded-word repairs: GMime decodes them all.
  MimeShape shape = MeasureMime(raw, options.max_parts, options.max_depth);
  m.refused = MimeLimitReason(shape, options.max_parts, options.max_depth);
  size_t body_start = shape.body_start;
  size_t blocks = m.refused.empty() ? shape.header_blocks.size() : 1;
  std::string eight_bit = EightBitHeaderLines(raw, shape.header_blocks, blocks);
  WordRepairs repairs;
  int quoted = 0;
  std::string repaired = RepairHeaderBlocks(raw, shape.header_blocks, blocks, &body_start, &repairs, &quoted);
  if (!repaired.empty()) raw = repaired;
  NoteWordRepairs(repairs, m.problems);
  if (quoted > 0)
    m.problems.push_back(std::to_string(quoted) +
                         " addresses have a dot at the start or end of their local part; they were kept as written");
  if (!m.refused.empty()) raw = raw.substr(0, body_start);

  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  ParserOptionsPtr popts = MakeParserOptions({"UTF-8", options.fallback_charset});
  GPtr<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), popts.get()));
  if (!msg.get()) {
    m.problems.push_back("not a mail message: no header could be read");
    if (!m.refused.empty()) m.problems.push_back(m.refused);
    else m.body_text = ValidUtf8(raw.substr(0, 1 << 20));
    return m;
  }
  if (!eight_bit.empty() && !IsValidUtf8(eight_bit)) {
    // Raw 8-bit header text names no charset. GMime tries UTF-8 and then
    // the fallback; the sender's own charset, the one its body declares,
    // comes before the fallback, so the mail is parsed again with it.
    std::string label = CharsetLabel(BodyCharset(msg.get(), options.max_parts));
    if (!label.empty() && label != "UTF-8" && AsciiLower(label) != AsciiLower(CharsetLabel(options.fallback_charset)) &&
        ConvertsCleanly(eight_bit, label)) {
      GPtr<GMimeStream> again(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
      GPtr<GMimeParser> reparser(g_mime_parser_new_with_stream(again.get()));
      ParserOptionsPtr with_body = MakeParserOptions({"UTF-8", label, options.fallback_charset});
      if (GMimeMessage* better = g_mime_parser_construct_message(reparser.get(), with_body.get())) {
        msg = GPtr<GMimeMessage>(better);
        stream = std::move(again);
        parser = std::move(reparser);
        popts = std::move(with_body);
        m.problems.push_back("8-bit header text without a charset was read as " + AsciiLower(label) +
                             ", the charset of the body");
      }
    }
  }
  ReadHeaders(msg.get(), popts.get(), m);
  if (!m.refused.empty()) {
    m.problems.push_back(m.refused);
    DetectAutomatic(m);
    return m;
  }

  Walker w{options, m, "", ""};
  if (GMimeObject* top = g_mime_message_get_mime_part(msg.get())) {
    w.Walk(top, false, 0);
  } else {
    m.problems.push_back("no body");
  }
  if (w.over) {
    // The second guard: the scan and GMime disagreed about the structure.
    // The mail is treated as the scan would have treated it.
    MimeShape walked;
    walked.parts = w.parts;
    walked.depth = w.depth;
    m.refused = MimeLimitReason(walked, options.max_parts, options.max_depth);
    m.problems.push_back(m.refused);
    m.attachments.clear();
    m.is_dsn = false;
    DetectAutomatic(m);
    return m;
  }
  if (!Trim(w.text).empty()) {
    m.body_text = w.text;
  } else if (!w.html.empty()) {
    m.body_text = HtmlToText(w.html);
    m.body_from_html = true;
  }
  m.body_text = ValidUtf8(m.body_text);
  // Stored text has LF line ends and no control characters but tab.
  std::string clean;
  bool dropped = false;
  for (size_t i = 0; i < m.body_text.size(); ++i) {
    char c = m.body_text[i];
    if (c == '\r') {
      if (i + 1 < m.body_text.size() && m.body_text[i + 1] == '\n') continue;
      c = '\n';
    }
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      dropped = true;
      continue;
    }
    clean += c;
  }
  if (dropped) m.problems.push_back("control characters were removed from the text");
  m.body_text = std::move(clean);
  std::vector<MailAttachment> uu = ExtractUuencoded(&m.body_text);
  if (!uu.empty()) {
    m.problems.push_back("uuencoded files were taken out of the text as attachments");
    for (MailAttachment& a : uu) m.attachments.push_back(std::move(a));
  }
  DetectAutomatic(m);
  return m;
}

std::string ParsedMailJson(const ParsedMail& m) {
  using nlohmann::json;
  json atts = json::array();
  for (const MailAttachment& a : m.attachments) {
    atts.push_back({{"filename", a.filename}, {"content_type", a.content_type}, {"size", a.data.size()}});
  }
  auto list = [](const std::vector<MailAddress>& v) {
    json out = json::array();
    for (const MailAddress& a : v) out.push_back({{"address", a.address}, {"name", a.name}});
    return out;
  };
  json j = {{"subject", m.subject},
            {"from_address", m.from.address},
            {"from_name", m.from.name},
            {"to", list(m.to)},
            {"cc", list(m.cc)},
            {"body_text", m.body_text},
            {"attachments", atts},
            {"message_id", m.message_id},
            {"in_reply_to", m.in_reply_to},
            {"references", m.references},
            {"auto_submitted", m.auto_submitted},
            {"auto_reason", m.auto_submitted ? json(m.auto_reason) : json(nullptr)},
            {"problems", m.problems}};
  if (!m.refused.empty()) j["refused"] = m.refused;
  if (m.is_dsn) {
    DsnReport dsn = ReadDsn(m);
    json recipients = json::array();
    for (const DsnRecipient& r : dsn.recipients) {
      recipients.push_back({{"address", r.address}, {"action", r.action}, {"status", r.status},
                            {"diagnostic", r.diagnostic}, {"permanent", r.permanent()}});
    }
    j["dsn"] = {{"original_message_id", dsn.original_message_id}, {"recipients", recipients}};
  }
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace frontdesk
