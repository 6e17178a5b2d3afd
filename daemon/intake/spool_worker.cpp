#include "daemon/intake/spool_worker.h"

#include <spdlog/spdlog.h>

#include "daemon/intake/mail_intake.h"
#include "daemon/intake/mail_reading.h"
#include "daemon/store/spool_store.h"

namespace frontdesk {
namespace {

// Entries filed in one transaction: one fsync for many messages.
constexpr size_t kChunk = 32;
// The raw mail one round reads; parsed, it takes about as much again. A
// burst of large mails is filed a few at a time, not all in memory at once.
constexpr int64_t kRoundBytes = 64 * 1024 * 1024;

}  // namespace

Result<SpoolReport> DrainSpool(const PollContext& ctx, int limit) {
  SpoolReport report;
  Result<std::vector<SpoolEntry>> entries = SpoolStore(ctx.reader).Oldest(limit, kRoundBytes);
  if (!entries.ok()) return entries.status();
  for (const SpoolEntry& e : *entries) report.raw_bytes += static_cast<int64_t>(e.raw.size());
  for (size_t start = 0; start < entries->size(); start += kChunk) {
    size_t end = std::min(entries->size(), start + kChunk);
    // Parsed before the write lock is taken.
    std::vector<InboundMail> mails;
    // Entries a parse worker failed on, to be tried again next round.
    std::vector<std::string> retry(end - start);
    for (size_t i = start; i < end; ++i) {
      SpoolEntry& e = (*entries)[i];
      InboundMail in;
      in.raw = std::move(e.raw);
      Result<ParsedMail> parsed = ParseForIntake(in.raw, ctx.config, ctx.parser);
      if (parsed.ok()) {
        in.parsed = std::move(*parsed);
      } else if (parsed.status().code() != Status::Code::kRejected) {
        return parsed.status();
      } else if (e.attempts + 1 < ctx.config.mail.parse_attempts) {
        retry[i - start] = parsed.status().message();
      } else {
        // The last try: filed, quarantined with the reason, never retried.
        in.parsed = UnparsedMail(in.raw, ctx.config, ctx.parser, parsed.status().message(),
                                 static_cast<int>(e.attempts) + 1);
      }
      // Mail the IMAP poller handed over keeps its mailbox for routing.
      if (e.source.rfind("imap:", 0) == 0) in.mailbox = e.source.substr(5);
      in.source = e.source;
      in.queue = e.queue;
      in.as_comment = e.as_comment;
      // The SLA clock starts when the MTA handed the mail over, not when
      // the daemon got to it.
      in.arrived_at = e.received_at;
      mails.push_back(std::move(in));
    }
    int64_t filed = 0, failed = 0;
    Status s = ctx.run([&](Store& store) -> Status {
      filed = failed = 0;
      SpoolStore spool(store);
      Timestamp now = ctx.clock.Now();
      for (size_t i = start; i < end; ++i) {
        const SpoolEntry& e = (*entries)[i];
        // Each entry in its own savepoint: one that fails is kept with its
        // error and does not hold up the others.
        Status sp = store.db().Exec("SAVEPOINT spool_entry");
        if (!sp.ok()) return sp;
        if (!retry[i - start].empty()) {
          (void)store.db().Exec("RELEASE spool_entry");
          spdlog::warn("spool entry {}: {}; try {} of {}", e.id, retry[i - start], e.attempts + 1,
                       ctx.config.mail.parse_attempts);
          Status f = spool.Failed(e.id, retry[i - start]);
          if (!f.ok()) return f;
          ++failed;
          continue;
        }
        Result<bool> mine = spool.Take(e.id);
        Status r = mine.ok() ? Status::Ok() : mine.status();
        if (r.ok() && *mine) {
          Result<MailOutcome> out = AcceptMail(store, mails[i - start], ctx.config, ctx.router, ctx.sla, now);
          r = out.ok() ? Status::Ok() : out.status();
        }
        if (!r.ok()) {
          Status back = store.db().Exec("ROLLBACK TO spool_entry");
          if (!back.ok()) return back;
          (void)store.db().Exec("RELEASE spool_entry");
          spdlog::warn("spool entry {}: {}; kept for the next round", e.id, r.message());
          Status f = spool.Failed(e.id, r.message());
          if (!f.ok()) return f;
          ++failed;
          continue;
        }
        sp = store.db().Exec("RELEASE spool_entry");
        if (!sp.ok()) return sp;
        if (*mine) ++filed;
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    report.filed += filed;
    report.failed += failed;
  }
  Result<SpoolStore::Depth> depth = SpoolStore(ctx.reader).Measure();
  if (depth.ok()) report.left = depth->entries;
  return report;
}

}  // namespace frontdesk
