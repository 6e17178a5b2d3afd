"""Every customer hears when they will get an answer, whichever way they
wrote: the acknowledgement by mail (the same template and loop safety as
for mail customers) for web-form and API tickets, the promised time on the
thank-you page, and `first_response_due` in the JSON answers. Where no SLA
applies nothing is said about the time. The real daemon and SMTP sink, the
clock pinned to Friday 20 November 2026, 16:00 in Berlin."""

import re
import time
import unittest

from harness import Frontdesk, urlencoded
from smtp_sink import OFFICE_SLA, SmtpServer

NOW = "2026-11-20T15:00:00Z"
# 1 business hour on Friday, 3 more from Monday 09:00 Berlin.
DUE = "2026-11-23T11:00:00Z"
PROMISE = "We will reply by Monday 23 November 2026, 12:00 CET."

NO_SLA_QUEUE = """
[[queue]]
name = "sales"
addresses = ["sales@example.test"]
agents = ["seller@example.test"]
"""


class ReplyPromiseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpServer()
        cls.sink.start()
        sla = OFFICE_SLA + 'applies_to = { queue = ["support"] }\n'
        cls.fd = Frontdesk(extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{cls.sink.port}"\ntls = "none"\n'
                                        f'interval = "1s"\n' + sla)
        cls.fd.queues += NO_SLA_QUEUE
        cls.fd.write_config()
        cls.fd.env = {"FRONTDESK_FAKE_NOW": NOW}
        cls.fd.start()

    @classmethod
    def tearDownClass(cls):
        cls.fd.close()
        cls.sink.close()

    def form(self, email, **extra):
        body = {"email": email, "name": "Ann", "subject": "Printer broken", "message": "It does not print."}
        body.update(extra)
        return self.fd.post("/tickets", body=body)

    def test_web_form_json_answer_and_mail_carry_the_promise(self):
        r = self.form("web-json@example.org")
        self.assertEqual(r.status, 201, r.body)
        body = r.json()
        self.assertEqual(body["first_response_due"], DUE)
        self.assertEqual(body["first_response_promise"], PROMISE)
        (ack,) = self.sink.wait_for("web-json@example.org", 1)
        self.assertEqual(ack["Auto-Submitted"], "auto-replied")
        self.assertIn(f"as ticket {body['id']}", ack.get_content())
        self.assertIn(PROMISE, ack.get_content())
        # The form's address is anyone's to type: the customer's words are
        # not repeated to it (backscatter), exactly as for unproven mail.
        self.assertEqual(ack["Subject"], f"[FD#{body['id']}] Your message")

    def test_thank_you_page_shows_the_promise(self):
        body, ctype = urlencoded({"email": "web-page@example.org", "subject": "Hello there", "message": "Help"})
        r = self.fd.post("/tickets", body=body, headers={"Content-Type": ctype})
        self.assertEqual(r.status, 200, r.body)
        self.assertIn(PROMISE.encode(), r.body)
        number = int(re.search(rb"<strong>(\d+)</strong>", r.body).group(1))
        (ack,) = self.sink.wait_for("web-page@example.org", 1)
        self.assertIn(f"as ticket {number}", ack.get_content())

    def test_api_ticket_is_acknowledged_unless_the_client_opts_out(self):
        r = self.fd.post("/api/v1/tickets", scope="write",
                         body={"requester": {"email": "api-cust@example.org", "name": "Bo"},
                               "subject": "Invoice", "message": "Wrong total"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["first_response_due"], DUE)
        self.assertEqual(r.json()["first_response_promise"], PROMISE)
        (ack,) = self.sink.wait_for("api-cust@example.org", 1)
        self.assertIn(PROMISE, ack.get_content())

        quiet = self.fd.post("/api/v1/tickets", scope="write",
                             body={"requester": {"email": "api-quiet@example.org", "name": "Cy"},
                                   "subject": "Invoice", "message": "Wrong total", "acknowledge": False})
        self.assertEqual(quiet.status, 201, quiet.body)
        self.assertEqual(quiet.json()["first_response_due"], DUE)
        # Mail for later tickets arrives; none for the one that opted out.
        self.fd.post("/api/v1/tickets", scope="write",
                     body={"requester": {"email": "api-after@example.org", "name": "Di"},
                           "subject": "Later", "message": "x"})
        self.sink.wait_for("api-after@example.org", 1)
        self.assertEqual(self.sink.messages(to="api-quiet@example.org"), [])
        wrong = self.fd.post("/api/v1/tickets", scope="write",
                             body={"requester": {"email": "x@example.org", "name": ""}, "subject": "s",
                                   "message": "m", "acknowledge": "no"})
        self.assertEqual(wrong.status, 400)
        self.assertEqual(wrong.json()["error"]["field"], "acknowledge")

    def test_no_sla_no_time(self):
        r = self.fd.post("/api/v1/tickets", scope="write",
                         body={"requester": {"email": "sales-cust@example.org", "name": "Ed"}, "queue": "sales",
                               "subject": "Quote", "message": "How much?"})
        self.assertEqual(r.status, 201, r.body)
        self.assertIsNone(r.json()["first_response_due"])
        self.assertIsNone(r.json()["first_response_promise"])
        (ack,) = self.sink.wait_for("sales-cust@example.org", 1)
        self.assertIn("has received it as ticket", ack.get_content())
        self.assertNotIn("We will reply by", ack.get_content())

    def test_a_replayed_submission_sends_one_acknowledgement(self):
        first = self.form("twice@example.org", form_token="tok-twice-1")
        again = self.form("twice@example.org", form_token="tok-twice-1")
        self.assertEqual(first.status, 201)
        self.assertEqual(again.status, 200)
        self.assertEqual(first.json()["first_response_due"], again.json()["first_response_due"])
        self.sink.wait_for("twice@example.org", 1)
        time.sleep(2.5)  # two sender rounds
        self.assertEqual(len(self.sink.messages(to="twice@example.org")), 1)


if __name__ == "__main__":
    unittest.main()
