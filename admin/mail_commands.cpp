#include "admin/mail_commands.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "daemon/intake/mail_intake.h"
#include "daemon/intake/mail_reading.h"
#include "daemon/intake/mail_poller.h"
#include "daemon/intake/message_input.h"
#include "daemon/intake/spool_worker.h"
#include "daemon/mail/isolated_parser.h"
#include "daemon/mail/mime.h"
#include "daemon/outbox/sender.h"
#include "daemon/serve/daemon.h"
#include "daemon/sla/engine.h"
#include "daemon/store/spool_append.h"
#include "daemon/tickets/router.h"

namespace frontdesk {
namespace {

// parse-mail reads files of any size a person hands it, but not without end.
constexpr std::streamsize kMaxFile = 256LL * 1024 * 1024;

struct MailFlags {
  std::string file;
  bool json = false;
  std::string fallback = "windows-1252";
};

int ParseMailCommand(const MailFlags& f) {
  std::ifstream in(f.file, std::ios::binary);
  if (!in) {
    std::cerr << "frontdesk: " << f.file << ": cannot read the file\n";
    return kExitFailure;
  }
  in.seekg(0, std::ios::end);
  std::streamsize size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > kMaxFile) {
    std::cerr << "frontdesk: " << f.file << ": larger than 256 MiB\n";
    return kExitDataErr;
  }
  std::string raw(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  in.read(raw.data(), size);
  raw.resize(in.gcount());
  MailParseOptions options;
  options.fallback_charset = f.fallback;
  ParsedMail m = ParseMail(raw, options);
  if (f.json) {
    std::cout << ParsedMailJson(m) << "\n";
    return kExitOk;
  }
  std::cout << "From:     " << m.from.name << (m.from.name.empty() ? "" : " ") << "<" << m.from.address << ">\n"
            << "Subject:  " << m.subject << "\n"
            << "Message:  " << (m.message_id.empty() ? "(none)" : m.message_id) << "\n";
  if (!m.in_reply_to.empty()) std::cout << "Reply to: " << m.in_reply_to << "\n";
  if (m.auto_submitted) std::cout << "Automatic: " << m.auto_reason << "\n";
  for (const MailAttachment& a : m.attachments) {
    std::cout << "Attached: " << a.filename << " (" << a.content_type << ", " << a.data.size() << " bytes)\n";
  }
  for (const std::string& p : m.problems) std::cout << "Problem:  " << p << "\n";
  std::cout << "\n" << m.body_text << "\n";
  return kExitOk;
}

// Fault injection for the tests of the parse limits: with
// FRONTDESK_FAULT=parse-worker, a message with the header
// "X-Frontdesk-Fault: hang" (or "crash") makes the worker hang (or crash),
// as a parser stuck on hostile input would.
std::function<void(std::string_view)> ParseFault() {
  const char* fault = std::getenv("FRONTDESK_FAULT");
  if (!fault || std::string(fault) != "parse-worker") return {};
  return [](std::string_view raw) {
    if (raw.find("\nX-Frontdesk-Fault: hang") != std::string_view::npos) {
      for (;;) pause();
    }
    if (raw.find("\nX-Frontdesk-Fault: crash") != std::string_view::npos) std::abort();
  };
}

struct GateFlags {
  std::string queue;
  std::string action = "correspond";
};

// Exit codes for an MTA: 0 only after the commit; 65 only for a message over
// the hard cap (the MTA bounces it to the sender); 75 for everything else that
// went wrong, so the MTA keeps the message and tries again.
int Mailgate(CliContext& ctx, const GateFlags& f) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitTempFail;
  if (!f.queue.empty() && !config->FindQueue(f.queue)) {
    std::cerr << "frontdesk: mailgate: unknown queue \"" << f.queue << "\"; the message is kept for a retry\n";
    return kExitTempFail;
  }
  MessageInput message = ReadMessage(stdin, config->mail.hard_max_message_bytes);
  if (!message.error.empty()) {
    std::cerr << "frontdesk: mailgate: " << message.error << "\n";
    return message.failed ? kExitTempFail : kExitDataErr;
  }
  std::string raw = std::move(message.raw);
  // A daemon runs, but its socket did not take the message (every handler
  // busy, or no socket): spool it in one short commit for the daemon to
  // file, rather than filing it here beside the daemon's own writes.
  // PostgreSQL takes concurrent writers as they come, and a spool there
  // would be one more table to write: the message is filed directly.
  if (!config->server.DatabaseIsPostgres() && ServeLockHeld(config->server)) {
    SpoolAppend where;
    where.db_path = config->server.DatabasePath();
    where.busy_timeout_ms = config->server.busy_timeout.count();
    if (!f.queue.empty()) where.queue = f.queue;
    where.as_comment = f.action == "comment";
    where.received_at = ToUnix(ctx.clock->Now());
    SpoolAppendResult r = AppendToSpool(where, raw);
    if (r.kind == SpoolAppendResult::Kind::kSpooled) {
      std::cout << "spooled as entry " << r.id << "; the daemon files it\n";
      return 0;
    }
    if (r.kind == SpoolAppendResult::Kind::kTemporaryFailure) {
      std::cerr << "frontdesk: mailgate: " << r.error << "; the message is kept for a retry\n";
      return kExitTempFail;
    }
  }
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitTempFail;
  Result<std::shared_ptr<const Router>> router = Router::Build(*config);
  Result<std::shared_ptr<const SlaEngine>> sla = SlaEngine::Build(*config);
  if (!router.ok() || !sla.ok()) {
    std::cerr << "frontdesk: mailgate: " << (router.ok() ? sla.status() : router.status()).message() << "\n";
    return kExitTempFail;
  }
  InboundMail in;
  in.raw = std::move(raw);
  in.source = "mailgate";
  if (!f.queue.empty()) in.queue = f.queue;
  in.as_comment = f.action == "comment";
  {
    // Parsed in a worker under the [mail] limits; a message over them is
    // filed quarantined at once: an MTA would only retry it without end.
    IsolatedParser parser(ParserOptionsOf(config->mail));
    Result<ParsedMail> parsed = ParseForIntake(in.raw, *config, &parser);
    if (parsed.ok()) {
      in.parsed = std::move(*parsed);
    } else if (parsed.status().code() == Status::Code::kRejected) {
      in.parsed = UnparsedMail(in.raw, *config, &parser, parsed.status().message(), 1);
    } else {
      std::cerr << "frontdesk: mailgate: " << parsed.status().message() << "; the message is kept for a retry\n";
      return kExitTempFail;
    }
  }
  Result<std::unique_ptr<Txn>> txn = Txn::Begin(store->db());
  if (!txn.ok()) {
    std::cerr << "frontdesk: mailgate: " << txn.status().message() << "; the message is kept for a retry\n";
    return kExitTempFail;
  }
  Result<MailOutcome> out = AcceptMail(*store, in, *config, **router, **sla, ctx.clock->Now());
  Status s = out.ok() ? (*txn)->Commit() : out.status();
  if (!s.ok()) {
    std::cerr << "frontdesk: mailgate: " << s.message() << "; the message is kept for a retry\n";
    return kExitTempFail;
  }
  switch (out->kind) {
    case MailOutcome::Kind::kCreated:
      std::cout << "ticket " << out->ticket_id << ": created" << (out->quarantined ? " (quarantined: " + out->detail + ")" : "") << "\n";
      for (int64_t copy : out->copies) std::cout << "ticket " << copy << ": created (a copy for another queue)\n";
      break;
    case MailOutcome::Kind::kAppended:
      std::cout << "ticket " << out->ticket_id << ": message added\n";
      break;
    case MailOutcome::Kind::kDuplicate:
      std::cout << "ticket " << out->ticket_id << ": already received; nothing done\n";
      break;
    case MailOutcome::Kind::kRejected:
      std::cout << "rejected by a routing rule: " << out->detail << "\n";
      break;
  }
  return kExitOk;
}

int ReprocessCommand(CliContext& ctx, const std::string& ticket) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  int64_t id = 0;
  try {
    id = std::stoll(ticket);
  } catch (...) {
  }
  if (id < 1) {
    std::cerr << "frontdesk: TICKET must be a ticket number\n";
    return kExitUsage;
  }
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitFailure;
  Result<std::shared_ptr<const Router>> router = Router::Build(*config);
  Result<std::shared_ptr<const SlaEngine>> sla = SlaEngine::Build(*config);
  if (!router.ok() || !sla.ok()) return kExitFailure;
  Result<std::unique_ptr<Txn>> txn = Txn::Begin(store->db());
  if (!txn.ok()) {
    std::cerr << "frontdesk: " << txn.status().message() << "\n";
    return kExitTempFail;
  }
  Result<std::string> r = Reprocess(*store, id, *config, **router, **sla, ctx.clock->Now());
  Status s = r.ok() ? (*txn)->Commit() : r.status();
  if (!s.ok()) {
    std::cerr << "frontdesk: reprocess: " << s.message() << "\n";
    return kExitFailure;
  }
  std::cout << *r << "\n";
  return kExitOk;
}

