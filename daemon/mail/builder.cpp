#include "daemon/mail/builder.h"

#include <memory>

#include "config/values.h"
#include "daemon/base/text.h"
#include "daemon/mail/gmime_util.h"
#include "daemon/mail/signature.h"

namespace frontdesk {
namespace {

std::string Bracketed(std::string_view id) { return "<" + HeaderSafe(id) + ">"; }

// A Message-ID without brackets: no spaces, brackets or control characters.
bool PlainId(std::string_view id) {
  if (id.empty() || id.size() > 900) return false;
  for (char c : id) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == 0x7f) return false;
  }
  return true;
}

// A text part holding `text` as UTF-8, quoted-printable. (GMime's own
// set_text would convert to the smallest charset that fits.)
GMimeTextPart* Utf8Part(const char* subtype, const std::string& text) {
  GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(text.data(), text.size()));
  GPtr<GMimeDataWrapper> content(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(GMIME_PART(part), content.get());
  g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  return part;
}

}  // namespace

std::string HeaderSafe(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\t' || c == '\r' || c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (u >= 0x20 && u != 0x7f) {
      out += c;
    }
  }
  return std::string(Trim(out));
}

Result<std::string> BuildMessage(const OutgoingMail& m) {
  InitGMime();
  for (const std::string* a : {&m.from_address, &m.to_address}) {
    Result<std::string> ok = ParseMailAddress(*a);
    if (!ok.ok()) return Status::Invalid("not a mail address: \"" + HeaderSafe(*a) + "\"");
  }
  if (!m.reply_to.empty() && !ParseMailAddress(m.reply_to).ok()) {
    return Status::Invalid("not a mail address: \"" + HeaderSafe(m.reply_to) + "\"");
  }
  if (!PlainId(m.message_id)) return Status::Invalid("not a Message-ID: \"" + HeaderSafe(m.message_id) + "\"");

  GPtr<GMimeMessage> msg(g_mime_message_new(TRUE));
  std::string from_name = HeaderSafe(m.from_name), to_name = HeaderSafe(m.to_name);
  g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_FROM, from_name.empty() ? nullptr : from_name.c_str(),
                             m.from_address.c_str());
  g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_TO, to_name.empty() ? nullptr : to_name.c_str(),
                             m.to_address.c_str());
  if (!m.reply_to.empty()) {
    g_mime_message_add_mailbox(msg.get(), GMIME_ADDRESS_TYPE_REPLY_TO,
                               from_name.empty() ? nullptr : from_name.c_str(), m.reply_to.c_str());
  }
  std::string subject = HeaderSafe(m.subject);
  g_mime_message_set_subject(msg.get(), subject.c_str(), "utf-8");
  GDateTime* date = g_date_time_new_from_unix_utc(ToUnix(m.date));
  g_mime_message_set_date(msg.get(), date);
  g_date_time_unref(date);
  g_mime_message_set_message_id(msg.get(), m.message_id.c_str());
  GMimeObject* top = GMIME_OBJECT(msg.get());
  if (!m.in_reply_to.empty() && PlainId(m.in_reply_to)) {
    g_mime_object_set_header(top, "In-Reply-To", Bracketed(m.in_reply_to).c_str(), nullptr);
  }
  std::string refs;
  for (const std::string& r : m.references) {
    if (!PlainId(r)) continue;
    if (!refs.empty()) refs += ' ';
    refs += Bracketed(r);
  }
  if (!refs.empty()) g_mime_object_set_header(top, "References", refs.c_str(), nullptr);
  if (!m.auto_submitted.empty()) {
    g_mime_object_set_header(top, "Auto-Submitted", HeaderSafe(m.auto_submitted).c_str(), nullptr);
    // Exchange and others honour this rather than Auto-Submitted.
    g_mime_object_set_header(top, "X-Auto-Response-Suppress", "All", nullptr);
  }
  if (!m.loop_token.empty()) {
    g_mime_object_set_header(top, std::string(kLoopHeader).c_str(), HeaderSafe(m.loop_token).c_str(), nullptr);
  }
  if (!m.content_language.empty()) {
    g_mime_object_set_header(top, "Content-Language", HeaderSafe(m.content_language).c_str(), nullptr);
  }

  std::string text = IsValidUtf8(m.text) ? m.text : std::string("(text not valid UTF-8 withheld)");
  GPtr<GMimeTextPart> plain(Utf8Part("plain", text));
  if (m.html.empty()) {
    g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(plain.get()));
  } else {
    GPtr<GMimeMultipart> alt(g_mime_multipart_new_with_subtype("alternative"));
    GPtr<GMimeTextPart> html(Utf8Part("html", IsValidUtf8(m.html) ? m.html : std::string()));
    g_mime_multipart_add(alt.get(), GMIME_OBJECT(plain.get()));
    g_mime_multipart_add(alt.get(), GMIME_OBJECT(html.get()));
    g_mime_message_set_mime_part(msg.get(), GMIME_OBJECT(alt.get()));
  }

  GMimeFormatOptions* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  char* bytes = g_mime_object_to_string(top, options);
  g_mime_format_options_free(options);
  std::string out = bytes ? bytes : "";
  g_free(bytes);
  return out;
}

}  // namespace frontdesk
