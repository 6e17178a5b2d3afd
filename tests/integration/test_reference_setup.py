"""The reference set-up of docs/SCALING.md, in one test: a PostgreSQL primary
with a synchronous standby, two Frontdesk boxes on it, nginx in front of both
for the web form, the MTA delivering to either box through mailgate, and
cron running `frontdesk escalate` on both.

Under load, box 1 is killed with SIGKILL, then the primary dies and the
standby is promoted. Customers resubmit what was not accepted, as a browser
does, and the MTA retries what mailgate deferred. In the end every
acknowledged form post and mail is one ticket, every queued mail reaches the
SMTP sink, and every SLA level fires once.

Runs beside PostgreSQL only (FRONTDESK_TEST_POSTGRES), on clusters of its
own, and needs Debian's nginx."""

import collections
import email
import http.client
import os
import subprocess
import threading
import time
import unittest

from harness import FRONTDESK_BIN, POSTGRES, Frontdesk, urlencoded
from nginx import MISSING, NGINX, Nginx
from pg_cluster import ReplicatedPair
from smtp_sink import SmtpServer
from test_postgres_nodes import POLICY, SMTP

# The nodes test's mail and SLA policy, and a form that does not throttle
# the load.
CONFIG = SMTP + '[form]\nrate_limit = 1000000\nrate_limit_window = "1s"\n' + POLICY


def mail(n):
    return (f"From: Customer {n} <m{n}@example.org>\r\nTo: support@example.test\r\n"
            f"Subject: Mail {n}\r\nMessage-ID: <reference-{n}@example.org>\r\n\r\nBody {n}.\r\n").encode()


def form_post(port, key):
    """The web form as a browser sends it; the form token makes a resubmit
    the same ticket. Returns the status, or None for no answer."""
    body, ctype = urlencoded({"email": f"{key}@example.org", "subject": f"Form {key}",
                              "message": "Sent through nginx.", "form_token": key})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/tickets", body=body, headers={"Content-Type": ctype})
        r = conn.getresponse()
        r.read()
        return r.status
    except OSError:
        return None
    finally:
        conn.close()


