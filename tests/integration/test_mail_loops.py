"""Bounces, our own mail coming back, and signed Message-IDs, through the
real mailgate and the real admin API: a DSN joins the ticket of the mail
that bounced as an internal note and marks the address as bouncing; our own
mail is stored without any action; a forged Message-ID threads nowhere."""

import base64
import hashlib
import hmac
import json
import subprocess
import time
import unittest

from harness import FRONTDESK_BIN, Frontdesk


def mail(sender, subject, msgid, extra="", body="Hello."):
    return (f"From: {sender}\r\nTo: support@example.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{msgid}>\r\n{extra}\r\n{body}\r\n").encode()


def dsn(original_id, recipient, status="5.1.1", action="failed"):
    return (f"From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
            f"To: support@example.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            f"Message-ID: <bounce-{status}-{recipient}@mx.example.org>\r\nReturn-Path: <>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
            f"--b\r\nContent-Type: text/plain\r\n\r\nDelivery to {recipient} failed.\r\n"
            f"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
            f"Final-Recipient: rfc822; <{recipient.upper()}>\r\nAction: {action}\r\nStatus: {status}\r\n"
            f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:\r\n"
            f" User unknown\r\n"
            f"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: support@example.test\r\n"
            f"To: {recipient}\r\nSubject: Re: Printer\r\nMessage-ID:\r\n <{original_id}>\r\n"
            f"--b--\r\n").encode()


class MailLoopTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk()
        self.addCleanup(self.fd.close)
        self.fd.start()

    def gate(self, data):
        """Delivers as an MTA does. With the daemon running, mailgate spools
        and the daemon files the mail; returns the ticket it went to."""
        before = self.fd.query("SELECT coalesce(max(id), 0) FROM messages")[0][0]
        r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", self.fd.config_path],
                           input=data, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.decode(), r"^spooled as entry \d+; the daemon files it\n$")
        deadline = time.time() + 10
        while time.time() < deadline:
            rows = self.fd.query("SELECT ticket_id FROM messages WHERE id > ? ORDER BY id", before)
            if rows and self.fd.query("SELECT count(*) FROM inbound_spool")[0][0] == 0:
                return rows[0][0]
            time.sleep(0.02)
        self.fail("the daemon did not file the spooled mail:\n" + self.fd.log_text())

    def reply(self, tid):
        r = self.fd.post(f"/api/v1/tickets/{tid}/messages", scope="write",
                         body={"kind": "reply", "body": "Please try turning it off and on."})
        self.assertEqual(r.status, 201, r.body)
        (mid,) = self.fd.query("SELECT message_id FROM outbox WHERE ticket_id = ? ORDER BY id DESC", tid)[0]
        return mid + "@helpdesk.example.test"

    def events(self, tid, kind):
        return [json.loads(d) for (d,) in
                self.fd.query("SELECT detail FROM events WHERE ticket_id = ? AND kind = ?", tid, kind)]

    def test_outgoing_message_ids_are_signed(self):
        self.gate(mail("ann@example.org", "Printer", "p1@example.org"))
        mid = self.reply(1001)
        self.assertRegex(mid, r"^fd\.1001\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}@")
        # The secret lives in the database, created once.
        self.assertEqual(self.fd.query("SELECT count(*) FROM secrets")[0][0], 1)

    def test_a_bounce_joins_its_ticket_as_a_note_and_marks_the_address(self):
        self.gate(mail("ann@example.org", "Printer", "p1@example.org"))
        mid = self.reply(1001)
        before = self.fd.get("/api/v1/tickets/1001", scope="read").json()
        self.assertEqual(self.gate(dsn(mid, "ann@example.org")), 1001)
        after = self.fd.get("/api/v1/tickets/1001", scope="read").json()
        self.assertEqual(after["status"], before["status"])
        self.assertEqual(after["messages"][-1]["kind"], "note")
        (bounce,) = self.events(1001, "bounce_received")
        self.assertEqual(bounce["original_message_id"], mid)
        self.assertEqual(bounce["recipients"][0]["address"], "ann@example.org")
        self.assertEqual(bounce["recipients"][0]["status"], "5.1.1")
        self.assertTrue(bounce["recipients"][0]["permanent"])
        self.assertIn("User unknown", bounce["recipients"][0]["diagnostic"])
        row = self.fd.query("SELECT bouncing, bounce_reason FROM recipients WHERE address = 'ann@example.org'")
        self.assertEqual(row[0][0], 1)
        self.assertIn("5.1.1", row[0][1])
        # A later mail from the address proves it works again.
        self.gate(mail("ann@example.org", "Re: Printer", "p2@example.org", extra=f"In-Reply-To: <{mid}>\r\n"))
        self.assertEqual(self.fd.query("SELECT bouncing FROM recipients WHERE address = 'ann@example.org'"), [(0,)])

    def test_a_forged_bounce_marks_nobody(self):
        self.gate(mail("ann@example.org", "Printer", "p1@example.org"))
        mid = self.reply(1001)
        (alert,) = self.fd.query("SELECT message_id FROM outbox WHERE recipient = 'agent@example.test'")[0]
        # Anyone can write a delivery report: one naming a Message-ID we sent
        # to someone else, one naming an agent's own alert, one naming none.
        self.gate(dsn(mid, "bob@example.org"))
        self.gate(dsn(alert + "@helpdesk.example.test", "agent@example.test"))
        self.gate(dsn("made-up@evil.example", "ann@example.org"))
        self.assertEqual(self.fd.query("SELECT count(*) FROM recipients WHERE bouncing = 1")[0][0], 0)
        ignored = [r["ignored"] for e in self.events(1001, "bounce_received") for r in e["recipients"]]
        self.assertIn("it names no mail Frontdesk sent to this address", ignored)
        self.assertIn("an agent's address is never marked", ignored)
        # The admin API lists what is bouncing, and clears it by hand.
        self.gate(dsn(mid, "ann@example.org"))
        listed = self.fd.get("/api/v1/bounces", scope="read").json()["bouncing"]
        self.assertEqual([b["address"] for b in listed], ["ann@example.org"])
        self.assertIn("5.1.1", listed[0]["reason"])
        self.assertEqual(self.fd.request("DELETE", "/api/v1/bounces/ann@example.org", scope="read").status, 403)
        r = self.fd.request("DELETE", "/api/v1/bounces/ann@example.org", scope="write")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.fd.get("/api/v1/bounces", scope="read").json()["bouncing"], [])
        self.assertEqual(self.fd.request("DELETE", "/api/v1/bounces/ann@example.org", scope="write").status, 404)
        self.assertEqual(self.fd.request("DELETE", "/api/v1/bounces/not-an-address", scope="write").status, 400)

    def test_a_delay_notice_is_threaded_but_marks_nothing(self):
        self.gate(mail("bob@example.org", "Scanner", "s1@example.org"))
        mid = self.reply(1001)
        self.assertEqual(self.gate(dsn(mid, "bob@example.org", status="4.4.1", action="delayed")), 1001)
        self.assertEqual(self.fd.query("SELECT count(*) FROM recipients WHERE bouncing = 1")[0][0], 0)

    def test_our_own_signed_mail_coming_back_is_stored_without_action(self):
        self.gate(mail("cy@example.org", "Laptop", "l1@example.org"))
        mid = self.reply(1001)
        r = self.fd.request("PATCH", "/api/v1/tickets/1001", scope="write", body={"status": "solved"})
        self.assertEqual(r.status, 200, r.body)
        # Our reply comes back (a forward to the support address, say).
        self.assertEqual(self.gate(mail("support@example.test", "Re: Laptop [FD#1001]", mid)), 1001)
        t = self.fd.get("/api/v1/tickets/1001", scope="read").json()
        self.assertEqual(t["status"], "solved")  # not reopened
        self.assertEqual(t["messages"][-1]["kind"], "auto")
        (received,) = [e for e in self.events(1001, "message_received") if e.get("kind") == "auto"]
        self.assertEqual(received["auto_reason"], "our own mail (signed Message-ID)")
        self.assertEqual(self.fd.query("SELECT count(*) FROM events WHERE kind = 'duplicate_message_id'")[0][0], 0)

    def test_mail_from_our_own_address_or_another_helpdesk_is_automatic(self):
        self.gate(mail("support@example.test", "Loop?", "own1@example.test"))
        self.gate(mail("robot@other.example", "Ticket received", "other1@other.example",
                       extra="X-Frontdesk-Loop: not-our-token\r\nAuto-Submitted: auto-replied\r\n"))
        rows = self.fd.query("SELECT auto_submitted FROM messages ORDER BY id")
        self.assertEqual(rows, [(1,), (1,)])
        # Automatic mail starts no SLA clock.
        self.assertEqual(self.fd.query("SELECT count(*) FROM sla_targets")[0][0], 0)
        reasons = [d for (d,) in self.fd.query("SELECT auto_reason FROM messages ORDER BY id")]
        self.assertEqual(reasons, ["our own mail (sent from support@example.test)",
                                   "another helpdesk's mail (X-Frontdesk-Loop)"])

    def test_a_loop_header_copied_into_a_persons_mail_changes_nothing(self):
        self.gate(mail("cy@example.org", "Laptop", "l1@example.org"))
        mid = self.reply(1001)
        # The header of that reply, copied into a new mail: a different
        # Message-ID, so the copy does not verify. Another helpdesk's value
        # on a person's mail is not a sign either.
        (secret,) = self.fd.query("SELECT value FROM secrets WHERE name = 'mail'")[0]
        secret = secret if isinstance(secret, bytes) else secret.encode()
        local = mid.split("@")[0]
        token = base64.urlsafe_b64encode(
            hmac.new(secret, b"loop\0" + local.encode(), hashlib.sha256).digest()[:16]).decode().rstrip("=")
        copied = self.gate(mail("eve@example.org", "Urgent", "eve1@example.org",
                                extra=f"X-Frontdesk-Loop: {token}\r\n"))
        foreign = self.gate(mail("ann@other.example", "Question", "ann1@other.example",
                                 extra="X-Frontdesk-Loop: another-installation\r\n"))
        for tid in (copied, foreign):
            self.assertNotEqual(tid, 1001)
            (auto,) = self.fd.query("SELECT auto_submitted FROM messages WHERE ticket_id = ?", tid)[0]
            self.assertEqual(auto, 0)
            # A person's mail is acknowledged; automatic mail never is.
            self.assertEqual(self.fd.query("SELECT count(*) FROM outbox WHERE ticket_id = ? AND kind = 'auto_ack'",
                                           tid)[0][0], 1)
        # The token as sent verifies on the message it was made for.
        back = self.gate(mail("support@example.test", "Re: Laptop", mid,
                              extra=f"X-Frontdesk-Loop: {token}\r\n"))
        self.assertEqual(back, 1001)

    def test_a_forged_message_id_threads_nowhere(self):
        self.gate(mail("dee@example.org", "Mine", "d1@example.org"))
        mid = self.reply(1001)
        local, domain = mid.split("@")
        forged = local[:-1] + ("A" if local[-1] != "A" else "B") + "@" + domain
        forged_other = "fd.1001.xyz." + local.rsplit(".", 1)[1] + "@" + domain
        for i, f in enumerate([forged, forged_other]):
            ticket = self.gate(mail("eve@example.org", "Re: Mine", f"e{i}@example.org",
                                    extra=f"In-Reply-To: <{f}>\r\n"))
            self.assertEqual(ticket, 1002 + i)
        self.assertEqual(self.fd.query("SELECT count(*) FROM messages WHERE ticket_id = 1001")[0][0], 2)


if __name__ == "__main__":
    unittest.main()
