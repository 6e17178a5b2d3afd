#include "daemon/intake/mail_plan.h"

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/loader.h"
#include "daemon/intake/mail_intake.h"
#include "daemon/mail/signature.h"
#include "daemon/sla/engine.h"
#include "daemon/store/secret_store.h"
#include "daemon/tickets/router.h"
#include "daemon/tickets/ticket_service.h"
#include "tests/test_db.h"
#include "tests/test_util.h"

namespace frontdesk {
namespace {

using std::chrono::days;
using testing::At;

// [mail] comes last, so a row can append keys to it.
const char* kConfig = R"toml(
[[queue]]
name = "support"
addresses = ["support@example.test"]
comment_addresses = ["support-comment@example.test"]
agents = ["agent@example.test"]
[[queue]]
name = "billing"
addresses = ["billing@example.test"]
agents = ["biller@example.test"]
[[sla]]
name = "std"
first_response = "1h"
resolution = "8h"
[[route]]
id = "no-casino"
[route.when]
subject = "(?i)casino"
[route.then]
reject = "We do not take gambling offers."
[mail]
max_message_bytes = 4096
)toml";

// Stands for a Message-ID this installation signed for ticket 1001; the
// secret is random per store, so the row's text cannot hold the real one.
const std::string kOurs = "{ours}@example.test";
// Stands for the Message-ID of the new-ticket alert Frontdesk sent to
// agent@example.test about ticket 1001: what proves an agent's reply.
const std::string kAlert = "{alert}@example.test";

// The tables any intake writes to.
const char* kTables[] = {"tickets",      "messages",         "events",     "outbox",
                         "raw_messages", "idempotency_keys", "rejections", "ticket_addresses"};

struct Fixture {
  testing::ScratchDatabase db;
  Config config;
  std::shared_ptr<const SlaEngine> sla;
  std::shared_ptr<const Router> router;
  std::unique_ptr<Store> store;
  std::string secret;
  Timestamp now = At("2026-11-23T10:00:00Z");
  Timestamp plan_at = now;

