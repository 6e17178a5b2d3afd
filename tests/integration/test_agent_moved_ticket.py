"""An agent answers the alert about a ticket that has since moved to a queue
they are not in. The answer names the ticket Frontdesk told them of (its
signed Message-ID, sent to that agent): it acts on that ticket, as their
reply, instead of opening a new ticket or being filed as a stranger's
mail. Without that proof an agent of another queue is anyone. The real
mailgate, daemon and SMTP sink."""

import unittest

from harness import Frontdesk
from smtp_sink import SmtpServer

QUEUES = """
[[queue]]
name = "support"
addresses = ["support@example.test"]
agents = ["agent@example.test"]
default = true

[[queue]]
name = "billing"
addresses = ["billing@example.test"]
agents = ["biller@example.test"]
"""


class AgentMovedTicketTest(unittest.TestCase):
    def setUp(self):
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)
        self.sink.start()
        self.fd = Frontdesk(queues=QUEUES, extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{self.sink.port}"\n'
                                                        f'tls = "none"\ninterval = "1s"\n')
        self.addCleanup(self.fd.close)
        self.fd.start()
        self.fd.deliver(b"From: Ann <ann@example.org>\r\nTo: support@example.test\r\nSubject: Refund\r\n"
                        b"Message-ID: <c1@example.org>\r\n\r\nI want my money back.\r\n")
        (self.alert,) = self.sink.wait_for("agent@example.test", 1)
        r = self.fd.request("PATCH", "/api/v1/tickets/1001", scope="write", body={"queue": "billing"})
        self.assertEqual(r.status, 200, r.body)

    def test_answer_to_the_alert_acts_on_the_moved_ticket(self):
        self.fd.deliver(("From: agent@example.test\r\nTo: support@example.test\r\n"
                         f"Subject: Re: {self.alert['Subject']}\r\nMessage-ID: <a1@example.test>\r\n"
                         f"In-Reply-To: {self.alert['Message-ID'].strip()}\r\n\r\n"
                         "Refund is on its way.\r\n").encode())
        self.assertEqual(self.fd.query("SELECT count(*) FROM tickets")[0][0], 1)
        t = self.fd.get("/api/v1/tickets/1001", scope="read").json()
        self.assertEqual([m["kind"] for m in t["messages"]], ["customer", "reply"])
        (agent_mail,) = [e for e in t["events"] if e["kind"] == "agent_mail"]
        self.assertEqual(agent_mail["actor"], "mail:agent@example.test")
        mails = self.sink.wait_for("ann@example.org", 2)  # the acknowledgement, then the reply
        self.assertEqual(mails[1].get_content().strip(), "Refund is on its way.")

    def test_without_proof_an_agent_of_another_queue_is_anyone(self):
        self.fd.deliver(b"From: agent@example.test\r\nTo: support@example.test\r\n"
                        b"Subject: Re: [FD#1001] Refund\r\nMessage-ID: <a2@example.test>\r\n"
                        b"In-Reply-To: <c1@example.org>\r\n\r\n/status solved\r\nDone.\r\n")
        t = self.fd.get("/api/v1/tickets/1001", scope="read").json()
        self.assertEqual(t["status"], "new")
        self.assertEqual([m["kind"] for m in t["messages"]], ["customer", "customer"])
        self.assertEqual(self.sink.messages(to="ann@example.org")[1:], [])


if __name__ == "__main__":
    unittest.main()
