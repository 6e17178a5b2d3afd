"""Service standards against the real daemon, real `frontdesk escalate`
runs and the real SMTP sink: a queue whose rolling rate of first responses
in time falls below its standard tells the lead once, with an event, a
metric and a mail listing the tickets that missed; two cron runs and the
daemon sweeping at once still send one mail; nothing more while it stays
below; a recovery is an event and no mail; the next fall is the next mail.
The KPI report (API, JSON, CSV) and GET /api/v1/reports/standards show the
same figures beside the standard.

The clock is pinned (FRONTDESK_FAKE_NOW); the daemon restarts to move it."""

import csv
import io
import json
import os
import subprocess
import threading
import unittest

from harness import FRONTDESK_BIN, Frontdesk
from smtp_sink import SmtpServer

QUEUES = """
[[queue]]
name = "support"
display_name = "Test Support"
addresses = ["support@example.test"]
agents = ["agent@example.test"]
lead = "lead@example.test"
default = true
"""

POLICY = """
[[sla]]
name = "std"
first_response = { within = "1h", standard = 75, period = "7d" }
resolution = "3d"

[escalation]
tick = false
"""

T0 = "2026-11-23T09:00:00Z"      # tickets come in
LATER = "2026-11-23T11:00:00Z"   # the unanswered ones are an hour late
LATEST = "2026-11-23T13:00:00Z"


