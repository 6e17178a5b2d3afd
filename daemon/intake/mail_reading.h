// mail_reading.h: what Frontdesk reads out of one parsed mail before it
// decides anything: its identity (the key that dedupes it), whether it is
// our own mail coming back, the ticket a subject tag names, the ticket and
// routing input it would make, and why it cannot be read. Pure functions
// of the mail and the config; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "daemon/mail/isolated_parser.h"
#include "daemon/mail/mime.h"
#include "daemon/model/changes.h"
#include "daemon/tickets/router.h"

namespace frontdesk {

// The bytes a mail's identity is hashed over: without the trace headers
// that delivery prepends (an mbox "From " line, Return-Path, Delivered-To,
// X-Original-To, Received, Envelope-To), and with every line ending CRLF.
// The same message reaches Frontdesk with LF through an MTA pipe and with
// CRLF through IMAP, with other trace headers on each path; it is still one
// message.
std::string CanonicalMailBytes(std::string_view raw);
// The idempotency key of a mail: its Message-ID and the SHA-256 of its
// canonical bytes, or the hash alone when it has no Message-ID.
std::string MailKey(const ParsedMail& mail, const std::string& raw);
// Why a mail is our own coming back (our signed Message-ID, our loop
// header, one of our queue addresses as sender) or another helpdesk's (a
// loop header that is not ours); "" for anyone else's mail.
std::string OwnMailReason(const ParsedMail& m, const Config& config, const std::string& secret);
// "[FD#1042]" in a subject: the ticket number, or nothing.
std::optional<int64_t> SubjectTicket(const std::string& subject, const std::string& tag);
// Why a parsed mail cannot become an ordinary ticket, or "" when it can.
std::string UnreadableReason(const ParsedMail& m);

// Parses as the intake does: in a worker process under the [mail] parse
// limits when `parser` is given (in this process when it is null: tests,
// parse-mail), and a message over mail.max_message_bytes only as far as its
// headers. kRejected: this message ran over a parse limit; the intake
// tries it again up to mail.parse_attempts times, then files UnparsedMail.
// kUnavailable: no worker could be started; try again later.
Result<ParsedMail> ParseForIntake(const std::string& raw, const Config& config, IsolatedParser* parser);
// A mail that could not be parsed within the limits: it carries the
// reason, and what its headers alone say (sender, subject, addresses) when
// they can be read; the intake quarantines it with the raw message.
ParsedMail UnparsedMail(const std::string& raw, const Config& config, IsolatedParser* parser, const std::string& why,
                        int attempts);
// The parse options of the [mail] config.
MailParseOptions ParseOptionsOf(const MailConfig& mail);

// The ticket a mail makes, from the customer. Attachments past
// mail.max_attachments, or over mail.max_attachment_bytes each, are not
// stored apart; they stay in the raw message, which is always kept, the
// text says so, and withheld_json lists them.
NewTicket TicketFromMail(const ParsedMail& m, const MailConfig& caps, Timestamp now);
RouteInput RouteInputFromMail(const ParsedMail& m, const std::string& mailbox, Timestamp now);

}  // namespace frontdesk
