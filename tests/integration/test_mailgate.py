"""`frontdesk mailgate` as an MTA runs it: one process per message on
stdin, against a real database. Exit codes, dedupe, threading, quarantine,
and a locked database that answers 75 and then, redelivered, makes exactly
one ticket."""

import os
import sqlite3
import subprocess
import time
import unittest

from harness import FRONTDESK_BIN, Frontdesk, sqlite_only

MAIL = """
[mail]
max_message_bytes = "64KiB"
hard_max_message_bytes = "128KiB"
"""


def message(msgid, subject="Printer broken", sender="Ann <ann@example.org>", extra="", body="It is broken."):
    head = f"From: {sender}\r\nTo: support@example.test\r\nSubject: {subject}\r\n"
    if msgid:
        head += f"Message-ID: <{msgid}>\r\n"
    return (head + extra + "\r\n" + body + "\r\n").encode()


class MailgateTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(extra_config=MAIL, server_extra='busy_timeout = "300ms"')
        self.addCleanup(self.fd.close)
        self.assertEqual(self.fd.cli("migrate").returncode, 0)

    def gate(self, data, *args):
        return subprocess.run([FRONTDESK_BIN, "mailgate", "--config", self.fd.config_path, *args],
                              input=data, capture_output=True, timeout=60)

    def count(self, sql, *params):
        return self.fd.query(sql, *params)[0][0]

    def test_a_new_mail_becomes_a_ticket_once(self):
        m = message("one@example.org")
        r = self.gate(m)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"ticket 1001: created\n")
        row = self.fd.query("SELECT channel, requester_email, requester_name, subject, quarantined FROM tickets")
        self.assertEqual(row, [("email", "ann@example.org", "Ann", "Printer broken", 0)])
        self.assertEqual(self.count("SELECT count(*) FROM raw_messages"), 1)
        self.assertEqual(self.fd.query("SELECT body_text, message_id FROM messages"), [("It is broken.\n", "one@example.org")])
        # The same bytes again, by the same path or another: one message.
        r = self.gate(m)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"ticket 1001: already received; nothing done\n")
        self.assertEqual(self.count("SELECT count(*) FROM messages"), 1)

    def test_same_message_id_with_other_bytes_is_kept_and_flagged(self):
        self.assertEqual(self.gate(message("same@example.org")).returncode, 0)
        r = self.gate(message("same@example.org", body="Different text."))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.count("SELECT count(*) FROM messages"), 2)
        self.assertEqual(self.count("SELECT count(*) FROM events WHERE kind = 'duplicate_message_id'"), 1)

    def test_no_message_id_is_keyed_by_hash(self):
        m = message(None)
        self.assertEqual(self.gate(m).returncode, 0)
        self.assertEqual(self.gate(m).stdout, b"ticket 1001: already received; nothing done\n")
        self.assertEqual(self.count("SELECT count(*) FROM tickets"), 1)

    def test_replies_thread_by_header_and_by_tag(self):
        self.gate(message("first@example.org"))
        r = self.gate(message("second@example.org", "Re: Printer broken", extra="In-Reply-To: <first@example.org>\r\n"))
        self.assertEqual(r.stdout, b"ticket 1001: message added\n")
        r = self.gate(message("third@example.org", "Re: [FD#1001] Printer", extra=""))
        self.assertEqual(r.stdout, b"ticket 1001: message added\n")
        # The tag alone from a stranger does not join the ticket.
        r = self.gate(message("fourth@example.org", "Re: [FD#1001] Printer", sender="eve@evil.example"))
        self.assertEqual(r.stdout, b"ticket 1002: created\n")
        self.assertEqual(self.count("SELECT count(*) FROM messages WHERE ticket_id = 1001"), 3)

    def test_a_customer_reply_reopens_but_an_auto_reply_does_not(self):
        self.gate(message("r1@example.org"))
        self.fd.execute("UPDATE tickets SET status = 'solved', solved_at = ? WHERE id = 1001", int(time.time()))
        self.gate(message("r2@example.org", "Automatic reply", extra="In-Reply-To: <r1@example.org>\r\nAuto-Submitted: auto-replied\r\n"))
        self.assertEqual(self.fd.query("SELECT status FROM tickets WHERE id = 1001"), [("solved",)])
        self.assertEqual(self.fd.query("SELECT kind FROM messages ORDER BY id DESC LIMIT 1"), [("auto",)])
        self.gate(message("r3@example.org", "Re: Printer", extra="In-Reply-To: <r1@example.org>\r\n"))
        self.assertEqual(self.fd.query("SELECT status, reopened_count FROM tickets WHERE id = 1001"), [("open", 1)])

    def test_size_caps(self):
        big = message("big@example.org", body="x" * (70 * 1024))
        r = self.gate(big)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"(quarantined: the message is", r.stdout)
        self.assertEqual(self.fd.query("SELECT quarantined, requester_email FROM tickets"), [(1, "ann@example.org")])
        self.assertEqual(self.count("SELECT count(*) FROM events WHERE kind = 'quarantined'"), 1)
        huge = message("huge@example.org", body="x" * (200 * 1024))
        r = self.gate(huge)
        self.assertEqual(r.returncode, 65)
        self.assertIn(b"over the limit of 131072 bytes", r.stderr)
        self.assertEqual(self.count("SELECT count(*) FROM tickets"), 1)

    def test_unreadable_mail_is_quarantined_not_dropped(self):
        r = self.gate(b"\x00\x01 this is not mail at all \xff")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.count("SELECT count(*) FROM tickets WHERE quarantined = 1"), 1)
        self.assertEqual(self.count("SELECT count(*) FROM raw_messages"), 1)

    def test_reprocess_lifts_the_quarantine_when_the_mail_reads(self):
        big = message("big2@example.org", subject="Large scan", body="y" * (70 * 1024))
        self.assertEqual(self.gate(big).returncode, 0)
        self.assertEqual(self.fd.query("SELECT quarantined FROM tickets WHERE id = 1001"), [(1,)])
        r = self.fd.cli("reprocess", "1001")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, 'ticket 1001 reprocessed: from ann@example.org, "Large scan"; no longer quarantined\n')
        row = self.fd.query("SELECT t.quarantined, t.subject, length(m.body_text) FROM tickets t "
                            "JOIN messages m ON m.ticket_id = t.id WHERE t.id = 1001")
        self.assertEqual(row, [(0, "Large scan", 70 * 1024 + 1)])
        self.assertEqual(self.count("SELECT count(*) FROM events WHERE kind = 'reprocessed'"), 1)
        r = self.fd.cli("reprocess", "1001")
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not quarantined", r.stderr)
        # Garbage stays quarantined, and says why.
        self.gate(b"\x00\x01 not mail \xff")
        r = self.fd.cli("reprocess", "1002")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ticket 1002 stays quarantined", r.stdout)
        self.assertEqual(self.fd.query("SELECT quarantined FROM tickets WHERE id = 1002"), [(1,)])
        self.assertEqual(self.count("SELECT count(*) FROM events WHERE kind = 'reprocess_failed'"), 1)

    @sqlite_only("holds the SQLite write lock")
    def test_a_locked_database_answers_75_and_redelivery_makes_one_ticket(self):
        holder = sqlite3.connect(self.fd.db_path, timeout=1, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            r = self.gate(message("locked@example.org"))
            self.assertEqual(r.returncode, 75, r.stderr)
            self.assertIn(b"kept for a retry", r.stderr)
            # Said once, with who holds the lock and what to do.
            err = r.stderr.decode()
            self.assertEqual(err.count("database is locked"), 1, err)
            self.assertIn(f"pid {os.getpid()} (", err)
            self.assertIn("longer than [server] busy_timeout allows", err)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        self.assertEqual(self.count("SELECT count(*) FROM tickets"), 0)
        self.assertEqual(self.count("SELECT count(*) FROM blobs"), 0)
        for _ in range(2):  # the MTA retries, perhaps twice
            self.assertEqual(self.gate(message("locked@example.org")).returncode, 0)
        self.assertEqual(self.count("SELECT count(*) FROM tickets"), 1)

    def test_a_mail_to_two_queues_is_one_ticket_or_one_per_queue(self):
        from harness import QUEUES
        two = QUEUES + '\n[[queue]]\nname = "sales"\naddresses = ["sales@example.test"]\n'
        for per_queue in (False, True):
            with self.subTest(ticket_per_queue=per_queue):
                fd = Frontdesk(queues=two, extra_config=f"[mail]\nticket_per_queue = {str(per_queue).lower()}\n")
                self.addCleanup(fd.close)
                self.assertEqual(fd.cli("migrate").returncode, 0)
                m = message("both@example.org", extra="Cc: Sales <SALES@example.test>\r\n")
                r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", fd.config_path], input=m,
                                   capture_output=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                rows = fd.query("SELECT id, queue FROM tickets ORDER BY id")
                addresses = fd.query("SELECT address, role FROM ticket_addresses WHERE ticket_id = 1001 "
                                     "AND role <> 'requester' ORDER BY address")
                self.assertEqual(addresses, [("sales@example.test", "cc"), ("support@example.test", "recipient")])
                if per_queue:
                    self.assertEqual(rows, [(1001, "support"), (1002, "sales")])
                    self.assertIn(b"ticket 1002: created (a copy for another queue)", r.stdout)
                    self.assertEqual(fd.query("SELECT count(*) FROM events WHERE kind = 'copied_per_queue'"), [(1,)])
                else:
                    self.assertEqual(rows, [(1001, "support")])
                r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", fd.config_path], input=m,
                                   capture_output=True, timeout=60)
                self.assertIn(b"already received", r.stdout)
                self.assertEqual(len(fd.query("SELECT id FROM tickets")), 2 if per_queue else 1)

    def test_attachment_caps_keep_the_rest_in_the_raw_message(self):
        fd = Frontdesk(extra_config='[mail]\nmax_attachments = 2\nmax_attachment_bytes = "1KiB"\n')
        self.addCleanup(fd.close)
        self.assertEqual(fd.cli("migrate").returncode, 0)
        import base64

        def part(name, size):
            data = base64.encodebytes(b"x" * size).decode().replace("\n", "\r\n")
            return (f"--b\r\nContent-Type: application/octet-stream\r\n"
                    f"Content-Disposition: attachment; filename=\"{name}\"\r\n"
                    f"Content-Transfer-Encoding: base64\r\n\r\n{data}")
        body = ("--b\r\nContent-Type: text/plain\r\n\r\nFiles.\r\n" + part("a.bin", 10) + part("big.bin", 2048) +
                part("c.bin", 10) + part("d.bin", 10) + "--b--\r\n")
        m = message("caps@example.org", extra='MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n',
                    body=body)
        r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", fd.config_path], input=m,
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(fd.query("SELECT filename FROM attachments ORDER BY id"), [("a.bin",), ("c.bin",)])
        (text,) = fd.query("SELECT body_text FROM messages")[0]
        self.assertIn("[attachment big.bin (2048 bytes) over mail.max_attachment_bytes (1024); kept in the raw message]",
                      text)
        self.assertIn("[attachment d.bin (10 bytes) past mail.max_attachments (2); kept in the raw message]", text)
        (detail,) = fd.query("SELECT detail FROM events WHERE kind = 'attachments_withheld'")[0]
        self.assertEqual([a["filename"] for a in __import__("json").loads(detail)["attachments"]], ["big.bin", "d.bin"])
        self.assertEqual(fd.query("SELECT count(*) FROM raw_messages")[0][0], 1)

    def test_a_broken_config_or_unknown_queue_is_75(self):
        self.assertEqual(self.gate(message("q@example.org"), "--queue", "nowhere").returncode, 75)
        self.fd.write_config(self.fd.config_text() + "\nbogus = 1\n")
        self.assertEqual(self.gate(message("q@example.org")).returncode, 75)


if __name__ == "__main__":
    unittest.main()