class StandardsTest(unittest.TestCase):
    def setUp(self):
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)
        self.sink.start()
        self.fd = Frontdesk(queues=QUEUES,
                            extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{self.sink.port}"\ntls = "none"\n'
                                         f'interval = "1s"\n[mail]\nauto_ack = false\n' + POLICY)
        self.addCleanup(self.fd.close)
        self.at(T0)

    def at(self, now):
        if self.fd.proc:
            self.assertEqual(self.fd.stop(), 0)
        self.fd.env = {"FRONTDESK_FAKE_NOW": now}
        self.fd.start()

    def tickets(self, n, answered, first=1):
        ids = []
        for i in range(first, first + n):
            r = self.fd.post("/tickets", body={"email": f"c{i}@example.org", "subject": f"Question {i}",
                                               "message": "Please help."})
            self.assertEqual(r.status, 201, r.body)
            tid = r.json()["id"]
            ids.append(tid)
            if answered:
                r = self.fd.post(f"/api/v1/tickets/{tid}/messages", scope="write",
                                 body={"kind": "reply", "body": "Here you are.",
                                       "author": {"email": "agent@example.test"}})
                self.assertEqual(r.status, 201, r.body)
        return ids

    def sweep_three_at_once(self, now):
        """The daemon (via its API) and two cron runs, together."""
        env = dict(os.environ, FRONTDESK_FAKE_NOW=now)
        barrier = threading.Barrier(3)
        out = {}

        def cron(name):
            barrier.wait()
            out[name] = subprocess.run([FRONTDESK_BIN, "escalate", "--config", self.fd.config_path],
                                       capture_output=True, text=True, env=env, timeout=60)

        def api():
            barrier.wait()
            out["api"] = self.fd.post("/api/v1/escalations/run", scope="write")

        threads = [threading.Thread(target=cron, args=(n,)) for n in "ab"] + [threading.Thread(target=api)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for name in "ab":
            self.assertEqual(out[name].returncode, 0, out[name].stderr)
        self.assertEqual(out["api"].status, 200, out["api"].body)
        return out

    def escalate(self, now):
        r = self.fd.cli("escalate", env={"FRONTDESK_FAKE_NOW": now})
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def standard_events(self):
        return [(k, json.loads(d)) for k, d in
                self.fd.query("SELECT kind, detail FROM events WHERE ticket_id IS NULL ORDER BY id")]

    def alerts(self):
        return self.fd.query("SELECT recipient, dedupe_key FROM outbox WHERE kind = 'standard_alert' ORDER BY id")

    def metric(self, name):
        text = self.fd.get("/metrics", scope="read").body.decode()
        series = f'{name}{{queue="support",policy="std",target="first_response"}}'
        for line in text.splitlines():
            if line.startswith(series + " "):
                return int(line.split()[-1])
        return None

    def test_the_lead_is_told_once_on_the_way_down(self):
        answered = self.tickets(3, answered=True)
        (late,) = self.tickets(1, answered=False, first=4)
        # The daemon sweeps at LATER: 3 of 4 in time is 75 %, the standard.
        self.at(LATER)
        out = self.sweep_three_at_once(LATER)
        self.assertEqual(self.alerts(), [])
        self.assertEqual(self.fd.query("SELECT count(*) FROM events WHERE kind = 'sla_breached'"), [(1,)])
        self.assertIsNone(self.metric("frontdesk_standard_below"))

        # Two more go unanswered: 3 of 6, 50 %. Three sweepers at once, one mail.
        self.at(T0)
        more = self.tickets(2, answered=False, first=5)
        self.at(LATER)
        out = self.sweep_three_at_once(LATER)
        fell = sum(int(o.stdout.count(": fell below")) for o in (out["a"], out["b"]))
        fell += out["api"].json()["standards_fell"]
        self.assertEqual(fell, 1)
        self.assertEqual(self.alerts(), [("lead@example.test", "standard:support:std:first_response:1:lead@example.test")])
        ((kind, detail),) = self.standard_events()
        self.assertEqual(kind, "standard_below")
        self.assertEqual((detail["queue"], detail["policy"], detail["target"], detail["standard"]),
                         ("support", "std", "first_response", 75))
        self.assertEqual((detail["met"], detail["targets"], detail["percent"]), (3, 6, 50.0))
        self.assertEqual(sorted(detail["missed"]), sorted([late] + more))
        self.assertEqual(self.metric("frontdesk_standard_below"), 1)
        self.assertEqual(self.metric("frontdesk_standard_falls_total"), 1)

        # The mail reaches the lead, with every ticket that missed.
        (mail,) = self.sink.wait_for("lead@example.test", 1)
        self.assertEqual(mail["Subject"], "Below standard in support: first_response at 50.0 %, standard 75 %")
        self.assertEqual(mail["Auto-Submitted"], "auto-generated")
        text = mail.get_body(("plain",)).get_content()
        self.assertIn("3 of the 6 first_response targets of SLA policy std decided in the last 7d were met in "
                      "time: 50.0 %", text)
        self.assertIn("25.0 points below", text)
        for tid, subject in [(late, "Question 4"), (more[0], "Question 5"), (more[1], "Question 6")]:
            self.assertIn(f"  {tid}  {subject}\n", text)
        for tid in answered:
            self.assertNotIn(f"  {tid}  ", text)

        # Still below at the next sweep: no second mail.
        self.escalate(LATEST)
        self.assertEqual(len(self.alerts()), 1)

        # The report beside the standard, in JSON, CSV and from the API.
        rolling = self.fd.get("/api/v1/reports/standards", scope="read").json()["standards"]
        (s,) = [x for x in rolling if x["target"] == "first_response"]
        self.assertEqual((s["met"], s["targets"], s["percent"], s["verdict"], s["by"]), (3, 6, 50.0, "below", -25.0))
        self.assertEqual(sorted(m["ticket_id"] for m in s["missed"]), sorted([late] + more))
        self.assertIsNotNone(s["alert"]["below_since"])
        self.assertEqual(s["alert"]["falls"], 1)
        kpi = self.fd.get("/api/v1/reports/kpi?from=2026-11-23&to=2026-11-24&timezone=UTC", scope="read").json()
        self.assertEqual(kpi["total"]["standards"],
                         [{"policy": "std", "target": "first_response", "standard": 75, "period": "7d", "met": 3,
                           "targets": 6, "percent": 50.0, "verdict": "below", "by": -25.0}])
        r = self.fd.cli("report", "--from", "2026-11-23", "--to", "2026-11-24", "--timezone", "UTC", "--csv",
                        env={"FRONTDESK_FAKE_NOW": LATEST})
        self.assertEqual(r.returncode, 0, r.stderr)
        (row,) = list(csv.DictReader(io.StringIO(r.stdout)))
        self.assertEqual((row["std/first_response_standard"], row["std/first_response_percent"],
                          row["std/first_response_verdict"], row["std/first_response_by"]),
                         ("75", "50.0", "below", "-25.0"))

        # Recovered: six answered in time make 9 of 12. An event, no mail.
        self.at(LATEST)
        self.tickets(6, answered=True, first=7)
        self.escalate(LATEST)
        self.assertEqual([k for k, _ in self.standard_events()], ["standard_below", "standard_recovered"])
        self.assertEqual(len(self.alerts()), 1)
        self.assertEqual(self.metric("frontdesk_standard_below"), 0)

        # Fallen again: one more late makes 9 of 13, and the lead hears again.
        self.tickets(1, answered=False, first=13)
        self.escalate("2026-11-23T15:00:00Z")
        self.assertEqual([k for k, _ in self.standard_events()],
                         ["standard_below", "standard_recovered", "standard_below"])
        self.assertEqual(len(self.alerts()), 2)
        self.assertEqual(self.metric("frontdesk_standard_falls_total"), 2)


if __name__ == "__main__":
    unittest.main()
