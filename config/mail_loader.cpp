#include "config/mail_loader.h"

#include <re2/re2.h>

#include <unistd.h>

#include <map>

#include "config/values.h"

namespace frontdesk {
namespace {

constexpr int64_t kMiB = 1024 * 1024;
using std::chrono::seconds;

// An IMAP folder name as the server lists it. Non-ASCII names are written
// in IMAP's modified UTF-7 ("Entw&APw-rfe"), which is printable ASCII too.
bool ValidFolder(const std::string& f) {
  if (f.empty() || f.size() > 200) return false;
  for (char c : f) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '*' || c == '%') return false;
  }
  return true;
}

}  // namespace

void ReadMail(TableReader& root, Config& config, ConfigErrors& errors) {
  const toml::table* t = root.Table("mail");
  if (!t) return;
  TableReader r(*t, "mail", errors);
  MailConfig& m = config.mail;
  r.ByteSize("max_message_bytes", &m.max_message_bytes, 1024, 1024 * kMiB);
  r.ByteSize("hard_max_message_bytes", &m.hard_max_message_bytes, 1024, 2048 * kMiB);
  r.String("fallback_charset", &m.fallback_charset, false, 40);
  r.String("trusted_authserv_id", &m.trusted_authserv_id, false, 255);
  r.String("subject_tag", &m.subject_tag, false, 16);
  r.Duration("reopen_window", &m.reopen_window, seconds(0), seconds(3650 * 86400));
  r.Bool("ticket_per_queue", &m.ticket_per_queue);
  r.Bool("auto_ack", &m.auto_ack);
  r.Bool("solved_notice", &m.solved_notice);
  r.Bool("rejected_notice", &m.rejected_notice);
  r.Bool("oversize_notice", &m.oversize_notice);
  r.Bool("quote_unverified_senders", &m.quote_unverified_senders);
  r.Bool("note_alerts", &m.note_alerts);
  r.Duration("keep_sent_text", &m.keep_sent_text, seconds(0), seconds(3650LL * 86400));
  r.Int("auto_reply_cap", &m.auto_reply_cap, 0, 100000);
  r.Duration("auto_reply_window", &m.auto_reply_window, seconds(60), seconds(30 * 86400));
  r.Int("max_attachments", &m.max_attachments, 0, 10000);
  r.ByteSize("max_attachment_bytes", &m.max_attachment_bytes, 1, 2048 * kMiB);
  r.Duration("parse_cpu_limit", &m.parse_cpu_limit, seconds(1), seconds(600));
  r.ByteSize("parse_memory_limit", &m.parse_memory_limit, 64 * kMiB, 64LL * 1024 * kMiB);
  r.Int("parse_workers", &m.parse_workers, 1, 64);
  r.Int("parse_attempts", &m.parse_attempts, 1, 100);
  r.Int("max_mime_parts", &m.max_mime_parts, 10, 1000000);
  r.Int("max_mime_depth", &m.max_mime_depth, 2, 1000);
  r.Finish();
  if (m.hard_max_message_bytes < m.max_message_bytes) {
    r.Error("hard_max_message_bytes", "must be at least max_message_bytes");
  }
  bool tag_ok = !m.subject_tag.empty();
  for (char c : m.subject_tag) tag_ok = tag_ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  if (!tag_ok) r.Error("subject_tag", "must be 1 to 16 of A-Z, 0-9 and '-'");
}

