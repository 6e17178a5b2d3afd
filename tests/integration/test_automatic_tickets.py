"""Automatic mail that answers nothing of ours (an out-of-office reply to a
mail we never sent) still opens a ticket, so nothing is lost, but as an
automatic one: no acknowledgement, no alert, no clock, out of the KPIs and
the backlog, and listed under its own API filter. The real mailgate,
daemon and report."""

import json
import unittest

from harness import Frontdesk

NOW = "2026-11-23T10:00:00Z"
OOO = (b"From: Away <away@example.org>\r\nTo: support@example.test\r\nSubject: Out of office\r\n"
       b"Message-ID: <ooo1@example.org>\r\nAuto-Submitted: auto-replied\r\n\r\nI am away until Monday.\r\n")
PERSON = (b"From: Ann <ann@example.org>\r\nTo: support@example.test\r\nSubject: Help\r\n"
          b"Message-ID: <p1@example.org>\r\n\r\nPlease help.\r\n")


class AutomaticTicketTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk()
        self.addCleanup(self.fd.close)
        self.fd.env = {"FRONTDESK_FAKE_NOW": NOW}
        self.fd.start()
        self.fd.deliver(OOO)
        self.fd.deliver(PERSON)

    def test_kept_but_automatic(self):
        self.assertEqual(self.fd.query("SELECT id, automatic FROM tickets ORDER BY id"), [(1001, 1), (1002, 0)])
        t = self.fd.get("/api/v1/tickets/1001", scope="read").json()
        self.assertTrue(t["automatic"])
        self.assertEqual(t["messages"][0]["body"].strip(), "I am away until Monday.")
        self.assertEqual(t["sla"], [])
        created = [e for e in t["events"] if e["kind"] == "created"][0]
        self.assertIn("automatic", created["detail"])
        self.assertEqual(self.fd.query("SELECT count(*) FROM outbox WHERE ticket_id = 1001")[0][0], 0)

    def test_listed_under_its_own_filter(self):
        auto = self.fd.get("/api/v1/tickets?automatic=true", scope="read").json()["tickets"]
        self.assertEqual([t["id"] for t in auto], [1001])
        people = self.fd.get("/api/v1/tickets?automatic=false", scope="read").json()["tickets"]
        self.assertEqual([t["id"] for t in people], [1002])
        bad = self.fd.get("/api/v1/tickets?automatic=maybe", scope="read")
        self.assertEqual(bad.status, 400)

    def test_out_of_the_kpis_and_the_backlog(self):
        for extra in ([], ["--from-tables"]):
            r = self.fd.cli("report", "--json", "--from", "2026-11-23", "--to", "2026-11-24", "--timezone", "UTC",
                            *extra)
            self.assertEqual(r.returncode, 0, r.stderr)
            got = json.loads(r.stdout)
            self.assertEqual(got["total"]["received"]["total"], 1, extra)
            self.assertEqual(got["backlog"]["total"], 1, extra)


if __name__ == "__main__":
    unittest.main()
