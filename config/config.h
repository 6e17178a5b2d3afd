// config.h: the configuration as the rest of Frontdesk sees it, after the
// loader has validated every value. A Config is immutable once loaded; the
// daemon swaps whole Configs on reload, so readers hold a
// shared_ptr<const Config> and never see half of one.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/mail_template.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace frontdesk {

struct ListenAddress {
  std::string host;  // an IP literal; IPv6 without brackets
  int port = 0;
  std::string ToString() const;
};

struct ServerConfig {
  std::string data_dir = "/var/lib/frontdesk";
  std::string database = "frontdesk.db";  // relative to data_dir unless absolute
  // [database] url: "sqlite:///path" or "postgres://...". Empty: the SQLite
  // file `database` names.
  std::string database_url;
  // [database] password_file: the PostgreSQL password, kept out of the URL.
  std::string database_password_file;
  ListenAddress public_listen{"127.0.0.1", 8080};
  ListenAddress admin_listen{"127.0.0.1", 8081};
  // The admin API refuses a non-loopback address unless this is set.
  bool admin_allow_remote = false;
  // Reverse proxies whose X-Forwarded-For is believed, as IP addresses.
  std::vector<std::string> trusted_proxies;
  std::string base_url = "http://127.0.0.1:8080";
  int public_threads = 8;
  int public_max_threads = 64;
  int admin_threads = 2;
  int admin_max_threads = 16;
  int64_t max_body_bytes = 10 * 1024 * 1024;
  int64_t max_header_bytes = 16 * 1024;
  // A body up to this size is read at once; a larger one waits for its
  // size to fit in body_memory_bytes, which each listener's bodies share.
  int64_t buffered_body_bytes = 64 * 1024;
  int64_t body_memory_bytes = 64 * 1024 * 1024;
  // Open connections per listener, and per client address (both listeners).
  int public_max_connections = 512;
  int admin_max_connections = 64;
  int max_connections_per_address = 32;
  // Requests read in full that wait for a thread; 503 beyond.
  int public_max_pending = 256;
  int admin_max_pending = 32;
  std::chrono::seconds header_timeout{10};   // the request line and headers
  std::chrono::seconds request_timeout{60};  // a whole request, and a whole answer
  std::chrono::seconds read_timeout{10};     // the longest silence within a request
  std::chrono::seconds write_timeout{10};
  std::chrono::seconds keep_alive_timeout{2};
  int keep_alive_max_requests = 100;
  std::chrono::milliseconds busy_timeout{5000};

  // Where the database is: a postgres:// URL from [database] url, or the
  // SQLite file (data_dir/database, or database when it is absolute; or
  // the path of a sqlite:// url).
  std::string DatabasePath() const;
  bool DatabaseIsPostgres() const;
  // data_dir/dir, or dir when it is absolute.
  std::string PathIn(const std::string& dir) const;
};

struct LoggingConfig {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
};

struct QueueConfig {
  std::string name;
  std::string display_name;
  std::vector<std::string> addresses;  // where customers write (correspond)
  std::vector<std::string> comment_addresses;  // agents' internal notes
  std::vector<std::string> agents;
  std::string lead;  // told of low satisfaction scores; may be empty
  bool is_default = false;
  // The zone customers of this queue read times in (the promised reply
  // time); "" = the zone of the ticket's SLA calendar.
  std::string timezone;
  // The language its customers read (a BCP 47 tag Frontdesk has words for:
  // en, pl, ru, bg, it, de); "" = [locale] language. The loader stores the
  // language code ("pl" for "pl-PL").
  std::string language;
  // This queue's own words for some mails, whole (every part resolved
  // against [templates] and the built-in ones); see Config::Template.
  std::map<std::string, MailTemplate, std::less<>> templates;
};

// An extra field on the web form. Its value is stored on the ticket and can
// be matched by routing rules.
struct FormField {
  std::string name;   // the form field name: 1 to 32 of a-z, 0-9 and '_'
  std::string label;
  std::string kind = "text";  // text, textarea or select
  std::vector<std::string> options;  // for select
  bool required = false;
  int max_chars = 200;
};

