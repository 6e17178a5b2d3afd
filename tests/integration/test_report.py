"""The KPI report on a crafted week: every figure worked out by hand below
and compared exactly, from `frontdesk report` (table, JSON, CSV) and from
GET /api/v1/reports/kpi; per day, per queue and per agent; and, through the
real intake and SLA engine, a first response whose business time and
wall-clock time differ over a weekend."""

import csv
import io
import json
import os
import re
import subprocess
import time
import unittest
from datetime import datetime, timezone

from harness import Frontdesk
from smtp_sink import OFFICE_SLA

# The office policy with two service standards (docs/METRICS.md).
OFFICE = OFFICE_SLA.replace('first_response = "4h"', 'first_response = { within = "4h", standard = 75 }\n'
                            'resolution = { within = "3d", standard = 50, period = "30d" }')
assert OFFICE != OFFICE_SLA

QUEUES = """
[[queue]]
name = "support"
addresses = ["support@example.test"]
agents = ["agent@example.test"]
default = true
timezone = "Europe/Berlin"

[[queue]]
name = "billing"
addresses = ["billing@example.test"]
agents = ["biller@example.test"]
"""


NOW = "2026-11-30T12:00:00Z"  # Monday, after the week reported


def ts(text):
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc).timestamp())


# The week of Monday 23 November 2026 in Berlin (UTC+1). All times UTC.
TICKETS = [
    # id, channel, queue, assignee, status, created, first_response, solved, replies, reopened
    (1001, "email", "support", "agent@example.test", "solved", "2026-11-23 08:00", "2026-11-23 09:00",
     "2026-11-23 10:00", 1, 0),
    (1002, "web", "support", None, "open", "2026-11-24 15:30", "2026-11-25 13:00", None, 1, 0),
    (1003, "api", "billing", "biller@example.test", "solved", "2026-11-25 09:00", "2026-11-25 10:00",
     "2026-11-27 10:00", 2, 1),
    # Created the Sunday before, answered and solved in the week; no SLA.
    (1004, "email", "support", None, "solved", "2026-11-22 20:00", "2026-11-23 10:00", "2026-11-23 11:00", 1, 0),
    (1005, "email", "support", None, "open", "2026-11-26 10:00", None, None, 0, 0),
    (1006, "email", "support", None, "new", "2026-11-30 08:00", None, None, 0, 0),  # after the week
    (1007, "web", "support", None, "solved", "2026-11-28 10:00", "2026-11-28 10:30", "2026-11-28 11:00", 1, 0),
]
# ticket, target, cycle, started, met, breached, business seconds when met
TARGETS = [
    (1001, "first_response", 0, "2026-11-23 08:00", "2026-11-23 09:00", None, 3600),
    (1001, "resolution", 0, "2026-11-23 08:00", "2026-11-23 10:00", None, 7200),
    (1002, "first_response", 0, "2026-11-24 15:30", "2026-11-25 13:00", "2026-11-25 11:30", 19800),
    (1003, "first_response", 0, "2026-11-25 09:00", "2026-11-25 10:00", None, 3600),
    (1003, "next_response", 1, "2026-11-26 09:00", "2026-11-26 12:00", None, 7200),
    (1003, "resolution", 0, "2026-11-25 09:00", "2026-11-27 10:00", "2026-11-26 15:00", 28800),
    (1005, "first_response", 0, "2026-11-26 10:00", None, "2026-11-26 13:00", None),
]
FIRED = [(1002, "first_response", 0, 0), (1005, "first_response", 0, 0)]
REOPENED = [(1003, "2026-11-26 09:00")]
# ticket, score, scale, answered
CSAT = [(1003, 2, (1, 5), "2026-11-27 12:00"), (1004, 5, (1, 5), "2026-11-23 12:00"),
        (1007, 9, (0, 10), "2026-11-29 10:00")]


def durations(count, mean, median, p90):
    return {"count": count, "mean": mean, "median": median, "p90": p90}


