"""The agents' web console in a real browser: Debian's headless Chromium,
driven through selenium, against the real `frontdesk serve` and the real
SMTP sink. It proves that an agent can log in (and a wrong password cannot);
sees a ticket in the Mine and Due views and opens it; that a reply reaches
the customer by mail and a note does not; that status, assignee and tags
changed in the page are what the admin API then reads; that a bulk change
skips a ticket changed since the page was loaded; that two agents answering
at once get a collision page and nothing is sent until "send anyway"; that
a POST without the session's CSRF token, or from a logged-out session,
changes nothing; that failed logins are throttled (429) and allowed again
after the wait; that every page works with JavaScript off; and that the
strict Content-Security-Policy is never violated while all this runs.

The clock is the real one: the login throttle counts real seconds, and a
first response due in one hour puts every new ticket in the Due view.
Screenshots of the main screens go to $FRONTDESK_TEST_OUTPUT/console-screenshots
(or a scratch directory that is kept and named on stderr)."""

import os
import re
import sys
import tempfile
import time
import unittest
import urllib.parse

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys

from browser import Browser, raw_post
from harness import Frontdesk
from smtp_sink import SmtpServer

SESSION = "__Host-frontdesk_session"
PASSWORD = "correct horse battery"
ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"

QUEUES = f"""
[[queue]]
name = "support"
display_name = "Support"
addresses = ["support@example.test"]
agents = ["{ALICE}", "{BOB}"]
default = true

[[queue]]
name = "billing"
display_name = "Billing"
addresses = ["billing@example.test"]
agents = ["{CAROL}"]
"""

# auto_ack off so that the only mail a customer gets is what an agent sent;
# the form's rate limit raised because every ticket here comes from one address.
EXTRA = """
[mail]
auto_ack = false
[form]
rate_limit = 1000
[[sla]]
name = "std"
first_response = "1h"
resolution = "1d"
[escalation]
tick = false
[console]
admins = ["alice@example.test"]
"""

VIEWS = ("mine", "unassigned", "due", "breached", "open", "queue:support", "queue:billing")


def daemon(sink_port):
    fd = Frontdesk(queues=QUEUES, extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{sink_port}"\n'
                                               f'tls = "none"\ninterval = "1s"\n' + EXTRA)
    try:
        fd.start()
        for agent in (ALICE, BOB, CAROL):
            r = fd.cli("agent", "password", agent, stdin=PASSWORD + "\n")
            assert r.returncode == 0, r.stderr
    except BaseException:
        fd.close()
        raise
    return fd


class ConsoleBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # One daemon, sink and set of browsers for the class: Chromium takes
        # a second to start, and the CSP check covers the main browser's
        # whole run. Each test makes its own tickets and customers.
        cls.sink = SmtpServer()
        cls.addClassCleanup(cls.sink.close)
        cls.sink.start()
        cls.fd = daemon(cls.sink.port)
        cls.addClassCleanup(cls.fd.close)
        out = os.environ.get("FRONTDESK_TEST_OUTPUT") or tempfile.mkdtemp(prefix="fd-console-out-")
        cls.shots = os.path.join(out, "console-screenshots")
        print(f"\nconsole screenshots: {cls.shots}", file=sys.stderr)
        cls.browsers = {}
        cls.main = cls.browser("alice")

    @classmethod
    def browser(cls, name, base=None, javascript=True):
        if name not in cls.browsers:
            b = Browser(base or f"http://127.0.0.1:{cls.fd.admin_port}", javascript=javascript, shots=cls.shots)
            cls.browsers[name] = b
            cls.addClassCleanup(b.quit)
        return cls.browsers[name]

    def ticket(self, customer, subject, assignee=None):
        r = self.fd.post("/tickets", body={"email": customer, "subject": subject,
                                           "message": f"Hello, about {subject.lower()}."})
        self.assertEqual(r.status, 201, r.body)
        tid = r.json()["id"]
        if assignee:
            self.patch(tid, assignee=assignee)
        return tid

    def patch(self, tid, **fields):
        r = self.fd.request("PATCH", f"/api/v1/tickets/{tid}", body=fields, scope="write")
        self.assertEqual(r.status, 200, r.body)

    def api(self, tid):
        r = self.fd.get(f"/api/v1/tickets/{tid}", scope="read")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def outbox(self, tid, to):
        """The ticket's mail queued for `to` (agents get notices of their own)."""
        rows = self.fd.get("/api/v1/outbox?limit=100", scope="read").json()["outbox"]
        return [r for r in rows if r["ticket_id"] == tid and r["recipient"] == to]

    def login(self, b, who, password=PASSWORD, next_path=None):
        b.open("/login" + (f"?next={next_path}" if next_path else ""))
        b.type("#login-form input[name=email]#email", who)
        b.type("#login-form input[name=password]#password", password)
        return b.submit("#login-button")

    def signed_in(self, b, who):
        """Leaves `b` logged in as `who` (a test before may have logged out)."""
        b.open("/")
        if b.path == "/login":
            self.login(b, who)
        self.assertEqual(b.path, "/", b.html())
        self.assertTrue(b.all("#nav"), b.html())
        return b

    def row(self, b, tid):
        rows = b.all(f'#tickets tr.ticket[data-id="{tid}"]')
        self.assertEqual(len(rows), 1, f"ticket {tid} not listed once at {b.driver.current_url}:\n{b.html()}")
        return rows[0]

    def open_ticket(self, b, tid):
        b.open(f"/tickets/{tid}")
        self.assertEqual((b.status(), b.path), (200, f"/tickets/{tid}"), b.html())
        return b

    def send(self, b, kind, text):
        b.type("#reply-form textarea[name=body]#reply-body", text)
        return b.submit(f'#reply-form button#send-{kind}[name=kind][value="{kind}"]')

    def assertClickable(self, b, css):
        hit = b.covering(css)
        self.assertIsNone(hit, f"{css} is drawn under another element, a click lands on {hit}")

    def save_by_enter(self, b):
        # Enter in a text field submits the form as Save does (implicit
        # submission, no script); test_04 checks the button itself.
        b.after(lambda: b.find("#set-assignee").send_keys(Keys.ENTER))

    def bodies(self, b, css):
        return [a.find_element("css selector", ".body").text for a in b.all(css)]

    @staticmethod
    def mail_text(m):
        return m.get_body(("plain",)).get_content()

    def test_01_login_and_a_wrong_password_refused(self):
        b = self.browser("guest")
        b.open("/")
        self.assertEqual(b.path, "/login", "a visitor without a session is sent to the login page")
        b.open("/login")
        self.assertEqual(b.status(), 200)
        form = b.find("#login-form")
        self.assertEqual(form.get_attribute("method").lower(), "post")
        self.assertEqual(urllib.parse.urlparse(form.get_attribute("action")).path, "/login")
        b.shot("login")

        self.login(b, ALICE, "not the password")
        self.assertEqual(b.path, "/login")
        self.assertIn("The address or the password is not right.", b.text(".error"))
        self.assertIsNone(b.cookie(SESSION))

        # The `next` parameter brings the agent back to the bookmarked view.
        self.login(b, ALICE, next_path="/%3Fview%3Ddue")
        self.assertEqual((b.path, b.query.get("view")), ("/", ["due"]), b.html())
        self.assertTrue(b.find('#nav a[data-view="due"]'))
        c = b.cookie(SESSION)
        self.assertIsNotNone(c, "the session cookie is stored")
        self.assertEqual((c["secure"], c["httpOnly"], c["sameSite"], c["path"]), (True, True, "Lax", "/"))

    def test_02_mine_and_due_then_a_reply_reaches_the_customer(self):
        tid = self.ticket("t2-ann@example.org", "Printer on fire", assignee=ALICE)
        b = self.signed_in(self.main, ALICE)
        for view in VIEWS:
            link = b.find(f'#nav a[data-view="{view}"]')
            self.assertRegex(link.find_element("css selector", "span.count").text.strip(), r"^\d+$", view)
        self.assertGreaterEqual(int(b.text('#nav a[data-view="mine"] span.count')), 1)
        r = self.row(b, tid)
        cell = lambda css: r.find_element("css selector", css).text  # noqa: E731
        self.assertIn("Printer on fire", cell(".subject"))
        self.assertIn("t2-ann@example.org", cell(".requester"))
        self.assertIn("upport", cell(".queue"))
        self.assertIn("normal", cell(".priority").lower())
        self.assertIn("alice", cell(".owner"))
        self.assertRegex(cell(".due"), r"^in \d", "first response due within the hour")
        self.assertTrue(cell(".activity"))

        b.open("/?view=due")
        self.assertEqual(b.status(), 200)
        self.row(b, tid)
        b.shot("queue-view-due")
        b.submit(self.row(b, tid).find_element("css selector", f'a.open[href$="/tickets/{tid}"]'))
        self.assertEqual(b.path, f"/tickets/{tid}")
        self.assertEqual(b.text("h1#subject"), f"#{tid} Printer on fire")  # the server shows the number too
        for css in ("#meta #status", "#meta #priority", "#meta #owner", "#meta #queue", "#sla", "#history li.event"):
            self.assertTrue(b.all(css), css)
        self.assertIn("alice", b.text("#meta #owner"))
        self.assertIn("printer on fire", self.bodies(b, "#thread article.message.customer")[0])
        b.shot("ticket")

        self.send(b, "reply", "Thanks Ann, the fire brigade is on its way.")
        self.assertEqual((b.status(), b.path), (200, f"/tickets/{tid}"), b.html())
        self.assertIn("Thanks Ann, the fire brigade is on its way.", self.bodies(b, "#thread article.message.reply"))
        m = self.sink.wait_for("t2-ann@example.org", 1)[0]
        self.assertIn("t2-ann@example.org", m["To"])
        self.assertIn("Thanks Ann, the fire brigade is on its way.", self.mail_text(m))

    def test_03_a_note_stays_internal_and_ctrl_enter_sends_a_reply(self):
        tid = self.ticket("t3-ben@example.org", "Lost password")
        b = self.open_ticket(self.signed_in(self.main, ALICE), tid)
        self.send(b, "note", "Ben called; check his identity first.")
        self.assertEqual(b.path, f"/tickets/{tid}", b.html())
        self.assertEqual(self.bodies(b, "#thread article.message.note"), ["Ben called; check his identity first."])
        self.assertEqual(self.outbox(tid, "t3-ben@example.org"), [], "a note queues nothing for the customer")

        # Ctrl+Enter in the reply box sends it as a reply (the page's script).
        box = b.type("#reply-body", "Ben, here is a reset link.")
        try:
            b.after(lambda: box.send_keys(Keys.CONTROL, Keys.ENTER), timeout=5)
        except TimeoutException:
            self.fail("Ctrl+Enter in #reply-body did not send the form")
        self.assertEqual(b.path, f"/tickets/{tid}")
        self.assertIn("Ben, here is a reset link.", self.bodies(b, "#thread article.message.reply"))
        self.sink.wait_for("t3-ben@example.org", 1)
        time.sleep(1.5)  # one more outbox interval: a queued note would have gone by now
        mails = self.sink.wait_for("t3-ben@example.org", 1)
        self.assertEqual(len(mails), 1)
        self.assertIn("Ben, here is a reset link.", self.mail_text(mails[0]))
        self.assertNotIn("identity", self.mail_text(mails[0]))
        self.assertEqual([r["kind"] for r in self.outbox(tid, "t3-ben@example.org")], ["reply"])
        # A note is visibly apart from a reply: some computed style differs.
        differs = b.driver.execute_script("""
            const s = q => getComputedStyle(document.querySelector(q));
            const n = s('#thread article.note'), r = s('#thread article.reply');
            return ['backgroundColor', 'borderLeftColor', 'borderLeftWidth', 'borderStyle', 'color', 'fontStyle']
                .some(p => n[p] !== r[p]);""")
        self.assertTrue(differs, "a note looks exactly like a reply")

    def test_04_take_then_change_status_assignee_and_tags(self):
        tid = self.ticket("t4-cy@example.org", "Invoice address")
        b = self.open_ticket(self.signed_in(self.main, ALICE), tid)
        b.submit("#take-form #take-button")
        self.assertEqual(b.path, f"/tickets/{tid}", b.html())
        self.assertIn("alice", b.text("#owner"))
        self.assertEqual(self.api(tid)["assignee"], ALICE)

        b.select("#update-form select[name=status]#set-status", "pending")
        b.type("#update-form input[name=assignee]#set-assignee", BOB)
        b.type("#update-form input[name=tags]#set-tags", "vip, callback")
        self.assertClickable(b, "#update-button")
        b.submit("#update-button")
        self.assertEqual((b.status(), b.path), (200, f"/tickets/{tid}"), b.html())
        self.assertIn("pending", b.text("#status").lower())
        self.assertIn("bob", b.text("#owner"))
        t = self.api(tid)
        self.assertEqual((t["status"], t["assignee"], sorted(t["tags"])), ("pending", BOB, ["callback", "vip"]))

        # What changed since alice last opened the ticket is marked new; the
        # customer's message, seen before, is not.
        self.patch(tid, priority="high")
        self.open_ticket(b, tid)
        new_events = [e.text for e in b.all("#history li.event.new")]
        self.assertTrue(any("high" in e for e in new_events), f"new events: {new_events}\n{b.html()}")
        self.assertEqual(b.all("#thread article.message.new"), [])
        self.open_ticket(b, tid)
        self.assertEqual(b.all(".new"), [], "nothing is new on the second look")

    def test_05_bulk_change_skips_a_ticket_changed_since_the_page_loaded(self):
        ids = [self.ticket(f"t5-{n}@example.org", f"Bulk {n}") for n in ("one", "two", "three")]
        b = self.signed_in(self.main, ALICE)
        b.open("/?view=unassigned")
        for tid in ids:
            self.row(b, tid)
            self.assertTrue(b.all(f'#bulk-form input[type=hidden][name="v.{tid}"]'), tid)
        self.patch(ids[2], priority="high")  # after the page was loaded
        for tid in ids:
            b.find(f'#bulk-form input[name=ticket][value="{tid}"]').click()
        b.select("#bulk-form select[name=status]", "pending")
        for keep in ("priority", "queue"):
            self.assertEqual(b.find(f"#bulk-form select[name={keep}] option").get_attribute("value"), "")
        self.assertEqual(b.find("#bulk-form input[name=assignee]").get_attribute("value"), "")
        b.submit("#bulk-apply")
        self.assertEqual(b.status(), 200, b.html())
        ids_of = lambda css: sorted(int(li.get_attribute("data-id")) for li in b.all(css))  # noqa: E731
        self.assertEqual(ids_of("#bulk-result li.changed"), sorted(ids[:2]), b.html())
        self.assertEqual(ids_of("#bulk-result li.skipped"), [ids[2]], b.html())
        b.shot("bulk-result")
        self.assertEqual([self.api(t)["status"] for t in ids], ["pending", "pending", "new"])
        self.assertEqual(self.api(ids[2])["priority"], "high")

    def test_06_collision_between_two_agents_then_send_anyway(self):
        tid = self.ticket("t6-dee@example.org", "Parcel missing")
        alice = self.open_ticket(self.signed_in(self.main, ALICE), tid)
        bob = self.open_ticket(self.signed_in(self.browser("bob"), BOB), tid)
        self.send(bob, "reply", "Dee, I am tracking it now.")
        self.assertEqual(bob.path, f"/tickets/{tid}", bob.html())
        self.sink.wait_for("t6-dee@example.org", 1)

        draft = "Dee, we will send a new parcel today."
        self.send(alice, "reply", draft)
        self.assertEqual(alice.status(), 409, alice.html())
        self.assertTrue(alice.all("#collision li.change"), alice.html())
        self.assertEqual(alice.find("#collision textarea[name=body]").get_attribute("value"), draft)
        alice.shot("collision")
        # Nothing of alice's is stored or queued until she says so.
        self.assertEqual(len(self.outbox(tid, "t6-dee@example.org")), 1)
        self.assertNotIn(draft, [m["body"] for m in self.api(tid)["messages"]])

        alice.submit("#send-anyway")
        self.assertEqual((alice.status(), alice.path), (200, f"/tickets/{tid}"), alice.html())
        mails = self.sink.wait_for("t6-dee@example.org", 2)
        self.assertIn("tracking", self.mail_text(mails[0]))
        self.assertIn(draft, self.mail_text(mails[1]))
        self.assertEqual(len([m for m in self.api(tid)["messages"] if m["body"].strip() == draft]), 1)

    def test_07_a_post_without_the_csrf_token_is_refused(self):
        tid = self.ticket("t7-eve@example.org", "Refund")
        before = self.api(tid)
        b = self.open_ticket(self.signed_in(self.main, ALICE), tid)
        b.driver.execute_script("document.querySelector('#update-form input[name=csrf]').remove()")
        b.select("#set-status", "on_hold")
        self.save_by_enter(b)
        self.assertEqual(b.status(), 403, b.html())
        self.assertTrue(b.text(".error"), b.html())

        # Another session's token (or any other) is as bad as none.
        self.open_ticket(b, tid)
        b.driver.execute_script("document.querySelector('#reply-form input[name=csrf]').value = 'forged'")
        self.send(b, "reply", "This must never reach Eve.")
        self.assertEqual(b.status(), 403, b.html())
        self.assertTrue(b.text(".error"))

        # And a script posting with the cookie but no token.
        self.open_ticket(b, tid)
        version = b.find("#update-form input[name=version]").get_attribute("value")
        status, _, body = raw_post(self.fd.admin_port, f"/tickets/{tid}/update",
                                   {"version": version, "status": "solved"},
                                   cookie=f"{SESSION}={b.cookie(SESSION)['value']}")
        self.assertEqual(status, 403, body)
        after = self.api(tid)
        for k in ("status", "priority", "assignee", "tags", "messages"):
            self.assertEqual(after[k], before[k], k)
        self.assertEqual(self.outbox(tid, "t7-eve@example.org"), [])

    def test_08_a_logged_out_session_is_refused(self):
        tid = self.ticket("t8-fay@example.org", "Account closed")
        b = self.open_ticket(self.signed_in(self.main, ALICE), tid)
        form = {n: b.find(f"#update-form input[name={n}]").get_attribute("value") for n in ("csrf", "version")}
        old = f"{SESSION}={b.cookie(SESSION)['value']}"
        b.submit("#logout-form #logout-button")
        self.assertEqual(b.path, "/login")
        for path in ("/", f"/tickets/{tid}"):
            b.open(path)
            self.assertEqual(b.path, "/login", path)

        def refused(cookie):
            status, location, body = raw_post(self.fd.admin_port, f"/tickets/{tid}/update",
                                              dict(form, status="solved"), cookie=cookie)
            self.assertTrue(status in (401, 403) or (status == 303 and "/login" in (location or "")),
                            f"{status} {location} {body[:500]}")
            self.assertEqual(self.api(tid)["status"], "new")
        refused(old)

        # "Log out everywhere" ends alice's other sessions too.
        other = self.browser("guest")
        self.signed_in(other, ALICE)
        other_cookie = f"{SESSION}={other.cookie(SESSION)['value']}"
        self.signed_in(b, ALICE)
        b.submit("#logout-all-form #logout-all-button")
        self.assertEqual(b.path, "/login")
        other.open("/")
        self.assertEqual(other.path, "/login", "the other session ended as well")
        refused(other_cookie)

    def test_09_failed_logins_are_throttled_then_allowed_again(self):
        # A daemon of its own: the throttle counts per client address too,
        # and every browser here comes from 127.0.0.1.
        fd = daemon(self.sink.port)
        self.addCleanup(fd.close)
        b = self.browser("throttled", base=f"http://127.0.0.1:{fd.admin_port}")
        for _ in range(3):
            self.login(b, CAROL, "guessing again")
            self.assertIn("not right", b.text(".error"))
        # The right password is not even tried while the wait runs.
        third = time.time()
        self.login(b, CAROL)
        logins = "\n".join(line for line in fd.log_text().splitlines() if "console login" in line)
        self.assertEqual(b.status(), 429,
                         f"a 4th try sent within {time.time() - third:.2f} s of the third failure got in:\n{logins}")
        message = b.text(".error")
        self.assertIn("Too many failed logins", message)
        self.assertIsNone(b.cookie(SESSION))
        wait = int((re.search(r"(\d+) second", message) or [0, 1])[1])
        self.assertGreaterEqual(wait, 1)
        time.sleep(wait + 0.3)
        self.login(b, CAROL)
        self.assertEqual((b.status(), b.path), (200, "/"), b.html())
        self.assertTrue(b.all('#nav a[data-view="queue:billing"]'))
        self.assertIn("console login throttled for carol@example.test", fd.log_text())

    def test_10_everything_works_with_javascript_off(self):
        tid = self.ticket("t10-gus@example.org", "Plain forms")
        b = self.browser("nojs", javascript=False)
        # The page's own scripts really are off in this browser.
        b.driver.get("data:text/html,<p id=p>off</p><script>document.getElementById('p').textContent='on'</script>")
        self.assertEqual(b.text("#p"), "off")
        self.signed_in(b, BOB)
        for view in VIEWS:
            b.submit(f'#nav a[data-view="{view}"]')
            self.assertEqual(b.status(), 200, view)
            self.assertTrue(b.all("#tickets") or b.all("p.empty"), f"{view}:\n{b.html()}")
        b.open("/?view=queue:support")
        b.submit(self.row(b, tid).find_element("css selector", "a.open"))
        self.assertEqual(b.path, f"/tickets/{tid}")
        self.send(b, "note", "Checked without JavaScript.")
        self.assertEqual(b.path, f"/tickets/{tid}", b.html())
        self.assertIn("Checked without JavaScript.", self.bodies(b, "#thread article.message.note"))
        b.select("#set-status", "on_hold")
        self.save_by_enter(b)
        self.assertEqual((b.status(), b.path), (200, f"/tickets/{tid}"), b.html())
        self.assertEqual(self.api(tid)["status"], "on_hold")
        self.assertEqual([m["kind"] for m in self.api(tid)["messages"]], ["customer", "note"])

    def test_11_no_csp_violation_over_the_whole_run(self):
        # Runs last (by name): every browser's log since it started is checked.
        r = self.fd.get("/login", admin=True)
        csp = r.header("Content-Security-Policy") or ""
        self.assertIn("default-src", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        tid = self.ticket("t11-hal@example.org", "Last look")
        b = self.signed_in(self.main, ALICE)
        b.open("/?view=open")
        self.open_ticket(b, tid)
        # The dashboard's SVG charts and the admin pages draw under the same
        # policy; they are main screens too.
        for path, name in (("/dashboard", "dashboard"), ("/admin/agents", "admin-agents"),
                           ("/admin/config", "admin-config")):
            b.open(path)
            self.assertEqual(b.status(), 200, path)
            b.shot(name)
        self.assertEqual(len(b.all("svg.chart")), 0)  # the config page has none
        b.open("/dashboard")
        self.assertEqual(len(b.all("svg.chart")), 6)
        found = {name: br.csp_violations() for name, br in self.browsers.items()}
        self.assertEqual({k: v for k, v in found.items() if v}, {}, "CSP violations")


if __name__ == "__main__":
    unittest.main()