@unittest.skipUnless(POSTGRES, "needs PostgreSQL (FRONTDESK_TEST_POSTGRES)")
@unittest.skipUnless(os.path.exists(NGINX), MISSING)
class ReferenceSetupTest(unittest.TestCase):
    def setUp(self):
        self.pair = ReplicatedPair()
        self.addCleanup(self.pair.close)
        self.pair.start()
        url = self.pair.create_database("fd")
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)
        self.sink.start()
        self.boxes = []
        for _ in range(2):
            box = Frontdesk(postgres_url=url, extra_config=CONFIG.format(port=self.sink.port),
                            server_extra='busy_timeout = "2s"\ntrusted_proxies = ["127.0.0.1"]')
            self.addCleanup(box.close)
            if self.boxes:
                box.tokens = dict(self.boxes[0].tokens)
            box.start()
            self.boxes.append(box)
        self.nginx = Nginx([b.public_port for b in self.boxes])
        self.addCleanup(self.nginx.close)
        self.nginx.start()

    def deliver(self, n, stop_retrying):
        """The MTA: mailgate on one box, then the other, until one takes it."""
        attempt = n
        while time.time() < stop_retrying:
            box = self.boxes[attempt % 2]
            attempt += 1
            r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", box.config_path], input=mail(n),
                               capture_output=True, timeout=60)
            if r.returncode == 0:
                return True
            self.assertEqual(r.returncode, 75, r.stderr)  # deferred: the MTA keeps it and retries
            time.sleep(0.2)
        return False

    def submit(self, key, stop_retrying):
        """A customer: submits, and submits again until the form says yes."""
        while time.time() < stop_retrying:
            status = form_post(self.nginx.port, key)
            if status == 200:
                return True
            self.assertIn(status, (None, 502, 503, 504))
            time.sleep(0.2)
        return False

    def load(self, seconds):
        acked_forms, acked_mails, lock = [], [], threading.Lock()
        stop_new = time.time() + seconds
        stop_retrying = stop_new + 60

        def forms(worker):
            n = 0
            while time.time() < stop_new:
                n += 1
                if self.submit(f"w{worker}-{n}", stop_retrying):
                    with lock:
                        acked_forms.append(f"w{worker}-{n}")

        def mails(worker):
            n = worker * 10000
            while time.time() < stop_new:
                n += 1
                if self.deliver(n, stop_retrying):
                    with lock:
                        acked_mails.append(n)

        threads = [threading.Thread(target=forms, args=(w,)) for w in range(2)]
        threads += [threading.Thread(target=mails, args=(w,)) for w in range(1, 3)]
        for t in threads:
            t.start()
        return threads, acked_forms, acked_mails

    def test_a_box_and_the_primary_die_and_nothing_is_lost_or_doubled(self):
        threads, acked_forms, acked_mails = self.load(seconds=6)
        time.sleep(2)
        self.boxes[0].kill9()
        time.sleep(1.5)
        self.pair.primary.crash()
        time.sleep(0.5)
        self.pair.promote()
        for t in threads:
            t.join()
        self.assertGreater(len(acked_forms), 10)
        self.assertGreater(len(acked_mails), 10)

        # A box's mailgate socket acknowledges a mail once it is in the
        # inbound spool, a table of the shared database; box 2 files what
        # box 1 took in but did not get to file.
        box = self.boxes[1]
        deadline = time.time() + 30
        while box.query("SELECT count(*) FROM inbound_spool")[0][0] and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(box.query("SELECT count(*) FROM inbound_spool")[0][0], 0)
        subjects = collections.Counter(s for (s,) in box.query("SELECT subject FROM tickets"))
        self.assertEqual([k for k in acked_forms if subjects[f"Form {k}"] != 1], [])
        self.assertEqual([(n, subjects[f"Mail {n}"]) for n in acked_mails if subjects[f"Mail {n}"] != 1], [])
        self.assertEqual([s for s, c in subjects.items() if c > 1], [])
        tickets = sum(subjects.values())

        # Cron on both boxes, twice each at a time, two hours later: every
        # first response is late, and each level fires once. A run takes at
        # most [escalation] batch tickets, so cron comes round again until
        # nothing is due.
        later = time.time() + 7200
        env = dict(os.environ, FRONTDESK_FAKE_NOW=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(later)))
        for _ in range(10):
            if box.query("SELECT count(*) FROM tickets WHERE next_due_at <= ?", int(later))[0][0] == 0:
                break
            runs = [subprocess.Popen([FRONTDESK_BIN, "escalate", "--config", b.config_path],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
                    for b in self.boxes + self.boxes]
            for p in runs:
                _, err = p.communicate(timeout=120)
                self.assertEqual(p.returncode, 0, err)
        fired = box.query("SELECT count(*), max(n) FROM (SELECT count(*) AS n FROM sla_levels_fired "
                          "GROUP BY ticket_id, target, cycle, level) AS f")[0]
        self.assertEqual(fired, (2 * tickets, 1))

        # Box 1 comes back; between them, the boxes send every queued mail.
        # Their clocks are cron's, two hours on, when the escalation
        # notices cron queued are due.
        box.stop()
        for b in self.boxes:
            b.env = {"FRONTDESK_FAKE_NOW": env["FRONTDESK_FAKE_NOW"]}
            b.start()
        deadline = time.time() + 90  # past the claim box 1 held when it died (3 x 5 s + 10 s)
        while time.time() < deadline:
            if box.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0:
                break
            time.sleep(0.2)
        self.assertEqual(box.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0], 0)
        sent = {m for (m,) in box.query("SELECT message_id FROM outbox WHERE status = 'sent'")}
        # The outbox keeps the Message-ID's local part.
        received = collections.Counter(email.message_from_bytes(m)["Message-ID"].strip("<> \r\n").split("@")[0]
                                       for m in self.sink.messages())
        self.assertEqual(set(received), sent)
        # A box killed, or a primary lost, between the SMTP server's 250 and
        # the commit of "sent" leaves that mail to be sent again: at most one
        # for each of the two failures.
        self.assertLessEqual(len([k for k, c in received.items() if c > 1]), 2, received)
        print(f"\nreference set-up: {len(acked_forms)} form posts and {len(acked_mails)} mails acknowledged, "
              f"{tickets} tickets, {2 * tickets} levels fired, {len(sent)} mails sent")


if __name__ == "__main__":
    unittest.main()
