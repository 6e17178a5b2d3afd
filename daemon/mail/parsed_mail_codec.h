// parsed_mail_codec.h: a ParsedMail as bytes and back, for the pipe between
// the daemon and its parse workers (isolated_parser.h). The format is
// private to one build of Frontdesk: a version byte, then every field in
// declaration order, strings as a 64-bit length and their bytes. Decoding
// checks every length against what is left, so a worker that dies half-way
// through an answer gives an error, never a half-filled mail.
// Thread-safe (no state).
#pragma once

#include <string>
#include <string_view>

#include "daemon/base/status.h"
#include "daemon/mail/mime.h"

namespace frontdesk {

std::string EncodeParsedMail(const ParsedMail& mail);
Result<ParsedMail> DecodeParsedMail(std::string_view bytes);

std::string EncodeParseOptions(const MailParseOptions& options);
Result<MailParseOptions> DecodeParseOptions(std::string_view bytes);

}  // namespace frontdesk
