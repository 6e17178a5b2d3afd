"""Two Frontdesk daemons on one PostgreSQL database, as two boxes behind a
balancer run them: tickets come in through both nodes' API and mailgate
while one node is killed with SIGKILL. Every acknowledged ticket exists
exactly once, every acknowledgement mail reaches the SMTP sink once, and
two escalation sweeps at once fire each level once.

Runs only on PostgreSQL (FRONTDESK_TEST_POSTGRES); packaging/test.sh runs the
integration tests a second time beside a private cluster."""

import collections
import email
import os
import subprocess
import threading
import time
import unittest

from harness import FRONTDESK_BIN, POSTGRES, Frontdesk, free_port
from smtp_sink import SmtpServer

SMTP = ('[smtp]\nurl = "smtp://127.0.0.1:{port}"\ntls = "none"\ninterval = "1s"\nretry_after = "1s"\n'
        'timeout = "5s"\nmessage_id_domain = "helpdesk.example.test"\n[mail]\nauto_ack = true\n')

POLICY = """
[[sla]]
name = "fast"
calendar = "24x7"
first_response = "1h"

[[sla.escalation]]
target = "first_response"
at = "50%"
notify = ["lead@example.test"]

[[sla.escalation]]
target = "first_response"
at = "+30m"
add_tag = "late"

[escalation]
tick = false
"""


def mail(n):
    return (f"From: Customer {n} <c{n}@example.org>\r\nTo: support@example.test\r\n"
            f"Subject: Node test {n}\r\nMessage-ID: <node-{n}@example.org>\r\n\r\nBody {n}.\r\n").encode()


@unittest.skipUnless(POSTGRES, "needs a PostgreSQL server (FRONTDESK_TEST_POSTGRES)")
class TwoNodesTest(unittest.TestCase):
    def setUp(self):
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)
        self.sink.start()
        extra = SMTP.format(port=self.sink.port) + POLICY
        self.a = Frontdesk(extra_config=extra)
        self.addCleanup(self.a.close)
        self.a.start()
        self.b = Frontdesk(extra_config=extra, share_database_of=self.a)
        self.addCleanup(self.b.close)
        self.b.start()

    def api_ticket(self, node, n):
        r = node.post("/api/v1/tickets", scope="write", timeout=20,
                      headers={"Idempotency-Key": f"node-test-{n}"},
                      body={"subject": f"API ticket {n}", "message": "Help.", "requester": {"email": f"api{n}@example.org"}})
        return r.status in (200, 201)

    def gate(self, node, n):
        r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", node.config_path], input=mail(n),
                           capture_output=True, timeout=60)
        return r.returncode == 0

    def test_a_node_killed_under_load_loses_and_doubles_nothing(self):
        acked_api, acked_mail = [], []
        lock = threading.Lock()
        stop_at = time.time() + 6

        def load(worker):
            n = worker * 1000
            while time.time() < stop_at:
                n += 1
                node = self.a if n % 2 else self.b
                try:
                    ok = self.api_ticket(node, n)
                except OSError:
                    ok = False  # the killed node: not acknowledged
                if ok:
                    with lock:
                        acked_api.append(n)
                if self.gate(node, n):
                    with lock:
                        acked_mail.append(n)

        workers = [threading.Thread(target=load, args=(w,)) for w in range(1, 5)]
        for t in workers:
            t.start()
        time.sleep(2.5)
        self.a.kill9()
        for t in workers:
            t.join()
        self.assertGreater(len(acked_api), 10)
        self.assertGreater(len(acked_mail), 10)

        # A node's mailgate socket acknowledges a message once it is in the
        # inbound spool, a table of the shared database: B files what A took
        # in but did not get to file.
        deadline = time.time() + 30
        while self.b.query("SELECT count(*) FROM inbound_spool")[0][0] and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.b.query("SELECT count(*) FROM inbound_spool")[0][0], 0)
        subjects = collections.Counter(s for (s,) in self.b.query("SELECT subject FROM tickets"))
        for n in acked_api:
            self.assertEqual(subjects[f"API ticket {n}"], 1, n)
        for n in acked_mail:
            self.assertEqual(subjects[f"Node test {n}"], 1, n)
        self.assertEqual([s for s, c in subjects.items() if c > 1], [])

        # The acknowledgements: node A's share is sent by B once A is gone.
        self.a.start()
        deadline = time.time() + 90  # past the claim A held when it died (3 x 5 s + 10 s)
        while time.time() < deadline:
            if self.b.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0:
                break
            time.sleep(0.2)
        self.assertEqual(self.b.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0], 0)
        sent = self.b.query("SELECT message_id FROM outbox WHERE status = 'sent'")
        self.assertGreaterEqual(len(sent), len(acked_mail))
        received = collections.Counter(email.message_from_bytes(m)["Message-ID"].strip() for m in self.sink.messages())
        # A node killed between the server's 250 and its commit of "sent"
        # leaves that one row to be sent again once its claim runs out: at
        # most one mail, with the same Message-ID, for the one kill.
        self.assertLessEqual(len([k for k, c in received.items() if c > 1]), 1, received)
        self.assertEqual(len(received), len(sent))

    def test_two_sweeps_at_once_fire_each_level_once(self):
        for n in range(40):
            self.assertTrue(self.api_ticket(self.a if n % 2 else self.b, n))
        # Two hours later every first response is late: both levels are due.
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7200))
        env = {"FRONTDESK_FAKE_NOW": later}
        procs = [subprocess.Popen([FRONTDESK_BIN, "escalate", "--config", node.config_path],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=dict(__import__("os").environ, **env))
                 for node in (self.a, self.b, self.a, self.b)]
        for p in procs:
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, err)
        fired = self.b.query("SELECT ticket_id, target, cycle, level, count(*) FROM sla_levels_fired "
                             "GROUP BY ticket_id, target, cycle, level")
        self.assertEqual(len(fired), 80)
        self.assertEqual({row[4] for row in fired}, {1})
        events = self.b.query("SELECT count(*) FROM events WHERE kind = 'escalated'")[0][0]
        self.assertEqual(events, 80)