// The public web form and the public intake behind it.
struct FormConfig {
  std::string queue;  // where form tickets start; empty means the default queue
  std::string title = "Contact support";
  std::string intro = "Tell us what you need. We will answer by email.";
  std::string submit_label = "Send request";
  std::string thanks_title = "Thank you";
  std::string thanks_text = "We have received your request and will answer by email.";
  bool require_name = false;
  int max_name_chars = 200;
  int max_subject_chars = 250;
  int max_message_chars = 20000;
  int max_attachments = 5;
  int64_t max_attachment_bytes = 5 * 1024 * 1024;
  // Each client may send at most rate_limit tickets per rate_limit_window,
  // with the allowance refilling evenly over the window. A client is an
  // IPv4 address, or an IPv6 /64 (one subscriber's network).
  int rate_limit = 10;
  std::chrono::seconds rate_limit_window{600};
  // Sites whose own pages may post the form, besides server.base_url's
  // ("https://www.example.com"). Browsers posting from any other origin
  // are refused, so another site cannot make its visitors send tickets.
  // Stored as browsers send the Origin header: lower case, no default
  // port, no trailing slash.
  std::vector<std::string> allowed_origins;
  // The origin of server.base_url, worked out by the loader: the form's own
  // pages post from it.
  std::string public_origin;
  std::vector<FormField> fields;
};

// A span of local wall-clock time in one day: [start, end) in minutes since
// midnight; end may be 1440 ("24:00").
struct TimeWindow {
  int start_minute = 0;
  int end_minute = 0;
};

// A day (or part of one) when a calendar is closed although its week says
// open: a full day, or a window of it.
struct Closure {
  int year = 0, month = 0, day = 0;
  TimeWindow window{0, 1440};
};

// Working time. `week[0]` is Monday, `week[6]` Sunday; windows are sorted
// and do not overlap. The built-in calendar "24x7" is always open.
struct CalendarConfig {
  std::string name;
  std::string timezone = "UTC";
  std::array<std::vector<TimeWindow>, 7> week;
  std::vector<Closure> holidays;
  bool always_open = false;
};

// One rung of an escalation ladder: when it fires, and what it does.
struct EscalationLevel {
  std::string target;  // first_response, next_response or resolution
  // Either a share of the target (75 means 75 %), or an offset from the due
  // time in business seconds (negative: before it).
  std::optional<int> at_percent;
  std::optional<int64_t> at_offset_seconds;
  std::string at_text;  // as written, for explanations
  std::vector<std::string> notify;  // addresses, "agents" or "assignee"
  bool raise_priority = false;      // one step up, at most to urgent
  std::string set_priority;
  std::string move_to_queue;
  std::string add_tag;
  // The template of the mail to `notify`: "escalation", or a template of
  // its own under [templates].
  std::string template_name = "escalation";
  int template_line = 0, template_column = 0;  // where it is named
};

// An SLA target: whole working days of the calendar, then business seconds;
// or "same_business_day": the close of the business day the clock starts
// on, the next one's when it starts after `cutoff_minute` (a minute of the
// calendar's local day) or outside working hours.
struct SlaDuration {
  SlaDuration() = default;
  SlaDuration(int d, int64_t s, std::string as_written) : days(d), seconds(s), text(std::move(as_written)) {}

  int days = 0;
  int64_t seconds = 0;
  std::string text;  // as written
  bool same_business_day = false;
  std::optional<int> cutoff_minute;  // same_business_day only; the policy's cutoff
};

// A service standard: the share of a target's clocks that should be met in
// time, judged over a rolling period ("90% of first responses within 4h,
// over the last 7 days"). docs/METRICS.md defines how it is counted.
struct ServiceStandard {
  std::string target;  // first_response, next_response or resolution
  double percent = 0;  // (0, 100]
  std::chrono::seconds period{7 * 86400};
  std::string period_text = "7d";  // as written
};