// One poll of each mailbox (or the one named). Exit 0 when every poll
// succeeded, 75 when one failed (the server down, the database busy): cron
// mails the output, and the next run tries again.
int FetchCommand(CliContext& ctx, const std::string& only) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  if (!only.empty() && std::none_of(config->mailboxes.begin(), config->mailboxes.end(),
                                    [&](const MailboxConfig& b) { return b.name == only; })) {
    std::cerr << "frontdesk: fetch: no [[mailbox]] named \"" << only << "\" in " << config->path << "\n";
    return kExitUsage;
  }
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitTempFail;
  Result<std::shared_ptr<const Router>> router = Router::Build(*config);
  Result<std::shared_ptr<const SlaEngine>> sla = SlaEngine::Build(*config);
  if (!router.ok() || !sla.ok()) {
    std::cerr << "frontdesk: fetch: " << (router.ok() ? sla.status() : router.status()).message() << "\n";
    return kExitFailure;
  }
  PollContext pc{*config, **router, **sla, *store, DirectTxnRunner(*store), *ctx.clock, nullptr};
  IsolatedParser parser(ParserOptionsOf(config->mail));
  pc.parser = &parser;
  // Fault injection for the tests of promise 1: die between a commit and
  // the move on the server, as a power cut would.
  if (const char* fault = std::getenv("FRONTDESK_FAULT"); fault && std::string(fault) == "imap-after-commit") {
    std::cerr << "frontdesk: FRONTDESK_FAULT=imap-after-commit: exiting after the first commit\n";
    pc.after_commit = [] { std::_Exit(99); };
  }
  int exit_code = kExitOk;
  // Mail a quick mailgate spooled while a daemon ran, and that no daemon
  // filed since.
  if (only.empty()) {
    Result<SpoolReport> spool = DrainSpool(pc, 1 << 30);
    if (!spool.ok()) {
      std::cerr << "frontdesk: fetch: filing spooled mail: " << spool.status().message() << "\n";
      exit_code = kExitTempFail;
    } else if (spool->filed || spool->failed) {
      std::cout << "spool: " << spool->filed << " filed, " << spool->failed << " kept after an error\n";
    }
  }
  if (config->mailboxes.empty() && only.empty()) std::cout << "no [[mailbox]] is configured\n";
  for (const MailboxConfig& box : config->mailboxes) {
    if (!only.empty() ? box.name != only : !box.enabled) continue;
    Result<PollReport> r = PollMailbox(box, pc);
    if (!r.ok()) {
      std::cerr << "frontdesk: fetch: mailbox " << box.name << ": " << r.status().message() << "\n";
      exit_code = kExitTempFail;
      continue;
    }
    if (r->polled_elsewhere) {
      std::cout << "mailbox " << box.name << ": another process sharing the database is polling it; skipped\n";
      continue;
    }
    std::cout << DescribePoll(*r) << "\n";
  }
  return exit_code;
}