  Fixture() {
    Load("");
    StoreOptions o;
    o.migrate = true;
    Result<std::unique_ptr<Store>> s = Store::Open(db.location(), o);
    REQUIRE(s.ok());
    store = std::move(*s);
    InTxn([&] {
      Result<std::string> got = SecretStore(*store).GetOrCreate(kMailSecret, now);
      if (got.ok()) secret = *got;
      return got.status();
    });
  }
  // Loads kConfig with `mail_keys` added to its [mail] table.
  void Load(const std::string& mail_keys) {
    Result<Config> c = LoadConfigText(std::string(kConfig) + mail_keys, "fd.toml");
    INFO(c.status().message());
    REQUIRE(c.ok());
    config = std::move(*c);
    Result<std::shared_ptr<const SlaEngine>> e = SlaEngine::Build(config);
    REQUIRE(e.ok());
    sla = *e;
    Result<std::shared_ptr<const Router>> r = Router::Build(config);
    REQUIRE(r.ok());
    router = *r;
  }
  void InTxn(const std::function<Status()>& job) {
    Result<std::unique_ptr<Txn>> txn = Txn::Begin(store->db());
    REQUIRE(txn.ok());
    Status s = job();
    INFO(s.message());
    REQUIRE(s.ok());
    REQUIRE((*txn)->Commit().ok());
  }
  // An earlier mail, taken in as the intake would.
  void Accept(const std::string& raw) {
    InTxn([&] {
      InboundMail in;
      in.raw = raw;
      in.source = "mailgate";
      return AcceptMail(*store, in, config, *router, *sla, now).status();
    });
  }
  void SetStatus(int64_t ticket_id, TicketStatus status) {
    InTxn([&] {
      TicketPatch p;
      p.status = status;
      TicketService service(*store, config, *sla);
      return service
          .Patch(ticket_id, p, std::nullopt, Actor::AgentByMail("agent@example.test"), now)
          .status();
    });
  }
  int64_t Count(const std::string& table) {
    Result<Stmt> st = store->db().Prepare("SELECT count(*) FROM " + table);
    REQUIRE(st.ok());
    REQUIRE(*st->Step());
    return st->Int(0);
  }
  // The Message-ID Frontdesk gave the alert it queued for `agent`, or a
  // placeholder no mail answers when there is none.
  std::string AlertTo(const std::string& agent) {
    Result<Stmt> st = store->db().Prepare("SELECT message_id FROM outbox WHERE recipient = ?1 ORDER BY id LIMIT 1");
    REQUIRE(st.ok());
    st->Bind(1, agent);
    Result<bool> row = st->Step();
    REQUIRE(row.ok());
    return *row ? st->Text(0) : "no-alert";
  }
  std::vector<int64_t> Counts() {
    std::vector<int64_t> out;
    for (const char* table : kTables) out.push_back(Count(table));
    return out;
  }
};

// A plain text mail. An empty `from` leaves the From header out; `extra`
// is more header lines, each ending in "\n".
std::string Mail(const std::string& from, const std::string& to, const std::string& subject,
                 const std::string& message_id, const std::string& extra = "",
                 const std::string& body = "Hello,\nplease help.\n") {
  std::string m;
  if (!from.empty()) m += "From: " + from + "\n";
  m += "To: " + to + "\nSubject: " + subject + "\nDate: Mon, 23 Nov 2026 09:00:00 +0000\n";
  if (!message_id.empty()) m += "Message-ID: <" + message_id + ">\n";
  return m + extra + "\n" + body;
}

std::string InReplyTo(const std::string& id) { return "In-Reply-To: <" + id + ">\n"; }

// The customer's first mail: it makes ticket 1001.
std::string First() {
  return Mail("Carla <cust@example.org>", "support@example.test", "Printer jams",
              "first@example.org", "", "It jams on every page.\n");
}

// The same message as fetched over IMAP: CRLF line ends and another trace header.
std::string AsFetched(const std::string& raw) {
  std::string out = "Return-Path: <cust@example.org>\r\n";
  for (char c : raw) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string CustomerReply(const std::string& extra,
                          const std::string& subject = "Re: Printer jams") {
  return Mail("Carla <cust@example.org>", "support@example.test", subject, "reply-1@example.org",
              extra, "Still jams.\n");
}

// An RFC 3464 report that mail with Message-ID `original` did not reach
// the customer.
std::string Bounce(const std::string& original) {
  return "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
         "To: support@example.test\n"
         "Subject: Undelivered Mail Returned to Sender\n"
         "Message-ID: <dsn-1@mx.example.org>\n"
         "MIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n"
         "\n"
         "--r\n"
         "Content-Type: text/plain\n"
         "\n"
         "Your message could not be delivered to cust@example.org.\n"
         "--r\n"
         "Content-Type: message/delivery-status\n"
         "\n"
         "Reporting-MTA: dns; mx.example.org\n"
         "\n"
         "Final-Recipient: rfc822; cust@example.org\n"
         "Action: failed\n"
         "Status: 5.1.1\n"
         "--r\n"
         "Content-Type: text/rfc822-headers\n"
         "\n"
         "From: support@example.test\n"
         "To: cust@example.org\n"
         "Subject: Re: Printer jams [FD#1001]\n"
         "Message-ID: <" +
         original +
         ">\n"
         "--r--\n";
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

void WithFirst(Fixture& f) { f.Accept(First()); }

TEST_CASE("each kind of mail gets its case, its ticket and its reason", "[intake][plan]") {
  struct Row {
    const char* name;
    std::function<void(Fixture&)> setup = nullptr;
    std::string mail;
    MailCase what;
    int64_t ticket_id = 0;  // 0: a new ticket, or none
    const char* why = "";   // a part of plan.why
    // Checked on every row, so the defaults say "none of this".
    std::string queue = "";
    std::vector<std::string> copy_queues = {};
    std::optional<int64_t> linked = std::nullopt;
    std::optional<int64_t> same_id_in = std::nullopt;
    bool as_comment = false;
    bool oversize = false;
    std::vector<std::string> applied = {};
    std::optional<TicketStatus> agent_status = std::nullopt;
    bool unproven_agent = false;
  };
  const std::string tagged = "Re: Printer jams [FD#1001]";
  const Row rows[] = {
      {.name = "the same bytes twice: a duplicate",
       .setup = WithFirst,
       .mail = First(),
       .what = MailCase::kDuplicate,
       .ticket_id = 1001,
       .why = "filed before, in ticket 1001"},
      {.name = "the same message fetched over IMAP: still a duplicate",
       .setup = WithFirst,
       .mail = AsFetched(First()),
       .what = MailCase::kDuplicate,
       .ticket_id = 1001,
       .why = "filed before, in ticket 1001"},
      {.name = "the same Message-ID with other bytes: a new ticket, flagged",
       .setup = WithFirst,
       .mail = Mail("cust@example.org", "support@example.test", "Printer jams", "first@example.org",
                    "", "It jams on every other page.\n"),
       .what = MailCase::kNewTicket,
       .why = "no ticket it belongs to",
       .queue = "support",
       .same_id_in = 1001},
      {.name = "a customer reply by In-Reply-To",
       .setup = WithFirst,
       .mail = CustomerReply(InReplyTo("first@example.org")),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "In-Reply-To names <first@example.org>, a message of ticket 1001"},
      {.name = "a customer reply by References, the last one known",
       .setup = WithFirst,
       .mail = CustomerReply("References: <elsewhere@example.net> <first@example.org>\n"),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "References names <first@example.org>"},
      {.name = "a customer reply to our signed Message-ID, with no stored row for it",
       .setup = WithFirst,
       .mail = CustomerReply(InReplyTo(kOurs)),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "a message of ticket 1001"},
      {.name = "a customer reply by the subject tag, from the requester",
       .setup = WithFirst,
       .mail = CustomerReply("", tagged),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "the subject tag names ticket 1001, and the sender takes part in it"},
      {.name = "a reply by the subject tag from a CC of the ticket",
       .setup =
           [](Fixture& f) {
             f.Accept(Mail("cust@example.org", "support@example.test", "Printer jams",
                           "first@example.org", "Cc: Boss <boss@example.org>\n"));
           },
       .mail = Mail("boss@example.org", "support@example.test", tagged, "boss-1@example.org"),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "the subject tag names ticket 1001, and the sender takes part in it"},
      {.name = "the subject tag from a stranger is not threaded",
       .setup = WithFirst,
       .mail = Mail("mallory@example.net", "support@example.test", tagged, "m-1@example.net"),
       .what = MailCase::kNewTicket,
       .why = "no ticket it belongs to",
       .queue = "support"},
      {.name = "the subject tag from an agent of another queue is not threaded",
       .setup = WithFirst,
       .mail = Mail("biller@example.test", "support@example.test", tagged, "b-1@example.test"),
       .what = MailCase::kNewTicket,
       .why = "no ticket it belongs to",
       .queue = "support"},
      {.name = "the subject tag of a ticket that does not exist",
       .setup = WithFirst,
       .mail = CustomerReply("", "Re: Printer jams [FD#9999]"),
       .what = MailCase::kNewTicket,
       .why = "no ticket it belongs to",
       .queue = "support"},
      {.name = "agent mail answering the agent's alert, with a command",
       .setup = WithFirst,
       .mail = Mail("agent@example.test", "support@example.test", tagged, "a-1@example.test", InReplyTo(kAlert),
                    "/status solved\nThe tray is fixed.\n"),
       .what = MailCase::kAgentMail,
       .ticket_id = 1001,
       .why = "from agent@example.test, an agent of queue support: it answers <fd.1001.",
       .applied = {"status solved"},
       .agent_status = TicketStatus::kSolved},
      {.name = "agent mail naming the alert in References, with commands",
       .setup = WithFirst,
       .mail = Mail("agent@example.test", "support@example.test", "Re: Printer jams", "a-2@example.test",
                    "References: <first@example.org> <" + kAlert + ">\n",
                    "/priority high\n/tag printer\nLooking into it.\n"),
       .what = MailCase::kAgentMail,
       .ticket_id = 1001,
       .why = "which Frontdesk sent to agent@example.test",
       .applied = {"priority high", "tag printer"}},
      {.name = "agent mail to the comment address is agent mail, as a comment",
       .setup = WithFirst,
       .mail = Mail("agent@example.test", "support-comment@example.test", "Re: Printer jams",
                    "a-3@example.test", InReplyTo(kAlert), "/status pending\nWaiting for the part.\n"),
       .what = MailCase::kAgentMail,
       .ticket_id = 1001,
       .why = "an agent of queue support",
       .as_comment = true,
       .applied = {"status pending"},
       .agent_status = TicketStatus::kPending},
      {.name = "a forged agent by the subject tag: filed as anyone's reply, nothing applied",
       .setup = WithFirst,
       .mail = Mail("agent@example.test", "support@example.test", tagged, "f-1@example.test", "",
                    "/status closed\nClick here to pay.\n"),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "without proof: it answers no mail Frontdesk sent to agent@example.test about ticket 1001",
       .unproven_agent = true},
      {.name = "a forged agent replying to the customer's own message",
       .setup = WithFirst,
       .mail = Mail("agent@example.test", "support@example.test", "Re: Printer jams", "f-2@example.test",
                    InReplyTo("first@example.org"), "/status solved\n"),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "without proof",
       .unproven_agent = true},
      {.name = "a forged agent naming a signed id that went to someone else",
       .setup = WithFirst,
       .mail = Mail("agent@example.test", "support@example.test", "Re: Printer jams", "f-3@example.test",
                    InReplyTo(kOurs), "/status solved\n"),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "without proof",
       .unproven_agent = true},
      {.name = "an outsider's mail to the comment address is no internal note",
       .setup = WithFirst,
       .mail =
           Mail("colleague@example.test", "support-comment@example.test", "Re: Printer jams",
                "c-1@example.test", InReplyTo("first@example.org"), "They have the old model.\n"),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "In-Reply-To names <first@example.org>, a message of ticket 1001",
       .as_comment = true},
      {.name = "a delivery report about our mail: a bounce",
       .setup = WithFirst,
       .mail = Bounce(kOurs),
       .what = MailCase::kBounce,
       .ticket_id = 1001,
       .why = "a delivery report about <fd.1001."},
      {.name = "an automatic reply to the ticket",
       .setup = WithFirst,
       .mail = CustomerReply("Auto-Submitted: auto-replied\n" + InReplyTo(kOurs), "Out of office"),
       .what = MailCase::kAutomatic,
       .ticket_id = 1001,
       .why = "a message of ticket 1001"},
      {.name = "mail from our own address coming back is automatic",
       .setup = WithFirst,
       .mail = Mail("support@example.test", "support@example.test", "Re: Printer jams",
                    "loop-1@example.test", InReplyTo("first@example.org")),
       .what = MailCase::kAutomatic,
       .ticket_id = 1001,
       .why = "In-Reply-To names <first@example.org>"},
      {.name = "mail with our own signed Message-ID coming back is automatic",
       .setup = WithFirst,
       .mail = Mail("alias@example.org", "support@example.test", "Re: Printer jams", kOurs),
       .what = MailCase::kAutomatic,
       .ticket_id = 1001,
       .why = "our own signed Message-ID"},
      {.name = "a new ticket, in the queue addressed",
       .mail = First(),
       .what = MailCase::kNewTicket,
       .why = "no ticket it belongs to",
       .queue = "support"},
      {.name = "a new ticket to billing",
       .mail = Mail("cust@example.org", "billing@example.test", "Invoice", "inv-1@example.org"),
       .what = MailCase::kNewTicket,
       .why = "no ticket it belongs to",
       .queue = "billing"},
      {.name = "two queues addressed: one ticket, in the first",
       .mail = Mail("cust@example.org", "support@example.test", "Printer and invoice",
                    "two-1@example.org", "Cc: billing@example.test\n"),
       .what = MailCase::kNewTicket,
       .why = "no ticket it belongs to",
       .queue = "support"},
      {.name = "two queues addressed with mail.ticket_per_queue: a copy for the other",
       .setup = [](Fixture& f) { f.Load("ticket_per_queue = true\n"); },
       .mail = Mail("cust@example.org", "support@example.test", "Printer and invoice",
                    "two-1@example.org", "Cc: billing@example.test\n"),
       .what = MailCase::kNewTicket,
       .why = "no ticket it belongs to",
       .queue = "support",
       .copy_queues = {"billing"}},
      {.name = "a reply to a closed ticket: a new ticket that points back",
       .setup =
           [](Fixture& f) {
             WithFirst(f);
             f.SetStatus(1001, TicketStatus::kClosed);
           },
       .mail = CustomerReply(InReplyTo("first@example.org")),
       .what = MailCase::kNewTicket,
       .why = "ticket 1001 is closed, so a new ticket points back to it",
       .queue = "support",
       .linked = 1001},
      {.name = "a reply to a ticket solved longer ago than mail.reopen_window: a new ticket",
       .setup =
           [](Fixture& f) {
             WithFirst(f);
             f.SetStatus(1001, TicketStatus::kSolved);
             f.plan_at = f.now + days(15);
           },
       .mail = CustomerReply(InReplyTo("first@example.org")),
       .what = MailCase::kNewTicket,
       .why = "ticket 1001 is solved, so a new ticket points back to it",
       .queue = "support",
       .linked = 1001},
      {.name = "an agent may still reopen a ticket solved longer ago than mail.reopen_window",
       .setup =
           [](Fixture& f) {
             WithFirst(f);
             f.SetStatus(1001, TicketStatus::kSolved);
             f.plan_at = f.now + days(15);
           },
       .mail = Mail("agent@example.test", "support@example.test", "Re: Printer jams", "a-4@example.test",
                    InReplyTo(kAlert), "/status open\nIt is back.\n"),
       .what = MailCase::kAgentMail,
       .ticket_id = 1001,
       .why = "an agent of queue support",
       .applied = {"status open"},
       .agent_status = TicketStatus::kOpen},
      {.name = "a reply to a ticket solved within mail.reopen_window joins it",
       .setup =
           [](Fixture& f) {
             WithFirst(f);
             f.SetStatus(1001, TicketStatus::kSolved);
             f.plan_at = f.now + days(13);
           },
       .mail = CustomerReply(InReplyTo("first@example.org")),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "In-Reply-To names <first@example.org>"},
      {.name = "no From address: quarantined",
       .mail = Mail("", "support@example.test", "Printer jams", "nofrom-1@example.org"),
       .what = MailCase::kQuarantined,
       .why = "no readable sender address",
       .queue = "support"},
      {.name = "over mail.max_message_bytes: quarantined as oversize",
       .mail = Mail("cust@example.org", "support@example.test", "Scan", "big-1@example.org", "",
                    std::string(5000, 'x') + "\n"),
       .what = MailCase::kQuarantined,
       .why = "over mail.max_message_bytes (4096)",
       .queue = "support",
       .oversize = true},
      {.name = "a rule rejects it",
       .mail = Mail("promo@spam.example", "support@example.test", "Best CASINO bonus",
                    "spam-1@spam.example"),
       .what = MailCase::kRejected,
       .why = "rule no-casino: We do not take gambling offers.",
       .queue = "support"},
      {.name = "rules do not reject a reply to a ticket",
       .setup = WithFirst,
       .mail = CustomerReply(InReplyTo("first@example.org"), "Re: Printer jams near the casino"),
       .what = MailCase::kCustomerReply,
       .ticket_id = 1001,
       .why = "In-Reply-To names <first@example.org>"},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    Fixture f;
    if (row.setup) row.setup(f);
    InboundMail in;
    in.raw = Replace(row.mail, "{ours}", SignMessageId(f.secret, 1001, "bm9uY2U"));
    in.raw = Replace(in.raw, "{alert}", f.AlertTo("agent@example.test"));
    in.source = "mailgate";
    std::vector<int64_t> before = f.Counts();
    Result<MailPlan> plan = PlanMail(*f.store, in, f.config, *f.router, f.secret, f.plan_at);
    INFO(plan.status().message());
    REQUIRE(plan.ok());
    INFO("why: " << plan->why);
    CHECK(Name(plan->what) == std::string(Name(row.what)));
    CHECK(plan->ticket_id == row.ticket_id);
    CHECK_THAT(plan->why, Catch::Matchers::Contains(row.why));
    CHECK(plan->queue == row.queue);
    CHECK(plan->copy_queues == row.copy_queues);
    CHECK(plan->linked_ticket_id == row.linked);
    CHECK(plan->same_message_id_in == row.same_id_in);
    CHECK(plan->as_comment == row.as_comment);
    CHECK(plan->oversize == row.oversize);
    CHECK(plan->agent.applied == row.applied);
    CHECK(plan->agent.errors.empty());
    CHECK(plan->agent.patch.status == row.agent_status);
    CHECK(plan->unproven_agent == row.unproven_agent);
    // Planning only reads: the store is as it was.
    CHECK(f.Counts() == before);
  }
}

}  // namespace
}  // namespace frontdesk
