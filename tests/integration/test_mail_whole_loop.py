"""The whole loop by mail, with the real mailgate, daemon and SMTP sink: a
customer writes; the acknowledgement goes out with the ticket number and a
due time right for the calendar; the agent gets the alert and answers it
from a mail client; the customer gets the reply, threaded; the customer's
answer joins the same ticket; the agent's "/status solved" solves it."""

import unittest

from harness import Frontdesk
from smtp_sink import OFFICE_SLA, SmtpServer

class WholeLoopTest(unittest.TestCase):
    def setUp(self):
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)
        self.sink.start()
        self.fd = Frontdesk(extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{self.sink.port}"\ntls = "none"\n'
                                         f'interval = "1s"\n' + OFFICE_SLA)
        self.addCleanup(self.fd.close)
        # Friday 20 November 2026, 16:00 in Berlin.
        self.fd.env = {"FRONTDESK_FAKE_NOW": "2026-11-20T15:00:00Z"}
        self.fd.start()

    def inbox(self, to, n):
        return self.sink.wait_for(to, n)

    def test_customer_agent_customer_solved(self):
        # 1. The customer writes.
        self.fd.deliver(b"From: Ann Example <ann@example.org>\r\nTo: support@example.test\r\n"
                        b"Subject: Printer broken\r\nMessage-ID: <c1@example.org>\r\n\r\nIt does not print.\r\n")
        # 2. The acknowledgement: number and due time (1 business hour on
        # Friday, 3 more from Monday 09:00).
        (ack,) = self.inbox("ann@example.org", 1)
        self.assertEqual(ack["Subject"], "[FD#1001] Your message")  # an unproven sender's words are not repeated
        self.assertEqual(ack["Auto-Submitted"], "auto-replied")
        self.assertIn("as ticket 1001", ack.get_content())
        self.assertIn("We will reply by Monday 23 November 2026, 12:00 CET.", ack.get_content())
        # 3. The agent's alert, answerable by mail.
        (alert,) = self.inbox("agent@example.test", 1)
        self.assertEqual(alert["Reply-To"], "Test Support <support@example.test>")
        self.assertEqual(alert["Auto-Submitted"], "auto-generated")
        self.assertIn("New ticket 1001", alert.get_content())
        self.assertIn("It does not print.", alert.get_content())
        # 4. The agent answers the alert from a mail client.
        self.fd.deliver(("From: Agent Smith <agent@example.test>\r\nTo: support@example.test\r\n"
                         f"Subject: Re: {alert['Subject']}\r\nMessage-ID: <a1@example.test>\r\n"
                         f"In-Reply-To: {alert['Message-ID'].strip()}\r\n\r\n"
                         "Please check the cable.\r\n\r\n> New ticket 1001 ...\r\n").encode())
        ack_and_reply = self.inbox("ann@example.org", 2)
        reply = ack_and_reply[1]
        self.assertEqual(reply["From"], "Test Support <support@example.test>")
        self.assertEqual(reply["Subject"], "Re: [FD#1001] Printer broken")
        self.assertEqual(reply["In-Reply-To"], "<c1@example.org>")
        self.assertIn("<c1@example.org>", reply["References"])
        self.assertEqual(reply.get_content().strip(), "Please check the cable.")
        # 5. The customer answers the reply: the same ticket, and an alert.
        self.fd.deliver(("From: ann@example.org\r\nTo: support@example.test\r\nSubject: Re: [FD#1001] Printer broken\r\n"
                         f"Message-ID: <c2@example.org>\r\nIn-Reply-To: {reply['Message-ID'].strip()}\r\n\r\n"
                         "The cable was loose, it works now.\r\n").encode())
        self.assertEqual(self.fd.query("SELECT count(*) FROM tickets")[0][0], 1)
        alerts = self.inbox("agent@example.test", 2)
        self.assertIn("The customer replied to ticket 1001", alerts[1].get_content())
        # 6. The agent solves it by mail.
        self.fd.deliver(("From: agent@example.test\r\nTo: support@example.test\r\nSubject: Re: Printer broken\r\n"
                         f"Message-ID: <a2@example.test>\r\nIn-Reply-To: {alerts[1]['Message-ID'].strip()}\r\n\r\n"
                         "/status solved\r\n\r\nGlad it works!\r\n").encode())
        self.inbox("ann@example.org", 3)
        t = self.fd.get("/api/v1/tickets/1001", scope="read").json()
        self.assertEqual(t["status"], "solved")
        self.assertEqual([m["kind"] for m in t["messages"]], ["customer", "reply", "customer", "reply"])
        # The agent's mailed reply met the first-response target.
        (met,) = self.fd.query("SELECT met_at FROM sla_targets WHERE ticket_id = 1001 AND target = 'first_response'")[0]
        self.assertIsNotNone(met)


if __name__ == "__main__":
    unittest.main()