void ReadMailboxes(TableReader& root, Config& config, ConfigErrors& errors) {
  std::vector<const toml::table*> tables = root.ArrayOfTables("mailbox");
  std::map<std::string, toml::source_position> names;
  for (size_t i = 0; i < tables.size(); ++i) {
    TableReader r(*tables[i], "mailbox[" + std::to_string(i) + "]", errors);
    MailboxConfig b;
    std::string after = "move:Processed", action = "correspond";
    r.String("name", &b.name, /*required=*/true, 64);
    r.String("host", &b.host, /*required=*/true, 253);
    r.Int("port", &b.port, 1, 65535);
    r.OneOf("tls", &b.tls, {"imaps", "starttls", "none"});
    r.String("user", &b.user, /*required=*/true, 320);
    r.String("password", &b.password, false, 1024);
    r.String("password_file", &b.password_file, false, 4096);
    r.String("ca_file", &b.ca_file, false, 4096);
    r.String("folder", &b.folder, false, 200);
    r.String("after", &after, false, 210);
    r.String("queue", &b.queue, false, 64);
    r.OneOf("action", &action, {"correspond", "comment"});
    r.Duration("interval", &b.interval, seconds(1), seconds(86400));
    r.Duration("timeout", &b.timeout, seconds(1), seconds(600));
    r.Int("batch", &b.batch, 1, 10000);
    r.Bool("enabled", &b.enabled);
    r.Finish();
    b.as_comment = action == "comment";

    if (!b.name.empty()) {
      bool ok = true;
      for (char c : b.name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
      if (!ok) r.Error("name", "\"" + b.name + "\" is not a valid mailbox name; use a-z, 0-9, '-' and '_'");
      auto [it, inserted] = names.emplace(b.name, r.PositionOf("name"));
      if (!inserted) {
        r.Error("name", "duplicate mailbox name \"" + b.name + "\" (first defined at " +
                            std::to_string(it->second.line) + ":" + std::to_string(it->second.column) + ")");
      }
    }
    if (b.tls == "none" && !b.host.empty() && !IsLoopbackHost(b.host)) {
      r.Error("tls", "\"none\" would send the password in clear to " + b.host +
                         "; use \"imaps\" or \"starttls\" (\"none\" is for a server on this machine)");
    }
    bool has_password = tables[i]->contains("password"), has_file = tables[i]->contains("password_file");
    if (has_password == has_file) {
      r.Error(has_file ? "password_file" : "password", "give exactly one of password and password_file");
    }
    if (!b.password_file.empty()) {
      if (b.password_file.front() != '/') b.password_file = DirectoryOf(config.path) + "/" + b.password_file;
      if (access(b.password_file.c_str(), R_OK) != 0) {
        r.Error("password_file", "cannot read " + b.password_file);
      }
    }
    if (!b.ca_file.empty() && b.ca_file.front() != '/') b.ca_file = DirectoryOf(config.path) + "/" + b.ca_file;
    if (tables[i]->contains("folder") && !ValidFolder(b.folder)) {
      r.Error("folder", "must be printable ASCII without '\"', '\\\\', '*' or '%' (write other names in IMAP's "
                        "modified UTF-7, as the server lists them)");
    }
    if (after == "delete") {
      b.move_to.clear();
    } else if (after.rfind("move:", 0) == 0 && ValidFolder(after.substr(5))) {
      b.move_to = after.substr(5);
      if (b.move_to == b.folder) r.Error("after", "cannot move messages into the folder they are read from");
    } else {
      r.Error("after", "expected \"move:FOLDER\" or \"delete\", got \"" + after + "\"");
    }
    if (!b.queue.empty() && !config.FindQueue(b.queue)) {
      r.Error("queue", "unknown queue \"" + b.queue + "\"");
    }
    config.mailboxes.push_back(std::move(b));
  }
}

void ReadSmtp(TableReader& root, Config& config, ConfigErrors& errors) {
  const toml::table* t = root.Table("smtp");
  if (!t) return;
  TableReader r(*t, "smtp", errors);
  SmtpConfig& s = config.smtp;
  r.String("url", &s.url, /*required=*/true, 300);
  r.OneOf("tls", &s.tls, {"starttls", "opportunistic", "none"});
  r.String("user", &s.user, false, 320);
  r.String("password", &s.password, false, 1024);
  r.String("password_file", &s.password_file, false, 4096);
  r.String("ca_file", &s.ca_file, false, 4096);
  r.Duration("timeout", &s.timeout, seconds(1), seconds(600));
  r.Address("envelope_from", &s.envelope_from);
  r.String("message_id_domain", &s.message_id_domain, false, 253);
  r.Int("max_attempts", &s.max_attempts, 1, 1000);
  r.Duration("retry_after", &s.retry_after, seconds(1), seconds(86400));
  r.Duration("interval", &s.interval, seconds(1), seconds(3600));
  r.Finish();
  bool smtps = s.url.rfind("smtps://", 0) == 0;
  if (!s.url.empty() && !smtps && s.url.rfind("smtp://", 0) != 0) {
    r.Error("url", "expected smtp://HOST:PORT or smtps://HOST:PORT, got \"" + s.url + "\"");
  }
  std::string host = s.url.substr(s.url.find("://") == std::string::npos ? 0 : s.url.find("://") + 3);
  host = host.substr(0, host.find_first_of(":/"));
  if (!smtps && s.tls == "none" && !IsLoopbackHost(host)) {
    r.Error("tls", "\"none\" would send mail and any password in clear to " + host +
                       "; use \"starttls\" or an smtps:// url (\"none\" is for a server on this machine)");
  }
  if (t->contains("password") && t->contains("password_file")) {
    r.Error("password_file", "give at most one of password and password_file");
  }
  if (!s.user.empty() && !t->contains("password") && !t->contains("password_file")) {
    r.Error("user", "needs password or password_file");
  }
  if (!s.password_file.empty()) {
    if (s.password_file.front() != '/') s.password_file = DirectoryOf(config.path) + "/" + s.password_file;
    if (access(s.password_file.c_str(), R_OK) != 0) r.Error("password_file", "cannot read " + s.password_file);
  }
  if (!s.ca_file.empty() && s.ca_file.front() != '/') s.ca_file = DirectoryOf(config.path) + "/" + s.ca_file;
}

void ReadCsat(TableReader& root, Config& config, ConfigErrors& errors) {
  const toml::table* t = root.Table("csat");
  if (!t) return;
  TableReader r(*t, "csat", errors);
  CsatConfig& c = config.csat;
  r.Bool("enabled", &c.enabled);
  r.Duration("delay", &c.delay, seconds(0), seconds(30 * 86400));
  r.Duration("per_customer", &c.per_customer, seconds(0), seconds(3650 * 86400));
  r.Duration("expires_after", &c.expires_after, seconds(3600), seconds(365 * 86400));
  r.Duration("change_window", &c.change_window, seconds(0), seconds(365 * 86400));
  r.Int("scale_min", &c.scale_min, 0, 1);
  r.Int("scale_max", &c.scale_max, 2, 10);
  bool low_given = t->contains("low_score");
  r.Int("low_score", &c.low_score, 0, 10);
  r.String("skip", &c.skip, false, 1000);
  r.Int("max_comment_chars", &c.max_comment_chars, 0, 20000);
  r.String("question", &c.question, false, 300);
  r.String("low_label", &c.low_label, false, 60);
  r.String("high_label", &c.high_label, false, 60);
  r.String("thanks_text", &c.thanks_text, false, 1000);
  r.Finish();
  if (!low_given && c.scale_max == 10) c.low_score = 6;  // the usual 0-10 reading: 0 to 6 are detractors
  if (c.low_score < c.scale_min || c.low_score >= c.scale_max) {
    r.Error(low_given ? "low_score" : "scale_max",
            "low_score " + std::to_string(c.low_score) + " must be at least scale_min (" + std::to_string(c.scale_min) +
                ") and under scale_max (" + std::to_string(c.scale_max) + ")");
  }
  if (!c.skip.empty()) {
    RE2::Options o;
    o.set_log_errors(false);
    auto re = std::make_shared<const RE2>(c.skip, o);
    if (re->ok()) {
      c.skip_pattern = std::move(re);
    } else {
      r.Error("skip", "not a valid RE2 pattern: " + re->error());
    }
  }
}

}  // namespace frontdesk
