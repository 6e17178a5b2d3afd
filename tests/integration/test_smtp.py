"""The outbox sender against a real SMTP sink (aiosmtpd): a reply goes out
with the signed Message-ID, the threading headers, the subject tag and our
loop header; a 550 is marked failed and shown by the API; a server that is
down is retried until it is back, and the mail arrives once; nothing a
customer writes can add a header."""

import json

import time
import unittest

from harness import Frontdesk
from smtp_sink import OFFICE_SLA, SmtpServer


def customer_mail(sender="Ann Example <ann@example.org>", subject="Printer broken", msgid="c1@example.org"):
    return (f"From: {sender}\r\nTo: support@example.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{msgid}>\r\n\r\nIt does not print.\r\n").encode()


class SmtpBase(unittest.TestCase):
    def setUp(self):
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)

    def frontdesk(self, start_sink=True, mail="auto_ack = false\n", extra=""):
        if start_sink:
            self.sink.start()
        fd = Frontdesk(extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{self.sink.port}"\ntls = "none"\n'
                                    f'interval = "1s"\nretry_after = "1s"\ntimeout = "5s"\n'
                                    f'message_id_domain = "helpdesk.example.test"\n[mail]\n{mail}\n{extra}')
        self.addCleanup(fd.close)
        fd.start()
        return fd

    def gate(self, fd, data):
        fd.deliver(data)
        return max(t for (t,) in fd.query("SELECT id FROM tickets"))

    def reply(self, fd, tid, body="Please switch it off and on again."):
        r = fd.post(f"/api/v1/tickets/{tid}/messages", scope="write", body={"kind": "reply", "body": body})
        self.assertEqual(r.status, 201, r.body)

    def wait_outbox(self, fd, status, timeout=20, kind=None):
        """Waits until the newest outbox row (of `kind`, when given) has `status`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            rows = fd.query("SELECT status, attempts, last_error FROM outbox WHERE ?1 IS NULL OR kind = ?1 "
                            "ORDER BY id DESC LIMIT 1", kind)
            if rows and rows[0][0] == status:
                return rows[0]
            time.sleep(0.05)
        self.fail(f"no outbox row reached {status}: {fd.query('SELECT * FROM outbox')}\n{fd.log_text()}")

    def received(self, n=1, timeout=10, to="ann@example.org"):
        return self.sink.wait_for(to, n, timeout)


class SmtpTest(SmtpBase):
    def test_a_reply_goes_out_threaded_signed_and_tagged(self):
        fd = self.frontdesk()
        tid = self.gate(fd, customer_mail())
        self.reply(fd, tid)
        self.wait_outbox(fd, "sent")
        (m,) = self.received()
        self.assertEqual(m["To"], "Ann Example <ann@example.org>")
        self.assertEqual(m["From"], "Test Support <support@example.test>")
        self.assertEqual(m["Reply-To"], "Test Support <support@example.test>")
        self.assertEqual(m["Subject"], f"Re: [FD#{tid}] Printer broken")
        self.assertRegex(m["Message-ID"].strip(), rf"^<fd\.{tid}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{{22}}@helpdesk\.example\.test>$")
        self.assertEqual(m["In-Reply-To"], "<c1@example.org>")
        self.assertIn("<c1@example.org>", m["References"])
        self.assertIsNone(m["Auto-Submitted"])  # a person's reply
        self.assertTrue(m["X-Frontdesk-Loop"])
        self.assertEqual(m.get_content_type(), "text/plain")
        self.assertIn("switch it off and on again", m.get_content())
        self.assertEqual(m["X-Envelope-To"], "ann@example.org")
        # The customer answers the reply: it joins the same ticket.
        reply_id = m["Message-ID"].strip().strip("<>")
        again = (f"From: ann@example.org\r\nTo: support@example.test\r\nSubject: Re: Printer broken\r\n"
                 f"Message-ID: <c2@example.org>\r\nIn-Reply-To: <{reply_id}>\r\n\r\nStill broken.\r\n").encode()
        self.assertEqual(self.gate(fd, again), tid)
        self.assertEqual(fd.query("SELECT count(*) FROM tickets")[0][0], 1)

    def test_a_550_is_marked_failed_and_shown(self):
        fd = self.frontdesk()
        tid = self.gate(fd, customer_mail(sender="reject-me@example.org"))
        self.reply(fd, tid)
        status, attempts, error = self.wait_outbox(fd, "failed")
        self.assertEqual(attempts, 1)
        self.assertIn("550", error)
        self.assertEqual(self.sink.messages(to="reject-me@example.org"), [])
        r = fd.get("/api/v1/outbox?status=failed", scope="read")
        self.assertEqual(r.status, 200, r.body)
        (row,) = r.json()["outbox"]
        self.assertEqual(row["recipient"], "reject-me@example.org")
        self.assertIn("550", row["last_error"])
        self.assertEqual(fd.query("SELECT count(*) FROM events WHERE kind = 'mail_failed'")[0][0], 1)
        health = fd.get("/healthz", scope="read").json()
        self.assertEqual(health["outbox"]["failed"], 1)
        self.assertIn("frontdesk_outbox_failed 1\n", fd.get("/metrics", scope="read").body.decode())

    def test_a_server_down_is_retried_and_the_mail_arrives_once(self):
        fd = self.frontdesk(start_sink=False)
        tid = self.gate(fd, customer_mail())
        self.reply(fd, tid)
        deadline = time.time() + 15
        while time.time() < deadline:
            (status, attempts, error) = fd.query("SELECT status, attempts, last_error FROM outbox WHERE kind = 'reply'")[0]
            if attempts >= 2:
                break
            time.sleep(0.05)
        self.assertEqual(status, "pending")
        self.assertIn("connect", error.lower())
        health = fd.get("/healthz", scope="read").json()
        self.assertEqual(health["outbox"]["pending"], 2)  # the reply and the agent's alert
        self.assertIn("connect", health["outbox"]["last_error"].lower())
        self.sink.start()
        self.wait_outbox(fd, "sent", timeout=30)
        time.sleep(1.5)
        self.assertEqual(len(self.sink.messages(to="ann@example.org")), 1)
        metrics = fd.get("/metrics", scope="read").body.decode()
        self.assertIn("frontdesk_outbox_pending 0", metrics)

    def test_nothing_a_customer_writes_can_add_a_header(self):
        fd = self.frontdesk()
        # Encoded words decode to CR LF: in the subject and in the name.
        hostile = customer_mail(sender="=?UTF-8?Q?Ann=0D=0ABcc=3A_victim=40evil.example?= <ann@example.org>",
                                subject="=?UTF-8?Q?Help=0D=0ABcc:_victim@evil.example=0D=0A=0D=0Abody?=")
        tid = self.gate(fd, hostile)
        self.reply(fd, tid, body="Line one\r\nBcc: victim@evil.example\r\n\r\nLine two")
        self.wait_outbox(fd, "sent")
        self.received()
        raw = self.sink.messages(to="ann@example.org")[0]
        head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
        for line in head.splitlines():
            self.assertFalse(line.lower().startswith(b"bcc:"), head)
        (m,) = self.received()
        self.assertEqual(m["X-Envelope-To"], "ann@example.org")
        self.assertIsNone(m["Bcc"])
        self.assertIn("Bcc: victim@evil.example", m.get_content())  # the body may say anything


class SentTextTest(SmtpBase):
    def test_the_text_of_mail_sent_long_ago_is_cleared_and_its_record_kept(self):
        fd = self.frontdesk(extra='keep_sent_text = "30d"\n')
        tid = self.gate(fd, customer_mail())
        self.reply(fd, tid, body="An answer sent long ago.")
        self.wait_outbox(fd, "sent", kind="reply")
        self.reply(fd, tid, body="An answer sent today.")
        self.wait_outbox(fd, "sent", kind="reply")
        # The first went out 40 days ago, as far as the outbox knows.
        fd.stop()
        day = 86400
        fd.execute("UPDATE outbox SET created_at = created_at - ?1, sent_at = sent_at - ?1 "
                   "WHERE id = (SELECT min(id) FROM outbox WHERE kind = 'reply')", 40 * day)
        fd.start()
        deadline = time.time() + 10
        while time.time() < deadline and fd.query(
                "SELECT count(*) FROM outbox WHERE kind = 'reply' AND length(body) = 0")[0][0] == 0:
            time.sleep(0.1)
        rows = fd.query("SELECT status, recipient, length(body), sent_at IS NOT NULL FROM outbox "
                        "WHERE kind = 'reply' ORDER BY id")
        self.assertEqual(rows, [("sent", "ann@example.org", 0, 1),
                                ("sent", "ann@example.org", len("An answer sent today."), 1)])
        # The ticket keeps every message whole.
        texts = [m["body"] for m in fd.get(f"/api/v1/tickets/{tid}", scope="read").json()["messages"]]
        self.assertIn("An answer sent long ago.", texts)
        self.assertIn("cleared the text of 1 old sent mails", fd.log_text())


class AutoReplyTest(SmtpBase):
    """Acknowledgements and the loop-safety rules, through the real daemon."""

    def test_a_new_mail_is_acknowledged_with_its_number_and_due_time(self):
        fd = self.frontdesk(mail="auto_ack = true\n", extra=OFFICE_SLA)
        # Friday 20 November 2026, 16:00 Berlin: 1 business hour left today,
        # 3 more on Monday from 09:00, so the reply is due Monday 12:00 CET.
        fd.stop()
        fd.env = {"FRONTDESK_FAKE_NOW": "2026-11-20T15:00:00Z"}
        fd.start()
        tid = self.gate(fd, customer_mail())
        self.wait_outbox(fd, "sent")
        (m,) = self.received()
        self.assertEqual(m["Auto-Submitted"], "auto-replied")
        # The sender is not proven, so the words it chose are not repeated.
        self.assertEqual(m["Subject"], f"[FD#{tid}] Your message")
        self.assertEqual(m["In-Reply-To"], "<c1@example.org>")
        text = m.get_content()
        self.assertIn(f"as ticket {tid}.", text)
        self.assertIn("We will reply by Monday 23 November 2026, 12:00 CET.", text)

    def test_a_forged_sender_gets_no_words_of_the_attacker_back(self):
        # Backscatter: a From forged as a victim's address, with an
        # advertisement as the subject and the name.
        fd = self.frontdesk(mail='auto_ack = true\ntrusted_authserv_id = "mx.example.test"\n')
        spam = customer_mail(sender="Cheap pills at pills.example <victim@example.org>",
                             subject="Buy now at pills.example", msgid="s1@example.org")
        tid = self.gate(fd, spam)
        self.wait_outbox(fd, "sent")
        (m,) = self.received(to="victim@example.org")
        self.assertEqual(m["Subject"], f"[FD#{tid}] Your message")
        self.assertNotIn("pills", m.as_string())
        # The same mail with dmarc=pass from the box's own MTA is proven:
        # its subject and name are the customer's own, and are repeated.
        proven = (b"Authentication-Results: mx.example.test; dmarc=pass header.from=example.org\r\n" +
                  customer_mail(msgid="p1@example.org"))
        tid = self.gate(fd, proven)
        self.wait_outbox(fd, "sent")
        m = self.received()[-1]
        self.assertEqual(m["Subject"], f"[FD#{tid}] Printer broken")
        self.assertIn("Hello Ann Example,", m.get_content())
        # A header further down, or from another host, proves nothing.
        forged = (b"Authentication-Results: mx.evil.example; dmarc=pass header.from=example.org\r\n" +
                  customer_mail(subject="Buy now at pills.example", msgid="f1@example.org"))
        tid = self.gate(fd, forged)
        self.wait_outbox(fd, "sent")
        self.assertEqual(self.received(2)[-1]["Subject"], f"[FD#{tid}] Your message")

    def test_automatic_mail_gets_no_acknowledgement(self):
        fd = self.frontdesk(mail="auto_ack = true\n")
        ooo = ("From: away@example.org\r\nTo: support@example.test\r\nSubject: Out of office\r\n"
               "Auto-Submitted: auto-replied\r\nMessage-ID: <ooo1@example.org>\r\n\r\nI am away.\r\n").encode()
        self.gate(fd, ooo)
        time.sleep(2.5)  # two sender rounds
        self.assertEqual(fd.query("SELECT count(*) FROM outbox")[0][0], 0)  # no alert either
        self.assertEqual(self.sink.messages(), [])

    def test_a_bot_answering_every_acknowledgement_is_capped(self):
        # A badly behaved bot: no automatic headers, no threading, a new
        # subject each time. Each of its mails is a new ticket; the number
        # of mails it gets from us stops at the cap.
        fd = self.frontdesk(mail='auto_ack = true\nauto_reply_cap = 3\nauto_reply_window = "1h"\n')
        for i in range(8):
            self.gate(fd, customer_mail(sender="bot@example.org", subject=f"Re: your ticket {i}", msgid=f"bot{i}@example.org"))
        deadline = time.time() + 20
        while time.time() < deadline:
            if fd.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0:
                break
            time.sleep(0.1)
        statuses = [s for (s,) in fd.query("SELECT status FROM outbox WHERE recipient = 'bot@example.org' ORDER BY id")]
        self.assertEqual(statuses, ["sent"] * 3 + ["suppressed"] * 5)
        self.assertEqual(len(self.sink.messages(to="bot@example.org")), 3)
        # The agent's alerts are not capped: all 8 new tickets are announced.
        self.assertEqual(len(self.sink.messages(to="agent@example.test")), 8)
        reasons = {json.loads(d)["reason"] for (d,) in fd.query("SELECT detail FROM events WHERE kind = 'mail_suppressed'")}
        self.assertEqual(reasons, {"the cap of 3 automatic mails per 60 minutes to this recipient is reached"})
        metrics = fd.get("/metrics", scope="read").body.decode()
        self.assertIn("frontdesk_outbox_suppressed 5\n", metrics)
        self.assertIn('frontdesk_auto_mail_suppressed_total{kind="auto_ack"} 5\n', metrics)

    def test_no_automatic_mail_to_a_bouncing_address_or_the_same_subject_twice(self):
        fd = self.frontdesk(mail="auto_ack = true\n")
        self.gate(fd, customer_mail(sender="gone@example.org", msgid="g1@example.org"))
        self.wait_outbox(fd, "sent", kind="auto_ack")
        # The address bounces after it wrote (a mail from it would lift the
        # mark again): the solved notice is held back.
        fd.execute("INSERT INTO recipients(address, bouncing, bounce_reason) VALUES ('gone@example.org', 1, 'status 5.1.1')")
        r = fd.request("PATCH", "/api/v1/tickets/1001", body={"status": "solved"}, scope="write")
        self.assertEqual(r.status, 200, r.body)
        self.wait_outbox(fd, "suppressed", kind="solved")
        self.gate(fd, customer_mail(sender="twice@example.org", subject="Same", msgid="t1@example.org"))
        self.wait_outbox(fd, "sent", kind="auto_ack")
        self.gate(fd, customer_mail(sender="twice@example.org", subject="Same", msgid="t2@example.org"))
        self.wait_outbox(fd, "suppressed", kind="auto_ack")
        rows = fd.query("SELECT recipient, status, last_error FROM outbox WHERE kind IN ('auto_ack', 'solved') "
                        "ORDER BY id")
        self.assertEqual([(r, s) for r, s, _ in rows],
                         [("gone@example.org", "sent"), ("gone@example.org", "suppressed"),
                          ("twice@example.org", "sent"), ("twice@example.org", "suppressed")])
        self.assertIn("bouncing", rows[1][2])
        self.assertIn("same subject", rows[3][2])


if __name__ == "__main__":
    unittest.main()
