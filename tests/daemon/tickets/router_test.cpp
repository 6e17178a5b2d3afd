#include "daemon/tickets/router.h"

#include <catch2/catch.hpp>

#include "tests/test_util.h"

#include "config/loader.h"

namespace frontdesk {
namespace {

using testing::At;

const char* kBase = R"toml(
[[queue]]
name = "support"
default = true
[[queue]]
name = "billing"
[calendar.office]
timezone = "Europe/Warsaw"
mon = ["09:00-17:00"]
[[sla]]
name = "gold"
first_response = "1h"
)toml";

std::shared_ptr<const Router> Build(const std::string& rules) {
  Result<Config> c = LoadConfigText(std::string(kBase) + rules, "fd.toml");
  INFO(c.status().message());
  REQUIRE(c.ok());
  Result<std::shared_ptr<const Router>> r = Router::Build(*c);
  REQUIRE(r.ok());
  return *r;
}

RouteInput Input() {
  RouteInput in;
  in.channel = "email";
  in.from = "ann@shop.example.com";
  in.to = {"billing@example.test"};
  in.subject = "Invoice 2026/11 is wrong";
  in.body = "Hello, about order #98765 please.";
  in.headers = {{"X-Mailer", "Outlook 16"}, {"X-Priority", "1 (Highest)"}};
  in.fields = {{"topic", "Billing"}};
  in.sender_priority = "high";
  in.mailbox = "billing-imap";
  in.now = At("2026-11-23T10:00:00Z");  // Monday 11:00 in Warsaw: open
  return in;
}

TEST_CASE("every condition, matching and not", "[router]") {
  struct Case {
    const char* when;
    bool matches;
  };
  const Case cases[] = {
      {"channel = [\"email\"]", true},
      {"channel = [\"web\", \"api\"]", false},
      {"to = [\"Billing@Example.test\"]", true},
      {"to = [\"sales@example.test\"]", false},
      {"mailbox = [\"billing-imap\"]", true},
      {"mailbox = [\"other\"]", false},
      {"from = [\"ann@shop.example.com\"]", true},
      {"from = [\"bob@shop.example.com\"]", false},
      {"from_domain = [\"example.com\"]", true},  // a subdomain counts
      {"from_domain = [\"ample.com\"]", false},   // a suffix that is not a domain does not
      {"priority = [\"high\", \"urgent\"]", true},
      {"priority = [\"low\"]", false},
      {"subject = \"(?i)^invoice\"", true},
      {"subject = \"refund\"", false},
      {"body = \"order #[0-9]+\"", true},
      {"body = \"^order\"", false},
      {"header = { \"x-mailer\" = \"^Outlook\" }", true},
      {"header = { \"X-Spam\" = \".\" }", false},
      {"field = { topic = \"Billing\" }", true},
      {"field = { topic = \"billing\" }", false},
      {"field_regex = { topic = \"^Bill\" }", true},
      {"field = { order_number = \"1\" }", false},
      {"in_business_hours = \"office\"", true},
      {"in_business_hours = \"24x7\"", true},
  };
  for (const Case& c : cases) {
    INFO(c.when);
    std::shared_ptr<const Router> r =
        Build(std::string("[[route]]\nid = \"r\"\n[route.when]\n") + c.when + "\n[route.then]\nqueue = \"billing\"\n");
    RouteDecision d = r->Route(Input());
    CHECK((d.queue == "billing") == c.matches);
    // The same condition under [route.unless] inverts it.
    std::shared_ptr<const Router> n =
        Build(std::string("[[route]]\nid = \"r\"\n[route.unless]\n") + c.when + "\n[route.then]\nqueue = \"billing\"\n");
    CHECK((n->Route(Input()).queue == "billing") == !c.matches);
  }
}

TEST_CASE("business hours follow the calendar's time", "[router]") {
  std::shared_ptr<const Router> r =
      Build("[[route]]\nid = \"night\"\n[route.unless]\nin_business_hours = \"office\"\n[route.then]\npriority = \"urgent\"\n");
  RouteInput in = Input();
  in.now = At("2026-11-23T16:30:00Z");  // Monday 17:30 in Warsaw: closed
  CHECK(r->Route(in).priority == "urgent");
  in.now = At("2026-11-23T15:30:00Z");  // 16:30: open
  CHECK(r->Route(in).priority.empty());
}

TEST_CASE("all, any, order, stop, captures and every action", "[router]") {
  std::shared_ptr<const Router> r = Build(R"toml(
[[route]]
id = "any-of-two"
match = "any"
[route.when]
subject = "nothing-like-this"
channel = ["email"]
[route.then]
queue = "billing"
priority = "high"
category = "invoices"
assignee = "carol@example.test"
sla = "gold"
tags = ["billing", "order-{order}", "missing-{nope}"]
suppress_auto_reply = true

[[route]]
id = "captures"
[route.when]
body = "order #(?P<order>[0-9]+)"
[route.then]
tags = ["order-{order}"]

[[route]]
id = "stopper"
stop = true
[route.when]
channel = ["email"]
[route.then]
priority = "urgent"

[[route]]
id = "never-reached"
[route.then]
queue = "support"
)toml");
  RouteDecision d = r->Route(Input());
  CHECK(d.matched == std::vector<std::string>{"any-of-two", "captures", "stopper"});
  CHECK(d.queue == "billing");
  CHECK(d.queue_rule == "any-of-two");
  CHECK(d.priority == "urgent");  // a later rule overrides
  CHECK(d.category == "invoices");
  CHECK(d.assignee == "carol@example.test");
  CHECK(d.sla == "gold");
  CHECK(d.tags == std::vector<std::string>{"billing", "order-98765"});
  CHECK(d.suppress_auto_reply);
  CHECK(d.trace.size() == 3);
  CHECK(d.trace[0].actions.back() == "suppress_auto_reply");
  // Captures belong to the rule whose regex made them.
  CHECK(d.trace[0].actions[6] == "tag order-{order} skipped (no such capture)");
  CHECK(d.trace[0].actions[7] == "tag missing-{nope} skipped (no such capture)");
}

TEST_CASE("reject ends routing with its reason", "[router]") {
  std::shared_ptr<const Router> r = Build(R"toml(
[[route]]
id = "no-spam"
[route.when]
header = { "X-Priority" = "^1" }
subject = "(?i)invoice"
[route.then]
reject = "We do not take invoices by mail."
[[route]]
id = "after"
[route.then]
queue = "billing"
)toml");
  RouteDecision d = r->Route(Input());
  CHECK(d.rejected);
  CHECK(d.reject_rule == "no-spam");
  CHECK(d.reject_reason == "We do not take invoices by mail.");
  CHECK(d.queue.empty());
}

TEST_CASE("the priority a sender asked for, from its headers", "[router]") {
  CHECK(SenderPriority({{"X-Priority", "1 (Highest)"}}) == "high");
  CHECK(SenderPriority({{"x-priority", " 5"}}) == "low");
  CHECK(SenderPriority({{"X-Priority", "3"}}) == "normal");
  CHECK(SenderPriority({{"Importance", "High"}}) == "high");
  CHECK(SenderPriority({{"Importance", "low"}}) == "low");
  CHECK(SenderPriority({{"Subject", "urgent!"}}).empty());
}

TEST_CASE("route --explain text", "[router]") {
  std::shared_ptr<const Router> r = Build(R"toml(
[[route]]
id = "bill"
[route.when]
subject = "(?i)invoice"
from_domain = ["other.org"]
[route.then]
queue = "billing"
[[route]]
id = "all"
[route.then]
tags = ["seen"]
)toml");
  RouteInput in = Input();
  CHECK(ExplainRoute(in, r->Route(in)) ==
        "request: channel=email from=ann@shop.example.com to=[billing@example.test] subject=\"Invoice 2026/11 is wrong\" at 2026-11-23T10:00:00Z\n"
        "rule 1 bill (match all): no match\n"
        "  [x] subject =~ /(?i)invoice/ (\"Invoice 2026/11 is wrong\")\n"
        "  [ ] from_domain in [other.org] (it is shop.example.com)\n"
        "rule 2 all (match all): matched\n"
        "  (no conditions: always matches)\n"
        "  then tags+=seen\n"
        "outcome: queue=(unchanged: the default) tags=[seen]\n");
}

}  // namespace
}  // namespace frontdesk
