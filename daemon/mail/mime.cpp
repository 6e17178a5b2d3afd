#include "daemon/mail/mime.h"

#include <gmime/gmime.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "daemon/base/text.h"
#include "daemon/mail/charset.h"
#include "daemon/mail/dsn.h"
#include "daemon/mail/gmime_util.h"
#include "daemon/mail/mime_body.h"
#include "daemon/mail/mime_limits.h"
#include "daemon/mail/mime_repair.h"

namespace frontdesk {
namespace {

std::string Trimmed(std::string_view s) { return std::string(Trim(s)); }

// A subject or a name as decoded, less the control characters an encoded
// word can hide (a bell, an escape). Spacing stays as the sender wrote it;
// line breaks are kept out of the headers Frontdesk writes when it writes
// them (builder.h).
std::string WithoutControls(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 0x20 && u != 0x7f) || c == '\t' || c == '\r' || c == '\n') out += c;
  }
  return out;
}

std::vector<MailAddress> Addresses(InternetAddressList* list) {
  std::vector<MailAddress> out;
  for (int i = 0; list && i < internet_address_list_length(list); ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
    MailAddress m;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    const char* name = internet_address_get_name(a);
    m.address = addr ? AsciiLower(ValidUtf8(UnquoteLocalPart(addr))) : "";
    m.name = name ? WithoutControls(ValidUtf8(name)) : "";
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

// The top-level headers: sender, recipients, subject, threading.
void ReadHeaders(GMimeMessage* msg, GMimeParserOptions* popts, ParsedMail& m) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
  for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
    const char* value = g_mime_header_get_value(h);
    m.headers.emplace_back(ValidUtf8(g_mime_header_get_name(h)), ValidUtf8(value ? value : ""));
  }
  if (const char* s = g_mime_message_get_subject(msg)) m.subject = WithoutControls(ValidUtf8(s));
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
  std::optional<std::string> opened = OpenBodyAfterHeaders(raw, m.problems);
  if (opened) raw = *opened;
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

  MailBody body;
  if (GMimeObject* top = g_mime_message_get_mime_part(msg.get())) {
    body = ReadBody(top, options, m.problems);
  } else {
    m.problems.push_back("no body");
  }
  if (body.over) {
    // The second guard: the scan and GMime disagreed about the structure.
    // The mail is treated as the scan would have treated it.
    MimeShape walked;
    walked.parts = body.parts;
    walked.depth = body.depth;
    m.refused = MimeLimitReason(walked, options.max_parts, options.max_depth);
    m.problems.push_back(m.refused);
    DetectAutomatic(m);
    return m;
  }
  m.body_text = std::move(body.text);
  m.body_from_html = body.from_html;
  m.attachments = std::move(body.attachments);
  m.is_dsn = body.is_dsn;
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
