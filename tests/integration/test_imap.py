"""IMAP intake against a real Dovecot: import and move, exactly once across a
crash between the commit and the move, a changed UIDVALIDITY, backoff while
the server is down (visible in /healthz), order over 500 messages, and a
message over the hard cap left on the server."""

import json
import os
import time
import unittest

import dovecot
from harness import Frontdesk


def mail(n, sender=None, subject=None, extra="", body=None):
    sender = sender or f"customer{n}@example.org"
    return (f"From: Customer {n} <{sender}>\n"
            f"To: support@example.test\n"
            f"Subject: {subject or f'question {n}'}\n"
            f"Message-ID: <q{n}@example.org>\n"
            f"Date: Mon, 16 Nov 2026 10:00:00 +0000\n{extra}\n"
            f"{body or f'This is question number {n}.'}\n")


def mailbox_config(server, after="move:Done", folder="INBOX", extra=""):
    return f"""
[[mailbox]]
name = "main"
host = "127.0.0.1"
port = {server.port}
tls = "none"
user = "support"
password_file = "imap.secret"
folder = "{folder}"
after = "{after}"
interval = "1s"
timeout = "5s"
{extra}
"""


@unittest.skipUnless(dovecot.available(), "dovecot is not installed")
class ImapTest(unittest.TestCase):
    def setUp(self):
        self.imap = dovecot.Dovecot()
        self.imap.start()
        self.addCleanup(self.imap.close)

    def frontdesk(self, **kw):
        fd = Frontdesk(extra_config=mailbox_config(self.imap, **kw))
        self.addCleanup(fd.close)
        with open(os.path.join(fd.dir, "imap.secret"), "w") as f:
            f.write("s3cret\n")
        r = fd.cli("migrate")
        self.assertEqual(r.returncode, 0, r.stderr)
        return fd

    def fetch(self, fd, code=0, env=None):
        r = fd.cli("fetch", env=env)
        self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        return r

    def test_imports_then_moves_and_a_second_poll_does_nothing(self):
        for n in range(3):
            self.imap.append(mail(n))
        fd = self.frontdesk()
        r = self.fetch(fd)
        self.assertIn("3 new tickets", r.stdout)
        self.assertEqual(self.imap.uids(), [])
        self.assertEqual(len(self.imap.uids("Done")), 3)
        rows = fd.query("SELECT subject, requester_email, channel FROM tickets ORDER BY id")
        self.assertEqual(rows, [(f"question {n}", f"customer{n}@example.org", "email") for n in range(3)])
        raw = fd.query("SELECT source FROM raw_messages")
        self.assertEqual({s for (s,) in raw}, {"imap:main"})
        self.fetch(fd)
        self.assertEqual(fd.query("SELECT count(*) FROM tickets")[0][0], 3)

    def test_delete_after_import_leaves_other_flagged_mail_alone(self):
        self.imap.append(mail(1))
        # A message someone else flagged \Deleted and did not expunge: a
        # plain EXPUNGE would remove it; Frontdesk must not.
        self.imap.append(mail(2))
        with self.imap.connect() as c:
            c.select("INBOX")
            c.uid("STORE", "2", "+FLAGS", "(\\Deleted)")
        fd = self.frontdesk(after="delete")
        # Its UID is above the last one imported, so it is imported too;
        # what matters is that only committed UIDs are expunged.
        self.fetch(fd)
        self.assertEqual(self.imap.uids(), [])
        self.imap.append(mail(3))
        with self.imap.connect() as c:
            c.select("INBOX")
            c.uid("STORE", "3", "+FLAGS", "(\\Deleted)")
            self.imap.append(mail(4), client=c)
        fd.write_config(fd.config_text().replace('after = "delete"', 'after = "delete"\nbatch = 1'))
        # batch = 1: only UID 3 is imported and expunged; UID 4 waits.
        self.fetch(fd)
        self.assertEqual(self.imap.uids(), [4])

    def test_crash_between_commit_and_move_makes_no_duplicate(self):
        for n in range(3):
            self.imap.append(mail(n))
        fd = self.frontdesk()
        r = self.fetch(fd, code=99, env={"FRONTDESK_FAULT": "imap-after-commit"})
        # Committed, not yet moved: the tickets exist and the mail is still there.
        self.assertEqual(fd.query("SELECT count(*) FROM tickets")[0][0], 3)
        self.assertEqual(len(self.imap.uids()), 3)
        self.assertEqual(fd.query("SELECT count(*) FROM mailbox_pending")[0][0], 3)
        r = self.fetch(fd)
        self.assertIn("3 moved", r.stdout)
        self.assertEqual(fd.query("SELECT count(*) FROM tickets")[0][0], 3)
        self.assertEqual(self.imap.uids(), [])
        self.assertEqual(len(self.imap.uids("Done")), 3)
        self.assertEqual(fd.query("SELECT count(*) FROM mailbox_pending")[0][0], 0)

    def test_changed_uidvalidity_reads_the_folder_again_without_duplicates(self):
        for n in range(2):
            self.imap.append(mail(n), folder="Support")
        fd = self.frontdesk(folder="Support")
        # The first poll commits and dies before moving: the mail stays.
        self.fetch(fd, code=99, env={"FRONTDESK_FAULT": "imap-after-commit"})
        before = self.imap.uidvalidity("Support")
        # The server renumbers the folder (restored from a backup, or
        # migrated): same messages, new UIDs, one new message.
        with self.imap.connect() as c:
            c.delete("Support")
        time.sleep(1.1)
        for n in range(3):
            self.imap.append(mail(n), folder="Support")
        self.assertNotEqual(self.imap.uidvalidity("Support"), before)
        r = self.fetch(fd)
        self.assertIn("UIDVALIDITY changed", r.stdout)
        self.assertIn("1 new tickets", r.stdout)
        self.assertIn("2 already stored", r.stdout)
        self.assertEqual(fd.query("SELECT count(*) FROM tickets")[0][0], 3)
        self.assertEqual(self.imap.uids("Support"), [])

    def test_five_hundred_messages_arrive_in_order(self):
        with self.imap.connect() as c:
            for n in range(500):
                self.imap.append(mail(n), client=c)
        fd = self.frontdesk(extra="batch = 1000")
        start = time.time()
        self.fetch(fd)
        elapsed = time.time() - start
        subjects = [s for (s,) in fd.query("SELECT subject FROM tickets ORDER BY id")]
        self.assertEqual(subjects, [f"question {n}" for n in range(500)])
        self.assertEqual(self.imap.uids(), [])
        print(f"\n500 messages imported from Dovecot in {elapsed:.2f}s", end=" ")

    def test_a_bounded_batch_leaves_the_rest_waiting(self):
        for n in range(5):
            self.imap.append(mail(n))
        fd = self.frontdesk(extra="batch = 2")
        r = self.fetch(fd)
        self.assertIn("3 waiting", r.stdout)
        self.assertEqual(fd.query("SELECT waiting FROM mailbox_state")[0][0], 3)
        self.assertEqual(len(self.imap.uids()), 3)
        self.fetch(fd)
        self.fetch(fd)
        self.assertEqual(self.imap.uids(), [])
        subjects = [s for (s,) in fd.query("SELECT subject FROM tickets ORDER BY id")]
        self.assertEqual(subjects, [f"question {n}" for n in range(5)])

    def test_a_message_over_the_hard_cap_stays_on_the_server(self):
        self.imap.append(mail(1))
        self.imap.append(mail(2, body="x" * 4000))
        self.imap.append(mail(3))
        fd = self.frontdesk()
        fd.extra_config += '\n[mail]\nmax_message_bytes = "1KiB"\nhard_max_message_bytes = "2KiB"\n'
        fd.write_config()
        r = self.fetch(fd)
        self.assertIn("1 over the size limit", r.stdout)
        self.assertEqual(self.imap.uids(), [2])
        self.assertEqual(fd.query("SELECT count(*) FROM tickets")[0][0], 2)
        (reason,) = fd.query("SELECT reason FROM rejections")[0]
        self.assertIn("left on the IMAP server", reason)
        self.assertIn("UID 2", reason)
        # It stays untouched by later polls.
        self.fetch(fd)
        self.assertEqual(self.imap.uids(), [2])

    def test_the_daemon_polls_backs_off_while_the_server_is_down_and_recovers(self):
        self.imap.stop()
        fd = self.frontdesk()
        fd.start()
        deadline = time.time() + 15
        while time.time() < deadline:
            health = fd.get("/healthz", scope="read").json()
            box = health["mailboxes"][0]
            if box["failures"] >= 2:
                break
            time.sleep(0.2)
        self.assertEqual(health["status"], "degraded")
        self.assertEqual(box["status"], "failing")
        self.assertIn("connect", box["last_error"].lower())
        self.assertIsNone(box["last_success_at"])
        self.assertIn("next try in", fd.log_text())
        self.assertRegex(fd.log_text(), r"failure 2 in a row; next try in 4s")
        # The server comes back with mail waiting.
        self.imap.start()
        self.imap.append(mail(7))
        deadline = time.time() + 30
        while time.time() < deadline:
            box = fd.get("/healthz", scope="read").json()["mailboxes"][0]
            if box["status"] == "ok" and box["imported"] == 1:
                break
            time.sleep(0.2)
        self.assertEqual(box["status"], "ok", box)
        self.assertIsNone(box["last_error"])
        self.assertEqual(box["lag_seconds"] is not None, True)
        self.assertEqual(fd.query("SELECT subject FROM tickets"), [("question 7",)])
        metrics = fd.get("/metrics", scope="read").body.decode()
        self.assertIn('frontdesk_imap_imported_total{mailbox="main"} 1', metrics)
        self.assertRegex(metrics, r'\nfrontdesk_imap_lag_seconds\{mailbox="main"\} \d+\n')
        self.assertEqual(fd.stop(), 0)

    def test_a_wrong_password_is_an_error_in_healthz(self):
        fd = self.frontdesk()
        with open(os.path.join(fd.dir, "imap.secret"), "w") as f:
            f.write("wrong\n")
        r = self.fetch(fd, code=75)
        self.assertIn("mailbox main", r.stderr)
        (error, failures) = fd.query("SELECT last_error, failures FROM mailbox_state")[0]
        self.assertEqual(failures, 1)
        self.assertTrue(error)

    def test_replies_thread_through_imap_like_through_mailgate(self):
        self.imap.append(mail(1))
        fd = self.frontdesk()
        self.fetch(fd)
        self.imap.append(mail(2, sender="customer1@example.org", subject="Re: question 1",
                              extra="In-Reply-To: <q1@example.org>\n"))
        r = self.fetch(fd)
        self.assertIn("1 added to tickets", r.stdout)
        self.assertEqual(fd.query("SELECT count(*) FROM messages WHERE ticket_id = 1001")[0][0], 2)
        # The same bytes through the MTA pipe are the same message.
        r = fd.cli("mailgate", stdin=mail(1))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("already received", r.stdout)


if __name__ == "__main__":
    unittest.main()
