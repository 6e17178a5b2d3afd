"""Templates and notices against the real SMTP sink: a queue's own words
from files next to the config, with an HTML part; values escaped in HTML
and kept to one line in the subject; the solved, rejected and too-large
notices; agents told of an internal note; an escalation level's own
template; and check-config refusing a template with a mistake, by place."""

import os
import unittest

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

[[queue]]
name = "billing"
display_name = "Billing"
addresses = ["billing@example.test"]
agents = ["biller@example.test"]
timezone = "America/New_York"
[queue.templates]
dir = "templates/billing"
"""


def mail(sender="Ann Example <ann@example.org>", to="support@example.test", subject="Printer broken",
         msgid="c1@example.org", body="It does not print.", extra=""):
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{msgid}>\r\n{extra}"
            f"\r\n{body}\r\n").encode()


class TemplatesTest(unittest.TestCase):
    def setUp(self):
        self.sink = SmtpServer()
        self.addCleanup(self.sink.close)
        self.sink.start()

    def frontdesk(self, mail_extra="", extra="", files=None, now="2026-11-20T15:00:00Z"):
        # These tests are about what templates render, so every sender's
        # subject and name are repeated (test_smtp covers leaving them out).
        fd = Frontdesk(queues=QUEUES,
                       extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{self.sink.port}"\ntls = "none"\n'
                                    f'interval = "1s"\n[mail]\nquote_unverified_senders = true\n{mail_extra}\n' +
                                    OFFICE_SLA + extra)
        self.addCleanup(fd.close)
        files = dict(files or {})
        files.setdefault("templates/billing/auto_ack.txt",
                         "Subject: Billing has your request: {{subject}}\n\n"
                         "Dear {{requester}},\n\nbilling ticket {{ticket}}.\n"
                         "{{#due}}\nAnswer by {{due}}.\n{{/due}}\n")
        files.setdefault("templates/billing/auto_ack.html",
                         "<p>Dear {{requester}},</p><p>billing ticket {{ticket}}, by {{due}}.</p>\n")
        for name, content in files.items():
            path = os.path.join(fd.dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(content)
        fd.env = {"FRONTDESK_FAKE_NOW": now}
        fd.start()
        return fd

    def test_a_queue_has_its_own_words_with_an_html_part(self):
        fd = self.frontdesk()
        fd.deliver(mail(sender='"Ann <b>&amp; Co" <ann@example.org>', to="billing@example.test",
                        subject="Invoice wrong"))
        (ack,) = self.sink.wait_for("ann@example.org", 1)
        self.assertEqual(ack["Subject"], "[FD#1001] Billing has your request: Invoice wrong")
        self.assertEqual(ack.get_content_type(), "multipart/alternative")
        text = ack.get_body(("plain",)).get_content()
        html = ack.get_body(("html",)).get_content()
        self.assertIn("Dear Ann <b>&amp; Co,", text)
        self.assertIn("billing ticket 1001.", text)
        # The billing queue's customers read New York time: 1 business hour
        # on Friday (Berlin calendar), 3 more on Monday from 09:00 Berlin.
        self.assertIn("Answer by Monday 23 November 2026, 06:00 EST.", text)
        self.assertIn("<p>Dear Ann &lt;b&gt;&amp;amp; Co,</p>", html)
        self.assertNotIn("<b>", html)
        # The support queue keeps the built-in words.
        fd.deliver(mail(sender="bob@example.org", msgid="c2@example.org", subject="Login"))
        (ack,) = self.sink.wait_for("bob@example.org", 1)
        self.assertEqual(ack.get_content_type(), "text/plain")
        self.assertIn("Test Support has received it as ticket 1002.", ack.get_content())
        self.assertIn("We will reply by Monday 23 November 2026, 12:00 CET.", ack.get_content())

    def test_a_value_cannot_add_a_header_through_a_template(self):
        fd = self.frontdesk(extra='[templates.auto_ack]\nsubject = "For {{requester_name}}: {{subject}}"\n')
        # An encoded word can carry CR LF into the decoded name and subject.
        fd.deliver(mail(sender="=?utf-8?q?Ann=0D=0ABcc=3A_victim=40example.org?= <ann@example.org>",
                        subject="=?utf-8?q?Hi=0D=0ABcc=3A_victim2=40example.org?="))
        (ack,) = self.sink.wait_for("ann@example.org", 1)
        self.assertIsNone(ack["Bcc"])
        self.assertEqual(ack["X-Envelope-To"], "ann@example.org")
        self.assertNotIn("\n", ack["Subject"])
        self.assertIn("victim@example.org", ack["Subject"])  # kept as text, on the one line
        self.assertEqual(self.sink.messages(to="victim@example.org"), [])
        self.assertEqual(self.sink.messages(to="victim2@example.org"), [])

    def test_solved_notice_goes_once_and_agents_hear_of_notes(self):
        fd = self.frontdesk(extra='[templates.solved]\ntext = "Ticket {{ticket}} ({{subject}}) is {{status}}."\n')
        fd.deliver(mail())
        self.sink.wait_for("ann@example.org", 1)
        # A colleague's note to the comment address reaches the other agent,
        # never the customer, and not its own author.
        # The colleague answers the alert Frontdesk sent them, which proves
        # the mail is theirs.
        ((alert,),) = fd.query("SELECT message_id FROM outbox WHERE recipient = 'second@example.test'")
        fd.deliver(mail(sender="second@example.test", to="support-comment@example.test",
                        subject="[FD#1001] Printer broken", msgid="n1@example.test",
                        body="The toner is empty, I think.", extra=f"In-Reply-To: <{alert}@example.test>\r\n"))
        (note,) = self.sink.wait_for("agent@example.test", 2)[1:]
        self.assertIn("second@example.test added an internal note to ticket 1001", note.get_content())
        self.assertIn("The toner is empty", note.get_content())
        self.assertEqual(note["Auto-Submitted"], "auto-generated")
        self.assertEqual(len(self.sink.messages(to="second@example.test")), 1)  # the new-ticket alert only
        r = fd.request("PATCH", "/api/v1/tickets/1001", body={"status": "solved"}, scope="write")
        self.assertEqual(r.status, 200, r.body)
        (solved,) = self.sink.wait_for("ann@example.org", 2)[1:]
        self.assertEqual(solved["Subject"], "[FD#1001] Printer broken")
        self.assertEqual(solved.get_content().strip(), "Ticket 1001 (Printer broken) is solved.")
        # Closing a solved ticket is no news to the customer.
        r = fd.request("PATCH", "/api/v1/tickets/1001", body={"status": "closed"}, scope="write")
        self.assertEqual(r.status, 200, r.body)
        fd.cli("send", env={"FRONTDESK_FAKE_NOW": "2026-11-20T15:00:00Z"})
        self.assertEqual(len(self.sink.messages(to="ann@example.org")), 2)
        self.assertEqual(fd.query("SELECT kind FROM outbox WHERE recipient = 'ann@example.org' ORDER BY id"),
                         [("auto_ack",), ("solved",)])

    def test_a_rejected_mail_gets_a_notice_but_never_an_automatic_one(self):
        fd = self.frontdesk(extra='[[route]]\nid = "no-ads"\n[route.when]\nsubject = "(?i)advert"\n'
                                  '[route.then]\nreject = "we do not take advertising here"\n')
        fd.deliver(mail(subject="Advertising offer", msgid="ad1@example.org"))
        (notice,) = self.sink.wait_for("ann@example.org", 1)
        self.assertEqual(notice["Subject"], "Not accepted: Advertising offer")
        self.assertEqual(notice["In-Reply-To"], "<ad1@example.org>")
        self.assertEqual(notice["Auto-Submitted"], "auto-replied")
        self.assertIn("was not accepted: we do not take advertising here.", notice.get_content())
        self.assertEqual(fd.query("SELECT count(*) FROM tickets"), [(0,)])
        # The same mail again is the same rejection: no second notice.
        fd.deliver(mail(subject="Advertising offer", msgid="ad1@example.org"))
        # An automatic sender never gets one.
        fd.deliver(mail(sender="bot@example.org", subject="Advertising robot", msgid="ad2@example.org",
                        extra="Auto-Submitted: auto-generated\r\n"))
        fd.cli("send", env={"FRONTDESK_FAKE_NOW": "2026-11-20T15:00:00Z"})
        self.assertEqual(len(self.sink.messages(to="ann@example.org")), 1)
        self.assertEqual(self.sink.messages(to="bot@example.org"), [])
        self.assertEqual(fd.query("SELECT count(*) FROM rejections"), [(3,)])

    def test_rejected_notices_can_be_turned_off(self):
        fd = self.frontdesk(mail_extra="rejected_notice = false",
                            extra='[[route]]\nid = "no-ads"\n[route.when]\nsubject = "(?i)advert"\n'
                                  '[route.then]\nreject = "no advertising"\n')
        fd.deliver(mail(subject="Advertising offer"))
        fd.cli("send", env={"FRONTDESK_FAKE_NOW": "2026-11-20T15:00:00Z"})
        self.assertEqual(fd.query("SELECT count(*) FROM outbox"), [(0,)])

    def test_a_mail_too_large_to_read_is_kept_and_its_sender_told(self):
        fd = self.frontdesk(mail_extra='max_message_bytes = "20KB"')
        fd.deliver(mail(subject="Scans", body="x" * 30000))
        (notice,) = self.sink.wait_for("ann@example.org", 1)
        self.assertEqual(notice["Subject"], "[FD#1001] Scans")
        self.assertEqual(notice["Auto-Submitted"], "auto-replied")
        self.assertIn("your message is 30 KB, more than we read automatically (20 KB)", notice.get_content())
        self.assertIn("Test Support has kept it as ticket 1001", notice.get_content())
        self.assertEqual(fd.query("SELECT quarantined FROM tickets"), [(1,)])

    def test_an_escalation_level_writes_with_its_own_template(self):
        fd = self.frontdesk(
            extra='[[sla.escalation]]\ntarget = "first_response"\nat = "100%"\nnotify = ["lead@example.test"]\n'
                  'template = "late"\n'
                  '[templates.late]\nsubject = "LATE {{ticket}}: {{target}} at {{level}}"\n'
                  'text = "Ticket {{ticket}} under {{policy}} was due by {{due}}. Priority {{priority}}."\n')
        fd.deliver(mail())
        self.sink.wait_for("ann@example.org", 1)
        # Monday 23 November, 12:30 Berlin: half an hour late.
        r = fd.cli("escalate", env={"FRONTDESK_FAKE_NOW": "2026-11-23T11:30:00Z"})
        self.assertEqual(r.returncode, 0, r.stderr)
        fd.cli("send", env={"FRONTDESK_FAKE_NOW": "2026-11-23T11:30:00Z"})
        (late,) = self.sink.wait_for("lead@example.test", 1)
        self.assertEqual(late["Subject"], "[FD#1001] LATE 1001: first_response at 100%")
        self.assertEqual(late.get_content().strip(),
                         "Ticket 1001 under standard was due by Monday 23 November 2026, 12:00 CET. Priority normal.")

    def test_check_config_names_a_template_mistake_by_place(self):
        fd = Frontdesk(queues=QUEUES)
        self.addCleanup(fd.close)
        os.makedirs(os.path.join(fd.dir, "templates/billing"))
        with open(os.path.join(fd.dir, "templates/billing/solved.txt"), "w") as f:
            f.write("Hello {{requester}},\n\nticket {{tickt}} is solved.\n")
        r = fd.cli("check-config")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        path = os.path.join(fd.dir, "templates/billing/solved.txt")
        self.assertIn(f'{path}:3:8: queue[1].templates.solved.text: unknown variable "tickt"', r.stderr)


if __name__ == "__main__":
    unittest.main()
