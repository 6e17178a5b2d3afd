#include "daemon/mail/dsn.h"

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

// Header-style fields, unfolded, in groups separated by blank lines.
std::vector<std::vector<std::pair<std::string, std::string>>> FieldGroups(std::string_view text) {
  std::vector<std::vector<std::pair<std::string, std::string>>> groups(1);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) {
      if (!groups.back().empty()) groups.emplace_back();
      continue;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !groups.back().empty()) {
      groups.back().back().second += " " + std::string(Trim(line));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    groups.back().emplace_back(AsciiLower(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  }
  return groups;
}

// "rfc822; <Gone@Example.org>" -> "gone@example.org"
std::string AddressField(const std::string& value) {
  size_t semi = value.find(';');
  std::string_view a = Trim(std::string_view(value).substr(semi == std::string::npos ? 0 : semi + 1));
  if (a.size() >= 2 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
  return AsciiLower(a);
}

std::string MessageIdIn(std::string_view headers) {
  size_t end = headers.find("\n\n");
  size_t end_crlf = headers.find("\r\n\r\n");
  headers = headers.substr(0, std::min(end, end_crlf));
  for (const auto& group : FieldGroups(headers)) {
    for (const auto& [name, value] : group) {
      if (name != "message-id") continue;
      size_t open = value.find('<'), close = value.find('>', open == std::string::npos ? 0 : open);
      if (open != std::string::npos && close != std::string::npos) return value.substr(open + 1, close - open - 1);
      return std::string(Trim(value));
    }
  }
  return "";
}

}  // namespace

std::vector<DsnRecipient> ParseDeliveryStatus(std::string_view text) {
  std::vector<DsnRecipient> out;
  for (const auto& group : FieldGroups(text)) {
    DsnRecipient r;
    std::string original;
    for (const auto& [name, value] : group) {
      if (name == "final-recipient") r.address = AddressField(value);
      else if (name == "original-recipient") original = AddressField(value);
      else if (name == "action") r.action = AsciiLower(Trim(value.substr(0, value.find_first_of(" (;"))));
      else if (name == "status") r.status = std::string(Trim(value.substr(0, value.find_first_of(" (;"))));
      else if (name == "diagnostic-code") r.diagnostic = value;
    }
    if (r.address.empty()) r.address = original;
    if (!r.address.empty() && !r.action.empty()) out.push_back(std::move(r));
  }
  return out;
}

DsnReport ReadDsn(const ParsedMail& mail) {
  DsnReport report;
  if (!mail.is_dsn) return report;
  for (const MailAttachment& a : mail.attachments) {
    if (a.content_type == "message/delivery-status" || a.content_type == "message/global-delivery-status") {
      std::vector<DsnRecipient> r = ParseDeliveryStatus(a.data);
      report.recipients.insert(report.recipients.end(), r.begin(), r.end());
    } else if (report.original_message_id.empty() &&
               (a.content_type == "message/rfc822" || a.content_type == "text/rfc822-headers" ||
                a.content_type == "message/global" || a.content_type == "message/global-headers")) {
      report.original_message_id = MessageIdIn(a.data);
    }
  }
  return report;
}

}  // namespace frontdesk
