// signature.h: how Frontdesk knows its own mail. Outgoing Message-IDs
// carry an HMAC of the ticket number and a nonce ("fd.1042.NONCE.MAC"), so
// a reply that names one threads to its ticket even when the outbox row is
// gone, and cannot be forged by someone who only knows a ticket number. The
// loop token goes into a header of every outgoing mail, bound to its
// Message-ID; seeing it come back on that message means our own mail
// returned, even through a forwarder that rewrote other headers. The secret comes from SecretStore.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace frontdesk {

// The name of the header that carries the loop token.
inline constexpr std::string_view kLoopHeader = "X-Frontdesk-Loop";

// "fd.<ticket>.<nonce>.<mac>": the local part of a Message-ID; the sender
// adds "@domain". `nonce` is base64url text.
std::string SignMessageId(std::string_view secret, int64_t ticket_id, std::string_view nonce);
// The ticket of a Message-ID this installation signed (with or without the
// angle brackets and the domain), or nothing.
std::optional<int64_t> VerifyMessageId(std::string_view secret, std::string_view message_id);
// A Message-ID as the outbox keeps it: no angle brackets, no "@domain".
std::string MessageIdLocalPart(std::string_view message_id);
// This installation's value for kLoopHeader on the mail with `message_id`
// (with or without brackets and domain). It is bound to the message, so a
// header copied into another mail does not make that mail ours.
std::string LoopToken(std::string_view secret, std::string_view message_id);

}  // namespace frontdesk