// Delivers what is due in the outbox once (for cron, or to flush by hand).
int SendCommand(CliContext& ctx) {
  std::unique_ptr<Config> config = ctx.LoadConfigOrReport();
  if (!config) return kExitFailure;
  if (!config->smtp.enabled()) {
    std::cerr << "frontdesk: send: no [smtp] url in " << config->path << "; nothing can be sent\n";
    return kExitFailure;
  }
  std::unique_ptr<Store> store = ctx.OpenStoreOrReport(*config);
  if (!store) return kExitTempFail;
  SendContext sc{*config, *store, DirectTxnRunner(*store), *ctx.clock};
  SendReport total;
  for (;;) {
    Result<SendReport> r = SendDue(sc, 100);
    if (!r.ok()) {
      std::cerr << "frontdesk: send: " << r.status().message() << "\n";
      return kExitTempFail;
    }
    total.sent += r->sent;
    total.retried += r->retried;
    total.failed += r->failed;
    total.suppressed += r->suppressed;
    if (!r->last_error.empty()) total.last_error = r->last_error;
    // Only what was due at the start: retried rows wait for their time.
    if (r->sent + r->retried + r->failed + r->suppressed < 100) break;
  }
  std::cout << "outbox: " << total.sent << " sent, " << total.retried << " to try again, " << total.failed
            << " failed, " << total.suppressed << " suppressed\n";
  if (!total.last_error.empty()) std::cout << "last error: " << total.last_error << "\n";
  return total.retried ? kExitTempFail : kExitOk;
}

}  // namespace