struct SlaPolicyConfig {
  std::string name;
  int version = 1;  // bump it when you change the policy; tickets record it
  std::string calendar = "24x7";
  // applies_to: a policy applies when every non-empty list contains the
  // ticket's value (for tags: any of them). No lists: the fallback.
  std::vector<std::string> queues, priorities, categories, tags, channels;
  // Targets in business time of the calendar; absent means no target.
  std::optional<SlaDuration> first_response, next_response, resolution;
  std::vector<std::string> pause_on;
  // `cutoff = "15:00"`: for same_business_day targets, mail that arrives
  // after it is due at the close of the next business day.
  std::optional<int> cutoff_minute;
  std::vector<EscalationLevel> escalations;
  // From targets written as tables: first_response = { within = "4h",
  // standard = 90, period = "7d" }. In target order.
  std::vector<ServiceStandard> standards;
};

// One condition of a routing rule, as configured.
struct RouteCondition {
  std::string name;  // the key: channel, to, from, from_domain, subject, ...
  std::vector<std::string> values;  // for list conditions
  std::string pattern;   // for regex conditions (subject, body, header, field_regex)
  std::string header;    // for header: the header's name; for field: the field's name
  std::string calendar;  // for in_business_hours
  bool negate = false;   // from [route.unless]
  std::string where;     // "file:line:col", for explanations
  int line = 0, column = 0;  // where it stands, to evaluate in file order
};

struct RouteActions {
  std::string queue, priority, category, assignee, sla;
  std::vector<std::string> tags;  // may hold {capture} placeholders
  bool suppress_auto_reply = false;
  std::string reject;  // non-empty: reject with this reason
};

struct RouteRule {
  std::string id;
  bool match_any = false;
  bool stop = false;
  std::vector<RouteCondition> conditions;
  RouteActions actions;
};

// Mail intake: caps, charsets, threading.
struct MailConfig {
  // Over this a message is still a ticket, but quarantined.
  int64_t max_message_bytes = 25 * 1024 * 1024;
  // Over this mailgate refuses it for good (exit 65, so the MTA bounces it).
  int64_t hard_max_message_bytes = 50 * 1024 * 1024;
  std::string fallback_charset = "windows-1252";
  // The authserv-id of this box's own MTA. When set, a mail whose topmost
  // Authentication-Results header is from it and says dmarc=pass for the
  // From domain counts as sent from that address (agent mail needs no
  // reply to an alert then). Empty: no header is trusted.
  std::string trusted_authserv_id;
  std::string subject_tag = "FD";  // [FD#1042]
  // A customer reply to a solved ticket reopens it within this window;
  // later, it opens a new ticket linked to the old one.
  std::chrono::seconds reopen_window{14 * 86400};
  // A mail sent to the addresses of several queues makes one ticket (that
  // records every recipient), or with this one ticket per queue.
  bool ticket_per_queue = false;
  // Attachments stored apart from the raw message, per message and each.
  // A new ticket from mail gets an acknowledgement with its number and the
  // first-reply due time (never for automatic mail).
  bool auto_ack = true;
  // Loop safety: at most this many automatic mails to one recipient per
  // window, and one auto-ack per subject per window; the rest are
  // suppressed, each with an event.
  int auto_reply_cap = 10;
  std::chrono::seconds auto_reply_window{3 * 3600};
  int max_attachments = 100;
  int64_t max_attachment_bytes = 20 * 1024 * 1024;
  // Automatic notices to the customer: a ticket solved; a mail a routing
  // rule rejected (off for rules that catch spam: the sender is forged);
  // a mail over max_message_bytes, kept for a person to look at.
  bool solved_notice = true;
  bool rejected_notice = true;
  bool oversize_notice = true;
  // The acknowledgement and the rejected and oversize notices repeat the
  // sender's subject and name only when the sender is proven
  // (trusted_authserv_id, dmarc=pass): to a forged sender they would carry
  // an attacker's words. True repeats them to everyone.
  bool quote_unverified_senders = false;
  // Tell the assignee, or else the queue's agents, of an internal note
  // someone else added.
  bool note_alerts = true;
  // The text of sent and suppressed mail is kept in the outbox this long;
  // the row itself stays. 0 keeps it forever.
  std::chrono::seconds keep_sent_text{90 * 86400};
  // What one message may cost to read. Mail is parsed in worker processes
  // (parse_workers at most) so that a hostile message cannot stall or
  // crash the daemon: each message gets parse_cpu_limit of CPU time (and
  // three times that in wall time), and a worker parse_memory_limit of
  // address space. A message with more MIME parts than max_mime_parts, or
  // nested deeper than max_mime_depth, is read only as far as its headers.
  // Either way it is quarantined with the reason; one that fails
  // parse_attempts times is quarantined too, never retried forever.
  std::chrono::seconds parse_cpu_limit{10};
  int64_t parse_memory_limit = 1024 * 1024 * 1024;
  int parse_workers = 2;
  int parse_attempts = 3;
  int max_mime_parts = 1000;
  int max_mime_depth = 30;
};

