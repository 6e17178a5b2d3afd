#include "daemon/intake/mail_poller.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/base/secret_file.h"
#include "daemon/intake/mail_intake.h"
#include "daemon/intake/mail_reading.h"
#include "daemon/mail/imap_client.h"
#include "daemon/store/mailbox_store.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/spool_store.h"

namespace frontdesk {
namespace {

// Messages fetched and committed together; each chunk is moved on the
// server right after its commit.
constexpr size_t kChunk = 25;

Result<std::string> ReadPassword(const MailboxConfig& box) {
  if (box.password_file.empty()) return box.password;
  return ReadSecretFile(box.password_file, "password_file");
}

struct Item {
  int64_t uid = 0;
  int64_t size = 0;
  bool too_large = false;
  InboundMail mail;
  std::string parse_error;  // a parse worker failed on it: it goes to the spool
};

// Moves or deletes committed UIDs on the server, then forgets them.
Status Finish(ImapClient& imap, const MailboxConfig& box, const PollContext& ctx, int64_t uidvalidity,
              const std::vector<int64_t>& uids, bool* folder_ready, PollReport* report) {
  if (uids.empty()) return Status::Ok();
  Status s;
  if (box.move_to.empty()) {
    s = imap.Delete(box.folder, uidvalidity, uids);
  } else {
    if (!*folder_ready) {
      s = imap.EnsureFolder(box.move_to);
      if (!s.ok()) return s;
      *folder_ready = true;
    }
    s = imap.Move(box.folder, uidvalidity, uids, box.move_to);
  }
  if (!s.ok()) return s;
  s = ctx.run([&](Store& store) { return MailboxStore(store).Finished(box.name, uidvalidity, uids); });
  if (s.ok()) report->finished += static_cast<int64_t>(uids.size());
  return s;
}

ImapSettings SettingsOf(const MailboxConfig& box, std::string password) {
  ImapSettings settings;
  settings.host = box.host;
  settings.port = box.EffectivePort();
  settings.tls = box.tls;
  settings.user = box.user;
  settings.password = std::move(password);
  settings.ca_file = box.ca_file;
  settings.timeout = box.timeout;
  return settings;
}

// The last UID imported from this folder, or 0 when the server renumbered
// it (UIDVALIDITY changed): then every message in it is read again, and
// what was stored before is recognised by its content.
Result<int64_t> LastUid(const MailboxConfig& box, const PollContext& ctx, int64_t v, PollReport* report) {
  Result<MailboxState> state = MailboxStore(ctx.reader).State(box.name);
  if (!state.ok()) return state.status();
  if (state->uidvalidity && *state->uidvalidity == v) return state->last_uid;
  if (state->uidvalidity) {
    spdlog::warn("mailbox {}: UIDVALIDITY of \"{}\" changed from {} to {}; reading the folder again", box.name,
                 box.folder, *state->uidvalidity, v);
    report->uidvalidity_changed = true;
  }
  Status s = ctx.run([&](Store& store) { return MailboxStore(store).ResetUidValidity(box.name, v); });
  if (!s.ok()) return s;
  return 0;
}

// Downloads and parses a chunk of messages, outside any transaction. One
// over mail.hard_max_message_bytes is not downloaded.
Result<std::vector<Item>> FetchChunk(ImapClient& imap, const MailboxConfig& box, const PollContext& ctx, int64_t v,
                                     const std::vector<int64_t>& chunk) {
  const int64_t hard = ctx.config.mail.hard_max_message_bytes;
  Result<std::map<int64_t, int64_t>> sizes = imap.Sizes(box.folder, v, chunk);
  if (!sizes.ok()) return sizes.status();
  std::vector<Item> items;
  for (int64_t uid : chunk) {
    auto size = sizes->find(uid);
    if (size == sizes->end()) continue;  // gone since the search
    Item item;
    item.uid = uid;
    item.size = size->second;
    item.too_large = size->second > hard;
    if (!item.too_large) {
      Result<std::string> raw = imap.Fetch(box.folder, v, uid, hard);
      if (!raw.ok() && raw.status().code() != Status::Code::kRejected) return raw.status();
      item.too_large = !raw.ok();
      if (raw.ok()) {
        item.mail.raw = std::move(*raw);
        Result<ParsedMail> parsed = ParseForIntake(item.mail.raw, ctx.config, ctx.parser);
        if (parsed.ok()) {
          item.mail.parsed = std::move(*parsed);
        } else if (parsed.status().code() != Status::Code::kRejected) {
          return parsed.status();
        } else if (ctx.config.mail.parse_attempts <= 1) {
          item.mail.parsed = UnparsedMail(item.mail.raw, ctx.config, ctx.parser, parsed.status().message(), 1);
        } else {
          item.parse_error = parsed.status().message();
        }
      }
    }
    // Its SLA clocks count from here, however long the chunk takes to file.
    item.mail.arrived_at = ctx.clock.Now();
    item.mail.source = "imap:" + box.name;
    if (!box.queue.empty()) item.mail.queue = box.queue;
    item.mail.as_comment = box.as_comment;
    item.mail.mailbox = box.name;
    items.push_back(std::move(item));
  }
  return items;
}

// Files one fetched message in the write transaction and notes its UID as
// imported; the UID is moved or deleted on the server only after the commit.
Status FileItem(Store& store, const MailboxConfig& box, const PollContext& ctx, int64_t v, const Item& item,
                Timestamp now, PollReport* counts, std::vector<int64_t>* committed) {
  MailboxStore boxes(store);
  if (item.too_large) {
    // Refused, but not lost: it stays on the server, untouched.
    std::string why = "message of " + std::to_string(item.size) + " bytes is over mail.hard_max_message_bytes (" +
                      std::to_string(ctx.config.mail.hard_max_message_bytes) + "); left on the IMAP server in \"" +
                      box.folder + "\", UID " + std::to_string(item.uid);
    Status r = SlaStore(store).AddRejection("email", "", why, "", "", now);
    if (!r.ok()) return r;
    ++counts->too_large;
    return boxes.Imported(box.name, v, item.uid, std::nullopt, /*pending=*/false, now);
  }
  if (!item.parse_error.empty()) {
    // Tried again from the spool, which counts the tries and quarantines
    // the message after the last; the server's copy is finished as usual.
    SpoolEntry e;
    e.raw = item.mail.raw;
    e.source = item.mail.source;
    e.queue = item.mail.queue;
    e.as_comment = item.mail.as_comment;
    e.received_at = item.mail.arrived_at.value_or(now);
    e.attempts = 1;
    Result<int64_t> id = SpoolStore(store).Add(e, item.parse_error);
    if (!id.ok()) return id.status();
    spdlog::warn("mailbox {}: UID {}: {}; moved to the spool (entry {}) to be tried again", box.name, item.uid,
                 item.parse_error, *id);
    ++counts->deferred;
    Status r = boxes.Imported(box.name, v, item.uid, std::nullopt, /*pending=*/true, now);
    if (r.ok()) committed->push_back(item.uid);
    return r;
  }
  Result<MailOutcome> out = AcceptMail(store, item.mail, ctx.config, ctx.router, ctx.sla, now);
  if (!out.ok()) return out.status();
  switch (out->kind) {
    case MailOutcome::Kind::kCreated: ++counts->created; break;
    case MailOutcome::Kind::kAppended: ++counts->appended; break;
    case MailOutcome::Kind::kDuplicate: ++counts->duplicates; break;
    case MailOutcome::Kind::kRejected: ++counts->rejected; break;
  }
  std::optional<int64_t> ticket = out->ticket_id ? std::optional<int64_t>(out->ticket_id) : std::nullopt;
  Status r = boxes.Imported(box.name, v, item.uid, ticket, /*pending=*/true, now);
  if (!r.ok()) return r;
  committed->push_back(item.uid);
  return Status::Ok();
}

Result<PollReport> PollOnce(const MailboxConfig& box, const PollContext& ctx) {
  PollReport report;
  report.mailbox = box.name;
  Result<std::string> password = ReadPassword(box);
  if (!password.ok()) return password.status();
  ImapClient imap(SettingsOf(box, *password));
  Result<FolderStatus> folder = imap.Status(box.folder);
  if (!folder.ok()) return folder.status();
  const int64_t v = folder->uidvalidity;
  report.uidvalidity = v;
  Result<int64_t> last_uid = LastUid(box, ctx, v, &report);
  if (!last_uid.ok()) return last_uid.status();
  // What an earlier poll committed but could not move yet goes first.
  bool folder_ready = false;
  Result<std::vector<int64_t>> pending = MailboxStore(ctx.reader).Pending(box.name, v);
  if (!pending.ok()) return pending.status();
  Status s = Finish(imap, box, ctx, v, *pending, &folder_ready, &report);
  if (!s.ok()) return s;

  Result<std::vector<int64_t>> uids = imap.UidsAfter(box.folder, v, *last_uid);
  if (!uids.ok()) return uids.status();
  report.found = static_cast<int64_t>(uids->size());
  size_t take = std::min(uids->size(), static_cast<size_t>(box.batch));
  size_t done = 0;
  for (size_t start = 0; start < take; start += kChunk) {
    std::vector<int64_t> chunk(uids->begin() + start, uids->begin() + std::min(take, start + kChunk));
    Result<std::vector<Item>> items = FetchChunk(imap, box, ctx, v, chunk);
    if (!items.ok()) return items.status();
    PollReport counts;
    std::vector<int64_t> committed;
    s = ctx.run([&](Store& store) -> Status {
      counts = PollReport();
      committed.clear();
      Timestamp now = ctx.clock.Now();
      for (const Item& item : *items) {
        Status r = FileItem(store, box, ctx, v, item, now, &counts, &committed);
        if (!r.ok()) return r;
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    report.created += counts.created;
    report.appended += counts.appended;
    report.duplicates += counts.duplicates;
    report.rejected += counts.rejected;
    report.too_large += counts.too_large;
    report.deferred += counts.deferred;
    done = start + chunk.size();
    if (ctx.after_commit) ctx.after_commit();
    s = Finish(imap, box, ctx, v, committed, &folder_ready, &report);
    if (!s.ok()) return s;
  }
  report.waiting = report.found - static_cast<int64_t>(done);
  return report;
}

}  // namespace

Result<PollReport> PollMailbox(const MailboxConfig& box, const PollContext& ctx) {
  // One poller per mailbox among the daemons and `frontdesk fetch` runs
  // sharing a database; filing twice would be safe (the Message-ID keys),
  // fetching and moving every message twice would not be kind to the server.
  MailboxStore holder(ctx.reader);
  Result<bool> mine = holder.TryHoldPoll(box.name);
  if (!mine.ok()) return mine.status();
  if (!*mine) {
    PollReport skipped;
    skipped.mailbox = box.name;
    skipped.polled_elsewhere = true;
    return skipped;
  }
  Result<PollReport> report = PollOnce(box, ctx);
  Status released = holder.ReleasePoll(box.name);
  if (!released.ok()) spdlog::warn("mailbox {}: {}", box.name, released.message());
  Timestamp now = ctx.clock.Now();
  Status s = ctx.run([&](Store& store) {
    MailboxStore boxes(store);
    return report.ok() ? boxes.PollSucceeded(box.name, report->waiting, now)
                       : boxes.PollFailed(box.name, report.status().message(), now);
  });
  if (!s.ok()) spdlog::warn("mailbox {}: recording the poll: {}", box.name, s.message());
  return report;
}

std::chrono::seconds PollDelay(const MailboxConfig& box, int64_t failures) {
  using std::chrono::seconds;
  seconds cap = std::min(box.interval * 16, std::max(box.interval, seconds(15 * 60)));
  seconds delay = box.interval;
  for (int64_t i = 0; i < failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

std::string DescribePoll(const PollReport& r) {
  std::string out = "mailbox " + r.mailbox + ": " + std::to_string(r.found) + " new";
  auto add = [&](int64_t n, const char* what) {
    if (n) out += ", " + std::to_string(n) + " " + what;
  };
  add(r.created, "new tickets");
  add(r.appended, "added to tickets");
  add(r.duplicates, "already stored");
  add(r.rejected, "rejected by rules");
  add(r.too_large, "over the size limit (left on the server)");
  add(r.deferred, "not readable yet (moved to the spool to be tried again)");
  add(r.finished, r.finished == 1 ? "moved or deleted" : "moved or deleted");
  add(r.waiting, "waiting for the next poll");
  if (r.uidvalidity_changed) out += "; UIDVALIDITY changed, folder read again";
  return out;
}

}  // namespace frontdesk
