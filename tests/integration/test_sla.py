"""Routing and SLAs against the real daemon and real commands, with the time
of each process pinned by FRONTDESK_FAKE_NOW: routing decisions in the event
log, a rejected request (422, logged), clocks that start with the ticket,
escalation levels that fire once while the daemon and two cron runs sweep at
the same moment, and the explain commands."""

import json
import os
import subprocess
import threading
import unittest

from harness import FRONTDESK_BIN, Frontdesk

T0 = "2026-11-23T10:00:00Z"      # Monday 11:00 in Warsaw
LATER = "2026-11-23T12:00:00Z"   # two hours on

POLICY = """
[[queue]]
name = "billing"
addresses = ["billing@example.test"]
agents = ["cash@example.test"]

[calendar.office]
timezone = "Europe/Warsaw"
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]

[[sla]]
name = "fast"
calendar = "office"
first_response = "1h"
resolution = "1d"
pause_on = ["pending"]

[[sla.escalation]]
target = "first_response"
at = "50%"
notify = ["agents", "lead@example.test"]

[[sla.escalation]]
target = "first_response"
at = "+30m"
raise_priority = true
add_tag = "late"

[[route]]
id = "no-spam"
[route.when]
subject = "(?i)viagra"
[route.then]
reject = "We could not accept this message."

[[route]]
id = "invoices"
[route.when]
subject = "(?i)invoice (?P<number>[0-9]+)"
[route.then]
queue = "billing"
tags = ["invoice-{number}"]

[escalation]
tick = false
"""


class SlaTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(extra_config=POLICY)
        self.addCleanup(self.fd.close)
        self.fd.env = {"FRONTDESK_FAKE_NOW": T0}
        self.fd.start()

    def ticket(self, tid):
        r = self.fd.get(f"/api/v1/tickets/{tid}", scope="read")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def count(self, sql, *args):
        return self.fd.query(sql, *args)[0][0]

    def test_routing_and_clocks_start_with_the_ticket(self):
        r = self.fd.post("/tickets", body={"email": "c@example.org", "subject": "Invoice 4711 is wrong",
                                           "message": "Please check."})
        self.assertEqual(r.status, 201, r.body)
        t = self.ticket(r.json()["id"])
        self.assertEqual(t["queue"], "billing")
        self.assertEqual(t["route_rule"], "invoices")
        self.assertEqual(t["tags"], ["invoice-4711"])
        self.assertEqual(t["sla_policy"], "fast")
        self.assertEqual(t["next_due_at"], "2026-11-23T10:30:00Z")  # the 50 % level
        kinds = [e["kind"] for e in t["events"]]
        self.assertEqual(kinds, ["created", "routed", "sla_assigned"])
        routed = t["events"][1]
        self.assertEqual(routed["rule_id"], "invoices")
        self.assertEqual(routed["detail"]["rules"], ["invoices"])
        targets = {s["target"]: s for s in t["sla"]}
        self.assertEqual(targets["first_response"]["due_at"], "2026-11-23T11:00:00Z")
        self.assertEqual(targets["resolution"]["due_at"], "2026-11-24T10:00:00Z")  # one working day

    def test_a_rejected_request_is_422_and_logged(self):
        r = self.fd.post("/tickets", body={"email": "s@example.org", "subject": "Cheap VIAGRA", "message": "x"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["error"], {"code": "rejected", "message": "We could not accept this message.",
                                             "field": None})
        self.assertEqual(self.count("SELECT count(*) FROM tickets"), 0)
        self.assertEqual(self.fd.query("SELECT channel, rule_id, reason, sender FROM rejections"),
                         [("web", "no-spam", "We could not accept this message.", "s@example.org")])
        # The admin reads the log through the API.
        log = self.fd.get("/api/v1/rejections", scope="read").json()["rejections"]
        self.assertEqual(len(log), 1)
        self.assertEqual((log[0]["rule_id"], log[0]["subject"], log[0]["at"]), ("no-spam", "Cheap VIAGRA", T0))

    def test_pending_pauses_the_clock(self):
        tid = self.fd.post("/tickets", body={"email": "c@example.org", "subject": "Help", "message": "m"}).json()["id"]
        r = self.fd.request("PATCH", f"/api/v1/tickets/{tid}", body={"status": "pending"}, scope="write")
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNone(r.json()["next_due_at"])
        r = self.fd.request("PATCH", f"/api/v1/tickets/{tid}", body={"status": "open"}, scope="write")
        self.assertEqual(r.json()["next_due_at"], "2026-11-23T10:30:00Z")  # no time passed

    def test_levels_fire_once_while_daemon_and_two_cron_runs_sweep(self):
        ids = [self.fd.post("/tickets", body={"email": f"c{i}@example.org", "subject": f"Invoice {i}00",
                                              "message": "m"}).json()["id"] for i in range(1, 6)]
        self.assertEqual(self.fd.stop(), 0)
        # Two hours later, three sweepers at once: the daemon (via its API)
        # and two cron runs of `frontdesk escalate`.
        self.fd.env = {"FRONTDESK_FAKE_NOW": LATER}
        self.fd.start()
        env = dict(os.environ, FRONTDESK_FAKE_NOW=LATER)
        barrier = threading.Barrier(3)
        outputs = {}

        def cron(name):
            barrier.wait()
            outputs[name] = subprocess.run([FRONTDESK_BIN, "escalate", "--config", self.fd.config_path],
                                           capture_output=True, text=True, env=env, timeout=60)

        def api():
            barrier.wait()
            outputs["api"] = self.fd.post("/api/v1/escalations/run", scope="write")

        threads = [threading.Thread(target=cron, args=("a",)), threading.Thread(target=cron, args=("b",)),
                   threading.Thread(target=api)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(outputs["a"].returncode, 0, outputs["a"].stderr)
        self.assertEqual(outputs["b"].returncode, 0, outputs["b"].stderr)
        self.assertEqual(outputs["api"].status, 200, outputs["api"].body)
        fired = sum(int(o.stdout.split(", ")[2].split()[0]) for o in (outputs["a"], outputs["b"]))
        fired += outputs["api"].json()["levels_fired"]
        self.assertEqual(fired, 10)
        self.assertEqual(self.count("SELECT count(*) FROM sla_levels_fired"), 10)
        self.assertEqual(self.count("SELECT count(*) FROM events WHERE kind = 'escalated'"), 10)
        self.assertEqual(self.count("SELECT count(*) FROM events WHERE kind = 'sla_breached'"), 5)
        # Level 1 mailed the queue's agent and the lead, once each, per ticket.
        self.assertEqual(self.count("SELECT count(*) FROM outbox WHERE kind = 'escalation'"), 10)
        for tid in ids:
            t = self.ticket(tid)
            self.assertEqual(t["priority"], "high")   # raised one step, once
            self.assertIn("late", t["tags"])
        # /metrics counts from the database, so what cron did shows too.
        metrics = self.fd.get("/metrics", scope="read").body.decode()
        self.assertIn('frontdesk_sla_breaches_total{target="first_response"} 5\n', metrics)
        self.assertIn('frontdesk_escalations_total{target="first_response",level="1"} 5\n', metrics)
        self.assertIn('frontdesk_escalations_total{target="first_response",level="2"} 5\n', metrics)
        # Nothing is left due until the resolution clock.
        again = self.fd.cli("escalate", env={"FRONTDESK_FAKE_NOW": LATER})
        self.assertIn("escalate: 0 tickets due", again.stdout)
        # sla explain tells the story.
        explain = self.fd.cli("sla", "explain", str(ids[0]), env={"FRONTDESK_FAKE_NOW": LATER})
        self.assertEqual(explain.returncode, 0, explain.stderr)
        text = explain.stdout
        self.assertIn("policy fast v1, calendar office (Europe/Warsaw), paused while pending", text)
        self.assertIn("first_response: target 1h = 1h of business time", text)
        self.assertIn("breached  Mon 2026-11-23 12:00 CET", text)
        self.assertIn("level 1 at 50%: fired Mon 2026-11-23 13:00 CET", text)

    def test_dry_run_changes_nothing(self):
        self.fd.post("/tickets", body={"email": "c@example.org", "subject": "Help", "message": "m"})
        r = self.fd.cli("escalate", "--dry-run", env={"FRONTDESK_FAKE_NOW": LATER})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("escalate (dry run): 1 tickets due, 1 breaches, 2 levels would fire", r.stdout)
        self.assertEqual(self.count("SELECT count(*) FROM sla_levels_fired"), 0)

    def test_route_explain(self):
        path = os.path.join(self.fd.dir, "request.json")
        with open(path, "w") as f:
            json.dump({"channel": "email", "from": "c@example.org", "subject": "Invoice 99 again",
                       "body": "see attached"}, f)
        r = self.fd.cli("route", "--explain", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout,
                         "request: channel=email from=c@example.org to=[] subject=\"Invoice 99 again\" at 2026-11-23T10:00:00Z\n"
                         "rule 1 no-spam (match all): no match\n"
                         "  [ ] subject =~ /(?i)viagra/ (\"Invoice 99 again\")\n"
                         "rule 2 invoices (match all): matched\n"
                         "  [x] subject =~ /(?i)invoice (?P<number>[0-9]+)/ (\"Invoice 99 again\")\n"
                         "  then queue=billing\n"
                         "  then tags+=invoice-99\n"
                         "outcome: queue=billing (rule invoices) tags=[invoice-99]\n"
                         "sla: fast v1 (queue billing, priority normal)\n")
        eml = os.path.join(self.fd.dir, "spam.eml")
        with open(eml, "w") as f:
            f.write("From: Spammer <s@spam.example>\r\nTo: billing@example.test\r\nSubject: viagra\r\n"
                    "Message-ID: <1@spam.example>\r\n\r\nbuy\r\n")
        r = self.fd.cli("route", "--explain", eml)
        self.assertIn("outcome: rejected by no-spam: We could not accept this message.", r.stdout)
        self.assertIn("to=[billing@example.test]", r.stdout)


if __name__ == "__main__":
    unittest.main()