# Worked out by hand from the rows above (docs/METRICS.md):
# - received in the week: 1001, 1002, 1003, 1005, 1007 (1004 came the
#   Sunday before, 1006 after); escalated: 1002 and 1005.
# - first responses in the week, wall: 1001 1h, 1002 21.5h, 1003 1h,
#   1004 14h, 1007 30m -> sorted 1800 3600 3600 50400 77400: mean 27360,
#   median (rank 3) 3600, p90 (rank 5) 77400. Business (with an SLA clock):
#   3600 3600 19800 -> mean 9000, median 3600, p90 19800.
# - solved in the week: 1001 2h, 1003 49h, 1004 15h, 1007 1h -> sorted 3600
#   7200 54000 176400: mean 60300, median (rank 2) 7200, p90 (rank 4)
#   176400. Business: 7200 28800 -> mean 18000, median 7200, p90 28800.
#   One touch: 1001, 1004, 1007 (1003 had two replies and a reopening).
# - targets decided in the week: 7; met in time 4. By target:
#   first_response 2 of 4, next_response 1 of 1, resolution 1 of 2.
#   Breached tickets: 1002, 1003, 1005; first_response 2, resolution 1.
# - satisfaction: 2 of 1-5, 5 of 1-5, 9 of 0-10: mean 16/3, CSI
#   (25 + 100 + 90) / 3.
TOTAL = {
    "received": {"total": 5, "by_channel": {"api": 1, "email": 2, "web": 2}},
    "breached": {"tickets": 3, "by_target": {"first_response": 2, "resolution": 1}},
    "first_response": {"wall_clock": durations(5, 27360, 3600, 77400),
                       "business": durations(3, 9000, 3600, 19800)},
    "resolution": {"wall_clock": durations(4, 60300, 7200, 176400),
                   "business": durations(2, 18000, 7200, 28800)},
    "satisfaction": {"count": 3, "mean": 5.33, "csi_percent": 71.67, "distribution": {"2": 1, "5": 1, "9": 1}},
    "sla_compliance": {"met": 4, "targets": 7, "percent": 57.1,
                       "by_target": {"first_response": {"met": 2, "targets": 4, "percent": 50.0},
                                     "next_response": {"met": 1, "targets": 1, "percent": 100.0},
                                     "resolution": {"met": 1, "targets": 2, "percent": 50.0}}},
    "first_contact_resolution": {"one_touch": 3, "solved": 4, "percent": 75.0},
    "escalation_rate": {"escalated": 2, "received": 5, "percent": 40.0},
    "reopened": 1,
    # Tickets 1001, 1002, 1003 and 1005 have the policy "standard". Its
    # first responses: 2 of 4 in time, 50 % against 75; its resolutions: 1
    # of 2, 50 % against 50, which meets it.
    "standards": [
        {"policy": "standard", "target": "first_response", "standard": 75, "period": "7d",
         "met": 2, "targets": 4, "percent": 50.0, "verdict": "below", "by": -25.0},
        {"policy": "standard", "target": "resolution", "standard": 50, "period": "30d",
         "met": 1, "targets": 2, "percent": 50.0, "verdict": "met", "by": 0.0},
    ],
}


# A target written again whole, in the form both engines take.
UPSERT_TARGET = ("ON CONFLICT (ticket_id, target, cycle) DO UPDATE SET started_at = excluded.started_at, "
                 "met_at = excluded.met_at, breached_at = excluded.breached_at, "
                 "business_seconds = excluded.business_seconds")


