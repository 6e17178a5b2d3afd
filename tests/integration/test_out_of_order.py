"""Mail that arrives out of order: an MTA runs several mailgates at once, so
a reply can be filed before the message it answers. The reply opens a
ticket of its own; when the parent arrives, the reply's ticket joins the
parent's (its messages move there, it is closed and points there, each
ticket says so in its events), as long as nobody has acted on it. Later
mail to the joined ticket follows it. The real mailgate and daemon."""

import concurrent.futures
import subprocess
import unittest

from harness import FRONTDESK_BIN, Frontdesk


def mail(msgid, subject, body, sender="ann@example.org", in_reply_to=None, references=None):
    head = f"From: {sender}\r\nTo: support@example.test\r\nSubject: {subject}\r\nMessage-ID: <{msgid}>\r\n"
    if in_reply_to:
        head += f"In-Reply-To: <{in_reply_to}>\r\n"
    if references:
        head += "References: " + " ".join(f"<{r}>" for r in references) + "\r\n"
    return (head + "\r\n" + body + "\r\n").encode()


class OutOfOrderTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk()
        self.addCleanup(self.fd.close)
        self.fd.start()

    def ticket(self, n):
        r = self.fd.get(f"/api/v1/tickets/{n}", scope="read")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def events(self, n, kind):
        return [e for e in self.ticket(n)["events"] if e["kind"] == kind]

    def test_parent_delivered_last_takes_the_reply_in(self):
        self.fd.deliver(mail("r1@example.org", "Re: Broken", "Also the tray.", in_reply_to="p1@example.org",
                             references=["p1@example.org"]))
        self.fd.deliver(mail("p1@example.org", "Broken", "The printer is broken."))
        tickets = self.fd.query("SELECT id, status, merged_into FROM tickets ORDER BY id")
        self.assertEqual(tickets, [(1001, "closed", 1002), (1002, "new", None)])
        parent = self.ticket(1002)
        self.assertEqual(sorted(m["body"].strip() for m in parent["messages"]), ["Also the tray.", "The printer is broken."])
        (joined,) = self.events(1002, "thread_joined")
        self.assertEqual(joined["detail"]["from_ticket"], 1001)
        self.assertIn("<p1@example.org>", joined["detail"]["why"])
        (merged,) = self.events(1001, "merged")
        self.assertEqual(merged["detail"]["into"], 1002)
        self.assertEqual(self.ticket(1001)["messages"], [])
        # A later reply to the joined ticket's number follows it.
        self.fd.deliver(mail("r2@example.org", "Re: [FD#1001] Broken", "Any news?"))
        self.assertEqual(len(self.ticket(1002)["messages"]), 3)
        self.assertEqual(self.fd.query("SELECT count(*) FROM tickets")[0][0], 2)

    def test_a_ticket_someone_acted_on_stays_apart(self):
        self.fd.deliver(mail("r3@example.org", "Re: Invoice", "Still wrong.", in_reply_to="p3@example.org"))
        r = self.fd.request("PATCH", "/api/v1/tickets/1001", scope="write", body={"priority": "high"})
        self.assertEqual(r.status, 200, r.body)
        self.fd.deliver(mail("p3@example.org", "Invoice", "The invoice is wrong."))
        self.assertEqual(self.fd.query("SELECT id, merged_into FROM tickets ORDER BY id"), [(1001, None), (1002, None)])
        (arrived,) = self.events(1001, "parent_arrived")
        self.assertFalse(arrived["detail"]["joined"])
        self.assertEqual(arrived["detail"]["ticket"], 1002)

    def test_a_parent_from_a_stranger_takes_nothing(self):
        # Someone who learnt the Message-ID a customer's reply names sends a
        # "parent" of their own: the reply stays with its customer.
        self.fd.deliver(mail("r4@example.org", "Re: Contract", "Signed copy attached.", in_reply_to="p4@example.org"))
        self.fd.deliver(mail("p4@example.org", "Contract", "Send me their mail.", sender="mallory@example.net"))
        self.assertEqual(self.fd.query("SELECT id, merged_into FROM tickets ORDER BY id"), [(1001, None), (1002, None)])
        (arrived,) = self.events(1001, "parent_arrived")
        self.assertIn("not among", arrived["detail"]["why"])
        self.assertEqual(len(self.ticket(1002)["messages"]), 1)

    def test_parallel_mailgates_in_any_order_end_in_one_ticket(self):
        # Four mailgates at once, as Postfix runs them: a thread of a parent
        # and three replies, each naming the whole chain before it.
        chain = ["t1@example.org", "t2@example.org", "t3@example.org", "t4@example.org"]
        mails = [mail(chain[0], "Order 42", "Where is it?")]
        for i in range(1, 4):
            mails.append(mail(chain[i], "Re: Order 42", f"Reply {i}", in_reply_to=chain[i - 1],
                              references=chain[:i]))
        mails.reverse()  # the parent last

        def gate(data):
            return subprocess.run([FRONTDESK_BIN, "mailgate", "--config", self.fd.config_path], input=data,
                                  capture_output=True, timeout=60).returncode

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            self.assertEqual(list(pool.map(gate, mails)), [0, 0, 0, 0])
        self.fd.deliver(mail("after@example.org", "Unrelated", "x", sender="zed@example.org"))
        open_tickets = self.fd.query("SELECT id FROM tickets WHERE merged_into IS NULL AND subject LIKE '%Order 42%'")
        self.assertEqual(len(open_tickets), 1, self.fd.query("SELECT id, subject, merged_into FROM tickets"))
        (tid,) = open_tickets[0]
        self.assertEqual(len(self.ticket(tid)["messages"]), 4)


if __name__ == "__main__":
    unittest.main()
