#include "daemon/intake/agent_mail.h"

#include <catch2/catch.hpp>

#include "config/loader.h"

namespace frontdesk {
namespace {

Config TwoQueues() {
  Result<Config> c = LoadConfigText(
      "[[queue]]\nname = \"support\"\naddresses = [\"support@example.test\"]\nagents = [\"agent@example.test\"]\n"
      "[[queue]]\nname = \"billing\"\naddresses = [\"billing@example.test\"]\nagents = [\"bill@example.test\"]\n",
      "fd.toml");
  REQUIRE(c.ok());
  return *c;
}

Ticket Open() {
  Ticket t;
  t.id = 1001;
  t.status = TicketStatus::kOpen;
  t.queue = "support";
  t.tags = {"vip"};
  return t;
}

TEST_CASE("only the text above the quote is kept", "[agent]") {
  CHECK(StripQuoted("Done.\n\nOn Mon, 16 Nov 2026 at 10:00, Ann <ann@example.org> wrote:\n> help\n") == "Done.\n");
  CHECK(StripQuoted("Fixed.\n> quoted\nmore\n") == "Fixed.\n");
  CHECK(StripQuoted("Yes.\n-----Original Message-----\nFrom: x\n") == "Yes.\n");
  CHECK(StripQuoted(std::string("Above.\n") + std::string(kReplyMarker) + "\nBelow.\n") == "Above.\n");
  CHECK(StripQuoted("No quote at all.\n") == "No quote at all.\n");
}

TEST_CASE("commands on the first lines apply together and leave the text", "[agent]") {
  Config config = TwoQueues();
  AgentMail m = ReadAgentMail("\n/status solved\n/priority HIGH\n/assign me\n/tag refund\n\nAll fixed now.\n> old\n",
                              "agent@example.test", Open(), config);
  CHECK(m.errors.empty());
  CHECK(m.text == "All fixed now.\n");
  CHECK(m.patch.status == TicketStatus::kSolved);
  CHECK(m.patch.priority == "high");
  CHECK(*m.patch.assignee == std::optional<std::string>("agent@example.test"));
  CHECK(*m.patch.tags == std::vector<std::string>{"vip", "refund"});
  CHECK(m.applied == std::vector<std::string>{"status solved", "priority high", "assign agent@example.test",
                                              "tag refund"});
  CHECK_FALSE(m.note);
}

TEST_CASE("a wrong command applies nothing and says why", "[agent]") {
  Config config = TwoQueues();
  AgentMail m = ReadAgentMail("/priority high\n/status maybe\n/queue sales\n/frobnicate\n/assign x@elsewhere.org\nText",
                              "agent@example.test", Open(), config);
  CHECK(m.errors == std::vector<std::string>{
                        "/status maybe: expected open, pending, on_hold, solved or closed",
                        "/queue sales: no queue is named \"sales\"",
                        "/frobnicate: unknown command; known are /status, /close, /assign, /priority, /queue, /tag "
                        "and /note",
                        "/assign x@elsewhere.org: expected me or the address of an agent"});
  CHECK_FALSE(m.patch.priority);
  CHECK(m.applied.empty());
  CHECK(m.text == "Text\n");
  Ticket closed = Open();
  closed.status = TicketStatus::kClosed;
  CHECK(ReadAgentMail("/status open\n", "agent@example.test", closed, config).errors ==
        std::vector<std::string>{"/status open: a closed ticket cannot become open"});
}

TEST_CASE("/note keeps the mail internal; a slash later in the text is text", "[agent]") {
  Config config = TwoQueues();
  AgentMail m = ReadAgentMail("/note\nChecked the logs.\n/status solved is what I would do\n", "agent@example.test",
                              Open(), config);
  CHECK(m.note);
  CHECK(m.errors.empty());
  CHECK(m.text == "Checked the logs.\n/status solved is what I would do\n");
  CHECK(IsQueueAgent(config, "support", "agent@example.test"));
  CHECK_FALSE(IsQueueAgent(config, "support", "bill@example.test"));
}

}  // namespace
}  // namespace frontdesk
