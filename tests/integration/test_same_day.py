"""'Answer the same day': a first_response target of "same_business_day"
with a 15:00 cutoff, on a Warsaw office calendar (Mon-Fri 09:00-17:00,
Christmas Eve closes at 12:00, Christmas Day closed). Each ticket is filed
by the real mailgate with the clock pinned (no daemon, so it files the mail
itself); the due time, `sla explain` and, through the real daemon, the
promise the customer is given are checked across the cutoff, a weekend, a
holiday and both DST changes."""

import unittest

from harness import Frontdesk
from smtp_sink import WARSAW_OFFICE

SAME_DAY = WARSAW_OFFICE + """holidays = ["2026-12-24 12:00-24:00", "2026-12-25"]
[[sla]]
name = "same-day"
calendar = "office"
first_response = "same_business_day"
cutoff = "15:00"
"""

# (name, when the mail arrives, when the first response is due)
CASES = [
    ("a Monday morning", "2026-11-23T08:00:00Z", "2026-11-23T16:00:00Z"),
    ("before the opening", "2026-11-23T06:30:00Z", "2026-11-23T16:00:00Z"),
    ("a minute before the cutoff", "2026-11-23T13:59:00Z", "2026-11-23T16:00:00Z"),
    ("at the cutoff", "2026-11-23T14:00:00Z", "2026-11-24T16:00:00Z"),
    ("a Friday after the cutoff: Monday", "2026-11-27T15:00:00Z", "2026-11-30T16:00:00Z"),
    ("a Saturday", "2026-11-28T11:00:00Z", "2026-11-30T16:00:00Z"),
    ("Christmas Eve morning: it closes at 12:00", "2026-12-24T08:00:00Z", "2026-12-24T11:00:00Z"),
    ("Christmas Eve afternoon: past the holiday and the weekend", "2026-12-24T12:00:00Z", "2026-12-28T16:00:00Z"),
    ("Friday evening before summer time", "2026-03-27T18:00:00Z", "2026-03-30T15:00:00Z"),
    ("Friday after the cutoff, before winter time", "2026-10-23T13:30:00Z", "2026-10-26T16:00:00Z"),
]


def mail(n):
    return (f"From: Ann <ann{n}@example.org>\r\nTo: support@example.test\r\nSubject: Order {n}\r\n"
            f"Message-ID: <same-day-{n}@example.org>\r\n\r\nWhere is my parcel?\r\n").encode()


class SameDayTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(extra_config=SAME_DAY)
        self.addCleanup(self.fd.close)
        self.assertEqual(self.fd.cli("migrate").returncode, 0)

    def file_at(self, n, now):
        r = self.fd.cli("mailgate", stdin=mail(n), env={"FRONTDESK_FAKE_NOW": now})
        self.assertEqual(r.returncode, 0, r.stderr)
        return int(r.stdout.decode().split()[1].rstrip(":"))

    def due(self, ticket):
        (row,) = self.fd.query("SELECT due_at FROM sla_targets WHERE ticket_id = ? AND target = 'first_response'",
                               ticket)
        return row[0]

    def test_due_at_the_close_of_the_right_business_day(self):
        for n, (name, now, due) in enumerate(CASES):
            with self.subTest(name):
                ticket = self.file_at(n, now)
                self.assertEqual(self.iso(self.due(ticket)), due)

    def test_explain_says_why(self):
        ticket = self.file_at(1, "2026-11-27T15:00:00Z")
        r = self.fd.cli("sla", "explain", str(ticket), env={"FRONTDESK_FAKE_NOW": "2026-11-27T15:30:00Z"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("first_response: target same_business_day", r.stdout)
        self.assertIn("same day  started after the 15:00 cutoff: due at the close of the next business day",
                      r.stdout)
        self.assertIn("due       Mon 2026-11-30 17:00 CET", r.stdout)
        ticket = self.file_at(2, "2026-11-28T11:00:00Z")
        r = self.fd.cli("sla", "explain", str(ticket), env={"FRONTDESK_FAKE_NOW": "2026-11-28T11:00:00Z"})
        self.assertIn("same day  started outside working hours: due at the close of the next business day",
                      r.stdout)
        ticket = self.file_at(3, "2026-11-30T08:00:00Z")
        r = self.fd.cli("sla", "explain", str(ticket), env={"FRONTDESK_FAKE_NOW": "2026-11-30T08:00:00Z"})
        self.assertIn("same day  due at the close of the business day it started on", r.stdout)
        self.assertIn("= 8h of business time", r.stdout)

    def test_the_customer_is_promised_today_tomorrow_or_the_date(self):
        for now, promise in [
            ("2026-11-23T08:00:00Z", "We will reply today by 17:00."),
            ("2026-11-23T14:30:00Z", "We will reply tomorrow by 17:00."),
            ("2026-11-27T15:00:00Z", "We will reply by Monday 30 November 2026, 17:00 CET."),
        ]:
            with self.subTest(now):
                self.fd.env = {"FRONTDESK_FAKE_NOW": now}
                self.fd.start()
                try:
                    r = self.fd.post("/api/v1/tickets", scope="write",
                                     body={"requester": {"email": "bo@example.org"}, "subject": "Invoice",
                                           "message": "Wrong total", "acknowledge": False})
                    self.assertEqual(r.status, 201, r.body)
                    self.assertEqual(r.json()["first_response_promise"], promise)
                finally:
                    self.assertEqual(self.fd.stop(), 0)

    def test_a_cutoff_needs_a_same_day_target(self):
        self.fd.write_config(self.fd.config_text().replace('first_response = "same_business_day"',
                                                           'first_response = "4h"'))
        r = self.fd.cli("check-config")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('sla[0].cutoff: a cutoff applies only to "same_business_day" targets', r.stdout + r.stderr)

    @staticmethod
    def iso(unix):
        import datetime
        return datetime.datetime.fromtimestamp(unix, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    unittest.main()
