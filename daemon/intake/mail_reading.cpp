#include "daemon/intake/mail_reading.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "daemon/base/random.h"
#include "daemon/base/text.h"
#include "daemon/mail/signature.h"

namespace frontdesk {
namespace {

using nlohmann::json;

// What the store needs of a parsed mail, for a new ticket or a reply.
// Attachments past mail.max_attachments, or over mail.max_attachment_bytes
// each, are not stored apart; they stay in the raw message, which is always
// kept, and the text says so. Returns what was withheld, for an event.
json CapAttachments(const ParsedMail& m, const MailConfig& caps, NewTicket* t) {
  json withheld = json::array();
  std::string note;
  for (const MailAttachment& a : m.attachments) {
    std::string why;
    if (static_cast<int64_t>(a.data.size()) > caps.max_attachment_bytes) {
      why = "over mail.max_attachment_bytes (" + std::to_string(caps.max_attachment_bytes) + ")";
    } else if (static_cast<int>(t->attachments.size()) >= caps.max_attachments) {
      why = "past mail.max_attachments (" + std::to_string(caps.max_attachments) + ")";
    }
    if (why.empty()) {
      t->attachments.push_back({a.filename, a.content_type, a.data});
      continue;
    }
    withheld.push_back({{"filename", a.filename}, {"size", a.data.size()}, {"reason", why}});
    note += "\n[attachment " + a.filename + " (" + std::to_string(a.data.size()) + " bytes) " + why +
            "; kept in the raw message]";
  }
  if (!note.empty()) t->body += note + "\n";
  return withheld;
}

}  // namespace

NewTicket TicketFromMail(const ParsedMail& m, const MailConfig& caps, Timestamp now) {
  NewTicket t;
  t.channel = Channel::kEmail;
  t.subject = m.subject.empty() ? "(no subject)" : m.subject;
  t.body = m.body_text;
  t.requester_email = m.from.address;
  t.requester_name = m.from.name;
  json withheld = CapAttachments(m, caps, &t);
  if (!withheld.empty()) t.withheld_json = withheld.dump();
  if (!m.message_id.empty()) t.message_id = m.message_id;
  if (!m.in_reply_to.empty()) t.in_reply_to = m.in_reply_to;
  t.refs_json = json(m.references).dump();
  for (const MailAddress& a : m.to) t.recipients.push_back(a.address);
  for (const MailAddress& a : m.cc) t.cc.push_back(a.address);
  t.auto_submitted = m.auto_submitted;
  if (m.auto_submitted) t.auto_reason = m.auto_reason;
  t.actor = Actor::Customer(Channel::kEmail, m.from.address);
  t.now = now;
  return t;
}

RouteInput RouteInputFromMail(const ParsedMail& m, const std::string& mailbox, Timestamp now) {
  RouteInput ri;
  ri.channel = "email";
  for (const MailAddress& a : m.to) ri.to.push_back(a.address);
  for (const MailAddress& a : m.cc) ri.to.push_back(a.address);
  ri.mailbox = mailbox;
  ri.from = m.from.address;
  ri.subject = m.subject;
  ri.body = m.body_text;
  ri.headers = m.headers;
  ri.sender_priority = SenderPriority(m.headers);
  ri.now = now;
  return ri;
}

// Why a parsed mail cannot become an ordinary ticket, or "" when it can.
std::string UnreadableReason(const ParsedMail& m) {
  if (!m.refused.empty()) return m.refused;
  if (!m.problems.empty() && m.problems.front().rfind("not a mail message", 0) == 0) return m.problems.front();
  if (m.from.address.empty() || m.from.address.find('@') == std::string::npos) return "no readable sender address";
  return "";
}

std::string OwnMailReason(const ParsedMail& m, const Config& config, const std::string& secret) {
  if (!m.message_id.empty() && VerifyMessageId(secret, m.message_id)) return "our own mail (signed Message-ID)";
  bool foreign_loop = false;
  for (const auto& [name, value] : m.headers) {
    if (AsciiLower(name) != AsciiLower(kLoopHeader)) continue;
    if (!m.message_id.empty() && !secret.empty() &&
        ConstantTimeEquals(std::string(Trim(value)), LoopToken(secret, m.message_id))) {
      return "our own mail (" + std::string(kLoopHeader) + ")";
    }
    foreign_loop = true;
  }
  // Anyone can add a loop header that is not ours; alone it proves
  // nothing, so it only names the source of mail already automatic (RFC
  // 3834). A person's mail with one keeps its alert and its clock.
  if (foreign_loop && m.auto_submitted) return "another helpdesk's mail (" + std::string(kLoopHeader) + ")";
  for (const QueueConfig& q : config.queues) {
    for (const auto* list : {&q.addresses, &q.comment_addresses}) {
      if (std::find(list->begin(), list->end(), m.from.address) != list->end()) {
        return "our own mail (sent from " + m.from.address + ")";
      }
    }
  }
  return "";
}

std::string CanonicalMailBytes(std::string_view raw) {
  static const char* kTrace[] = {"return-path", "delivered-to", "x-original-to", "received", "envelope-to",
                                 "x-envelope-to"};
  size_t pos = 0;
  auto line_end = [&](size_t from) {
    size_t nl = raw.find('\n', from);
    return nl == std::string_view::npos ? raw.size() : nl + 1;
  };
  if (raw.substr(0, 5) == "From ") pos = line_end(0);
  for (;;) {
    size_t colon = raw.find(':', pos);
    size_t eol = line_end(pos);
    if (colon == std::string_view::npos || colon >= eol) break;
    std::string name = AsciiLower(Trim(raw.substr(pos, colon - pos)));
    if (std::find(std::begin(kTrace), std::end(kTrace), name) == std::end(kTrace)) break;
    pos = eol;
    while (pos < raw.size() && (raw[pos] == ' ' || raw[pos] == '\t')) pos = line_end(pos);  // folded
  }
  std::string out;
  out.reserve(raw.size() - pos + raw.size() / 32);
  for (size_t i = pos; i < raw.size(); ++i) {
    if (raw[i] == '\n' && (i == pos || raw[i - 1] != '\r')) out += '\r';
    out += raw[i];
  }
  return out;
}

std::string MailKey(const ParsedMail& mail, const std::string& raw) {
  std::string sha = Sha256Hex(CanonicalMailBytes(raw));
  return mail.message_id.empty() ? "mail:sha256:" + sha : "mail:" + mail.message_id + ":" + sha;
}

std::optional<int64_t> SubjectTicket(const std::string& subject, const std::string& tag) {
  std::string needle = "[" + tag + "#";
  size_t at = subject.find(needle);
  if (at == std::string::npos) return std::nullopt;
  size_t start = at + needle.size(), end = start;
  while (end < subject.size() && end - start < 15 && subject[end] >= '0' && subject[end] <= '9') ++end;
  if (end == start || end >= subject.size() || subject[end] != ']') return std::nullopt;
  return std::stoll(subject.substr(start, end - start));
}

MailParseOptions ParseOptionsOf(const MailConfig& mail) {
  MailParseOptions options;
  options.fallback_charset = mail.fallback_charset;
  options.max_parts = mail.max_mime_parts;
  options.max_depth = mail.max_mime_depth;
  return options;
}

namespace {

// Parses only the header block of `raw` (at most its first 64 KiB): the
// sender, the subject and the addresses, for a message whose whole is not
// parsed.
Result<ParsedMail> ParseHeaders(const std::string& raw, const MailParseOptions& options, IsolatedParser* parser) {
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) end = raw.find("\n\n");
  std::string_view head = std::string_view(raw).substr(0, std::min<size_t>(end, 64 * 1024));
  Result<ParsedMail> h = parser ? parser->Parse(head, options) : Result<ParsedMail>(ParseMail(head, options));
  if (!h.ok()) return h.status();
  ParsedMail m;
  m.from = h->from;
  m.subject = h->subject;
  m.message_id = h->message_id;
  m.to = h->to;
  m.cc = h->cc;
  m.headers = h->headers;
  m.auto_submitted = h->auto_submitted;
  m.auto_reason = h->auto_reason;
  return m;
}

}  // namespace

Result<ParsedMail> ParseForIntake(const std::string& raw, const Config& config, IsolatedParser* parser) {
  MailParseOptions options = ParseOptionsOf(config.mail);
  if (static_cast<int64_t>(raw.size()) <= config.mail.max_message_bytes) {
    return parser ? parser->Parse(raw, options) : Result<ParsedMail>(ParseMail(raw, options));
  }
  // Over the soft cap the message is not parsed: it is kept raw, and a
  // person decides. The headers still give the sender and the subject.
  return ParseHeaders(raw, options, parser);
}

ParsedMail UnparsedMail(const std::string& raw, const Config& config, IsolatedParser* parser, const std::string& why,
                        int attempts) {
  // What overran the limits is nearly always the body (an HTML or MIME
  // bomb); the headers alone still tell the person who sent it and what
  // about. When they too cannot be read, the mail is filed without them.
  Result<ParsedMail> h = ParseHeaders(raw, ParseOptionsOf(config.mail), parser);
  ParsedMail m = h.ok() ? std::move(*h) : ParsedMail();
  m.refused = why + (attempts > 1 ? " (" + std::to_string(attempts) + " tries)" : "");
  m.problems.push_back(m.refused);
  return m;
}

}  // namespace frontdesk
