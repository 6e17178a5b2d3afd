// mime.h: parses one RFC 5322 message with GMime into what Frontdesk needs:
// decoded sender and subject, the body as text (HTML-only mail rendered to
// text), attachments with safe names, threading headers, and whether the
// mail is automatic (RFC 3834 and the usual signs). All text comes out as
// valid UTF-8, whatever the message claimed. A message GMime cannot make
// sense of still yields a ParsedMail, with `problems` saying what went
// wrong, so that the intake can quarantine it instead of dropping it.
// Thread-safe: parses share no state beyond GMime's one-time init.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

// HtmlToText lived here before it got a module of its own; callers that
// include the parser still find it.
#include "daemon/mail/html_text.h"

namespace frontdesk {

struct MailAddress {
  std::string address;  // lower case; may be empty when unparseable
  std::string name;
};

struct MailAttachment {
  std::string filename;  // sanitised
  std::string content_type;
  std::string content_id;
  bool is_inline = false;
  std::string data;
};

struct ParsedMail {
  std::string subject;
  MailAddress from;
  std::vector<MailAddress> to, cc, reply_to;
  std::string return_path;  // without <>; "" for the null sender
  bool null_return_path = false;
  std::string body_text;
  bool body_from_html = false;
  std::vector<MailAttachment> attachments;
  std::string message_id;  // without <>
  std::string in_reply_to;
  std::vector<std::string> references;
  bool auto_submitted = false;
  std::string auto_reason;
  bool is_dsn = false;
  std::vector<std::pair<std::string, std::string>> headers;  // top-level, decoded
  std::vector<std::string> problems;  // repairs made and parts that could not be read
  std::string refused;  // non-empty: the mail is over a parse limit and was read only as far as its headers; why
};

struct MailParseOptions {
  // Tried for text that declares no charset and is not valid UTF-8.
  std::string fallback_charset = "windows-1252";
  // Caps checked before GMime builds its tree (mime_limits.h); a mail over
  // either is read only as far as its headers, and `refused` says why.
  // Real mail rarely has more than a few dozen parts (a long thread with
  // inline images and a signature reaches perhaps a hundred), and nesting
  // past 5 to 10 levels comes only from forwards of forwards; 1000 parts
  // and 30 levels leave ample room for both while keeping GMime's tree
  // (a few hundred bytes per part) and its recursion small.
  int max_parts = 1000;
  int max_depth = 30;
};

ParsedMail ParseMail(std::string_view raw, const MailParseOptions& options = {});
// The JSON `frontdesk parse-mail --json` prints (keys of docs/DESIGN).
std::string ParsedMailJson(const ParsedMail& mail);
// Converts `bytes` in `charset` to UTF-8, replacing what cannot be decoded
// with U+FFFD. Labels that lie in practice are widened (gb2312 to GB18030,
// ks_c_5601 to CP949, iso-8859-1 to windows-1252, shift_jis to CP932), and
// ISO-2022-JP is read as Windows' CP50221, Shift_JIS under its label too.
std::string ToUtf8(std::string_view bytes, std::string charset);

}  // namespace frontdesk
