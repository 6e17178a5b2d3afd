"""The satisfaction survey against the real daemon and the real SMTP sink:
the mail goes after the delay and only for a ticket still solved; looking at
the page records nothing; a POST records and may be changed within the
window; expired, forged and replayed links are refused with a clear page;
one survey per ticket and per customer per period, and a pattern skips
addresses; a low score reaches the queue's lead and the watch list; scores
show in the ticket, the events, the KPI report and /metrics.

The clock is pinned (FRONTDESK_FAKE_NOW); the daemon restarts to move it."""

import json
import re
import time
import unittest
import urllib.parse

from harness import Frontdesk, urlencoded
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

CSAT = """
[csat]
enabled = true
delay = "1h"
per_customer = "30d"
expires_after = "7d"
change_window = "2d"
low_score = 2
skip = "@noreply\\\\.example$"
max_comment_chars = 50
"""

T0 = "2026-11-20T10:00:00Z"


def wait_until(check, timeout=15):
    deadline = time.time() + timeout
    while not check():
        if time.time() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def mail(sender, subject, msgid):
    return (f"From: {sender}\r\nTo: support@example.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{msgid}>\r\n\r\nPlease help.\r\n").encode()


class CsatTest(unittest.TestCase):
    def setUp(self):
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)
        self.sink.start()

    def frontdesk(self, csat=CSAT, now=T0):
        fd = Frontdesk(queues=QUEUES,
                       extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{self.sink.port}"\ntls = "none"\n'
                                    f'interval = "1s"\n[mail]\nauto_ack = false\nsolved_notice = false\n' + csat)
        self.addCleanup(fd.close)
        fd.env = {"FRONTDESK_FAKE_NOW": now}
        fd.start()
        return fd

    def at(self, fd, now):
        """Restarts the daemon with the clock at `now`."""
        fd.stop()
        fd.env = {"FRONTDESK_FAKE_NOW": now}
        fd.start()

    def ticket(self, fd, sender, subject):
        fd.deliver(mail(sender, subject, f"{subject.replace(' ', '-')}@example.org"))
        return fd.query("SELECT max(id) FROM tickets")[0][0]

    def set_status(self, fd, ticket, status):
        r = fd.request("PATCH", f"/api/v1/tickets/{ticket}", body={"status": status}, scope="write")
        self.assertEqual(r.status, 200, r.body)

    def survey_link(self, to, n=1):
        mails = self.sink.wait_for(to, n)
        text = mails[n - 1].get_body(("plain",)).get_content()
        m = re.search(r"http://127\.0\.0\.1:\d+(/csat/\S+)", text)
        self.assertIsNotNone(m, text)
        return m.group(1), mails[n - 1]

    def answer(self, fd, path, score, comment=""):
        body, ctype = urlencoded([("score", str(score)), ("comment", comment)])
        return fd.post(path, body=body, headers={"Content-Type": ctype})

    def survey_row(self, fd, ticket):
        rows = fd.query("SELECT score, comment, answers, sent_at FROM csat WHERE ticket_id = ?", ticket)
        return rows[0] if rows else None

    def events(self, fd, ticket, kind):
        return [json.loads(d) for (d,) in
                fd.query("SELECT detail FROM events WHERE ticket_id = ? AND kind = ? ORDER BY id", ticket, kind)]

    def test_looking_records_nothing_and_a_post_records_within_the_window(self):
        fd = self.frontdesk()
        t = self.ticket(fd, "Ann <ann@example.org>", "Printer broken")
        self.set_status(fd, t, "solved")
        # Due an hour after the solve: nothing yet.
        (due,) = fd.query("SELECT next_attempt_at - created_at FROM outbox WHERE kind = 'survey'")[0]
        self.assertEqual(due, 3600)
        self.assertEqual(self.sink.messages(to="ann@example.org"), [])

        self.at(fd, "2026-11-20T11:30:00Z")
        path, survey = self.survey_link("ann@example.org")
        self.assertEqual(survey["Subject"], f"[FD#{t}] How did we do? Printer broken")
        self.assertEqual(survey["Auto-Submitted"], "auto-generated")
        self.assertIn("from 1 to 5", survey.get_body(("plain",)).get_content())
        # The sink has the mail at the server's 250; the daemon records the
        # sending in its next transaction, a moment later.
        wait_until(lambda: self.survey_row(fd, t)[3] is not None)
        self.assertIsNotNone(self.survey_row(fd, t)[3], "sent_at is recorded")

        # A mail scanner follows the link, twice, with a score in it.
        for p in (path, path + "?score=4"):
            page = fd.get(p)
            self.assertEqual(page.status, 200)
        self.assertIn('value="4" required checked', page.body.decode())
        self.assertNotIn("<script", page.body.decode().lower())
        self.assertEqual(page.header("Content-Security-Policy").split(";")[0], "default-src 'none'")
        self.assertEqual(self.survey_row(fd, t)[:3], (None, None, 0))
        self.assertEqual(self.events(fd, t, "csat_answered"), [])

        r = self.answer(fd, path, 5, "<script>alert(1)</script> great\r\nthanks")
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("Your answer: 5 on a scale from 1 to 5.", r.body.decode())
        self.assertEqual(self.survey_row(fd, t)[:3], (5, "<script>alert(1)</script> great\nthanks", 1))
        (ev,) = self.events(fd, t, "csat_answered")
        self.assertEqual((ev["score"], ev["scale_min"], ev["scale_max"]), (5, 1, 5))

        # The page shows the earlier answer, escaped.
        page = fd.get(path).body.decode()
        self.assertIn("You answered 5.", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; great", page)
        self.assertNotIn("<script>", page)

        # Bad answers change nothing.
        r = self.answer(fd, path, 9)
        self.assertEqual(r.status, 400)
        self.assertIn("choose a score from 1 to 5", r.body.decode())
        r = self.answer(fd, path, "five")
        self.assertEqual(r.status, 400)
        r = self.answer(fd, path, 3, "x" * 51)
        self.assertEqual(r.status, 400)
        self.assertIn("is 51 characters; at most 50 fit", r.body.decode())
        r = fd.post(path, body=b'{"score": 3}', headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 415)
        self.assertEqual(self.survey_row(fd, t)[:3], (5, "<script>alert(1)</script> great\nthanks", 1))

        # Within two days of the first answer a new one replaces it.
        self.at(fd, "2026-11-21T09:00:00Z")
        self.assertEqual(self.answer(fd, path, 4).status, 200)
        self.assertEqual(self.survey_row(fd, t)[:3], (4, None, 2))
        self.assertEqual(self.events(fd, t, "csat_answered")[-1]["replaces"], 5)

        # After it, the same link is refused, and the answer stays.
        self.at(fd, "2026-11-23T12:00:00Z")
        r = self.answer(fd, path, 1)
        self.assertEqual(r.status, 410)
        self.assertIn("Already answered", r.body.decode())
        self.assertEqual(fd.get(path).status, 410)
        self.assertEqual(self.survey_row(fd, t)[:3], (4, None, 2))

        # The score shows in the ticket and in the KPIs.
        got = fd.request("GET", f"/api/v1/tickets/{t}", scope="read").json()
        self.assertEqual((got["csat"]["state"], got["csat"]["score"], got["csat"]["scale"]), ("answered", 4, [1, 5]))
        r = fd.cli("report", "--json", "--from", "2026-11-16", "--to", "2026-11-30")
        self.assertEqual(r.returncode, 0, r.stderr)
        sat = json.loads(r.stdout)["total"]["satisfaction"]
        self.assertEqual((sat["count"], sat["mean"], sat["distribution"]), (1, 4, {"4": 1}))

    def test_expired_and_forged_links_are_refused_with_a_clear_page(self):
        fd = self.frontdesk()
        t = self.ticket(fd, "Ann <ann@example.org>", "Printer broken")
        self.set_status(fd, t, "solved")
        self.at(fd, "2026-11-20T11:30:00Z")
        path, _ = self.survey_link("ann@example.org")
        ticket, nonce, mac = path[len("/csat/"):].split(".")
        flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
        for forged in (f"/csat/{ticket}.{nonce}.{flipped}", f"/csat/{int(ticket) + 1}.{nonce}.{mac}",
                       f"/csat/{ticket}.{nonce}", "/csat/" + "9" * 40, "/csat/%00%0d%0a",
                       "/csat/" + urllib.parse.quote("<b>x</b>")):
            for r in (fd.get(forged), self.answer(fd, forged, 5)):
                self.assertEqual(r.status, 404, (forged, r.body))
                self.assertIn("This link does not work", r.body.decode(), forged)
        self.assertEqual(self.survey_row(fd, t)[:3], (None, None, 0))

        # Seven days after it was due, the link has closed.
        self.at(fd, "2026-11-27T11:00:01Z")
        for r in (fd.get(path), self.answer(fd, path, 5)):
            self.assertEqual(r.status, 410)
            self.assertIn("This survey has closed", r.body.decode())
        self.assertEqual(self.survey_row(fd, t)[:3], (None, None, 0))
        got = fd.request("GET", f"/api/v1/tickets/{t}", scope="read").json()
        self.assertEqual(got["csat"]["state"], "expired")

    def test_one_survey_per_ticket_and_per_customer_and_none_after_a_reopening(self):
        fd = self.frontdesk()
        a = self.ticket(fd, "Ann <ann@example.org>", "First problem")
        b = self.ticket(fd, "Ann <ann@example.org>", "Second problem")
        bot = self.ticket(fd, "Robot <alerts@noreply.example>", "Disk full")
        bob = self.ticket(fd, "Bob <bob@example.org>", "Login fails")
        for t in (a, b, bot, bob):
            self.set_status(fd, t, "solved")
        self.assertIsNotNone(self.survey_row(fd, a))
        self.assertIsNone(self.survey_row(fd, b))
        self.assertIn("per_customer", self.events(fd, b, "csat_skipped")[0]["reason"])
        self.assertIsNone(self.survey_row(fd, bot))
        self.assertEqual(self.events(fd, bot, "csat_skipped")[0]["reason"], "the address matches csat.skip")
        # Bob's ticket opens again before his survey is due.
        self.set_status(fd, bob, "open")

        self.at(fd, "2026-11-20T11:30:00Z")
        self.survey_link("ann@example.org")
        wait_until(lambda: fd.query("SELECT status FROM outbox WHERE kind = 'survey' AND ticket_id = ?", bob)[0][0]
                   != "pending")
        (status, reason), = fd.query("SELECT status, last_error FROM outbox WHERE kind = 'survey' AND ticket_id = ?",
                                     bob)
        self.assertEqual(status, "suppressed")
        self.assertIn("reopened", reason)
        self.assertIsNone(self.survey_row(fd, bob), "a survey never sent is forgotten")
        self.assertEqual(self.sink.messages(to="bob@example.org"), [])

        # Solved again, Bob's ticket gets its survey after all; Ann's, solved
        # a second time, gets none: one per ticket.
        self.set_status(fd, bob, "solved")
        self.set_status(fd, a, "open")
        self.set_status(fd, a, "solved")
        self.at(fd, "2026-11-20T13:00:00Z")
        self.survey_link("bob@example.org")
        self.assertEqual(fd.query("SELECT count(*) FROM outbox WHERE kind = 'survey' AND ticket_id = ?", a)[0][0], 1)
        self.assertEqual(len(self.sink.messages(to="ann@example.org")), 1)

        # After the period, Ann may be asked again.
        c = self.ticket(fd, "Ann <ann@example.org>", "Third problem")
        self.set_status(fd, c, "solved")
        self.assertIsNone(self.survey_row(fd, c))
        self.at(fd, "2026-12-21T12:00:00Z")
        d = self.ticket(fd, "Ann <ann@example.org>", "Fourth problem")
        self.set_status(fd, d, "solved")
        self.assertIsNotNone(self.survey_row(fd, d))

    def test_a_low_score_tells_the_lead_and_puts_the_customer_on_the_watch_list(self):
        fd = self.frontdesk()
        t = self.ticket(fd, "Carol <carol@example.org>", "Refund missing")
        self.set_status(fd, t, "solved")
        self.at(fd, "2026-11-20T11:30:00Z")
        path, _ = self.survey_link("carol@example.org")
        self.assertEqual(self.answer(fd, path, 1, "Nobody <b>listened</b>").status, 200)

        (alert,) = self.sink.wait_for("lead@example.test", 1)
        self.assertEqual(alert["Subject"], f"[FD#{t}] Low satisfaction score 1: Refund missing")
        text = alert.get_body(("plain",)).get_content()
        self.assertIn(f"Carol rated ticket {t} in queue support 1 on a scale from 1 to 5.", text)
        self.assertIn("Nobody <b>listened</b>", text)

        got = fd.request("GET", "/api/v1/customers?watch=true", scope="read")
        self.assertEqual(got.status, 200, got.body)
        (carol,) = got.json()["customers"]
        self.assertEqual((carol["email"], carol["watch"], carol["tickets"]), ("carol@example.org", True, [t]))
        (reason,) = carol["reasons"]
        self.assertEqual((reason["ticket_id"], reason["score"], reason["comment"], reason["subject"]),
                         (t, 1, "Nobody <b>listened</b>", "Refund missing"))
        self.assertEqual(reason["reason"], f"rated ticket {t} 1 on a scale of 1 to 5")

        metrics = fd.request("GET", "/metrics", scope="read").body.decode()
        self.assertIn('frontdesk_csat_responses_total{score="1"} 1\n', metrics)
        self.assertIn('frontdesk_csat_surveys{state="answered"} 1\n', metrics)
        self.assertIn("frontdesk_customers_watched 1\n", metrics)

        # She thinks again within the window: off the list, no new alert.
        self.assertEqual(self.answer(fd, path, 4).status, 200)
        self.assertEqual(fd.request("GET", "/api/v1/customers?watch=true", scope="read").json()["customers"], [])
        self.assertEqual(self.answer(fd, path, 2).status, 200)
        self.assertEqual(len(fd.request("GET", "/api/v1/customers?watch=true", scope="read").json()["customers"]), 1)
        # Flipping between scores sends the lead one alert per survey, not one per flip.
        for score in (5, 1, 4, 2):
            self.assertEqual(self.answer(fd, path, score).status, 200)
        self.assertEqual(fd.query("SELECT count(*) FROM outbox WHERE kind = 'low_score_alert'"), [(1,)])

        # Someone deals with it and clears her.
        r = fd.request("DELETE", "/api/v1/customers/carol%40example.org/watch", scope="write")
        self.assertEqual((r.status, r.json()["cleared"]), (200, 1))
        self.assertEqual(fd.request("GET", "/api/v1/customers?watch=true", scope="read").json()["customers"], [])
        r = fd.request("DELETE", "/api/v1/customers/carol@example.org/watch", scope="write")
        self.assertEqual(r.status, 404)
        self.assertEqual(fd.request("DELETE", "/api/v1/customers/carol@example.org/watch", scope="read").status, 403)
        r = fd.request("GET", "/api/v1/customers", scope="read")
        self.assertEqual((r.status, r.json()["error"]["field"]), (400, "watch"))
        r = fd.request("GET", "/api/v1/customers?watch=true&x=1", scope="read")
        self.assertEqual((r.status, r.json()["error"]["field"]), (400, "x"))

    def test_survey_answers_are_rate_limited_per_address(self):
        fd = self.frontdesk()
        t = self.ticket(fd, "Eve <eve@example.org>", "Flip flop")
        self.set_status(fd, t, "solved")
        self.at(fd, "2026-11-20T11:30:00Z")
        path, _ = self.survey_link("eve@example.org")
        for i in range(20):
            self.assertEqual(self.answer(fd, path, 1 + i % 5).status, 200)
        r = self.answer(fd, path, 3)
        self.assertEqual(r.status, 429)
        self.assertIsNotNone(r.header("Retry-After"))
        self.assertEqual(fd.query("SELECT answers FROM csat WHERE ticket_id = ?", t), [(20,)])

    def test_a_zero_to_ten_scale(self):
        fd = self.frontdesk(csat="[csat]\nenabled = true\ndelay = \"0s\"\nscale_min = 0\nscale_max = 10\n")
        t = self.ticket(fd, "Dan <dan@example.org>", "Slow site")
        self.set_status(fd, t, "solved")
        path, mail_ = self.survey_link("dan@example.org")
        self.assertIn("from 0 to 10", mail_.get_body(("plain",)).get_content())
        page = fd.get(path).body.decode()
        self.assertEqual(re.findall(r'name="score" value="(\d+)"', page), [str(i) for i in range(11)])
        self.assertEqual(self.answer(fd, path, 11).status, 400)
        # On 0 to 10, 6 and under is low unless low_score says otherwise.
        self.assertEqual(self.answer(fd, path, 6).status, 200)
        self.assertEqual(self.survey_row(fd, t)[0], 6)
        self.assertEqual(len(fd.request("GET", "/api/v1/customers?watch=true", scope="read").json()["customers"]), 1)
        self.assertEqual(self.answer(fd, path, 0).status, 200)
        self.assertEqual(self.survey_row(fd, t)[0], 0)

    def test_check_config_names_csat_mistakes(self):
        fd = Frontdesk(queues=QUEUES, extra_config='[csat]\nenabled = "yes"\nscale_max = 10\nlow_score = 10\n'
                                                   'skip = "(unclosed"\ndelay = "soon"\nexpire_after = "7d"\n')
        self.addCleanup(fd.close)
        r = fd.cli("check-config")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        out = r.stderr
        for expected in ('csat.enabled: expected a boolean, got a string',
                         'csat.delay:',
                         'csat.low_score: low_score 10 must be at least scale_min (1) and under scale_max (10)',
                         'csat.skip: not a valid RE2 pattern: missing ): (unclosed',
                         "csat.expire_after: unknown key (did you mean 'expires_after'?)"):
            self.assertIn(expected, out)
        self.assertRegex(out, r"frontdesk\.toml:\d+:\d+: csat\.skip")


if __name__ == "__main__":
    unittest.main()
