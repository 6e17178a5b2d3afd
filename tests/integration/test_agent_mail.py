"""Agents working from their own mail client, through the real mailgate, the
real daemon and a real SMTP sink: a reply is relayed to the customer from
the support address, without the quote and the command lines; commands
apply together; a wrong command applies nothing and the agent is told; the
comment address and /note keep mail internal; only agents of the queue can
give commands."""

import json
import time
import unittest

from harness import Frontdesk
from smtp_sink import SmtpServer


def mail(sender, subject, msgid, body, extra=""):
    return (f"From: {sender}\r\nTo: support@example.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{msgid}>\r\n{extra}\r\n{body}\r\n").encode()


class AgentMailTest(unittest.TestCase):
    def setUp(self):
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)
        self.sink.start()
        self.fd = Frontdesk(extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{self.sink.port}"\ntls = "none"\n'
                                         f'interval = "1s"\n[mail]\nauto_ack = false\n')
        self.addCleanup(self.fd.close)
        self.fd.start()
        self.gate(mail("Ann <ann@example.org>", "Printer broken", "c1@example.org", "It does not print."))

    def gate(self, data, *args):
        self.fd.deliver(data, *args)

    def ticket(self):
        return self.fd.get("/api/v1/tickets/1001", scope="read").json()

    def sent(self, n, to="ann@example.org"):
        return self.sink.wait_for(to, n)

    def alert(self, to="agent@example.test"):
        """The Message-ID of the new-ticket alert `to` got: answering it
        proves the mail is the agent's."""
        for m in self.sent(1, to=to):
            if "New ticket 1001" in m.get_content():
                return m["Message-ID"].strip()
        raise AssertionError(f"no new-ticket alert to {to}")

    def agent(self, body, msgid, sender="Agent Smith <agent@example.test>", *args, reply_to=None):
        reply_to = reply_to or self.alert()
        self.gate(mail(sender, "Re: Printer broken", msgid, body, extra=f"In-Reply-To: {reply_to}\r\n"), *args)

    def test_a_reply_is_relayed_without_quote_commands_or_the_agents_address(self):
        self.agent("/priority high\r\n/tag printer\r\n\r\nWe are on it.\r\n\r\n"
                   "On Mon, 16 Nov 2026 at 10:00, Ann <ann@example.org> wrote:\r\n> It does not print.", "a1@example.test")
        (m,) = self.sent(1)
        self.assertEqual(m["To"], "Ann <ann@example.org>")
        self.assertEqual(m["From"], "Test Support <support@example.test>")
        self.assertNotIn("agent@example.test", m.as_string())
        self.assertEqual(m.get_content().strip(), "We are on it.")
        t = self.ticket()
        self.assertEqual(t["priority"], "high")
        self.assertEqual(t["tags"], ["printer"])
        self.assertEqual(t["status"], "open")
        self.assertIsNotNone(t["first_response_at"])
        self.assertEqual([x["kind"] for x in t["messages"]], ["customer", "reply"])
        (detail,) = self.fd.query("SELECT detail FROM events WHERE kind = 'agent_mail'")[0]
        self.assertEqual(json.loads(detail)["commands"], ["priority high", "tag printer"])

    def test_status_solved_by_mail_solves_the_ticket(self):
        self.agent("/status solved\r\n\r\nFixed: the cable was loose.", "a2@example.test")
        self.sent(1)
        self.assertEqual(self.ticket()["status"], "solved")

    def test_a_wrong_command_applies_nothing_and_the_agent_is_told(self):
        self.agent("/priority high\r\n/status maybe\r\n\r\nDone.", "a3@example.test")
        mails = self.sent(2, to="agent@example.test")  # the new-ticket alert, then this
        (m,) = [x for x in mails if "Nothing was changed" in x.get_content()]
        self.assertEqual(m["To"], "agent@example.test")
        self.assertEqual(m["Auto-Submitted"], "auto-generated")
        self.assertIn("/status maybe: expected open, pending, on_hold, solved or closed", m.get_content())
        t = self.ticket()
        self.assertEqual(t["priority"], "normal")
        self.assertEqual(t["messages"][-1]["kind"], "note")
        self.assertIsNone(t["first_response_at"])
        time.sleep(1.5)
        self.assertEqual(self.sink.messages(to="ann@example.org"), [])  # nothing went to the customer

    def test_the_comment_address_and_note_stay_internal(self):
        self.agent("Looked at the logs.", "a4@example.test", "agent@example.test", "--action", "comment")
        self.agent("/note\r\nCalled the vendor.", "a5@example.test")
        time.sleep(2.5)
        self.assertEqual(self.sink.messages(to="ann@example.org"), [])
        self.assertEqual([x["kind"] for x in self.ticket()["messages"]], ["customer", "note", "note"])
        self.assertEqual(self.ticket()["messages"][-1]["body"].strip(), "Called the vendor.")

    def test_only_agents_of_the_queue_give_commands(self):
        self.agent("/status solved\r\n\r\nThanks!", "x1@example.org", "Ann <ann@example.org>",
                   reply_to="<c1@example.org>")
        t = self.ticket()
        self.assertNotEqual(t["status"], "solved")
        self.assertEqual(t["messages"][-1]["kind"], "customer")
        self.assertIn("/status solved", t["messages"][-1]["body"])


    def test_a_forged_agent_relays_nothing_and_runs_no_command(self):
        # Anyone can write the agent's address in From: and guess the tag.
        self.gate(mail("Agent Smith <agent@example.test>", "Re: [FD#1001] Printer broken", "f1@evil.example",
                       "/close\r\n\r\nYour refund is ready: https://evil.example/pay"))
        self.gate(mail("agent@example.test", "Re: Printer broken", "f2@evil.example",
                       "/status solved\r\n\r\nPay here.", extra="In-Reply-To: <c1@example.org>\r\n"))
        t = self.ticket()
        self.assertEqual(t["status"], "new")
        self.assertEqual([x["kind"] for x in t["messages"]], ["customer", "customer", "customer"])
        self.assertIsNone(t["first_response_at"])
        kinds = [e["kind"] for e in t["events"]]
        self.assertEqual(kinds.count("agent_mail_unproven"), 2)
        self.assertNotIn("agent_mail", kinds)
        # The real agent hears of it once, at their own address: the new
        # ticket's alert, one alert per forged reply, and one notice.
        mails = self.sent(4, to="agent@example.test")
        notices = [m for m in mails if "could not tell it came from you" in m.get_content()]
        self.assertEqual(len(notices), 1)
        time.sleep(1.5)
        notices = [m for m in self.sink.messages(to="agent@example.test")
                   if b"could not tell it came from you" in m]
        self.assertEqual(len(notices), 1)
        self.assertEqual(self.sink.messages(to="ann@example.org"), [])  # nothing relayed

    def test_a_trusted_dmarc_pass_proves_the_agent(self):
        self.fd.close()
        self.fd = Frontdesk(extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{self.sink.port}"\ntls = "none"\n'
                                         f'interval = "1s"\n[mail]\nauto_ack = false\n'
                                         f'trusted_authserv_id = "mx.example.test"\n')
        self.addCleanup(self.fd.close)
        self.fd.start()
        self.gate(mail("Ann <ann@example.org>", "Printer broken", "c9@example.org", "It does not print."))
        # A pass written further down by the sender proves nothing.
        self.gate(mail("agent@example.test", "Re: [FD#1001] Printer broken", "d1@example.test", "/priority high",
                       extra="Authentication-Results: mx.example.test; dmarc=fail header.from=example.test\r\n"
                             "Authentication-Results: mx.example.test; dmarc=pass header.from=example.test\r\n"))
        self.assertEqual(self.ticket()["priority"], "normal")
        self.gate(mail("agent@example.test", "Re: [FD#1001] Printer broken", "d2@example.test", "/priority high",
                       extra="Authentication-Results: mx.example.test;\r\n dkim=pass header.d=example.test;"
                             " dmarc=pass (p=reject) header.from=example.test\r\n"))
        self.assertEqual(self.ticket()["priority"], "high")


if __name__ == "__main__":
    unittest.main()
