"""One write path: every change to a ticket goes through one TicketService
(daemon/tickets/ticket_service.h), whichever channel it comes from. The same
change made through the web form, the admin API and mail (mailgate, an
agent's reply and commands) must leave the same events and queue the same
mail. Only what a channel adds by design may differ: the agent_mail event
that lists an agent's mail commands (docs/MAIL.md, "Agents by mail"). Every
channel's customer is acknowledged by mail (docs/MAIL.md, "Acknowledgements").

Each test makes its tickets alike, notes where each ticket's event log and
the outbox stand, makes the same change by each path, and compares what
was added: the event kinds in order, and the outbox rows as (kind,
recipient). The clock is pinned inside office hours, so the SLA policy
applies and a reply meets the first-response target on time."""

import email
import email.policy
import time
import unittest
import urllib.parse

from harness import Frontdesk
from smtp_sink import OFFICE_SLA, SmtpServer

QUEUES = """
[[queue]]
name = "support"
display_name = "Test Support"
addresses = ["support@example.test"]
comment_addresses = ["support-comment@example.test"]
agents = ["agent@example.test", "second@example.test"]
default = true
"""

AGENT = "agent@example.test"
SECOND = "second@example.test"
AGENTS = (AGENT, SECOND)

# Friday 20 November 2026, 15:00 in Berlin: the office calendar is open.
NOW = "2026-11-20T14:00:00Z"

SUBJECT = "Printer broken"
TEXT = "It does not print."


def mail(sender, subject, msgid, body, to="support@example.test", extra=""):
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{msgid}>\r\n{extra}"
            f"\r\n{body}\r\n").encode()


def kinds(events):
    return [e["kind"] for e in events]


def rows(outbox, requester=None):
    """Outbox rows as sorted (kind, recipient), the ticket's own requester
    written "requester" so that tickets of different customers compare; the
    order two rows of one change are queued in is not part of the contract."""
    return sorted((o["kind"], "requester" if requester and o["recipient"] == requester else o["recipient"])
                  for o in outbox)


def without(names, *dropped):
    return [n for n in names if n not in dropped]


class OneWritePathTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpServer()
        cls.addClassCleanup(cls.sink.close)
        cls.sink.start()
        cls.fd = Frontdesk(queues=QUEUES,
                           extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{cls.sink.port}"\ntls = "none"\n'
                                        f'interval = "1s"\n' + OFFICE_SLA)
        cls.addClassCleanup(cls.fd.close)
        cls.fd.env = {"FRONTDESK_FAKE_NOW": NOW}
        cls.fd.start()

    # -- reading what a change left ------------------------------------------
    def ticket(self, tid):
        r = self.fd.get(f"/api/v1/tickets/{tid}", scope="read")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def events(self, tid, after=0):
        return sorted((e for e in self.ticket(tid)["events"] if e["id"] > after), key=lambda e: e["id"])

    def outbox(self, tid, after=0):
        """The ticket's outbox rows with an id above `after`, through
        GET /api/v1/outbox, paging back with `before`."""
        out, before = [], None
        while True:
            params = {"limit": 100}
            if before is not None:
                params["before"] = before
            r = self.fd.get("/api/v1/outbox?" + urllib.parse.urlencode(params), scope="read")
            self.assertEqual(r.status, 200, r.body)
            page = r.json()["outbox"]
            out += [o for o in page if o["ticket_id"] == tid and o["id"] > after]
            if len(page) < 100 or page[-1]["id"] <= after:
                return out
            before = page[-1]["id"]

    def mark(self, tid):
        """Where the ticket's events and the outbox stand now."""
        events = self.events(tid)
        r = self.fd.get("/api/v1/outbox?limit=1", scope="read")
        self.assertEqual(r.status, 200, r.body)
        newest = r.json()["outbox"]
        return (events[-1]["id"] if events else 0, newest[0]["id"] if newest else 0)

    def since(self, tid, mark):
        """The events and outbox rows the ticket got after `mark`."""
        return self.events(tid, mark[0]), self.outbox(tid, mark[1])

    def by_requester(self, address):
        r = self.fd.get("/api/v1/tickets?" + urllib.parse.urlencode({"requester": address}), scope="read")
        self.assertEqual(r.status, 200, r.body)
        found = r.json()["tickets"]
        self.assertEqual(len(found), 1, f"tickets of {address}: {found}")
        return found[0]["id"]

    # -- making tickets and changes -------------------------------------------
    def api_ticket(self, requester):
        """A new ticket through the API; every test starts its tickets alike."""
        r = self.fd.post("/api/v1/tickets", scope="write",
                         body={"requester": {"email": requester, "name": "Customer"}, "subject": SUBJECT,
                               "message": TEXT})
        self.assertEqual(r.status, 201, r.body)
        return r.json()["id"]

    def agent_mail(self, tid, body, msgid, subject=None, extra=None):
        """An agent of the queue writing to the ticket from their mail client:
        a reply to the alert Frontdesk sent them, which proves it is theirs
        (docs/MAIL.md, "Agents by mail")."""
        subject = subject or f"Re: [FD#{tid}] {SUBJECT}"
        if extra is None:
            extra = f"In-Reply-To: {self.alert_to_agent(tid)['Message-ID']}\r\n"
        self.fd.deliver(mail("Agent Smith <agent@example.test>", subject, msgid, body, extra=extra))

    def alert_to_agent(self, tid, timeout=15):
        """The new-ticket alert the first agent got for the ticket, as sent."""
        deadline = time.time() + timeout
        while True:
            for raw in self.sink.messages(to=AGENT):
                m = email.message_from_bytes(raw, policy=email.policy.default)
                if f"[FD#{tid}]" in m["Subject"]:
                    return m
            if time.time() > deadline:
                raise AssertionError(f"{AGENT} got no alert for ticket {tid}")
            time.sleep(0.05)

    # -- comparing ---------------------------------------------------------------
    def assertSameAsApi(self, what, api, other, channel):
        self.assertEqual(api, other, f"{what}: the API gives {api}, {channel} gives {other}")

    # -- 1. a new ticket ---------------------------------------------------------
    def test_a_new_ticket_is_the_same_from_the_form_the_api_and_mail(self):
        r = self.fd.post("/tickets", body={"name": "Wendy Web", "email": "new-web@example.org",
                                           "subject": SUBJECT, "message": TEXT})
        self.assertEqual(r.status, 201, r.body)
        web = r.json()["id"]
        r = self.fd.post("/api/v1/tickets", scope="write",
                         body={"requester": {"email": "new-api@example.org", "name": "Arno Api"},
                               "subject": SUBJECT, "message": TEXT})
        self.assertEqual(r.status, 201, r.body)
        api = r.json()["id"]
        self.fd.deliver(mail("Mia Mail <new-mail@example.org>", SUBJECT, "new-1@example.org", TEXT))
        by_mail = self.by_requester("new-mail@example.org")
        tickets = {"web": web, "api": api, "email": by_mail}
        requesters = {"web": "new-web@example.org", "api": "new-api@example.org", "email": "new-mail@example.org"}

        got = {}
        for channel, tid in tickets.items():
            t = self.ticket(tid)
            self.assertEqual(t["channel"], channel)
            self.assertEqual((t["status"], t["queue"], t["priority"]), ("new", "support", "normal"),
                             f"the {channel} ticket")
            self.assertEqual([m["kind"] for m in t["messages"]], ["customer"], f"the {channel} ticket")
            self.assertEqual(t["requester"]["email"], requesters[channel])
            got[channel] = (self.events(tid), rows(self.outbox(tid), requesters[channel]))

        api_events, api_outbox = got["api"]
        self.assertEqual(kinds(api_events), ["created", "sla_assigned"],
                         "an API ticket is created and gets its SLA policy")
        sla = {c: [e["detail"] for e in ev if e["kind"] == "sla_assigned"] for c, (ev, _) in got.items()}
        alerts = sorted(("new_ticket_alert", a) for a in AGENTS)
        for channel in ("web", "email"):
            events, outbox = got[channel]
            with self.subTest(channel=channel, compare="event kinds"):
                self.assertSameAsApi("event kinds of a new ticket", kinds(api_events), kinds(events), channel)
            with self.subTest(channel=channel, compare="SLA policy"):
                self.assertSameAsApi("sla_assigned detail", sla["api"], sla[channel], channel)
            with self.subTest(channel=channel, compare="outbox"):
                # Every channel acknowledges by mail (docs/MAIL.md, "Acknowledgements").
                self.assertSameAsApi("outbox rows of a new ticket", api_outbox, outbox, channel)
        ack = [("auto_ack", "requester")]
        self.assertEqual(api_outbox, sorted(alerts + ack), "the API ticket: both agents alerted, the requester acknowledged")

    # -- 2. a status change ----------------------------------------------------------
    def test_solved_through_the_api_and_by_an_agents_mail_command(self):
        api = self.api_ticket("solve-api@example.org")
        by_mail = self.api_ticket("solve-mail@example.org")
        api_mark, mail_mark = self.mark(api), self.mark(by_mail)

        r = self.fd.request("PATCH", f"/api/v1/tickets/{api}", body={"status": "solved"}, scope="write")
        self.assertEqual(r.status, 200, r.body)
        self.agent_mail(by_mail, "/status solved\r\n", "solve-1@example.test")

        api_events, api_outbox = self.since(api, api_mark)
        mail_events, mail_outbox = self.since(by_mail, mail_mark)
        for name, tid in (("API", api), ("mail", by_mail)):
            self.assertEqual(self.ticket(tid)["status"], "solved", f"the ticket solved by {name}")

        changed = {name: [e["detail"] for e in ev if e["kind"] == "status_changed"]
                   for name, ev in (("api", api_events), ("mail", mail_events))}
        self.assertEqual(changed["api"], [{"from": "new", "to": "solved"}], "status_changed through the API")
        self.assertSameAsApi("status_changed detail", changed["api"], changed["mail"], "mail")

        api_outbox = rows(api_outbox, "solve-api@example.org")
        mail_outbox = rows(mail_outbox, "solve-mail@example.org")
        for name, outbox in (("API", api_outbox), ("mail", mail_outbox)):
            self.assertEqual([r for r in outbox if r[0] == "solved"], [("solved", "requester")],
                             f"solved by {name}: exactly one solved notice, to the requester (outbox: {outbox})")
            self.assertEqual([r for r in outbox if r[1] == "requester"], [("solved", "requester")],
                             f"solved by {name}: the requester gets the solved notice and nothing else")

        (agent_mail,) = [e for e in mail_events if e["kind"] == "agent_mail"]
        self.assertEqual(agent_mail["detail"]["commands"], ["status solved"])
        self.assertEqual(agent_mail["detail"]["errors"], [])

        # The same change, apart from the agent_mail event by which mail
        # lists its commands, leaves the same events and the same mail.
        # (A mail of commands alone is also stored as a note "[by mail:
        # status solved]" by daemon/intake/mail_intake.cpp; docs/MAIL.md
        # names no such note, and it must not add a note_added event or a
        # note_alert to the other agents that the API's PATCH does not.)
        with self.subTest(compare="event kinds"):
            self.assertSameAsApi("event kinds of solving, apart from agent_mail",
                                 kinds(api_events), without(kinds(mail_events), "agent_mail"), "mail")
        with self.subTest(compare="outbox"):
            self.assertSameAsApi("outbox rows of solving", api_outbox, mail_outbox, "mail")

    # -- 3. a public reply ---------------------------------------------------------------
    def test_a_reply_through_the_api_and_by_an_agents_mail(self):
        api = self.api_ticket("reply-api@example.org")
        by_mail = self.api_ticket("reply-mail@example.org")
        # The agent answers the new-ticket alert from their mail client: it
        # joins the ticket by In-Reply-To alone (the subject has no tag).
        alert = self.alert_to_agent(by_mail)
        api_mark, mail_mark = self.mark(api), self.mark(by_mail)

        r = self.fd.post(f"/api/v1/tickets/{api}/messages", scope="write",
                         body={"kind": "reply", "body": "We are on it.",
                               "author": {"email": AGENT, "name": "Agent Smith"}})
        self.assertEqual(r.status, 201, r.body)
        self.agent_mail(by_mail, "We are on it.", "reply-1@example.test", subject=f"Re: {SUBJECT}",
                        extra=f"In-Reply-To: {alert['Message-ID']}\r\n")

        api_events, api_outbox = self.since(api, api_mark)
        mail_events, mail_outbox = self.since(by_mail, mail_mark)
        self.assertEqual(kinds(api_events), ["status_changed", "reply_added", "sla_met"],
                         "a reply through the API opens the ticket and meets the first response")
        self.assertSameAsApi("event kinds of a reply, apart from agent_mail",
                             kinds(api_events), without(kinds(mail_events), "agent_mail"), "mail")
        self.assertEqual(kinds(mail_events).count("agent_mail"), 1, "mail's agent_mail event")
        for kind in ("status_changed", "sla_met"):
            api_detail = [e["detail"] for e in api_events if e["kind"] == kind]
            mail_detail = [e["detail"] for e in mail_events if e["kind"] == kind]
            self.assertSameAsApi(f"{kind} detail", api_detail, mail_detail, "mail")
        self.assertEqual([e["detail"] for e in api_events if e["kind"] == "status_changed"],
                         [{"from": "new", "to": "open"}])
        self.assertEqual([e["detail"]["target"] for e in api_events if e["kind"] == "sla_met"], ["first_response"])

        api_outbox = rows(api_outbox, "reply-api@example.org")
        mail_outbox = rows(mail_outbox, "reply-mail@example.org")
        self.assertEqual(api_outbox, [("reply", "requester")], "a reply through the API: one reply, to the requester")
        self.assertSameAsApi("outbox rows of a reply", api_outbox, mail_outbox, "mail")

        for tid, requester in ((api, "reply-api@example.org"), (by_mail, "reply-mail@example.org")):
            t = self.ticket(tid)
            self.assertEqual(t["status"], "open")
            self.assertIsNotNone(t["first_response_at"])
            self.assertEqual([m["kind"] for m in t["messages"]], ["customer", "reply"])
            (ack, sent) = self.sink.wait_for(requester, 2)
            self.assertEqual(ack["Auto-Submitted"], "auto-replied")
            self.assertEqual(sent["From"], "Test Support <support@example.test>")
            self.assertEqual(sent.get_content().strip(), "We are on it.")

    # -- 4. an internal note ---------------------------------------------------------------
    def test_a_note_through_the_api_and_by_an_agents_mail(self):
        api = self.api_ticket("note-api@example.org")
        by_mail = self.api_ticket("note-mail@example.org")
        api_mark, mail_mark = self.mark(api), self.mark(by_mail)

        r = self.fd.post(f"/api/v1/tickets/{api}/messages", scope="write",
                         body={"kind": "note", "body": "Called the vendor.",
                               "author": {"email": AGENT, "name": "Agent Smith"}})
        self.assertEqual(r.status, 201, r.body)
        self.agent_mail(by_mail, "/note\r\nCalled the vendor.", "note-1@example.test")

        api_events, api_outbox = self.since(api, api_mark)
        mail_events, mail_outbox = self.since(by_mail, mail_mark)
        self.assertEqual(kinds(api_events), ["note_added"], "a note through the API")
        self.assertSameAsApi("event kinds of a note, apart from agent_mail",
                             kinds(api_events), without(kinds(mail_events), "agent_mail"), "mail")
        (agent_mail,) = [e for e in mail_events if e["kind"] == "agent_mail"]
        self.assertEqual(agent_mail["detail"]["kind"], "note")

        # The other agent hears of it; its author and the customer do not.
        api_outbox = rows(api_outbox, "note-api@example.org")
        mail_outbox = rows(mail_outbox, "note-mail@example.org")
        self.assertEqual(api_outbox, [("note_alert", SECOND)], "a note through the API")
        self.assertSameAsApi("outbox rows of a note", api_outbox, mail_outbox, "mail")

        for tid in (api, by_mail):
            t = self.ticket(tid)
            self.assertEqual(t["status"], "new", "a note does not open the ticket")
            self.assertIsNone(t["first_response_at"], "a note is not a response")
            self.assertEqual([m["kind"] for m in t["messages"]], ["customer", "note"])
            self.assertEqual(t["messages"][-1]["body"].strip(), "Called the vendor.")


if __name__ == "__main__":
    unittest.main()
