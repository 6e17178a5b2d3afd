// dsn.h: reads a delivery status notification (RFC 3464, multipart/report
// with report-type=delivery-status) out of a parsed mail: which recipients
// failed, how, and the Message-ID of the mail that bounced, so the bounce
// can be threaded to its ticket and the address marked as bouncing.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/mail/mime.h"

namespace frontdesk {

struct DsnRecipient {
  std::string address;     // Final-Recipient (or Original-Recipient), lower case
  std::string action;      // failed, delayed, delivered, relayed, expanded
  std::string status;      // "5.1.1"
  std::string diagnostic;  // Diagnostic-Code, when given
  // A permanent failure: the address will not work if tried again.
  bool permanent() const { return action == "failed" && !status.empty() && status[0] == '5'; }
};

struct DsnReport {
  std::string original_message_id;  // without <>; "" when the bounce does not quote it
  std::vector<DsnRecipient> recipients;
};

// Empty when `mail` is not a DSN.
DsnReport ReadDsn(const ParsedMail& mail);
// The per-recipient fields of a message/delivery-status body.
std::vector<DsnRecipient> ParseDeliveryStatus(std::string_view text);

}  // namespace frontdesk
