#include "config/loader.h"

#include <catch2/catch.hpp>

#include "tests/test_util.h"

namespace frontdesk {
namespace {

const char* kMinimal = R"(
[[queue]]
name = "support"
addresses = ["support@example.com"]
)";

std::string ErrorsOf(const std::string& text) {
  Result<Config> c = LoadConfigText(text, "fd.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kInvalid);
  return c.status().message();
}

TEST_CASE("the example config passes", "[config]") {
  Result<Config> c = LoadConfigFile(std::string(FRONTDESK_SOURCE_DIR) + "/config/frontdesk.example.toml");
  INFO(c.status().message());
  REQUIRE(c.ok());
  CHECK(c->queues.size() == 2);
  CHECK(c->DefaultQueue()->name == "support");
  CHECK(c->server.public_listen.ToString() == "127.0.0.1:8080");
  CHECK(c->server.max_body_bytes == 10 * 1024 * 1024);
  CHECK(c->server.busy_timeout == std::chrono::milliseconds(5000));
}

TEST_CASE("a minimal config gets the documented defaults", "[config]") {
  Result<Config> c = LoadConfigText(kMinimal, "fd.toml");
  REQUIRE(c.ok());
  CHECK(c->server.data_dir == "/var/lib/frontdesk");
  CHECK(c->server.DatabasePath() == "/var/lib/frontdesk/frontdesk.db");
  CHECK(c->server.admin_listen.ToString() == "127.0.0.1:8081");
  CHECK(c->logging.level == "info");
  CHECK(c->DefaultQueue()->name == "support");
}

TEST_CASE("a TOML syntax error names its place", "[config]") {
  CHECK(ErrorsOf("[server\nthreads = 4\n") ==
        "fd.toml:1:8: Error while parsing table header: expected ']', saw '\\n'");
}

TEST_CASE("each kind of config error has its exact text", "[config]") {
  struct Case {
    const char* name;
    std::string text;
    std::string error;
  };
  const std::string q = kMinimal;
  const Case cases[] = {
      {"unknown key with a hint", "[server]\npublic_treads = 4\n" + q,
       "fd.toml:2:1: server.public_treads: unknown key (did you mean 'public_threads'?)"},
      {"unknown key without a hint", "[server]\nfrobnicate = 1\n" + q,
       "fd.toml:2:1: server.frobnicate: unknown key"},
      {"unknown section", "[smtpd]\nhost = \"x\"\n" + q, "fd.toml:1:2: smtpd: unknown key (did you mean 'smtp'?)"},
      {"wrong type", "[server]\npublic_threads = \"four\"\n" + q,
       "fd.toml:2:18: server.public_threads: expected an integer, got a string"},
      {"out of range", "[server]\npublic_threads = 1\n" + q,
       "fd.toml:2:18: server.public_threads: must be between 2 and 1024, got 1"},
      {"bad duration", "[server]\nread_timeout = \"10 seconds\"\n" + q,
       "fd.toml:2:16: server.read_timeout: expected a duration such as \"30m\", \"4h\" or \"3d 2h\", got \"10 seconds\""},
      {"duration as a number", "[server]\nread_timeout = 10\n" + q,
       "fd.toml:2:16: server.read_timeout: expected a duration string such as \"30s\" or \"4h\", got an integer"},
      {"bad size", "[server]\nmax_body_bytes = \"10 parsecs\"\n" + q,
       "fd.toml:2:18: server.max_body_bytes: expected a size such as \"512KiB\", \"10MiB\" or a number of bytes, got \"10 parsecs\""},
      {"bad listen address", "[server]\npublic_listen = \"localhost:80\"\n" + q,
       "fd.toml:2:17: server.public_listen: expected HOST:PORT with an IP address, such as \"127.0.0.1:8080\" or \"[::1]:8081\", got \"localhost:80\""},
      {"admin off loopback", "[server]\nadmin_listen = \"0.0.0.0:8081\"\n" + q,
       "fd.toml:2:16: server.admin_listen: is not a loopback address; the admin API should stay on 127.0.0.1 or ::1 (set admin_allow_remote = true to allow it)"},
      {"same port twice", "[server]\npublic_listen = \"127.0.0.1:9000\"\nadmin_listen = \"127.0.0.1:9000\"\n" + q,
       "fd.toml:3:16: server.admin_listen: must differ from public_listen"},
      {"bad base_url", "[server]\nbase_url = \"example.com\"\n" + q,
       "fd.toml:2:12: server.base_url: must start with http:// or https://"},
      {"bad log level", "[logging]\nlevel = \"loud\"\n" + q,
       "fd.toml:2:9: logging.level: must be one of trace, debug, info, warn, error, critical, off; got \"loud\""},
      {"invalid address", "[[queue]]\nname = \"support\"\naddresses = [\"support@\"]\n",
       "fd.toml:3:14: queue[0].addresses[0]: invalid mail address \"support@\": the domain is empty"},
      {"address with a display name", "[[queue]]\nname = \"s\"\nagents = [\"Al <al@x.org>\"]\n",
       "fd.toml:3:11: queue[0].agents[0]: invalid mail address \"Al <al@x.org>\": it contains white space or a control character"},
      {"missing name", "[[queue]]\naddresses = [\"a@example.com\"]\n",
       "fd.toml:1:1: queue[0].name: missing required key"},
      {"bad queue name", "[[queue]]\nname = \"Sales Team\"\n",
       "fd.toml:2:8: queue[0].name: \"Sales Team\" is not a valid queue name; use 1 to 64 of a-z, 0-9, '-' and '_'"},
      {"duplicate queue name", q + "[[queue]]\nname = \"support\"\n",
       "fd.toml:6:8: queue[1].name: duplicate queue name \"support\" (first defined at 3:8)"},
      {"address in two queues", q + "[[queue]]\nname = \"sales\"\naddresses = [\"Support@EXAMPLE.com\"]\n",
       "fd.toml:7:14: queue[1].addresses: address \"support@example.com\" is already used by queue[0].addresses"},
      {"duplicate address in a list", "[[queue]]\nname = \"s\"\nagents = [\"a@x.org\", \"a@X.org\"]\n",
       "fd.toml:3:22: queue[0].agents[1]: duplicate address \"a@x.org\""},
      {"two defaults", "[[queue]]\nname = \"a\"\ndefault = true\n[[queue]]\nname = \"b\"\ndefault = true\n",
       "fd.toml:6:11: queue[1].default: only one queue may be the default; \"a\" already is"},
      {"no queue", "[logging]\nlevel = \"info\"\n", "fd.toml:1:1: queue: at least one [[queue]] is required"},
      {"queue is not an array of tables", "queue = \"support\"\n",
       "fd.toml:1:1: queue: at least one [[queue]] is required\n"
       "fd.toml:1:9: queue: expected an array of tables ([[queue]]), got a string"},
      {"unknown queue reference", q + "[form]\nqueue = \"billing\"\n",
       "fd.toml:6:9: form.queue: unknown queue \"billing\""},
      {"array item of the wrong type", "[[queue]]\nname = \"s\"\nagents = [\"a@x.org\", 7]\n",
       "fd.toml:3:22: queue[0].agents[1]: expected a string, got an integer"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(ErrorsOf(c.text) == c.error);
  }
}

TEST_CASE("[database] chooses the engine and refuses what would go wrong", "[config]") {
  const std::string q = kMinimal;
  Result<Config> lite = LoadConfigText("[database]\nurl = \"sqlite:///srv/fd/fd.db\"\n" + q, "fd.toml");
  REQUIRE(lite.ok());
  CHECK(lite->server.DatabasePath() == "/srv/fd/fd.db");
  CHECK_FALSE(lite->server.DatabaseIsPostgres());
  Result<Config> pg = LoadConfigText(
      "[database]\nurl = \"postgres://fd@db1,db2/fd?target_session_attrs=read-write\"\n" + q, "fd.toml");
  REQUIRE(pg.ok());
  CHECK(pg->server.DatabaseIsPostgres());
  CHECK(pg->server.DatabasePath() == "postgres://fd@db1,db2/fd?target_session_attrs=read-write");
  CHECK(ErrorsOf("[database]\nurl = \"mysql://x/y\"\n" + q) ==
        "fd.toml:2:7: database.url: must start with sqlite:// (sqlite:///var/lib/frontdesk/frontdesk.db) or "
        "postgres:// (postgres://frontdesk@db1,db2/frontdesk?target_session_attrs=read-write)");
  CHECK(ErrorsOf("[database]\nurl = \"postgres://fd:hunter2@db/fd\"\n" + q) ==
        "fd.toml:2:7: database.url: holds a password; put it in password_file (mode 0640) instead, so that logs "
        "and `frontdesk check-config` never show it");
  CHECK(ErrorsOf("[database]\nurl = \"sqlite:///x.db\"\npassword_file = \"/etc/hostname\"\n" + q) ==
        "fd.toml:3:17: database.password_file: is for a postgres:// url; an SQLite file has no password");
  CHECK(ErrorsOf("[database]\nurl = \"postgres://db/fd\"\npassword_file = \"/nonexistent/pw\"\n" + q) ==
        "fd.toml:3:17: database.password_file: cannot read /nonexistent/pw");
  CHECK(ErrorsOf("[database]\npassword_file = \"/etc/hostname\"\n" + q).find("database.url") != std::string::npos);
}

TEST_CASE("a file with five different errors reports all five, in file order", "[config]") {
  const std::string text = R"([server]
public_threads = "many"
read_timeout = "soon"
colour = "blue"

[logging]
level = "chatty"

[[queue]]
name = "support"
addresses = ["not-an-address"]
)";
  CHECK(ErrorsOf(text) ==
        "fd.toml:2:18: server.public_threads: expected an integer, got a string\n"
        "fd.toml:3:16: server.read_timeout: expected a duration such as \"30m\", \"4h\" or \"3d 2h\", got \"soon\"\n"
        "fd.toml:4:1: server.colour: unknown key\n"
        "fd.toml:7:9: logging.level: must be one of trace, debug, info, warn, error, critical, off; got \"chatty\"\n"
        "fd.toml:11:14: queue[0].addresses[0]: invalid mail address \"not-an-address\": it has no '@'");
}

TEST_CASE("config lookup order: flag, environment, ./frontdesk.toml, /etc", "[config]") {
  CHECK(*ResolveConfigPath("/a.toml", "/b.toml") == "/a.toml");
  CHECK(*ResolveConfigPath("", "/b.toml") == "/b.toml");
  testing::TempDir dir;
  char old_cwd[4096];
  REQUIRE(getcwd(old_cwd, sizeof old_cwd));
  REQUIRE(chdir(dir.path().c_str()) == 0);
  dir.Write("frontdesk.toml", kMinimal);
  Result<std::string> local = ResolveConfigPath("", nullptr);
  REQUIRE(chdir(old_cwd) == 0);
  CHECK(*local == "./frontdesk.toml");
}

TEST_CASE("a missing file is a clear error that says the cause and what to do", "[config]") {
  Result<Config> c = LoadConfigFile("/nonexistent/frontdesk.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Status::Code::kNotFound);
  CHECK(c.status().message() ==
        "/nonexistent/frontdesk.toml: cannot read the config file: No such file or directory. "
        "Check the path given by --config or $FRONTDESK_CONFIG, or start from the commented "
        "example: /usr/share/doc/frontdesk/frontdesk.example.toml when installed, "
        "config/frontdesk.example.toml in the source");
}

TEST_CASE("a config path that cannot be opened names the system's cause", "[config]") {
  testing::TempDir dir;
  std::string file = dir.Write("not-a-dir", "x");
  Result<Config> c = LoadConfigFile(file + "/frontdesk.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() ==
        file + "/frontdesk.toml: cannot read the config file: Not a directory");
}

}  // namespace
}  // namespace frontdesk

namespace frontdesk {
namespace {

TEST_CASE("check-config errors for calendars, policies and rules have exact texts", "[config][policy]") {
  struct Case {
    const char* name;
    std::string text;
    std::string error;
  };
  const std::string q = "[[queue]]\nname = \"support\"\n";
  const Case cases[] = {
      {"bad regex", q + "[[route]]\nid = \"r\"\n[route.when]\nsubject = \"(unclosed\"\n",
       "fd.toml:6:11: route[0].when.subject: invalid regular expression: missing ): (unclosed"},
      {"unknown queue in then", q + "[[route]]\nid = \"r\"\n[route.then]\nqueue = \"nowhere\"\n",
       "fd.toml:6:9: route[0].then.queue: unknown queue \"nowhere\""},
      {"unknown calendar in a condition", q + "[[route]]\nid = \"r\"\n[route.when]\nin_business_hours = \"shop\"\n",
       "fd.toml:6:21: route[0].when.in_business_hours: unknown calendar \"shop\""},
      {"unknown policy in then", q + "[[route]]\nid = \"r\"\n[route.then]\nsla = \"gold\"\n",
       "fd.toml:6:7: route[0].then.sla: unknown SLA policy \"gold\""},
      {"duplicate rule id", q + "[[route]]\nid = \"r\"\n[[route]]\nid = \"r\"\n",
       "fd.toml:6:6: route[1].id: duplicate rule id \"r\""},
      {"bad channel", q + "[[route]]\nid = \"r\"\n[route.when]\nchannel = [\"fax\"]\n",
       "fd.toml:6:11: route[0].when.channel: unknown channel \"fax\"; use web, email or api"},
      {"bad time zone", q + "[calendar.shop]\ntimezone = \"Mars/Olympus\"\nmon = [\"09:00-17:00\"]\n",
       "fd.toml:4:12: calendar.shop.timezone: unknown time zone \"Mars/Olympus\"; use an IANA name such as \"Europe/Warsaw\""},
      {"bad window", q + "[calendar.shop]\ntimezone = \"UTC\"\nmon = [\"9-17\"]\n",
       "fd.toml:5:8: calendar.shop.mon[0]: expected a window such as \"09:00-17:00\", got \"9-17\""},
      {"overlapping windows", q + "[calendar.shop]\ntimezone = \"UTC\"\nmon = [\"09:00-13:00\", \"12:00-17:00\"]\n",
       "fd.toml:5:23: calendar.shop.mon[1]: windows must be in order and must not overlap"},
      {"no windows", q + "[calendar.shop]\ntimezone = \"UTC\"\n",
       "fd.toml:3:1: calendar.shop: a calendar needs at least one working window (mon = [\"09:00-17:00\"])"},
      {"bad holiday", q + "[calendar.shop]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\nholidays = [\"2026-02-30\"]\n",
       "fd.toml:6:13: calendar.shop.holidays[0]: expected \"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM-HH:MM\", got \"2026-02-30\""},
      {"unknown calendar in a policy", q + "[[sla]]\nname = \"s\"\ncalendar = \"shop\"\nfirst_response = \"1h\"\n",
       "fd.toml:5:12: sla[0].calendar: unknown calendar \"shop\""},
      {"bad target", q + "[[sla]]\nname = \"s\"\nfirst_response = \"soon\"\n",
       "fd.toml:5:18: sla[0].first_response: expected a target such as \"4h\", \"90m\", \"2d\" (working days), \"1d 4h\" or \"same_business_day\", got \"soon\""},
      {"a cutoff without a same-day target", q + "[[sla]]\nname = \"s\"\nfirst_response = \"4h\"\ncutoff = \"15:00\"\n",
       "fd.toml:6:10: sla[0].cutoff: a cutoff applies only to \"same_business_day\" targets, and this policy has none"},
      {"a cutoff that is not a time", q + "[[sla]]\nname = \"s\"\nfirst_response = \"same_business_day\"\ncutoff = \"3pm\"\n",
       "fd.toml:6:10: sla[0].cutoff: expected a time of day such as \"15:00\", got \"3pm\""},
      {"a standard over 100", q + "[[sla]]\nname = \"s\"\nfirst_response = { within = \"4h\", standard = 120 }\n",
       "fd.toml:5:46: sla[0].first_response.standard: must be above 0 and at most 100 (percent), got 120"},
      {"a standard as text", q + "[[sla]]\nname = \"s\"\nfirst_response = { within = \"4h\", standard = \"90%\" }\n",
       "fd.toml:5:46: sla[0].first_response.standard: expected a percentage such as 90 or 99.5, got a string"},
      {"a target table without within", q + "[[sla]]\nname = \"s\"\nfirst_response = { standard = 90 }\n",
       "fd.toml:5:18: sla[0].first_response.within: missing required key"},
      {"a period in business days", q + "[[sla]]\nname = \"s\"\nresolution = { within = \"3d\", standard = 90, period = \"90m\" }\n",
       "fd.toml:5:55: sla[0].resolution.period: expected whole hours or days from \"1h\" to \"366d\", such as \"7d\" or "
       "\"30d\" (calendar time, not business time), got \"90m\""},
      {"a period without a standard", q + "[[sla]]\nname = \"s\"\nresolution = { within = \"3d\", period = \"7d\" }\n",
       "fd.toml:5:40: sla[0].resolution.period: a period judges a standard; add standard = 90 (percent) beside it"},
      {"a misspelt key in a target table", q + "[[sla]]\nname = \"s\"\nresolution = { within = \"3d\", standrd = 90 }\n",
       "fd.toml:5:31: sla[0].resolution.standrd: unknown key (did you mean 'standard'?)"},
      {"no targets", q + "[[sla]]\nname = \"s\"\n",
       "fd.toml:3:1: sla[0]: a policy needs at least one of first_response, next_response, resolution"},
      {"a level for a missing target",
       q + "[[sla]]\nname = \"s\"\nfirst_response = \"1h\"\n[[sla.escalation]]\ntarget = \"resolution\"\nat = \"50%\"\nnotify = [\"agents\"]\n",
       "fd.toml:7:10: sla[0].escalation[0].target: this policy has no resolution target"},
      {"bad at", q + "[[sla]]\nname = \"s\"\nfirst_response = \"1h\"\n[[sla.escalation]]\ntarget = \"first_response\"\nat = \"soon\"\nnotify = [\"agents\"]\n",
       "fd.toml:8:6: sla[0].escalation[0].at: expected \"75%\" of the target, or an offset from the due time such as \"-30m\" or \"+2h\""},
      {"a level without an action", q + "[[sla]]\nname = \"s\"\nfirst_response = \"1h\"\n[[sla.escalation]]\ntarget = \"first_response\"\nat = \"50%\"\n",
       "fd.toml:6:1: sla[0].escalation[0]: a level needs an action: notify, raise_priority, set_priority, move_to_queue or add_tag"},
      {"pausing on solved", q + "[[sla]]\nname = \"s\"\nfirst_response = \"1h\"\npause_on = [\"solved\"]\n",
       "fd.toml:6:12: sla[0].pause_on: cannot pause on \"solved\"; use open, pending or on_hold"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Result<Config> r = LoadConfigText(c.text, "fd.toml");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == c.error);
  }
}

}  // namespace
}  // namespace frontdesk

namespace frontdesk {
namespace {

TEST_CASE("[[mailbox]] reads with its defaults", "[config][mailbox]") {
  testing::TempDir dir;
  std::string secret = dir.File("imap.secret");
  { std::ofstream(secret) << "pw\n"; }
  Result<Config> c = LoadConfigText(std::string(kMinimal) +
                                        "[[mailbox]]\nname = \"main\"\nhost = \"imap.example.com\"\n"
                                        "user = \"support@example.com\"\npassword_file = \"imap.secret\"\n",
                                    dir.File("fd.toml"));
  INFO(c.status().message());
  REQUIRE(c.ok());
  REQUIRE(c->mailboxes.size() == 1);
  const MailboxConfig& b = c->mailboxes[0];
  CHECK(b.tls == "imaps");
  CHECK(b.EffectivePort() == 993);
  CHECK(b.folder == "INBOX");
  CHECK(b.move_to == "Processed");
  CHECK(b.password_file == secret);  // relative to the config file
  CHECK(b.interval == std::chrono::seconds(60));
  CHECK(b.batch == 100);
}

TEST_CASE("[[mailbox]] errors name the key", "[config][mailbox]") {
  const std::string head = std::string(kMinimal) + "[[mailbox]]\nname = \"main\"\nuser = \"u\"\n";
  CHECK(ErrorsOf(head + "host = \"imap.example.com\"\ntls = \"none\"\npassword = \"p\"\n") ==
        "fd.toml:9:7: mailbox[0].tls: \"none\" would send the password in clear to imap.example.com; use \"imaps\" "
        "or \"starttls\" (\"none\" is for a server on this machine)");
  CHECK(ErrorsOf(head + "host = \"h\"\n") ==
        "fd.toml:5:1: mailbox[0].password: give exactly one of password and password_file");
  CHECK(ErrorsOf(head + "host = \"h\"\npassword = \"p\"\nafter = \"archive\"\n") ==
        "fd.toml:10:9: mailbox[0].after: expected \"move:FOLDER\" or \"delete\", got \"archive\"");
  CHECK(ErrorsOf(head + "host = \"h\"\npassword = \"p\"\nafter = \"move:INBOX\"\n") ==
        "fd.toml:10:9: mailbox[0].after: cannot move messages into the folder they are read from");
  CHECK(ErrorsOf(head + "host = \"h\"\npassword = \"p\"\nqueue = \"sales\"\n") ==
        "fd.toml:10:9: mailbox[0].queue: unknown queue \"sales\"");
  CHECK(ErrorsOf(head + "host = \"h\"\npassword_file = \"/nonexistent/secret\"\n") ==
        "fd.toml:9:17: mailbox[0].password_file: cannot read /nonexistent/secret");
  CHECK(ErrorsOf(head + "host = \"h\"\npassword = \"p\"\nintervall = \"5m\"\n") ==
        "fd.toml:10:1: mailbox[0].intervall: unknown key (did you mean 'interval'?)");
  CHECK(ErrorsOf(head + "host = \"h\"\npassword = \"p\"\nbatch = \"10\"\n") ==
        "fd.toml:10:9: mailbox[0].batch: expected an integer, got a string");
}

}  // namespace
}  // namespace frontdesk

namespace frontdesk {
namespace {

TEST_CASE("[smtp] reads, and its errors name the key", "[config][smtp]") {
  Result<Config> c = LoadConfigText(std::string(kMinimal) + "[smtp]\nurl = \"smtp://127.0.0.1:2525\"\ntls = \"none\"\n",
                                    "fd.toml");
  INFO(c.status().message());
  REQUIRE(c.ok());
  CHECK(c->smtp.enabled());
  CHECK(c->smtp.max_attempts == 10);
  CHECK(c->smtp.retry_after == std::chrono::seconds(60));
  const std::string head = std::string(kMinimal) + "[smtp]\n";
  CHECK(ErrorsOf(head + "url = \"mail.example.com\"\n") ==
        "fd.toml:6:7: smtp.url: expected smtp://HOST:PORT or smtps://HOST:PORT, got \"mail.example.com\"");
  CHECK(ErrorsOf(head + "url = \"smtp://mail.example.com:25\"\ntls = \"none\"\n") ==
        "fd.toml:7:7: smtp.tls: \"none\" would send mail and any password in clear to mail.example.com; use "
        "\"starttls\" or an smtps:// url (\"none\" is for a server on this machine)");
  CHECK(ErrorsOf(head + "url = \"smtps://mail.example.com\"\nuser = \"u\"\n") ==
        "fd.toml:7:8: smtp.user: needs password or password_file");
  CHECK(ErrorsOf(head + "tls = \"starttls\"\n") == "fd.toml:5:1: smtp.url: missing required key");
  CHECK(ErrorsOf(head + "url = \"smtps://h\"\nretrys_after = \"1m\"\n") ==
        "fd.toml:7:1: smtp.retrys_after: unknown key (did you mean 'retry_after'?)");
}

}  // namespace
}  // namespace frontdesk
