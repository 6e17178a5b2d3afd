#include "daemon/mail/signature.h"

#include "daemon/base/random.h"
#include "daemon/base/text.h"

namespace frontdesk {
namespace {

// 128 bits of the HMAC: enough against forgery, short enough for a header.
std::string Mac(std::string_view secret, std::string_view purpose, std::string_view text) {
  std::string data(purpose);
  data += '\0';
  data += text;
  return Base64UrlEncode(HmacSha256Raw(secret, data).substr(0, 16));
}

}  // namespace

std::string SignMessageId(std::string_view secret, int64_t ticket_id, std::string_view nonce) {
  std::string body = "fd." + std::to_string(ticket_id) + "." + std::string(nonce);
  return body + "." + Mac(secret, "message-id", body);
}

std::optional<int64_t> VerifyMessageId(std::string_view secret, std::string_view id) {
  if (!id.empty() && id.front() == '<') id.remove_prefix(1);
  if (!id.empty() && id.back() == '>') id.remove_suffix(1);
  id = id.substr(0, id.find('@'));
  if (id.substr(0, 3) != "fd." || secret.empty()) return std::nullopt;
  size_t mac_dot = id.rfind('.');
  if (mac_dot == std::string_view::npos || mac_dot < 3) return std::nullopt;
  std::string_view body = id.substr(0, mac_dot), mac = id.substr(mac_dot + 1);
  if (!ConstantTimeEquals(Mac(secret, "message-id", body), mac)) return std::nullopt;
  size_t ticket_end = body.find('.', 3);
  if (ticket_end == std::string_view::npos) return std::nullopt;
  return ParseDigits(body.substr(3, ticket_end - 3), 15);
}

std::string MessageIdLocalPart(std::string_view id) {
  if (!id.empty() && id.front() == '<') id.remove_prefix(1);
  if (!id.empty() && id.back() == '>') id.remove_suffix(1);
  return std::string(id.substr(0, id.find('@')));
}

std::string LoopToken(std::string_view secret, std::string_view message_id) {
  return Mac(secret, "loop", MessageIdLocalPart(message_id));
}

}  // namespace frontdesk