def seed(fd):
    """Writes the crafted week straight into fd's migrated database."""
    db = fd.connect()
    for (tid, channel, queue, assignee, status, created, first, solved, replies, reopened) in TICKETS:
        db.execute("INSERT INTO tickets(id, subject, status, priority, queue, assignee, requester_email, channel, "
                   "created_at, updated_at, first_response_at, solved_at, reopened_count) "
                   "VALUES (?, 'Crafted', ?, 'normal', ?, ?, 'ann@example.org', ?, ?, ?, ?, ?, ?)",
                   (tid, status, queue, assignee, channel, ts(created), ts(created),
                    ts(first) if first else None, ts(solved) if solved else None, reopened))
        for _ in range(replies):
            db.execute("INSERT INTO messages(ticket_id, kind, channel, created_at) VALUES (?, 'reply', 'api', ?)",
                       (tid, ts(first)))
    for (tid, target, cycle, started, met, breached, business) in TARGETS:
        db.execute("INSERT INTO sla_targets(ticket_id, target, cycle, started_at, met_at, breached_at, "
                   "business_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (tid, target, cycle, ts(started), ts(met) if met else None,
                    ts(breached) if breached else None, business))
    db.execute("UPDATE tickets SET sla_policy = 'standard' WHERE id IN (SELECT ticket_id FROM sla_targets)")
    for (tid, target, cycle, level) in FIRED:
        db.execute("INSERT INTO sla_levels_fired VALUES (?, ?, ?, ?, 0)", (tid, target, cycle, level))
    for (tid, at) in REOPENED:
        db.execute("INSERT INTO events(ticket_id, at, kind, actor, detail) VALUES (?, ?, 'status_changed', 'x', ?)",
                   (tid, ts(at), json.dumps({"from": "solved", "to": "open"})))
        db.execute("INSERT INTO events(ticket_id, at, kind, actor, detail) VALUES (?, ?, 'status_changed', 'x', ?)",
                   (tid, ts(at) - 60, json.dumps({"from": "open", "to": "solved"})))
    for (tid, score, (lo, hi), at) in CSAT:
        db.execute("INSERT INTO csat(ticket_id, requester, nonce, scheduled_at, scale_min, scale_max, score, "
                   "answered_at) VALUES (?, 'ann@example.org', ?, 0, ?, ?, ?, ?)",
                   (tid, f"n{tid}", lo, hi, score, ts(at)))
    db.commit()
    db.close()


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fd = Frontdesk(queues=QUEUES, extra_config=OFFICE)
        cls.fd.env = {"FRONTDESK_FAKE_NOW": NOW}
        r = cls.fd.cli("migrate")
        assert r.returncode == 0, r.stderr
        seed(cls.fd)

    @classmethod
    def tearDownClass(cls):
        cls.fd.close()

    def report(self, *args):
        r = self.fd.cli("report", "--from", "2026-11-23", "--to", "2026-11-30", *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_every_figure_of_the_week(self):
        got = json.loads(self.report("--json"))
        self.assertEqual(got["period"], {"from": "2026-11-22T23:00:00Z", "to": "2026-11-29T23:00:00Z",
                                         "timezone": "Europe/Berlin"})  # the default queue's zone
        self.assertEqual(got["total"], TOTAL)
        self.assertEqual(got["groups"], [])
        # Open now: 1002 and 1005 (3 to 7 days old), 1006 (hours old).
        self.assertEqual(got["backlog"], {"total": 3, "by_queue": {"support": 3}, "by_priority": {"normal": 3},
                                          "by_age": {"3d_to_7d": 2, "under_1d": 1}})

    def test_per_day(self):
        got = json.loads(self.report("--json", "--group-by", "day"))
        days = got["groups"]
        self.assertEqual([d["label"] for d in days], [f"2026-11-{d}" for d in range(23, 30)])
        self.assertEqual(days[0]["from"], "2026-11-22T23:00:00Z")
        self.assertEqual([d["received"]["total"] for d in days], [1, 1, 1, 1, 0, 1, 0])
        self.assertEqual([d["first_response"]["wall_clock"]["count"] for d in days], [2, 0, 2, 0, 0, 1, 0])
        self.assertEqual(days[0]["first_response"]["wall_clock"], durations(2, 27000, 3600, 50400))
        self.assertEqual([d["resolution"]["wall_clock"]["count"] for d in days], [2, 0, 0, 0, 1, 1, 0])
        self.assertEqual([d["sla_compliance"]["targets"] for d in days], [2, 0, 2, 3, 0, 0, 0])
        self.assertEqual(days[3]["breached"], {"tickets": 2, "by_target": {"first_response": 1, "resolution": 1}})
        self.assertEqual([d["reopened"] for d in days], [0, 0, 0, 1, 0, 0, 0])
        first = [d["standards"][0] for d in days]
        self.assertEqual([(s["met"], s["targets"]) for s in first], [(1, 1), (0, 0), (1, 2), (0, 1), (0, 0), (0, 0),
                                                                     (0, 0)])
        self.assertEqual([s["verdict"] for s in first], ["met", "none", "below", "below", "none", "none", "none"])
        self.assertEqual([s["by"] for s in first], [25.0, None, -25.0, -75.0, None, None, None])
        self.assertEqual([d["satisfaction"]["count"] for d in days], [1, 0, 0, 0, 1, 0, 1])
        # The groups add up to the total.
        self.assertEqual(got["total"], TOTAL)

    def test_per_queue_and_per_agent(self):
        billing = json.loads(self.report("--json", "--queue", "billing"))["total"]
        self.assertEqual(billing["received"], {"total": 1, "by_channel": {"api": 1}})
        self.assertEqual(billing["resolution"]["business"], durations(1, 28800, 28800, 28800))
        self.assertEqual(billing["satisfaction"]["distribution"], {"2": 1})
        # 1003 alone: its first response in time, its resolution late.
        self.assertEqual([(s["met"], s["targets"], s["verdict"]) for s in billing["standards"]],
                         [(1, 1, "met"), (0, 1, "below")])
        agent = json.loads(self.report("--json", "--agent", "agent@example.test"))["total"]
        self.assertEqual(agent["received"], {"total": 1, "by_channel": {"email": 1}})
        self.assertEqual(agent["first_contact_resolution"], {"one_touch": 1, "solved": 1, "percent": 100.0})

    def test_table_and_csv(self):
        table = self.report("--group-by", "week")
        self.assertIn("Frontdesk KPIs from 2026-11-23 00:00 to 2026-11-30 00:00 (Europe/Berlin)", table)
        self.assertRegex(table, r"\nreceived +5 +5\n")
        self.assertRegex(table, r"\nfirst_response_business_mean_s +9000 +9000\n")
        self.assertRegex(table, r"\nsla_compliance_percent +57\.1 +57\.1\n")
        self.assertIn("Backlog as of 2026-11-30 13:00: 3 open", table)
        rows = list(csv.DictReader(io.StringIO(self.report("--csv", "--group-by", "week"))))
        self.assertEqual([r["group"] for r in rows], ["2026-11-23", "total"])
        self.assertEqual(rows[1]["resolution_wall_p90_s"], "176400")
        self.assertEqual(rows[1]["csi_percent"], "71.67")
        self.assertEqual(rows[1]["escalation_rate_percent"], "40.0")

    def test_bad_parameters_name_themselves(self):
        r = self.fd.cli("report", "--from", "last week")
        self.assertEqual(r.returncode, 64)
        self.assertIn('--from: "last week" is not a date (2026-11-01) or an RFC 3339 time', r.stderr)
        r = self.fd.cli("report", "--timezone", "Mars/Base")
        self.assertIn('--timezone: unknown time zone "Mars/Base"', r.stderr)
        r = self.fd.cli("report", "--from", "2026-12-01", "--to", "2026-11-01")
        self.assertIn("--to: must be after from", r.stderr)
        r = self.fd.cli("report", "--queue", "nope")
        self.assertIn('--queue: unknown queue "nope"', r.stderr)

    def test_the_api_returns_the_same_figures(self):
        self.fd.start()
        try:
            want = json.loads(self.report("--json", "--group-by", "day"))
            r = self.fd.get("/api/v1/reports/kpi?from=2026-11-23&to=2026-11-30&group_by=day", scope="read")
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json(), want)
            r = self.fd.get("/api/v1/reports/kpi?from=yesterday", scope="read")
            self.assertEqual(r.status, 400)
            self.assertEqual(r.json()["error"]["field"], "from")
            r = self.fd.get("/api/v1/reports/kpi?color=red", scope="read")
            self.assertEqual(r.status, 400)
            self.assertEqual(r.json()["error"]["field"], "color")
            self.assertEqual(self.fd.get("/api/v1/reports/kpi", admin=True).status, 401)
        finally:
            self.fd.stop()


