// builder.h: renders one outgoing mail as RFC 5322 bytes with GMime:
// UTF-8 text/plain (and an optional HTML alternative), headers encoded per
// RFC 2047 and folded, CRLF line ends. No caller-supplied text can add a
// header: every value has its line breaks and other control characters
// removed before GMime encodes it, and addresses must be bare addr-specs.
// Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"

namespace frontdesk {

struct OutgoingMail {
  std::string from_address, from_name;  // the support address of the queue
  std::string to_address, to_name;
  std::string reply_to;                 // the correspond address; may be empty
  std::string subject;
  std::string text;
  std::string html;                     // optional alternative
  std::string message_id;               // the whole id, without <>
  std::string in_reply_to;              // without <>
  std::vector<std::string> references;  // without <>
  // RFC 3834: "" for a person's mail, "auto-replied" for auto-replies,
  // "auto-generated" for alerts and notices.
  std::string auto_submitted;
  std::string loop_token;               // for the X-Frontdesk-Loop header
  std::string content_language;         // "pl": the Content-Language header (RFC 3282); "" = none
  Timestamp date;
};

// kInvalid when an address is not a bare addr-spec.
Result<std::string> BuildMessage(const OutgoingMail& mail);
// A header value as it may go out: line breaks and tabs become one space,
// other control characters are dropped, the ends are trimmed.
std::string HeaderSafe(std::string_view value);

}  // namespace frontdesk
