"""What one hostile message may cost: mail is parsed in worker processes
under [mail] limits, so a message that hangs or crashes the parser, or has
too many MIME parts, is quarantined with the reason after a bounded number
of tries, and the mail behind it is filed as usual. Runs the real serve,
the real mailgate and the real parse workers; a hang or a crash is injected
into the worker with FRONTDESK_FAULT=parse-worker."""

import subprocess
import time
import unittest

from harness import FRONTDESK_BIN, Frontdesk


def mail(sender, subject, msgid, extra="", body="Hello."):
    return (f"From: {sender}\r\nTo: support@example.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{msgid}>\r\n{extra}\r\n{body}\r\n").encode()


def many_parts(n):
    parts = "".join("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(n))
    return (f"From: Mallory <mallory@example.org>\r\nTo: support@example.test\r\nSubject: Parts\r\n"
            f"Message-ID: <parts@example.org>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n{parts}--b--\r\n").encode()


class ParseLimitsTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(extra_config='[mail]\nparse_cpu_limit = "1s"\nparse_attempts = 3\nmax_mime_parts = 500\n')
        self.fd.env = {"FRONTDESK_FAULT": "parse-worker"}
        self.addCleanup(self.fd.close)
        self.fd.start()

    def gate(self, data):
        r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", self.fd.config_path],
                           input=data, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)

    def wait(self, what, check, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.1)
        self.fail(f"{what}:\n" + self.fd.log_text())

    def test_a_message_that_hangs_the_parser_is_quarantined_after_its_tries_and_the_rest_flows(self):
        started = time.time()
        # The fault is in the body, as an HTML or MIME bomb is: the headers
        # alone can still be read.
        self.gate(mail("Mallory <mallory@example.org>", "Hang", "hang@example.org",
                       body="Hello.\r\nX-Frontdesk-Fault: hang"))
        self.gate(mail("anna@example.org", "Printer", "p1@example.org"))
        # The mail behind it is filed while the first waits for its next try.
        self.wait("the good mail was not filed",
                  lambda: self.fd.query("SELECT count(*) FROM tickets WHERE subject = 'Printer'")[0][0] == 1)
        rows = self.wait("the hanging mail was not quarantined",
                         lambda: self.fd.query("SELECT quarantine_reason, requester_email, requester_name, subject "
                                               "FROM tickets WHERE quarantined = 1"))
        (reason, requester, name, subject) = rows[0]
        self.assertIn("longer than 3 s", reason)
        self.assertIn("3 tries", reason)
        # Filed under its real sender and subject, for the person who looks.
        self.assertEqual((requester, name, subject), ("mallory@example.org", "Mallory", "Hang"))
        # Three tries of at most 3 s each, with a pause between rounds.
        self.assertLess(time.time() - started, 40)
        self.assertEqual(self.fd.query("SELECT count(*) FROM inbound_spool")[0][0], 0)
        # The raw message is kept for a person.
        self.assertEqual(self.fd.query("SELECT count(*) FROM raw_messages")[0][0], 2)
        r = self.fd.get("/healthz")
        self.assertEqual(r.status, 200)

    def test_a_message_that_crashes_the_parser_is_quarantined_with_how_it_crashed(self):
        # In the headers: then even they cannot be read, and the mail is filed without them.
        self.gate(mail("mallory@example.org", "Crash", "crash@example.org", extra="X-Frontdesk-Fault: crash\r\n"))
        rows = self.wait("the crashing mail was not quarantined",
                         lambda: self.fd.query("SELECT quarantine_reason, requester_email FROM tickets "
                                               "WHERE quarantined = 1"))
        self.assertIn("signal 6", rows[0][0])
        self.assertEqual(rows[0][1], "unknown@invalid")
        self.gate(mail("anna@example.org", "Printer", "p1@example.org"))
        self.wait("the daemon stopped filing mail after a worker crashed",
                  lambda: self.fd.query("SELECT count(*) FROM tickets WHERE subject = 'Printer'")[0][0] == 1)

    def test_a_message_with_too_many_parts_is_quarantined_at_once_with_its_sender(self):
        started = time.time()
        self.gate(many_parts(5000))
        rows = self.wait("the mail with many parts was not quarantined",
                         lambda: self.fd.query("SELECT quarantine_reason, requester_email FROM tickets "
                                               "WHERE quarantined = 1"))
        reason, requester = rows[0]
        self.assertIn("max_mime_parts", reason)
        self.assertEqual(requester, "mallory@example.org")
        self.assertLess(time.time() - started, 10)

    def test_check_config_refuses_limits_out_of_range(self):
        self.fd.extra_config = '[mail]\nparse_cpu_limit = "0s"\nparse_workers = 0\nmax_mime_parts = 2\n'
        self.fd.write_config()
        r = self.fd.cli("check-config")
        self.assertNotEqual(r.returncode, 0)
        for key in ("mail.parse_cpu_limit", "mail.parse_workers", "mail.max_mime_parts"):
            self.assertIn(key, r.stderr)


if __name__ == "__main__":
    unittest.main()
