"""Failover: a primary and a synchronous standby on two ports, a daemon that
knows both through a multi-host URL, and tickets coming in all the while.
The primary dies, the standby is promoted with pg_ctl, and the daemon
reconnects by itself. Every ticket acknowledged before, during and after is
on the new primary, once; the time until writes are accepted again is
printed.

Runs beside PostgreSQL only (FRONTDESK_TEST_POSTGRES), on clusters of its own."""

import collections
import threading
import time
import unittest

from harness import POSTGRES, Frontdesk
from pg_cluster import ReplicatedPair


@unittest.skipUnless(POSTGRES, "needs PostgreSQL (FRONTDESK_TEST_POSTGRES)")
class FailoverTest(unittest.TestCase):
    def setUp(self):
        self.pair = ReplicatedPair()
        self.addCleanup(self.pair.close)
        self.pair.start()
        self.fd = Frontdesk(postgres_url=self.pair.create_database("fd"), server_extra='busy_timeout = "2s"')
        self.addCleanup(self.fd.close)
        self.fd.start()

    def test_no_acknowledged_ticket_is_lost_when_the_standby_takes_over(self):
        acked = []
        refused = collections.Counter()
        lock = threading.Lock()
        stop = threading.Event()

        def load(worker):
            n = 0
            while not stop.is_set():
                n += 1
                key = f"w{worker}-{n}"
                try:
                    r = self.fd.post("/api/v1/tickets", scope="write", timeout=10, headers={"Idempotency-Key": key},
                                     body={"requester": {"email": f"{key}@example.org"}, "subject": key,
                                           "message": "During the failover."})
                    status = r.status
                except OSError:
                    status = "no answer"
                with lock:
                    if status == 201:
                        acked.append((time.time(), key))
                    else:
                        refused[status] += 1
                if status != 201:
                    time.sleep(0.05)

        workers = [threading.Thread(target=load, args=(w,)) for w in range(4)]
        for t in workers:
            t.start()
        time.sleep(2)
        before = len(acked)
        self.assertGreater(before, 10)
        self.pair.primary.crash()
        died = time.time()
        time.sleep(0.5)
        self.pair.promote()
        promoted = time.time()
        deadline = time.time() + 30
        while time.time() < deadline:
            with lock:
                after = [t for t, _ in acked if t > promoted]
            if len(after) >= 10:
                break
            time.sleep(0.05)
        stop.set()
        for t in workers:
            t.join()
        with lock:
            first_after = min(t for t, _ in acked if t > died)
        print(f"\nfailover: primary gone at 0.00 s, standby promoted at {promoted - died:.2f} s, "
              f"first ticket accepted again at {first_after - died:.2f} s "
              f"({first_after - promoted:.2f} s after the promotion); {len(acked)} tickets acknowledged, "
              f"refused meanwhile: {dict(refused)}")
        self.assertGreater(len([t for t, _ in acked if t > promoted]), 0)
        self.assertLess(first_after - promoted, 10)
        # Every acknowledged ticket is on the new primary, once.
        subjects = collections.Counter(s for (s,) in self.fd.query("SELECT subject FROM tickets"))
        lost = [k for _, k in acked if subjects[k] != 1]
        self.assertEqual(lost, [])
        self.assertEqual([s for s, c in subjects.items() if c > 1], [])


if __name__ == "__main__":
    unittest.main()
