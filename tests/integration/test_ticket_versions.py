"""A ticket's version (its ETag) and updated_at move with every change that
shows in it: new mail, a note, an event, an SLA clock. `sort=-updated_at`
puts the ticket with new customer mail first. Mail read from the spool
counts from when the MTA handed it over, not from when it was filed. The
real daemon and mailgate."""

import calendar

import time
import unittest

from harness import Frontdesk
from smtp_sink import OFFICE_SLA

DAY = "2026-11-23T10:00:00Z"  # Monday 11:00 in Berlin


def mail(msgid, subject, body, sender="ann@example.org", extra=""):
    return (f"From: {sender}\r\nTo: support@example.test\r\nSubject: {subject}\r\nMessage-ID: <{msgid}>\r\n"
            f"{extra}\r\n{body}\r\n").encode()


class VersionTest(unittest.TestCase):
    def setUp(self):
        level = '[[sla.escalation]]\ntarget = "first_response"\nat = "25%"\nnotify = ["agents"]\n'
        self.fd = Frontdesk(extra_config=OFFICE_SLA + level)
        self.addCleanup(self.fd.close)
        self.fd.env = {"FRONTDESK_FAKE_NOW": DAY}
        self.fd.start()

    def get(self, n):
        r = self.fd.get(f"/api/v1/tickets/{n}", scope="read")
        self.assertEqual(r.status, 200, r.body)
        return r

    def test_every_kind_of_change_moves_the_etag(self):
        self.fd.deliver(mail("v1@example.org", "First", "one"))
        self.fd.deliver(mail("w1@example.org", "Second", "two", sender="bo@example.org"))
        seen = {self.get(1001).header("ETag")}

        def moved(what):
            tag = self.get(1001).header("ETag")
            self.assertNotIn(tag, seen, what)
            seen.add(tag)

        # Customer mail threaded to the ticket, a minute later.
        self.fd.stop()
        self.fd.env = {"FRONTDESK_FAKE_NOW": "2026-11-23T10:01:00Z"}
        self.fd.start()
        self.fd.deliver(mail("v2@example.org", "Re: [FD#1001] First", "more", extra="In-Reply-To: <v1@example.org>\r\n"))
        moved("customer mail")
        listed = self.fd.get("/api/v1/tickets?sort=-updated_at", scope="read").json()
        self.assertEqual(listed["tickets"][0]["id"], 1001)
        # An internal note through the API.
        r = self.fd.post("/api/v1/tickets/1001/messages", scope="write", body={"kind": "note", "body": "hm"})
        self.assertEqual(r.status, 201, r.body)
        moved("note")
        # A reply through the API (it also meets the first-response clock).
        r = self.fd.post("/api/v1/tickets/1001/messages", scope="write", body={"kind": "reply", "body": "Hello"})
        self.assertEqual(r.status, 201, r.body)
        moved("reply")
        # An event alone: an escalation level of the second ticket fires.
        before = self.get(1002).header("ETag")
        self.fd.stop()
        self.fd.env = {"FRONTDESK_FAKE_NOW": "2026-11-23T12:30:00Z"}
        self.fd.start()
        r = self.fd.post("/api/v1/escalations/run", scope="admin", body={})
        self.assertEqual(r.status, 200, r.body)
        after = self.get(1002)
        self.assertIn("escalated", [e["kind"] for e in after.json()["events"]])
        self.assertNotEqual(after.header("ETag"), before)
        # A PATCH answers with the ETag a GET then shows, so If-Match works next.
        etag = self.get(1001).header("ETag")
        r = self.fd.request("PATCH", "/api/v1/tickets/1001", scope="write", body={"status": "solved"},
                            headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("ETag"), self.get(1001).header("ETag"))
        r = self.fd.request("PATCH", "/api/v1/tickets/1001", scope="write", body={"priority": "high"},
                            headers={"If-Match": r.header("ETag")})
        self.assertEqual(r.status, 200, r.body)

    def test_spooled_mail_counts_from_when_the_mta_handed_it_over(self):
        # Spooled by the quick mailgate at DAY (the entry as it writes one),
        # filed by a daemon that starts an hour later.
        self.fd.stop()
        spooled = int(calendar.timegm(time.strptime(DAY, "%Y-%m-%dT%H:%M:%SZ")))
        self.fd.execute("INSERT INTO inbound_spool(raw, source, received_at) VALUES (?, 'mailgate', ?)",
                        mail("s1@example.org", "Spooled", "waiting"), spooled)
        self.fd.env = {"FRONTDESK_FAKE_NOW": "2026-11-23T11:00:00Z"}
        self.fd.start()
        deadline = time.time() + 10
        while self.fd.query("SELECT count(*) FROM tickets")[0][0] == 0 and time.time() < deadline:
            time.sleep(0.05)
        t = self.get(1001).json()
        self.assertEqual(t["created_at"], DAY)
        self.assertEqual(t["messages"][0]["created_at"], DAY)
        (first,) = [c for c in t["sla"] if c["target"] == "first_response"]
        self.assertEqual(first["started_at"], DAY)
        # 4 business hours from Monday 11:00 Berlin: 15:00 Berlin.
        self.assertEqual(first["due_at"], "2026-11-23T14:00:00Z")

if __name__ == "__main__":
    unittest.main()