// One IMAP folder polled for new mail ([[mailbox]]).
struct MailboxConfig {
  std::string name;  // in logs, /healthz, and the routing condition "mailbox"
  std::string host;
  int port = 0;  // 0: 993 for imaps, 143 otherwise
  std::string tls = "imaps";  // imaps, starttls or none (loopback only)
  std::string user;
  std::string password;
  std::string password_file;  // absolute; read at every poll, so rotation needs no reload
  std::string ca_file;        // a private CA for the server's certificate
  std::string folder = "INBOX";
  // After its commit a message is moved to this folder, or deleted when
  // empty (after = "delete").
  std::string move_to = "Processed";
  std::string queue;  // for new tickets, before routing rules; "" = by address
  bool as_comment = false;  // action = "comment"
  std::chrono::seconds interval{60};
  std::chrono::seconds timeout{30};
  int batch = 100;  // messages per poll at most; the rest wait for the next
  bool enabled = true;

  int EffectivePort() const { return port ? port : tls == "imaps" ? 993 : 143; }
};

// The SMTP server the outbox is delivered through ([smtp]).
struct SmtpConfig {
  std::string url;  // smtp://host:587 or smtps://host:465; "" = nothing is sent
  std::string tls = "starttls";  // starttls (required), opportunistic, none (loopback only)
  std::string user;
  std::string password;
  std::string password_file;  // absolute; read at every round
  std::string ca_file;
  std::chrono::seconds timeout{30};
  std::string envelope_from;      // the SMTP sender; default: the From address
  std::string message_id_domain;  // default: the domain of the From address
  int max_attempts = 10;
  std::chrono::seconds retry_after{60};  // doubles per attempt, at most 6 hours
  std::chrono::seconds interval{5};      // how often serve looks for due mail
  bool enabled() const { return !url.empty(); }
};

struct EscalationConfig {
  // The daemon's own sweep; turn it off when cron or a timer runs
  // `frontdesk escalate` instead.
  bool tick = true;
  std::chrono::seconds interval{60};
  // How many due tickets one run takes at most; the rest wait for the next.
  int batch = 1000;
};

