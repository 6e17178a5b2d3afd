#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "config/loader.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

namespace fs = std::filesystem;

const char* kQueues = R"(
[[queue]]
name = "support"
display_name = "Example Support"
addresses = ["support@example.com"]

[[queue]]
name = "billing"
addresses = ["billing@example.com"]
timezone = "America/New_York"
)";

// A config directory of its own, with template files in it.
class ConfigDir {
 public:
  ConfigDir() {
    char tmpl[] = "/tmp/fd-templates-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~ConfigDir() { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) {
    fs::create_directories((fs::path(dir_) / name).parent_path());
    std::ofstream(fs::path(dir_) / name, std::ios::binary) << content;
  }
  Result<Config> Load(const std::string& text) {
    Write("frontdesk.toml", text);
    return LoadConfigFile(Path("frontdesk.toml"));
  }
  std::string Path(const std::string& name) const { return (fs::path(dir_) / name).string(); }

 private:
  std::string dir_;
};

std::string ErrorsOf(const std::string& text) {
  Result<Config> c = LoadConfigText(text, "fd.toml");
  REQUIRE_FALSE(c.ok());
  return c.status().message();
}

TEST_CASE("without templates every mail has the built-in words", "[config][template]") {
  Result<Config> c = LoadConfigText(kQueues, "fd.toml");
  REQUIRE(c.ok());
  for (const std::string& kind : TemplateKinds()) {
    CHECK(c->Template("support", kind).text == BuiltinTemplate(kind).text);
  }
  CHECK(c->Template("support", "auto_ack").text_origin == "built-in");
  CHECK(c->queues[1].timezone == "America/New_York");
}

TEST_CASE("templates in TOML apply to every queue, part by part", "[config][template]") {
  Result<Config> c = LoadConfigText(std::string(kQueues) + R"(
[templates.auto_ack]
subject = "We have it: {{subject}}"
html = "<p>Ticket {{ticket}}</p>"
)",
                                    "fd.toml");
  REQUIRE(c.ok());
  const MailTemplate& t = c->Template("billing", "auto_ack");
  CHECK(t.subject == "We have it: {{subject}}");
  CHECK(t.subject_origin == "fd.toml:13:11");
  CHECK(t.html == "<p>Ticket {{ticket}}</p>");
  // The text was not written: the built-in one stays.
  CHECK(t.text == BuiltinTemplate("auto_ack").text);
}

TEST_CASE("a queue's own templates override the common ones", "[config][template]") {
  ConfigDir dir;
  dir.Write("templates/billing/solved.txt", "Subject: Paid and done: {{subject}}\n\nTicket {{ticket}} is solved.\n");
  dir.Write("templates/billing/solved.html", "<p>Ticket {{ticket}} is solved.</p>\n");
  dir.Write("templates/all/solved.txt", "Solved: {{ticket}}\n");
  Result<Config> c = dir.Load(R"(
[[queue]]
name = "support"
addresses = ["support@example.com"]

[[queue]]
name = "billing"
addresses = ["billing@example.com"]
[queue.templates]
dir = "templates/billing"

[templates]
dir = "templates/all"
)");
  INFO(c.status().message());
  REQUIRE(c.ok());
  CHECK(c->Template("support", "solved").text == "Solved: {{ticket}}\n");
  CHECK(c->Template("support", "solved").subject == BuiltinTemplate("solved").subject);
  CHECK(c->Template("billing", "solved").subject == "Paid and done: {{subject}}");
  CHECK(c->Template("billing", "solved").text == "Ticket {{ticket}} is solved.\n");
  CHECK(c->Template("billing", "solved").html == "<p>Ticket {{ticket}} is solved.</p>\n");
  CHECK(c->Template("billing", "solved").text_origin == dir.Path("templates/billing/solved.txt") + ":3:1");
  // What billing does not override comes from [templates].
  CHECK(c->Template("billing", "auto_ack").text == BuiltinTemplate("auto_ack").text);
}

