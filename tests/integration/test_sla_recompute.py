"""SLA clocks stay exact when the calendar changes, against the real daemon
with the time of each process pinned by FRONTDESK_FAKE_NOW: a holiday added
by a reload (the API or SIGHUP) or while the daemon was stopped moves the due
time of a running clock, next_due_at with it, and the breach is recorded when
the business time really ran out; `sla explain` tells the same story."""

import signal
import time
import unittest

from harness import Frontdesk

T0 = "2026-11-23T09:00:00Z"         # Monday 10:00 in Warsaw
BEFORE_DUE = "2026-11-23T14:00:00Z"  # past the old due time (13:00Z), before the new one
AFTER_DUE = "2026-11-23T15:30:00Z"   # past the new due time (15:00Z)

HOLIDAY = 'holidays = ["2026-11-23 11:00-13:00"]\n'


def policy(holidays=""):
    return f"""
[calendar.office]
timezone = "Europe/Warsaw"
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
{holidays}
[[sla]]
name = "office"
calendar = "office"
first_response = "4h"
pause_on = ["pending"]

[escalation]
tick = false
"""


class SlaRecomputeTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(extra_config=policy())
        self.addCleanup(self.fd.close)
        self.fd.env = {"FRONTDESK_FAKE_NOW": T0}
        self.fd.start()

    def create(self):
        r = self.fd.post("/api/v1/tickets", scope="write",
                         body={"requester": {"email": "c@example.org", "name": "C"}, "subject": "Help",
                               "message": "Please help."})
        self.assertEqual(r.status, 201, r.body)
        return r.json()["id"]

    def ticket(self, tid):
        r = self.fd.get(f"/api/v1/tickets/{tid}", scope="read")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def first_response(self, tid):
        t = self.ticket(tid)
        (clock,) = [s for s in t["sla"] if s["target"] == "first_response"]
        return t, clock

    def events(self, tid, kind):
        return [e for e in self.ticket(tid)["events"] if e["kind"] == kind]

    def add_holiday(self):
        self.fd.extra_config = policy(HOLIDAY)
        self.fd.write_config()

    def restart_at(self, now):
        self.assertEqual(self.fd.stop(), 0)
        self.fd.env = {"FRONTDESK_FAKE_NOW": now}
        self.fd.start()

    def explain(self, tid, now):
        r = self.fd.cli("sla", "explain", str(tid), env={"FRONTDESK_FAKE_NOW": now})
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_a_holiday_added_by_a_reload_moves_the_due_time_and_the_breach(self):
        tid = self.create()
        t, clock = self.first_response(tid)
        self.assertEqual((clock["due_at"], t["next_due_at"]), ("2026-11-23T13:00:00Z", "2026-11-23T13:00:00Z"))

        # A reload that changes no calendar recomputes nothing.
        r = self.fd.post("/api/v1/config/reload", scope="admin")
        self.assertEqual(r.status, 200, r.body)
        self.assertNotIn("SLA due times after reload", self.fd.log_text())

        self.add_holiday()
        r = self.fd.post("/api/v1/config/reload", scope="admin")
        self.assertEqual(r.status, 200, r.body)
        t, clock = self.first_response(tid)
        # 10:00-11:00 and 13:00-16:00 in Warsaw: due 16:00 CET.
        self.assertEqual((clock["due_at"], t["next_due_at"]), ("2026-11-23T15:00:00Z", "2026-11-23T15:00:00Z"))
        (moved,) = self.events(tid, "sla_recomputed")
        self.assertEqual(moved["at"], T0)
        self.assertEqual(moved["detail"], {
            "clocks": [{"target": "first_response", "cycle": 0,
                        "old_due_at": "2026-11-23T13:00:00Z", "new_due_at": "2026-11-23T15:00:00Z"}],
            "old_next_due_at": "2026-11-23T13:00:00Z", "new_next_due_at": "2026-11-23T15:00:00Z"})
        self.assertIn("SLA due times after reload: 1 tickets with running clocks, 1 moved", self.fd.log_text())

        # Past the old due time, before the new one: nothing is due.
        r = self.fd.cli("escalate", env={"FRONTDESK_FAKE_NOW": BEFORE_DUE})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("escalate: 0 tickets due, 0 breaches, 0 levels fired", r.stdout)
        text = self.explain(tid, BEFORE_DUE)
        self.assertIn("  counted   3h of business time\n"
                      "  skipped   Mon 2026-11-23 11:00 CET -> Mon 2026-11-23 13:00 CET (holiday)\n"
                      "  due       Mon 2026-11-23 16:00 CET\n", text)
        self.assertNotIn("breached", text)

        # After it, the daemon's sweep records the breach at 15:00Z, when
        # the fourth business hour ran out, not at the sweep's time.
        self.restart_at(AFTER_DUE)
        self.assertIn("SLA due times after start: 1 tickets with running clocks, 0 moved", self.fd.log_text())
        r = self.fd.post("/api/v1/escalations/run", scope="write")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual((r.json()["tickets"], r.json()["breaches"]), (1, 1))
        t, clock = self.first_response(tid)
        self.assertEqual(clock["breached_at"], "2026-11-23T15:00:00Z")
        self.assertIsNone(t["next_due_at"])
        (breach,) = self.events(tid, "sla_breached")
        self.assertEqual(breach["detail"]["due_at"], "2026-11-23T15:00:00Z")
        self.assertEqual(len(self.events(tid, "sla_recomputed")), 1)
        text = self.explain(tid, AFTER_DUE)
        self.assertIn("  skipped   Mon 2026-11-23 11:00 CET -> Mon 2026-11-23 13:00 CET (holiday)\n"
                      "  due       Mon 2026-11-23 16:00 CET\n"
                      "  breached  Mon 2026-11-23 16:00 CET\n", text)

    def test_sighup_recomputes_like_the_api(self):
        tid = self.create()
        self.add_holiday()
        self.fd.signal(signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and self.first_response(tid)[1]["due_at"] != "2026-11-23T15:00:00Z":
            time.sleep(0.05)
        t, clock = self.first_response(tid)
        self.assertEqual((clock["due_at"], t["next_due_at"]), ("2026-11-23T15:00:00Z", "2026-11-23T15:00:00Z"))

    def test_a_calendar_changed_while_stopped_is_applied_at_start(self):
        running = self.create()
        paused = self.create()
        r = self.fd.request("PATCH", f"/api/v1/tickets/{paused}", body={"status": "pending"}, scope="write")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.fd.stop(), 0)
        self.add_holiday()
        self.fd.start()
        t, clock = self.first_response(running)
        self.assertEqual((clock["due_at"], t["next_due_at"]), ("2026-11-23T15:00:00Z", "2026-11-23T15:00:00Z"))
        self.assertEqual(len(self.events(running, "sla_recomputed")), 1)
        # The paused clock keeps its whole budget and has no due time until it resumes.
        t, clock = self.first_response(paused)
        self.assertEqual((clock["due_at"], t["next_due_at"]), (None, None))
        self.assertEqual(self.events(paused, "sla_recomputed"), [])
        r = self.fd.request("PATCH", f"/api/v1/tickets/{paused}", body={"status": "open"}, scope="write")
        self.assertEqual(r.json()["next_due_at"], "2026-11-23T15:00:00Z")
        # A second start with the same config moves nothing.
        self.restart_at(T0)
        self.assertEqual(len(self.events(running, "sla_recomputed")), 1)
        self.assertIn("SLA due times after start: 2 tickets with running clocks, 0 moved", self.fd.log_text())


if __name__ == "__main__":
    unittest.main()
