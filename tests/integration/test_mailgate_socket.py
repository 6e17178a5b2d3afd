"""The quick mailgate's hand-over to the running daemon over
data_dir/mailgate.sock: mail goes through it and is filed once; a config
the quick path cannot read, a queue only the file knows, a daemon that
hangs, silent or hostile clients on the socket, and kill -9 of the daemon
in the middle of a stream all end with every acknowledged message filed
exactly once and every other one answered 75 for the MTA to retry."""

import os
import signal
import socket
import stat
import subprocess
import threading
import time
import unittest

from harness import FRONTDESK_BIN, Frontdesk, sqlite_only

MAIL = '[mail]\nmax_message_bytes = "64KiB"\nhard_max_message_bytes = "128KiB"\n'


def message(n, body="It is broken."):
    return (f"From: Ann <ann{n}@example.org>\r\nTo: support@example.test\r\nSubject: Printer {n}\r\n"
            f"Message-ID: <sock-{n}@example.org>\r\n\r\n{body}\r\n").encode()


class SocketTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(extra_config=MAIL)
        self.addCleanup(self.fd.close)
        self.sock_path = os.path.join(self.fd.data_dir, "mailgate.sock")

    def gate(self, data, *args, config=None, timeout=60):
        return subprocess.run([FRONTDESK_BIN, "mailgate", "--config", config or self.fd.config_path, *args],
                              input=data, capture_output=True, timeout=timeout)

    def handoffs(self, result):
        text = self.fd.get("/metrics", scope="read").body.decode()
        for line in text.splitlines():
            if line.startswith(f'frontdesk_mailgate_handoffs_total{{result="{result}"}}'):
                return int(float(line.split()[-1]))
        return 0

    def wait_filed(self, tickets, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if (self.fd.query("SELECT count(*) FROM inbound_spool")[0][0] == 0 and
                    self.fd.query("SELECT count(*) FROM tickets")[0][0] >= tickets):
                break
            time.sleep(0.02)
        self.assertEqual(self.fd.query("SELECT count(*) FROM inbound_spool")[0][0], 0, self.fd.log_text())
        self.assertEqual(self.fd.query("SELECT count(*) FROM tickets")[0][0], tickets, self.fd.log_text())

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.sock_path)
        return s

    def exchange(self, payload):
        """Greeting, then `payload`, then the daemon's answer line."""
        with self.connect() as s:
            greeting = s.recv(1024)
            s.sendall(payload)
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = s.recv(1024)
                if not chunk:
                    break
                answer += chunk
            return greeting, answer

    def test_mail_goes_through_the_socket_and_is_filed_once(self):
        self.fd.start()
        st = os.stat(self.sock_path)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
        for n in range(3):
            r = self.gate(message(n))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout.decode(), r"^spooled as entry \d+; the daemon files it\n$")
        self.assertEqual(self.gate(message(0)).returncode, 0)  # the MTA delivers twice
        self.wait_filed(3)
        self.assertEqual(self.handoffs("spooled"), 4)
        # Filed under the daemon's clock, from when the socket took it.
        self.assertEqual(self.fd.query("SELECT DISTINCT source FROM raw_messages"), [("mailgate",)])
        self.assertEqual(self.fd.stop(), 0)
        self.assertFalse(os.path.exists(self.sock_path))

    def test_the_greeting_announces_the_hard_cap_and_the_cap_is_65(self):
        self.fd.start()
        with self.connect() as s:
            greeting = s.recv(1024)
        self.assertEqual(greeting, b"FRONTDESK-MAILGATE 1 max=131072\n")
        r = self.gate(message(1, body="x" * 200_000))
        self.assertEqual(r.returncode, 65)
        self.assertIn(b"over the limit of 131072 bytes", r.stderr)
        self.assertEqual(self.fd.query("SELECT count(*) FROM inbound_spool")[0][0], 0)

    def test_hostile_requests_store_nothing_and_say_why(self):
        self.fd.start()
        cases = [
            (b"HELLO\n", b"REFUSED expected SPOOL"),
            (b"SPOOL reply - 5\nhello", b"REFUSED the action must be"),
            (b"SPOOL correspond - 999999999\n", b"REFUSED the message is over the hard cap of 131072 bytes"),
            (b"SPOOL correspond nowhere 5\nhello", b"REFUSED unknown queue nowhere"),
            (b"SPOOL correspond - 3\nhello", b"REFUSED more bytes than the request announced"),
            (b"X" * 5000, b"REFUSED the request line is longer than 1024 bytes"),
            (b"SPOOL correspond - 5\r\nhello", b"REFUSED the size must be"),
        ]
        for payload, expected in cases:
            with self.subTest(payload=payload[:40]):
                _, answer = self.exchange(payload)
                self.assertTrue(answer.startswith(expected), answer)
                self.assertTrue(answer.endswith(b"\n") and answer.count(b"\n") == 1, answer)
        # A body cut short: the client hangs up, nothing is stored.
        with self.connect() as s:
            s.recv(1024)
            s.sendall(b"SPOOL correspond - 100\nonly a little")
        time.sleep(0.3)
        self.assertEqual(self.fd.query("SELECT count(*) FROM inbound_spool")[0][0], 0)
        self.assertEqual(self.fd.query("SELECT count(*) FROM tickets")[0][0], 0)
        # The socket still works.
        self.assertEqual(self.gate(message(1)).returncode, 0)
        self.wait_filed(1)

    @sqlite_only("the full command spools into SQLite beside a running daemon")
    def test_silent_clients_hold_no_mail_up(self):
        # More idle connections than handlers: every handler waits on a
        # silent client, and the mailgate behind them gets no greeting. It
        # takes the full path after 10 s, which spools the mail itself.
        self.fd.start()
        idle = [self.connect() for _ in range(24)]
        try:
            t0 = time.time()
            r = self.gate(message(1))
            took = time.time() - t0
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(b"spooled as entry", r.stdout)
            self.assertLess(took, 15)
        finally:
            for s in idle:
                s.close()
        self.wait_filed(1)
        self.assertEqual(self.handoffs("spooled"), 0)

    def test_a_slow_client_is_answered_tempfail_and_closed(self):
        self.fd.start()
        with self.connect() as s:
            s.settimeout(60)
            s.recv(1024)
            s.sendall(b"SPOOL correspond - 100\n")
            t0 = time.time()
            answer = s.recv(1024)
            self.assertEqual(answer, b"TEMPFAIL the message did not arrive in time\n")
            self.assertGreater(time.time() - t0, 20)
        self.assertEqual(self.fd.query("SELECT count(*) FROM inbound_spool")[0][0], 0)

    @sqlite_only("the full command spools into SQLite beside a running daemon")
    def test_a_config_the_quick_path_cannot_read_still_takes_mail(self):
        # [server] written as dotted keys: the scan steps aside, and the full
        # command (which reads the file whole) spools for the daemon.
        self.fd.start()
        with open(self.fd.config_path) as f:
            lines = f.read().splitlines()
        start = lines.index("[server]")
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("["))
        dotted = [f"server.{line}" for line in lines[start + 1:end] if "=" in line]
        other = os.path.join(self.fd.dir, "dotted.toml")
        with open(other, "w") as f:
            f.write("\n".join(lines[:start] + dotted + lines[end:]) + "\n")
        before = self.handoffs("spooled")
        r = self.gate(message(1), config=other)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"spooled as entry", r.stdout)
        self.assertEqual(self.handoffs("spooled"), before)  # not through the socket
        self.wait_filed(1)

    @sqlite_only("the full command spools into SQLite beside a running daemon")
    def test_a_queue_only_the_file_knows_is_put_back_for_the_full_command(self):
        # The config file gained a queue the running daemon has not loaded:
        # the daemon refuses it, and the full command, which reads the file,
        # takes the message from the stdin the quick path put back.
        self.fd.start()
        with open(self.fd.config_path, "a") as f:
            f.write('\n[[queue]]\nname = "new"\naddresses = ["new@example.test"]\nagents = ["agent@example.test"]\n')
        data = message(7, body="y" * 50_000)
        r = self.gate(data, "--queue", "new")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"spooled as entry", r.stdout)
        self.assertGreaterEqual(self.handoffs("refused"), 1)
        self.wait_filed(1)
        self.assertEqual(self.fd.query("SELECT b.data FROM raw_messages r JOIN blobs b ON b.sha256 = r.sha256"),
                         [(data,)])

    @sqlite_only("the full command spools into SQLite beside a running daemon")
    def test_a_hung_daemon_leaves_the_mail_with_the_spool(self):
        self.fd.start()
        self.fd.signal(signal.SIGSTOP)
        try:
            r = self.gate(message(1), timeout=60)
        finally:
            self.fd.signal(signal.SIGCONT)
        # The greeting never came: the full command spooled it itself.
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"spooled as entry", r.stdout)
        self.wait_filed(1)

    def test_kill_9_in_a_stream_loses_and_doubles_nothing(self):
        # Four mailgates at a time, as Postfix runs them, and the daemon is
        # killed in the middle. A message answered 0 must be filed once; one
        # answered 75 is retried, as the MTA would, until it is accepted.
        self.fd.start()
        pending = list(range(120))
        lock = threading.Lock()
        accepted, retried = [], []

        def worker():
            while True:
                with lock:
                    if not pending:
                        return
                    n = pending.pop(0)
                r = self.gate(message(n))
                with lock:
                    if r.returncode == 0:
                        accepted.append(n)
                    else:
                        self.assertEqual(r.returncode, 75, r.stderr)
                        retried.append(n)
                        pending.append(n)
                        time.sleep(0.05)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        while len(accepted) < 40:
            time.sleep(0.005)
        self.fd.kill9()
        time.sleep(0.2)
        self.fd.start()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual(sorted(accepted), list(range(120)))
        self.wait_filed(120)
        self.assertEqual(self.fd.query("SELECT count(*) FROM messages"), [(120,)])
        self.assertEqual(self.fd.query("SELECT count(DISTINCT subject) FROM tickets"), [(120,)])


if __name__ == "__main__":
    unittest.main()