SWEEP_POLICY = """
[[sla]]
name = "sweep"
calendar = "24x7"
first_response = "1h"
resolution = "90m"

[[sla.escalation]]
target = "first_response"
at = "100%"
add_tag = "late"

[[sla.escalation]]
target = "resolution"
at = "100%"
add_tag = "overdue"

[escalation]
tick = true
interval = "5s"
batch = 1000
"""


@unittest.skipUnless(POSTGRES, "needs a PostgreSQL server (FRONTDESK_TEST_POSTGRES)")
class TenThousandTargetsTest(unittest.TestCase):
    TICKETS = 5000  # two targets each: 10,000 due at once

    def test_two_daemons_and_two_cron_runs_fire_each_level_once(self):
        a = Frontdesk(extra_config=SWEEP_POLICY)
        self.addCleanup(a.close)
        a.start()
        n = iter(range(self.TICKETS))
        lock = threading.Lock()

        def create():
            while True:
                with lock:
                    i = next(n, None)
                if i is None:
                    return
                r = a.post("/api/v1/tickets", scope="write", timeout=30,
                           body={"subject": f"Sweep {i}", "message": "m", "requester": {"email": f"s{i}@example.org"}})
                self.assertEqual(r.status, 201, r.body)

        threads = [threading.Thread(target=create) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        a.stop()
        self.assertEqual(a.query("SELECT count(*) FROM sla_targets WHERE met_at IS NULL")[0][0], 2 * self.TICKETS)
        # Two hours on, for the two daemons (which sweep every 5 s) and
        # the two cron runs alike.
        later = {"FRONTDESK_FAKE_NOW": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7200))}
        a.env = later
        b = Frontdesk(extra_config=SWEEP_POLICY, share_database_of=a)
        self.addCleanup(b.close)
        b.env = later
        a.start()
        b.start()
        crons = [subprocess.Popen([FRONTDESK_BIN, "escalate", "--config", node.config_path],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=dict(os.environ, **later)) for node in (a, b)]
        for p in crons:
            out, err = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, err)
        deadline = time.time() + 120
        while time.time() < deadline:
            if a.query("SELECT count(*) FROM sla_levels_fired")[0][0] == 2 * self.TICKETS:
                break
            time.sleep(0.5)
        time.sleep(6)  # another round of both daemons, which must find nothing
        fired = a.query("SELECT count(*), count(DISTINCT (ticket_id, target, cycle, level)) FROM sla_levels_fired")
        self.assertEqual(fired, [(2 * self.TICKETS, 2 * self.TICKETS)])
        events = a.query("SELECT count(*) FROM events WHERE kind = 'escalated'")[0][0]
        self.assertEqual(events, 2 * self.TICKETS)
        tagged = a.query("SELECT count(*) FROM tickets WHERE tags LIKE '%late%' AND tags LIKE '%overdue%'")[0][0]
        self.assertEqual(tagged, self.TICKETS)


@unittest.skipUnless(POSTGRES, "needs a PostgreSQL server (FRONTDESK_TEST_POSTGRES)")
class OutboxWakeTest(unittest.TestCase):
    def test_a_queued_mail_goes_out_at_once_though_the_round_is_an_hour(self):
        sink = SmtpServer()
        self.addCleanup(sink.close)
        sink.start()
        extra = SMTP.format(port=sink.port).replace('interval = "1s"', 'interval = "1h"')
        a = Frontdesk(extra_config=extra)
        self.addCleanup(a.close)
        a.start()
        b = Frontdesk(extra_config=extra, share_database_of=a)
        self.addCleanup(b.close)
        b.start()
        time.sleep(1)  # both have made their first round, and wait an hour for the next
        started = time.time()
        r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", b.config_path], input=mail(1),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        # The acknowledgement is queued by whichever wrote the ticket, heard
        # through LISTEN/NOTIFY, and sent by one node within seconds.
        (ack,) = sink.wait_for("c1@example.org", 1, timeout=15)
        self.assertLess(time.time() - started, 15)
        time.sleep(1)
        self.assertEqual(len(sink.messages(to="c1@example.org")), 1)



@unittest.skipUnless(POSTGRES, "needs a PostgreSQL server (FRONTDESK_TEST_POSTGRES)")
class UnreachableTest(unittest.TestCase):
    def test_mailgate_answers_75_and_serve_names_the_server_when_none_answers(self):
        port = free_port()
        fd = Frontdesk(postgres_url=f"postgres://frontdesk@127.0.0.1:{port}/fd")
        self.addCleanup(fd.close)
        r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", fd.config_path], input=mail(7),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 75, r.stderr)
        self.assertIn(f"cannot connect to PostgreSQL at postgres://frontdesk@127.0.0.1:{port}/fd", r.stderr.decode())
        serve = subprocess.run([FRONTDESK_BIN, "serve", "--config", fd.config_path], capture_output=True, timeout=60,
                               text=True)
        self.assertNotEqual(serve.returncode, 0)
        self.assertIn(f"127.0.0.1:{port}", serve.stdout + serve.stderr)


if __name__ == "__main__":
    unittest.main()
