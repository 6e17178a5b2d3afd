"""The quick mailgate while `frontdesk serve` runs: it spools and exits 0 at
once; the daemon files the mail. Nothing is lost or doubled across a kill -9
of the daemon with mail spooled, and `frontdesk fetch` files what a daemon
left. A second daemon on the same data directory is refused."""

import fcntl
import os
import sqlite3
import subprocess
import time
import unittest

from harness import FRONTDESK_BIN, Frontdesk, sqlite_only

MAIL = '[mail]\nmax_message_bytes = "64KiB"\nhard_max_message_bytes = "128KiB"\n'


def message(n, body="It is broken."):
    return (f"From: Ann <ann{n}@example.org>\r\nTo: support@example.test\r\nSubject: Printer {n}\r\n"
            f"Message-ID: <spool-{n}@example.org>\r\n\r\n{body}\r\n").encode()


@sqlite_only("the spool beside a running daemon is an SQLite table; on PostgreSQL mailgate files directly")
class SpoolTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(extra_config=MAIL)
        self.addCleanup(self.fd.close)

    def gate(self, data, *args):
        return subprocess.run([FRONTDESK_BIN, "mailgate", "--config", self.fd.config_path, *args],
                              input=data, capture_output=True, timeout=60)

    def wait_filed(self, tickets, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if (self.fd.query("SELECT count(*) FROM inbound_spool")[0][0] == 0 and
                    self.fd.query("SELECT count(*) FROM tickets")[0][0] == tickets):
                return
            time.sleep(0.02)
        self.fail("not filed:\n" + self.fd.log_text())

    def test_spooled_mail_is_filed_by_the_daemon_once(self):
        self.fd.start()
        for n in range(5):
            r = self.gate(message(n))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout.decode(), r"^spooled as entry \d+; the daemon files it\n$")
        self.assertEqual(self.gate(message(0)).returncode, 0)  # the MTA delivers twice
        self.wait_filed(5)
        self.assertEqual([s for (s,) in self.fd.query("SELECT subject FROM tickets ORDER BY id")],
                         [f"Printer {n}" for n in range(5)])
        self.assertEqual(self.fd.query("SELECT DISTINCT source FROM raw_messages"), [("mailgate",)])
        health = self.fd.get("/healthz", scope="read").json()
        self.assertEqual(health["spool"]["entries"], 0)

    def test_queue_and_comment_travel_through_the_spool(self):
        self.fd.start()
        self.assertEqual(self.gate(message(1)).returncode, 0)
        self.wait_filed(1)
        # The agent answers the alert Frontdesk queued for them: that proves it.
        ((alert,),) = self.fd.query("SELECT message_id FROM outbox WHERE recipient = 'agent@example.test'")
        reply = (b"From: agent@example.test\r\nTo: support-comment@example.test\r\nSubject: Re: Printer 1\r\n"
                 b"In-Reply-To: <" + alert.encode() + b"@example.test>\r\nMessage-ID: <note-1@example.test>\r\n"
                 b"\r\nInternal.\r\n")
        self.assertEqual(self.gate(reply, "--action", "comment", "--queue", "support").returncode, 0)
        deadline = time.time() + 10
        while time.time() < deadline and len(self.fd.query("SELECT id FROM messages")) < 2:
            time.sleep(0.02)
        self.assertEqual(self.fd.query("SELECT kind FROM messages ORDER BY id"), [("customer",), ("note",)])

    def test_the_hard_cap_is_65_on_the_quick_path_too(self):
        self.fd.start()
        r = self.gate(message(1, body="x" * 200_000))
        self.assertEqual(r.returncode, 65)
        self.assertIn(b"over the limit of 131072 bytes", r.stderr)
        self.assertEqual(self.fd.query("SELECT count(*) FROM inbound_spool")[0][0], 0)

    def test_kill_9_with_mail_spooled_loses_and_doubles_nothing(self):
        self.fd.start()
        self.fd.kill9()
        # The daemon is gone but its lock went with it: mailgate now files
        # the mail itself. Spool entries left by a dead daemon stay put.
        conn_rows = []
        for n in range(3):
            r = self.gate(message(n))
            self.assertEqual(r.returncode, 0, r.stderr)
            conn_rows.append(r.stdout.decode())
        self.assertTrue(all("created" in o for o in conn_rows), conn_rows)
        # Entries spooled just before a crash (inserted as the quick path does).
        now = int(time.time())
        db = sqlite3.connect(self.fd.db_path)
        for n in range(3, 6):
            db.execute("INSERT INTO inbound_spool(raw, source, received_at) VALUES (?, 'mailgate', ?)",
                       (message(n), now))
        db.execute("INSERT INTO inbound_spool(raw, source, received_at) VALUES (?, 'mailgate', ?)", (message(0), now))
        db.commit()
        db.close()
        self.fd.start()
        self.wait_filed(6)
        self.assertEqual(self.fd.query("SELECT count(*) FROM messages")[0][0], 6)

    def test_fetch_files_what_no_daemon_filed(self):
        r = self.fd.cli("migrate")
        self.assertEqual(r.returncode, 0, r.stderr)
        db = sqlite3.connect(self.fd.db_path)
        db.execute("INSERT INTO inbound_spool(raw, source, received_at) VALUES (?, 'mailgate', ?)",
                   (message(1), int(time.time())))
        db.commit()
        db.close()
        r = self.fd.cli("fetch")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("spool: 1 filed", r.stdout)
        self.assertEqual(self.fd.query("SELECT count(*) FROM tickets")[0][0], 1)

    def test_spooled_mail_is_timed_from_when_it_was_spooled(self):
        # Spooled an hour ago, while the daemon was down: the customer has
        # waited since then, and the ticket and its SLA clocks say so.
        self.assertEqual(self.fd.cli("migrate").returncode, 0)
        spooled_at = int(time.time()) - 3600
        db = sqlite3.connect(self.fd.db_path)
        db.execute("INSERT INTO inbound_spool(raw, source, received_at) VALUES (?, 'mailgate', ?)",
                   (message(1), spooled_at))
        db.commit()
        db.close()
        self.fd.start()
        self.wait_filed(1)
        self.assertEqual(self.fd.query("SELECT created_at FROM tickets"), [(spooled_at,)])

    def test_a_locked_database_answers_75_and_names_who_holds_it_once(self):
        self.fd.server_extra = 'busy_timeout = "300ms"'
        self.fd.write_config()
        self.fd.start()
        holder = sqlite3.connect(self.fd.db_path, timeout=1, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            r = self.gate(message(1))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        self.assertEqual(r.returncode, 75, r.stderr)
        err = r.stderr.decode()
        self.assertEqual(err.count("database is locked"), 1, err)
        self.assertIn(f"pid {os.getpid()} (", err)
        self.assertIn(f"held the write lock of {self.fd.db_path} longer than [server] busy_timeout allows", err)
        self.assertTrue(err.endswith("; the message is kept for a retry\n"), err)
        self.assertEqual(self.gate(message(1)).returncode, 0)  # the MTA's retry
        self.wait_filed(1)

    def test_the_wal_stays_bounded_when_nothing_else_has_the_database_open(self):
        # A daemon that holds the serve lock but has closed its database
        # (it is stopping): each mailgate is then the only connection, and
        # one left unfolded makes the next rebuild its index from the whole
        # WAL, so that each message cost more than the one before.
        self.assertEqual(self.fd.cli("migrate").returncode, 0)
        with open(os.path.join(self.fd.data_dir, "serve.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for n in range(120):
                r = self.gate(message(n, body="x" * 8000))
                self.assertEqual(r.returncode, 0, r.stderr)
            wal = self.fd.db_path + "-wal"
            wal_bytes = os.path.getsize(wal) if os.path.exists(wal) else 0
        self.assertEqual(self.fd.query("SELECT count(*) FROM inbound_spool")[0][0], 120)
        # 120 messages of 8 KB are about 360 frames of 4 KB; the WAL is folded
        # into the database once it passes 256.
        self.assertLess(wal_bytes, 300 * 4120, wal_bytes)

    def test_a_second_daemon_on_the_same_data_directory_is_refused(self):
        self.fd.start()
        other = subprocess.run([FRONTDESK_BIN, "serve", "--config", self.fd.config_path],
                               capture_output=True, timeout=30, env=dict(os.environ, **(self.fd.env or {})))
        self.assertEqual(other.returncode, 1)
        self.assertIn(b"another frontdesk serve is running", other.stdout + other.stderr)
        self.assertEqual(self.fd.get("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