void AddMailCommands(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto ticket = std::make_shared<std::string>();
  CLI::App* reprocess = app.add_subcommand(
      "reprocess", "Run a quarantined ticket's raw message through the intake again, parsed in full; lift the "
                   "quarantine when it now reads as mail.");
  reprocess->add_option("ticket", *ticket, "The ticket number")->required();
  reprocess->callback([&ctx, &exit_code, ticket] { exit_code = ReprocessCommand(ctx, *ticket); });

  auto gate = std::make_shared<GateFlags>();
  CLI::App* mailgate = app.add_subcommand(
      "mailgate", "Read one RFC 5322 message on stdin, for an MTA pipe. Exit 0 after it is stored, 75 to have the MTA "
                  "retry, 65 when it is over the hard size limit.");
  mailgate->add_option("--queue", gate->queue, "The queue for new tickets, before routing rules");
  mailgate->add_option("--action", gate->action, "correspond (customer mail) or comment (an agent's internal note)")
      ->check(CLI::IsMember({"correspond", "comment"}));
  mailgate->callback([&ctx, &exit_code, gate] { exit_code = Mailgate(ctx, *gate); });

  CLI::App* send = app.add_subcommand(
      "send", "Deliver the mail that is due in the outbox once over [smtp]. Exit 0, or 75 when some must be tried "
              "again later.");
  send->callback([&ctx, &exit_code] { exit_code = SendCommand(ctx); });

  auto mailbox = std::make_shared<std::string>();
  CLI::App* fetch = app.add_subcommand(
      "fetch", "Poll every enabled [[mailbox]] once (for cron): import new mail oldest first, then move or delete it "
               "on the server. Exit 0, or 75 when a mailbox could not be polled.");
  fetch->add_option("--mailbox", *mailbox, "Poll only this mailbox (even when it is disabled)");
  fetch->callback([&ctx, &exit_code, mailbox] { exit_code = FetchCommand(ctx, *mailbox); });

  auto flags = std::make_shared<MailFlags>();
  CLI::App* parse = app.add_subcommand(
      "parse-mail", "Show how Frontdesk reads an RFC 5322 message: sender, subject, text, attachments, threading, "
                    "whether it is automatic, and what had to be repaired.");
  parse->add_option("file", flags->file, "The .eml file")->required();
  parse->add_flag("--json", flags->json, "Print JSON");
  parse->add_option("--fallback-charset", flags->fallback, "For undeclared 8-bit text that is not UTF-8");
  parse->callback([&exit_code, flags] { exit_code = ParseMailCommand(*flags); });

  // The daemon's parse workers (isolated_parser.h); not for people, so it
  // is left out of --help.
  auto worker = std::make_shared<std::pair<int64_t, int64_t>>(int64_t{1} << 30, 10);
  CLI::App* parse_worker = app.add_subcommand("parse-worker", "Parse mail for the daemon (internal)");
  parse_worker->group("");
  parse_worker->add_option("--memory-limit", worker->first, "Address space in bytes");
  parse_worker->add_option("--cpu-limit", worker->second, "CPU seconds per message");
  parse_worker->callback([&exit_code, worker] {
    exit_code = RunParseWorker(3, worker->first, std::chrono::seconds(worker->second), ParseFault());
  });
}

}  // namespace frontdesk