// The satisfaction survey ([csat]): one mail some time after a ticket is
// solved, with a signed link to a page that asks for a score.
struct CsatConfig {
  bool enabled = false;
  // After the solve; a ticket reopened meanwhile gets no survey then.
  std::chrono::seconds delay{3600};
  // At most one survey per customer in this period.
  std::chrono::seconds per_customer{30 * 86400};
  // The link works this long after the survey is due.
  std::chrono::seconds expires_after{14 * 86400};
  // A new answer replaces the first one for this long after it.
  std::chrono::seconds change_window{7 * 86400};
  int scale_min = 1, scale_max = 5;
  // A score at or under this notifies the queue's lead and puts the
  // customer on the watch list.
  int low_score = 2;
  // An RE2 pattern; recipients whose address it finds get no survey.
  std::string skip;
  // `skip`, compiled once when the config is loaded; null when empty.
  std::shared_ptr<const re2::RE2> skip_pattern;
  int max_comment_chars = 2000;
  std::string question = "How would you rate the help you received?";
  std::string low_label = "Very dissatisfied";
  std::string high_label = "Very satisfied";
  std::string thanks_text = "Thank you for telling us. Your answer helps us do better.";
};

// `frontdesk backup` and the backup before a migration ([backup]).
struct BackupConfig {
  // Where copies go; relative to server.data_dir. Put it on another disk
  // when there is one (and allow the path in the unit: ReadWritePaths=).
  std::string dir = "backups";
  int keep = 7;  // copies kept; older ones are removed after a new one
  bool before_migrate = true;
};

// [canned.NAME]: a reply an agent inserts from the console, with the
// ticket's variables filled in ({{requester_name}}, {{ticket}}, {{agent}}).
struct CannedReply {
  std::string title;  // what the menu shows; the name when empty
  std::string text;   // a template (mail_template.h), checked at load
};

// [console]: the agents' console on the admin listener (docs/CONSOLE.md).
// Agents are the queues' agents; each logs in with a password set by
// `frontdesk agent password`.
struct ConsoleConfig {
  bool enabled = true;
  std::vector<std::string> admins;  // agents who may open the admin pages
  std::chrono::seconds idle_timeout{8 * 3600};  // a session unused this long ends
  std::chrono::seconds max_age{7 * 86400};      // and any session this long after its login
  // A header such as X-Remote-User naming the agent a reverse proxy has
  // authenticated; believed only from a loopback peer. Empty: off.
  std::string trusted_proxy_header;
};

// [locale]: the language of customers whose queue names none, and the
// languages the web form may follow a browser's Accept-Language among.
struct LocaleConfig {
  std::string language = "en";
  std::vector<std::string> form_languages;  // empty: the form's queue's language only
};

struct Config {
  std::string path;  // the file this came from
  ServerConfig server;
  LoggingConfig logging;
  FormConfig form;
  std::vector<QueueConfig> queues;
  std::vector<CalendarConfig> calendars;  // "24x7" is always first
  std::vector<SlaPolicyConfig> slas;
  std::vector<RouteRule> routes;
  EscalationConfig escalation;
  MailConfig mail;
  std::vector<MailboxConfig> mailboxes;
  SmtpConfig smtp;
  CsatConfig csat;
  BackupConfig backup;
  ConsoleConfig console;
  std::map<std::string, CannedReply, std::less<>> canned;
  LocaleConfig locale;
  // Every template kind and every escalation level's own template, whole.
  std::map<std::string, MailTemplate, std::less<>> templates;

  // The words for mail `name` of a ticket in `queue`: the queue's own,
  // else [templates], else the built-in ones.
  const MailTemplate& Template(std::string_view queue, std::string_view name) const;
  // The queue with default = true, or the first one; nullptr when none.
  const QueueConfig* DefaultQueue() const;
  const QueueConfig* FindQueue(std::string_view name) const;
  // The language customers of `queue` read: its own, else [locale]'s.
  const std::string& LanguageOf(std::string_view queue) const;
  // Who is told of a queue's low scores and missed standards: its lead,
  // else its agents.
  std::vector<std::string> LeadsOf(std::string_view queue) const;
  // Whether `address` is an agent of any queue.
  bool IsAgent(std::string_view address) const;
  // Whether `address` may open the console's admin pages.
  bool IsConsoleAdmin(std::string_view address) const;
  const CalendarConfig* FindCalendar(std::string_view name) const;
  const SlaPolicyConfig* FindSla(std::string_view name) const;
};

}  // namespace frontdesk