class ReportCacheTest(unittest.TestCase):
    """The hourly cache gives the very report the tables give, and every
    kind of write that changes a fact empties the hours it touches."""

    VARIANTS = [(), ("--group-by", "day"), ("--queue", "billing"), ("--agent", "agent@example.test"),
                ("--agent", "biller@example.test", "--group-by", "week")]

    def setUp(self):
        self.fd = Frontdesk(queues=QUEUES, extra_config=OFFICE + '\n[escalation]\ninterval = "5s"\n')
        self.addCleanup(self.fd.close)
        self.fd.env = {"FRONTDESK_FAKE_NOW": NOW}
        self.assertEqual(self.fd.cli("migrate").returncode, 0)
        seed(self.fd)

    def reports(self, *extra):
        out = []
        for v in self.VARIANTS:
            r = self.fd.cli("report", "--json", "--from", "2026-11-20", "--to", "2026-12-01", *v, *extra)
            self.assertEqual(r.returncode, 0, r.stderr)
            out.append(json.loads(r.stdout))
        return out

    def fill(self):
        r = self.fd.cli("report", "--fill-cache")
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.match(r"report: cached (\d+) hours holding (\d+) facts", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        return int(m.group(1))

    def assert_cache_true(self, label):
        self.assertEqual(self.reports(), self.reports("--from-tables"), label)

    def sql(self, statement, *args):
        db = self.fd.connect()
        db.execute(statement, args)
        db.commit()
        db.close()

    def test_cached_figures_equal_the_tables_through_every_kind_of_write(self):
        before = self.reports("--from-tables")
        # From the first ticket (Sunday 20:00) to the hour before now.
        self.assertEqual(self.fill(), ts("2026-11-30 11:00") // 3600 - ts("2026-11-22 20:00") // 3600 + 1)
        self.assertEqual(self.reports(), before)
        self.assertEqual(self.fill(), 0)
        # A write that changes no fact keeps every hour.
        self.sql("UPDATE tickets SET updated_at = updated_at + 1, tags = '[\"x\"]' WHERE id = 1001")
        self.sql("INSERT INTO sla_targets(ticket_id, target, cycle, started_at, met_at, breached_at, "
                 "business_seconds) SELECT ticket_id, target, cycle, started_at, met_at, breached_at, business_seconds "
                 "FROM sla_targets WHERE ticket_id = 1003 AND target = 'resolution' " + UPSERT_TARGET)
        self.sql("INSERT INTO messages(ticket_id, kind, channel, created_at) VALUES (1003, 'note', 'api', ?)",
                 ts("2026-11-27 11:00"))
        self.assertEqual(self.fill(), 0)

        writes = [
            ("reassigned", "UPDATE tickets SET assignee = 'agent@example.test' WHERE id = 1003"),
            ("moved to billing", "UPDATE tickets SET queue = 'billing' WHERE id = 1001"),
            ("solved later", "UPDATE tickets SET solved_at = solved_at + 7200 WHERE id = 1007"),
            ("answered earlier", "UPDATE tickets SET first_response_at = first_response_at - 1800 WHERE id = 1002"),
            ("channel corrected", "UPDATE tickets SET channel = 'web' WHERE id = 1004"),
            ("reopen counted", "UPDATE tickets SET reopened_count = 1 WHERE id = 1001"),
            ("a reply after the solve", "INSERT INTO messages(ticket_id, kind, channel, created_at) "
                                        "VALUES (1007, 'reply', 'api', 1796036400)"),
            ("a reply removed", "DELETE FROM messages WHERE id = (SELECT max(id) FROM messages "
                                "WHERE ticket_id = 1003 AND kind = 'reply')"),
            ("an escalation", "INSERT INTO sla_levels_fired VALUES (1001, 'first_response', 0, 1, 0)"),
            ("an escalation removed", "DELETE FROM sla_levels_fired WHERE ticket_id = 1002"),
            ("a breach recorded late", "INSERT INTO sla_targets(ticket_id, target, cycle, started_at, "
                                       "met_at, breached_at, business_seconds) VALUES (1007, 'first_response', 0, "
                                       "1795860000, 1795861800, 1795860900, 1800) " + UPSERT_TARGET),
            ("business time corrected", "UPDATE sla_targets SET business_seconds = 100 "
                                        "WHERE ticket_id = 1001 AND target = 'first_response'"),
            ("a target removed", "DELETE FROM sla_targets WHERE ticket_id = 1005"),
            ("a reopening", "INSERT INTO events(ticket_id, at, kind, actor, detail) VALUES (1001, 1795855000, "
                            "'status_changed', 'x', '{\"from\":\"solved\",\"to\":\"open\"}')"),
            ("a reopening undone", "UPDATE events SET detail = '{\"from\":\"solved\",\"to\":\"closed\"}' "
                                   "WHERE ticket_id = 1003 AND detail LIKE '%\"to\": \"open\"%'"),
            ("a score changed", "UPDATE csat SET score = 4 WHERE ticket_id = 1003"),
            ("a score added", "INSERT INTO csat(ticket_id, requester, nonce, scheduled_at, scale_min, scale_max, "
                              "score, answered_at) VALUES (1001, 'a@example.org', 'n1001', 0, 1, 5, 1, 1795864000)"),
            ("a score removed", "DELETE FROM csat WHERE ticket_id = 1004"),
            ("another SLA policy", "UPDATE tickets SET sla_policy = 'urgent' WHERE id = 1002"),
        ]
        for label, statement in writes:
            with self.subTest(write=label):
                self.sql(statement)
                self.assertGreater(self.fill(), 0, "the write emptied no hour")
                self.assert_cache_true(label)
        self.assertNotEqual(self.reports(), before)

    def test_a_damaged_hour_is_read_from_the_tables_and_replaced(self):
        hours = self.fill()
        hour = ts("2026-11-23 08:00") // 3600  # 1001 created
        self.sql("UPDATE kpi_hours SET facts = ? WHERE hour = ?", b"\x01\x07", hour)
        r = self.fd.cli("report", "--json", "--from", "2026-11-20", "--to", "2026-12-01")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"KPI cache hour {hour} is damaged", r.stderr)
        self.assertEqual(json.loads(r.stdout), self.reports("--from-tables")[0])
        r = self.fd.cli("report", "--fill-cache")
        self.assertEqual(r.stdout, "report: dropped 1 damaged hours\nreport: cached 1 hours holding 1 facts\n")
        r = self.fd.cli("report", "--json", "--from", "2026-11-20", "--to", "2026-12-01")
        self.assertNotIn("damaged", r.stderr)
        self.assert_cache_true("after the repair")
        self.assertEqual(self.fill(), 0)
        self.assertGreater(hours, 24)

    def test_a_fill_killed_before_its_commit_leaves_a_true_cache(self):
        r = self.fd.cli("report", "--fill-cache", env={"FRONTDESK_FAULT": "kpi-fill-before-commit"})
        self.assertEqual(r.returncode, -9, r.stderr)
        db = self.fd.connect()
        self.assertEqual(db.execute("SELECT count(*) FROM kpi_hours").fetchone()[0], 24)
        if not self.fd.postgres:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        db.close()
        self.assert_cache_true("after the kill")
        self.assertGreater(self.fill(), 100)
        self.assert_cache_true("after the next fill")

    def test_fills_from_cron_beside_serve_and_writes(self):
        self.fd.start()
        try:
            procs = [subprocess.Popen([os.environ["FRONTDESK_BIN"], "report", "--fill-cache", "--config",
                                       self.fd.config_path], env=dict(os.environ, **self.fd.env),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(3)]
            for tid, who in ((1001, "biller@example.test"), (1003, "agent@example.test"), (1007, "agent@example.test")):
                r = self.fd.request("PATCH", f"/api/v1/tickets/{tid}", body={"assignee": who}, scope="write")
                self.assertEqual(r.status, 200, r.body)
            for p in procs:
                out, err = p.communicate(timeout=60)
                self.assertEqual(p.returncode, 0, err)
                self.assertRegex(out, r"report: cached \d+ hours")
            self.fill()
            self.assert_cache_true("after concurrent fills and writes")
        finally:
            self.fd.stop()

    def test_serve_fills_the_cache_and_the_api_reads_it(self):
        self.fd.start()
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                db = self.fd.connect()
                n = db.execute("SELECT count(*) FROM kpi_hours").fetchone()[0]
                db.close()
                if n >= 180:
                    break
                time.sleep(0.5)
            self.assertGreaterEqual(n, 180)
            metrics = self.fd.get("/metrics", scope="read").body.decode()
            self.assertRegex(metrics, r"\nfrontdesk_kpi_cache_hours 18\d\n")
            want = json.loads(self.fd.cli("report", "--json", "--from-tables", "--from", "2026-11-23", "--to",
                                          "2026-11-30", "--group-by", "day").stdout)
            r = self.fd.get("/api/v1/reports/kpi?from=2026-11-23&to=2026-11-30&group_by=day", scope="read")
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json(), want)
            self.assertEqual(want["total"], TOTAL)
            # A reassignment through the API empties the hours of the
            # ticket's facts; until serve fills them again they come from
            # the tables, and the figures follow the ticket at once.
            r = self.fd.request("PATCH", "/api/v1/tickets/1003", body={"assignee": "agent@example.test"},
                                scope="write")
            self.assertEqual(r.status, 200, r.body)
            query = "/api/v1/reports/kpi?from=2026-11-23&to=2026-11-30&agent=agent@example.test"
            got = self.fd.get(query, scope="read").json()
            self.assertEqual(got["total"]["received"]["total"], 2)
            want = json.loads(self.fd.cli("report", "--json", "--from-tables", "--from", "2026-11-23", "--to",
                                          "2026-11-30", "--agent", "agent@example.test").stdout)
            self.assertEqual(got, want)
        finally:
            self.fd.stop()


class ReportFromTheEngineTest(unittest.TestCase):
    def test_business_and_wall_clock_differ_over_a_weekend(self):
        fd = Frontdesk(queues=QUEUES, extra_config=OFFICE)
        self.addCleanup(fd.close)
        # Friday 20 November 16:00 in Berlin: one business hour left.
        fd.env = {"FRONTDESK_FAKE_NOW": "2026-11-20T15:00:00Z"}
        self.assertEqual(fd.cli("migrate").returncode, 0)
        fd.deliver(b"From: ann@example.org\r\nTo: support@example.test\r\nSubject: Broken\r\n"
                   b"Message-ID: <w1@example.org>\r\n\r\nHelp.\r\n")
        # Monday 10:00 in Berlin the agent answers by mail.
        fd.env = {"FRONTDESK_FAKE_NOW": "2026-11-23T09:00:00Z"}
        ((alert,),) = fd.query("SELECT message_id FROM outbox WHERE recipient = 'agent@example.test'")
        fd.deliver(b"From: agent@example.test\r\nTo: support@example.test\r\nSubject: Re: [FD#1001] Broken\r\n"
                   b"Message-ID: <a1@example.test>\r\nIn-Reply-To: <" + alert.encode() + b"@example.test>\r\n"
                   b"\r\nTry again.\r\n")
        r = fd.cli("report", "--json", "--from", "2026-11-16", "--to", "2026-11-30")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = json.loads(r.stdout)["total"]["first_response"]
        # Wall clock: Friday 16:00 to Monday 10:00 is 66 hours. Business:
        # 1 hour on Friday and 1 on Monday.
        self.assertEqual(got, {"wall_clock": durations(1, 237600, 237600, 237600),
                               "business": durations(1, 7200, 7200, 7200)})
        explain = fd.cli("sla", "explain", "1001")
        self.assertIn("first_response", explain.stdout)
        self.assertIn("met", explain.stdout)


if __name__ == "__main__":
    unittest.main()
