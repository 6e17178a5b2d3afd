// mail_intake.h: one inbound mail, from mailgate or the IMAP poller, into the
// store. Inside the caller's write transaction it stores the raw bytes,
// dedupes (the same Message-ID with the same bytes is one message, however
// often and by whichever path it came), threads the mail into its ticket or
// routes it into a new one, and quarantines what it could not read or what
// broke the soft cap, instead of dropping it. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon/mail/mime.h"
#include "daemon/sla/engine.h"
#include "daemon/store/store.h"
#include "daemon/tickets/router.h"

namespace frontdesk {

struct InboundMail {
  std::string raw;
  // Parsed before the write transaction starts, so the lock is not held
  // while GMime works; ParseForIntake() does it.
  std::optional<ParsedMail> parsed;
  std::string source;             // "mailgate", "imap:NAME"
  std::optional<std::string> queue;  // mailgate --queue
  bool as_comment = false;        // mailgate --action comment
  std::string mailbox;            // for routing, "" for mailgate
};

struct MailOutcome {
  enum class Kind { kCreated, kAppended, kDuplicate, kRejected };
  Kind kind = Kind::kCreated;
  int64_t ticket_id = 0;
  int64_t message_id = 0;
  bool quarantined = false;
  std::string detail;  // the reason for a rejection or quarantine
  std::vector<int64_t> copies;  // more tickets, with mail.ticket_per_queue
};

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

// Parses as the intake does: a message over mail.max_message_bytes only as
// far as its headers.
ParsedMail ParseForIntake(const std::string& raw, const Config& config);

// Runs a quarantined ticket's raw message through the intake again, parsed
// in full whatever its size (a person asked for it). When it now reads as
// mail with a sender, the ticket is updated, routed and given its SLA
// clocks, and the quarantine is lifted; otherwise it stays quarantined and
// the reason says why.
Result<std::string> Reprocess(Store& store, int64_t ticket_id, const Config& config, const Router& router,
                              const SlaEngine& sla, Timestamp now);

Result<MailOutcome> AcceptMail(Store& store, const InboundMail& in, const Config& config, const Router& router,
                               const SlaEngine& sla, Timestamp now);

}  // namespace frontdesk