TEST_CASE("template errors name the file, line and column", "[config][template]") {
  // Inside a multi-line string, the place is the variable's own.
  CHECK(ErrorsOf(std::string(kQueues) + R"(
[templates.auto_ack]
text = """
Hello {{requester}},
your ticket is {{tiket}}.
"""
)") == "fd.toml:15:16: templates.auto_ack.text: unknown variable \"tiket\"; this template knows ticket, subject, "
       "status, priority, queue, queue_name, category, requester, requester_name, requester_email, due, promise, "
       "support_address, form_url, body");
  CHECK(ErrorsOf(std::string(kQueues) + "[templates.solved]\nsubject = \"Done {{#ticket}}\"\n") ==
        "fd.toml:12:17: templates.solved.subject: the section \"ticket\" is never closed");
  CHECK(ErrorsOf(std::string(kQueues) + "[templates.solved]\nsubject = \"Done\\r\\nBcc: x@example.org\"\n") ==
        "fd.toml:12:16: templates.solved.subject: a subject is one line");
  CHECK(ErrorsOf(std::string(kQueues) + "[templates.agent_reply]\ntext = \"Thanks!\"\n") ==
        "fd.toml:12:9: templates.agent_reply.text: must use {{body}}");
  CHECK(ErrorsOf(std::string(kQueues) + "[templates.auto_akc]\ntext = \"x\"\n") ==
        "fd.toml:11:12: templates.auto_akc: unknown template; known: auto_ack, new_ticket_alert, "
        "customer_reply_alert, note_alert, agent_reply, escalation, solved, rejected, oversize_notice, survey, "
        "low_score_alert, standard_alert, or a name an "
        "escalation level gives as its template");
  CHECK(ErrorsOf(std::string(kQueues) + "[templates.solved]\ntext = 3\nfooter = \"x\"\n") ==
        "fd.toml:12:8: templates.solved.text: expected a string, got an integer\n"
        "fd.toml:13:1: templates.solved.footer: unknown key; a template has subject, text and html");
  // The rejected notice has no ticket, so no ticket number.
  CHECK(ErrorsOf(std::string(kQueues) + "[templates.rejected]\ntext = \"Ticket {{ticket}}\"\n")
            .rfind("fd.toml:12:16: templates.rejected.text: unknown variable \"ticket\"", 0) == 0);
  CHECK(ErrorsOf("[[queue]]\nname = \"a\"\ntimezone = \"Mars/Olympus\"\n") ==
        "fd.toml:3:12: queue[0].timezone: unknown time zone \"Mars/Olympus\"; use an IANA name such as "
        "\"Europe/Berlin\"");
}

TEST_CASE("errors in template files name the template file", "[config][template]") {
  ConfigDir dir;
  dir.Write("t/auto_ack.txt", "Subject: Got it {{subjct}}\n\nTicket {{ticket}}\n");
  dir.Write("t/solved.txt", "Hello,\n\nticket {{ticket}} is {{#status}}solved.\n");
  dir.Write("t/sloved.txt", "x");
  dir.Write("t/README", "not a template");
  Result<Config> c = dir.Load(std::string(kQueues) + "[templates]\ndir = \"t\"\n");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() ==
        dir.Path("t/auto_ack.txt") + ":1:17: templates.auto_ack.subject: unknown variable \"subjct\"; this template "
        "knows ticket, subject, status, priority, queue, queue_name, category, requester, requester_name, "
        "requester_email, due, promise, support_address, form_url, body\n" +
        dir.Path("t/sloved.txt") + ":1:1: templates.sloved: not a template name; known: auto_ack, new_ticket_alert, "
        "customer_reply_alert, note_alert, agent_reply, escalation, solved, rejected, oversize_notice, survey, "
        "low_score_alert, standard_alert, or a name an "
        "escalation level gives as its template\n" +
        dir.Path("t/solved.txt") + ":3:22: templates.solved.text: the section \"status\" is never closed");
  // A part written twice is a mistake, not a silent choice.
  ConfigDir twice;
  twice.Write("t/solved.txt", "Solved {{ticket}}\n");
  c = twice.Load(std::string(kQueues) + "[templates]\ndir = \"t\"\n[templates.solved]\ntext = \"x\"\n");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() == twice.Path("t/solved.txt") + ":1:1: templates.solved.text: also written at " +
                                    twice.Path("frontdesk.toml") + ":14:8; keep one");
  // Bytes that are not UTF-8 never reach a customer's mail.
  ConfigDir latin1;
  latin1.Write("t/solved.txt", "Gr\xfc\xdf" "e, ticket {{ticket}}\n");
  c = latin1.Load(std::string(kQueues) + "[templates]\ndir = \"t\"\n");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() == latin1.Path("t/solved.txt") + ":1:1: templates.solved.text: not valid UTF-8");
  CHECK(ErrorsOf(std::string(kQueues) + "[templates]\ndir = \"/nonexistent/templates\"\n") ==
        "fd.toml:12:7: templates.dir: \"/nonexistent/templates\" is not a directory");
}

// A policy whose one escalation level names `template_name`.
std::string PolicyWithTemplate(const std::string& template_name) {
  return std::string(kQueues) + R"(
[[sla]]
name = "std"
first_response = "4h"
[[sla.escalation]]
target = "first_response"
at = "100%"
notify = ["lead@example.com"]
template = ")" + template_name + "\"\n";
}

TEST_CASE("an escalation level may have a template of its own", "[config][template]") {
  const std::string policy = PolicyWithTemplate("late");
  CHECK(ErrorsOf(policy) == "fd.toml:19:12: sla[0].escalation[0].template: no template \"late\" under [templates]");
  Result<Config> c = LoadConfigText(policy + "[templates.late]\nsubject = \"LATE {{ticket}}: {{target}} {{level}}\"\n",
                                    "fd.toml");
  INFO(c.status().message());
  REQUIRE(c.ok());
  CHECK(c->Template("support", "late").subject == "LATE {{ticket}}: {{target}} {{level}}");
  CHECK(c->Template("support", "late").text == BuiltinTemplate("escalation").text);
  CHECK(ErrorsOf(PolicyWithTemplate("auto_ack")) ==
        "fd.toml:19:12: sla[0].escalation[0].template: \"auto_ack\" is not an escalation template; use "
        "\"escalation\" or a name of your own");
}

}  // namespace
}  // namespace frontdesk

namespace frontdesk {
namespace {

TEST_CASE("canned replies are checked like templates", "[config][template][canned]") {
  Result<Config> c = LoadConfigText(std::string(kQueues) + "[canned.thanks]\ntext = \"Thank you, {{requester_name}}.\"\n",
                                    "fd.toml");
  REQUIRE(c.ok());
  REQUIRE(c->canned.count("thanks"));
  CHECK(c->canned.at("thanks").title == "thanks");
  CHECK(ErrorsOf(std::string(kQueues) + "[canned.thanks]\ntext = \"Hi {{custmer}}\"\n")
            .find("fd.toml:12:8: canned.thanks.text: unknown variable \"custmer\"") != std::string::npos);
  CHECK(ErrorsOf(std::string(kQueues) + "[canned.thanks]\ntitle = \"x\"\n") ==
        "fd.toml:11:1: canned.thanks.text: missing required key");
  CHECK(ErrorsOf(std::string(kQueues) + "[canned]\nthanks = \"x\"\n") ==
        "fd.toml:12:10: canned.thanks: expected a table: [canned.thanks] with text = \"...\"");
  CHECK(ErrorsOf(std::string(kQueues) + "[canned.Thanks]\ntext = \"x\"\n") ==
        "fd.toml:11:1: canned.Thanks: a canned reply's name is 1 to 64 of a-z, 0-9, '-' and '_'");
}

}  // namespace
}  // namespace frontdesk
