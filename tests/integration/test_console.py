"""The console's trust boundaries over plain HTTP against the real daemon:
passwords set by `frontdesk agent password` (refused for non-agents and
short ones), the session cookie's attributes, a new session at every
login, pages and changes refused without a session, changes refused
without the session's CSRF token or from another site, throttled logins
with the same answer for unknown accounts, one fail2ban line per failure,
logout and logout everywhere, sessions ending when idle, escaping of
customer text, strict security headers on every page, and the console off
with [console] enabled = false. The browser test (test_console_browser.py)
drives the same pages in Chromium."""

import http.client
import re

import time
import unittest
import urllib.parse

from harness import Frontdesk

QUEUES = """
[[queue]]
name = "support"
addresses = ["support@example.test"]
agents = ["alice@example.test", "bob@example.test"]
default = true
[[queue]]
name = "billing"
addresses = ["billing@example.test"]
agents = ["carol@example.test"]
[[sla]]
name = "std"
first_response = "1h"
resolution = "1d"
"""

PASSWORD = "correct horse battery"

CANNED = '''
[canned.refund]
title = "Refund on its way"
text = """Hello {{requester_email}},

the refund for ticket {{ticket}} ({{subject}}) is on its way.
-- {{agent}}"""
'''


class Browser:
    """Just enough of a browser: one cookie, forms, and the last page."""

    def __init__(self, fd):
        self.fd = fd
        self.cookie = None

    def request(self, method, path, fields=None, headers=None, source="127.0.0.1"):
        conn = http.client.HTTPConnection("127.0.0.1", self.fd.admin_port, timeout=20, source_address=(source, 0))
        hdrs = {"Host": f"127.0.0.1:{self.fd.admin_port}"}
        if self.cookie:
            hdrs["Cookie"] = self.cookie
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        hdrs.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read().decode()
        finally:
            conn.close()

    def login(self, email="alice@example.test", password=PASSWORD, headers=None):
        status, h, body = self.request("POST", "/login", {"email": email, "password": password, "next": "/"},
                                       headers)
        if "set-cookie" in h:
            self.cookie = h["set-cookie"].split(";")[0]
        return status, h, body

    def form(self, path):
        """The csrf, version and seen_* fields of the first form on a page."""
        status, _, body = self.request("GET", path)
        assert status == 200, (status, body[:500])
        return {k: v for k, v in re.findall(r'<input type="hidden" name="(csrf|version|seen_event|seen_message)" '
                                            r'value="([^"]*)"', body)}, body


def errors(body):
    return re.findall(r'class="error"[^>]*>([^<]*)', body)


class ConsoleTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(queues=QUEUES, extra_config='[console]\nidle_timeout = "10m"\n'
                                                        'admins = ["alice@example.test"]\n' + CANNED)
        self.addCleanup(self.fd.close)
        self.fd.start()
        r = self.fd.cli("agent", "password", "alice@example.test", stdin=PASSWORD + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.ticket = self.fd.post("/tickets", body={"email": "ann@example.org", "subject": "Help <script>x</script>",
                                                     "message": "Hi <img src=x onerror=alert(1)>"}).json()["id"]

    def test_passwords_are_for_agents_and_are_stored_hashed(self):
        r = self.fd.cli("agent", "password", "stranger@example.test", stdin=PASSWORD + "\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not an agent of any queue", r.stderr)
        r = self.fd.cli("agent", "password", "bob@example.test", stdin="short\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("shorter than 10 characters", r.stderr)
        r = self.fd.cli("agent", "password", "bob@example.test", stdin="")
        self.assertEqual(r.returncode, 1)
        ((stored,),) = self.fd.query("SELECT hash FROM agent_passwords WHERE email = 'alice@example.test'")
        self.assertTrue(stored.startswith("$argon2id$"), stored)
        self.assertNotIn(PASSWORD, stored)

    def test_login_sets_a_host_only_secure_cookie_and_a_new_session_each_time(self):
        b = Browser(self.fd)
        status, h, _ = b.login()
        self.assertEqual(status, 303)
        self.assertEqual(h["location"], "/")
        cookie = h["set-cookie"]
        self.assertTrue(cookie.startswith("__Host-frontdesk_session="), cookie)
        for attribute in ("Path=/", "Secure", "HttpOnly", "SameSite=Lax"):
            self.assertIn(attribute, cookie)
        self.assertNotIn("Domain", cookie)
        first = b.cookie
        b.login()
        self.assertNotEqual(first, b.cookie)
        # The database keeps hashes of the secrets, never the secrets.
        secret = b.cookie.split("=", 1)[1]
        stored = [r[0] for r in self.fd.query("SELECT id_hash FROM console_sessions")]
        self.assertEqual(len(stored), 2)
        self.assertNotIn(secret, stored)

    def test_pages_and_changes_need_a_session(self):
        b = Browser(self.fd)
        status, h, _ = b.request("GET", "/?view=open")
        self.assertEqual(status, 303)
        self.assertEqual(h["location"], "/login?next=%2F%3Fview%3Dopen")
        status, _, body = b.request("POST", f"/tickets/{self.ticket}/messages", {"kind": "reply", "body": "x"})
        self.assertEqual(status, 401)
        # A made-up cookie is no session either.
        b.cookie = "__Host-frontdesk_session=" + "A" * 43
        self.assertEqual(b.request("GET", "/")[0], 303)
        self.assertEqual(self.fd.query("SELECT count(*) FROM messages WHERE kind = 'reply'"), [(0,)])

    def test_a_change_needs_the_sessions_csrf_token_and_this_origin(self):
        b = Browser(self.fd)
        b.login()
        fields, _ = b.form(f"/tickets/{self.ticket}")
        reply = dict(fields, kind="reply", body="Hello")
        for case in [
            ("no token", {k: v for k, v in reply.items() if k != "csrf"}, None),
            ("another token", dict(reply, csrf="x" * 32), None),
            ("another site", reply, {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}),
            ("another origin", reply, {"Origin": "http://evil.example"}),
            # A token in the URL leaks through logs and Referer; only the form's counts.
            ("the token in the URL", {k: v for k, v in reply.items() if k != "csrf"}, None, "csrf"),
        ]:
            label, f, headers = case[:3]
            with self.subTest(label):
                path = f"/tickets/{self.ticket}/messages"
                if len(case) == 4:
                    path += "?" + urllib.parse.urlencode({"csrf": fields["csrf"]})
                status, _, body = b.request("POST", path, f, headers)
                self.assertEqual(status, 403, body[:300])
                self.assertIn("nothing was changed", errors(body)[0])
        self.assertEqual(self.fd.query("SELECT count(*) FROM messages WHERE kind = 'reply'"), [(0,)])
        self.assertIn("console refused a form of alice@example.test", self.fd.log_text())
        status, h, _ = b.request("POST", f"/tickets/{self.ticket}/messages", reply, {"Sec-Fetch-Site": "same-origin"})
        self.assertEqual(status, 303)
        self.assertEqual(self.fd.query("SELECT kind, author_email FROM messages WHERE kind = 'reply'"),
                         [("reply", "alice@example.test")])
        self.assertEqual(self.fd.query("SELECT actor FROM events WHERE kind = 'reply_added'"),
                         [("console:alice@example.test",)])

    def test_logins_are_throttled_without_locking_out(self):
        b = Browser(self.fd)
        for _ in range(3):
            status, _, body = b.login(password="wrong password!")
            self.assertEqual(status, 401)
            self.assertEqual(errors(body), ["The address or the password is not right."])
        status, h, body = b.login()  # even the right password waits now
        self.assertEqual(status, 429)
        self.assertIn("Too many failed logins", errors(body)[0])
        # 1 s after the third failure, counted in whole seconds: 1 or 2.
        self.assertIn(h["retry-after"], ("1", "2"))
        time.sleep(int(h["retry-after"]) + 0.1)
        status, _, _ = b.login()
        self.assertEqual(status, 303)
        # An unknown account gets the same answer as a wrong password.
        other = Browser(self.fd)
        status, _, body = other.login(email="nobody@example.test", headers={"X-Forwarded-For": "192.0.2.9"})
        self.assertEqual((status, errors(body)), (401, ["The address or the password is not right."]))
        log = self.fd.log_text()
        self.assertEqual(len(re.findall(r"console login failed for alice@example\.test from 127\.0\.0\.1", log)), 3)
        self.assertIn("console login failed for nobody@example.test from 127.0.0.1", log)

    def test_logout_and_logout_everywhere(self):
        first, second = Browser(self.fd), Browser(self.fd)
        first.login()
        second.login()
        fields, _ = first.form("/")
        status, h, _ = first.request("POST", "/logout", {"csrf": fields["csrf"]})
        self.assertEqual(status, 303)
        self.assertIn("Max-Age=0", h["set-cookie"])
        self.assertEqual(first.request("GET", "/")[0], 303)
        self.assertEqual(second.request("GET", "/")[0], 200)
        first.login()
        fields, _ = first.form("/")
        first.request("POST", "/logout", {"csrf": fields["csrf"], "everywhere": "1"})
        self.assertEqual(second.request("GET", "/")[0], 303)
        self.assertEqual(self.fd.query("SELECT count(*) FROM console_sessions"), [(0,)])

    def test_a_session_ends_when_idle(self):
        b = Browser(self.fd)
        b.login()
        # The daemon's clock is real: the session is aged in the database.
        self.fd.execute("UPDATE console_sessions SET last_seen_at = last_seen_at - 601")
        self.assertEqual(b.request("GET", "/")[0], 303)
        self.assertEqual(self.fd.query("SELECT count(*) FROM console_sessions"), [(0,)])

    def test_customer_text_is_escaped_and_headers_are_strict(self):
        b = Browser(self.fd)
        b.login()
        for path in ("/login", "/?view=open", f"/tickets/{self.ticket}", "/dashboard",
                     "/dashboard?group_by=week&queue=support", f"/?view=open&q=script"):
            status, h, body = b.request("GET", path)
            if path == "/login":
                self.assertEqual(status, 303)  # signed in already
                continue
            self.assertEqual(status, 200)
            self.assertNotIn("<script>x</script>", body)
            self.assertNotIn("<img src=x", body)
            if "dashboard" not in path:
                self.assertIn("Help &lt;script&gt;x&lt;/script&gt;", body)
            csp = h["content-security-policy"]
            self.assertIn("default-src 'none'", csp)
            self.assertIn("script-src 'self'", csp)
            self.assertIn("frame-ancestors 'none'", csp)
            self.assertNotIn("unsafe-inline", csp)
            self.assertEqual(h["x-frame-options"], "DENY")
            self.assertEqual(h["cache-control"], "no-store")
            self.assertNotRegex(body, r"<script>|<style|style=\"| on[a-z]+=\"")
        status, h, _ = b.request("GET", "/static/console.js")
        self.assertEqual((status, h["content-type"]), (200, "text/javascript; charset=utf-8"))

    def test_presence_shows_who_else_is_on_a_ticket(self):
        r = self.fd.cli("agent", "password", "bob@example.test", stdin=PASSWORD + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        alice, bob = Browser(self.fd), Browser(self.fd)
        alice.login()
        bob.login(email="bob@example.test")
        presence = lambda body: re.search(r'<p id="presence"[^>]*>([^<]*)</p>', body).group(1)
        self.assertEqual(presence(alice.request("GET", f"/tickets/{self.ticket}")[2]), "")
        fields, _ = bob.form(f"/tickets/{self.ticket}")
        self.assertEqual(presence(alice.request("GET", f"/tickets/{self.ticket}")[2]), "bob@example.test is viewing")
        # The page's script reports a draft being written; alice sees it on
        # the ticket and in the list. It locks nothing.
        status, h, body = bob.request("POST", f"/tickets/{self.ticket}/presence",
                                      {"csrf": fields["csrf"], "state": "replying"})
        self.assertEqual((status, h["content-type"]), (200, "application/json"))
        self.assertEqual(body, '{"others":"alice@example.test is viewing"}')
        self.assertEqual(presence(alice.request("GET", f"/tickets/{self.ticket}")[2]), "bob@example.test is replying")
        self.assertIn('<span class="presence">bob@example.test is replying</span>',
                      alice.request("GET", "/?view=open")[2])
        self.assertEqual(bob.request("POST", f"/tickets/{self.ticket}/presence", {"state": "replying"})[0], 403)
        self.assertEqual(bob.request("POST", f"/tickets/{self.ticket}/presence",
                                     {"csrf": fields["csrf"], "state": "typing"})[0], 400)

    def test_broken_and_hostile_forms_change_nothing(self):
        b = Browser(self.fd)
        b.login()
        fields, _ = b.form(f"/tickets/{self.ticket}")
        before = self.fd.query("SELECT version FROM tickets WHERE id = ?", self.ticket)
        for label, path, extra, want in [
            ("no kind", "messages", {"body": "x"}, 400),
            ("an empty reply", "messages", {"kind": "reply", "body": "   "}, 400),
            ("a reply over the limit", "messages", {"kind": "reply", "body": "x" * 100001}, 400),
            ("control characters", "messages", {"kind": "note", "body": "a\x00b"}, 400),
            ("an unknown status", "update", {"status": "gone"}, 400),
            ("an unknown queue", "update", {"queue": "nowhere"}, 400),
            ("a bad owner", "update", {"assignee": "not an address\r\nBcc: x@example.org"}, 400),
            ("a bad tag", "update", {"tags": "ok, <script>"}, 400),
        ]:
            with self.subTest(label):
                status, _, body = b.request("POST", f"/tickets/{self.ticket}/{path}", dict(fields, **extra))
                self.assertEqual(status, want, body[:300])
                self.assertIn("Nothing was", errors(body)[0])
        self.assertEqual(self.fd.query("SELECT version FROM tickets WHERE id = ?", self.ticket), before)
        self.assertEqual(b.request("POST", "/tickets/999999/messages", dict(fields, kind="note", body="x"))[0], 404)
        for path in ("/?view=nowhere", "/?view=open&after=1.x", "/?view=open&sort=id", "/?view=open&status=gone",
                     "/?view=open&q=" + "%FF%FE", "/tickets/abc", "/admin/../etc/passwd"):
            status, _, body = b.request("GET", path)
            self.assertIn(status, (400, 404), path)
            self.assertNotIn("<script", body.replace('<script src="/static/console.js" defer></script>', ""))
        status, _, body = b.request("GET", "/?view=open&q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        self.assertEqual(status, 200)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)
        # A next= that leaves the console is not followed after a login.
        other = Browser(self.fd)
        status, h, _ = other.request("POST", "/login", {"email": "alice@example.test", "password": PASSWORD,
                                                        "next": "//evil.example/"})
        self.assertEqual((status, h["location"]), (303, "/"))

    def test_search_by_number_requester_and_text(self):
        b = Browser(self.fd)
        b.login()
        status, h, _ = b.request("GET", f"/?view=open&q={self.ticket}")
        self.assertEqual((status, h["location"]), (303, f"/tickets/{self.ticket}"))
        for q in ("ann%40example.org", "img", "Help"):
            status, _, body = b.request("GET", f"/?view=open&q={q}")
            self.assertEqual(status, 200, q)
            self.assertIn(f'data-id="{self.ticket}"', body, q)
        _, _, body = b.request("GET", "/?view=open&q=nobody%40example.org")
        self.assertIn('<p class="empty">', body)
        # Solved tickets are found too.
        self.fd.request("PATCH", f"/api/v1/tickets/{self.ticket}", body={"status": "solved"}, scope="write")
        self.assertIn(f'data-id="{self.ticket}"', b.request("GET", "/?view=open&q=ann%40example.org")[2])

    def test_a_canned_reply_is_filled_in_for_the_ticket(self):
        b = Browser(self.fd)
        b.login()
        _, _, body = b.request("GET", f"/tickets/{self.ticket}")
        self.assertIn('<option value="refund">Refund on its way</option>', body)
        status, _, body = b.request("GET", f"/tickets/{self.ticket}?canned=refund")
        self.assertEqual(status, 200)
        draft = re.search(r'<textarea name="body" id="reply-body"[^>]*>([^<]*)</textarea>', body).group(1)
        self.assertEqual(draft, f"Hello ann@example.org,\n\nthe refund for ticket {self.ticket} "
                                "(Help &lt;script&gt;x&lt;/script&gt;) is on its way.\n-- alice@example.test")
        # Inserting sends nothing.
        self.assertEqual(self.fd.query("SELECT count(*) FROM messages WHERE kind = 'reply'"), [(0,)])

    def test_saved_views_personal_and_shared(self):
        self.assertEqual(self.fd.cli("agent", "password", "bob@example.test", stdin=PASSWORD + "\n").returncode, 0)
        alice, bob = Browser(self.fd), Browser(self.fd)
        alice.login()
        bob.login(email="bob@example.test")
        fields, _ = alice.form("/?view=open&priority=normal")
        for name, shared in (("Normal ones", "0"), ("Team normal", "1")):
            status, h, _ = alice.request("POST", "/views", {"csrf": fields["csrf"], "name": name, "shared": shared,
                                                           "params": "view=open&priority=normal"})
            self.assertEqual((status, h["location"]), (303, "/?view=open&priority=normal"))
        _, _, page = alice.request("GET", "/")
        self.assertRegex(page, r'<a data-view="saved:\d+" href="/\?view=open&amp;priority=normal">Normal ones '
                               r'<span class="count">1</span></a>')
        self.assertIn('Team normal (shared) <span class="count">1</span>', page)
        _, _, page = bob.request("GET", "/")
        self.assertIn("Team normal (shared)", page)
        self.assertNotIn("Normal ones", page)
        # The same name again, and filters that do not read, are refused.
        status, _, body = alice.request("POST", "/views", {"csrf": fields["csrf"], "name": "Normal ones",
                                                           "params": "view=open"})
        self.assertEqual(status, 409)
        self.assertIn("exists already", errors(body)[0])
        status, _, _ = alice.request("POST", "/views", {"csrf": fields["csrf"], "name": "Odd",
                                                        "params": "view=nowhere"})
        self.assertEqual(status, 400)
        # Bob cannot delete alice's shared view; she can.
        ((shared_id,),) = self.fd.query("SELECT id FROM saved_views WHERE owner IS NULL")
        bob_fields, _ = bob.form("/")
        self.assertEqual(bob.request("POST", f"/views/{shared_id}/delete", {"csrf": bob_fields["csrf"]})[0], 404)
        self.assertEqual(alice.request("POST", f"/views/{shared_id}/delete", {"csrf": fields["csrf"]})[0], 303)
        self.assertEqual(self.fd.query("SELECT name FROM saved_views"), [("Normal ones",)])

    def test_admin_pages_are_for_admins(self):
        self.assertEqual(self.fd.cli("agent", "password", "bob@example.test", stdin=PASSWORD + "\n").returncode, 0)
        alice, bob = Browser(self.fd), Browser(self.fd)
        alice.login()
        bob.login(email="bob@example.test")
        bob_fields, _ = bob.form("/")
        self.assertEqual(bob.request("GET", "/admin/agents")[0], 403)
        self.assertEqual(bob.request("POST", "/admin/password", {"csrf": bob_fields["csrf"], "agent": "bob@example.test",
                                                                 "password": "a new password!"})[0], 403)
        for page in ("agents", "tokens", "quarantine", "rejections", "outbox", "bounces", "route", "config"):
            status, h, body = alice.request("GET", f"/admin/{page}")
            self.assertEqual(status, 200, page)
            self.assertNotIn("unsafe-inline", h["content-security-policy"])
        self.assertNotIn(PASSWORD, alice.request("GET", "/admin/config")[2])
        # A new password for bob ends his session; he logs in with it.
        fields, _ = alice.form("/admin/agents")
        status, h, _ = alice.request("POST", "/admin/password", {"csrf": fields["csrf"], "agent": "bob@example.test",
                                                                 "password": "a new password!"})
        self.assertEqual(status, 303)
        self.assertEqual(bob.request("GET", "/")[0], 303)
        self.assertEqual(bob.login(email="bob@example.test", password="a new password!")[0], 303)
        # A token is shown once, and works on the API.
        status, _, body = alice.request("POST", "/admin/token", {"csrf": fields["csrf"], "name": "console-made",
                                                                 "scope": "read"})
        self.assertEqual(status, 200)
        secret = re.search(r'<pre id="new-token">([^<]+)</pre>', body).group(1)
        self.assertEqual(self.fd.get("/api/v1/tickets", token=secret).status, 200)
        self.assertNotIn(secret, alice.request("GET", "/admin/tokens")[2])
        # The routing explanation.
        _, _, body = alice.request("GET", "/admin/route?channel=email&from=ann%40example.org&to=support%40example.test"
                                          "&subject=Hello&body=x")
        self.assertIn('<pre id="route-explanation">', body)
        self.assertIn("support", re.search(r'<pre id="route-explanation">(.*?)</pre>', body, re.S).group(1))

    def test_the_dashboard_reads_the_kpi_report(self):
        b = Browser(self.fd)
        b.login()
        status, _, body = b.request("GET", "/dashboard")
        self.assertEqual(status, 200)
        # Today is in the default period: the ticket made in setUp counts.
        self.assertIn('<p id="totals">1 received, 1 open now', body)
        self.assertEqual(body.count("<svg"), 6)
        status, _, body = b.request("GET", "/dashboard?from=yesterday")
        self.assertEqual(status, 400)
        self.assertIn("from: &quot;yesterday&quot; is not a date", errors(body)[0])

    def test_a_proxy_on_this_machine_may_name_the_agent(self):
        self.fd.extra_config = self.fd.extra_config.replace('[console]\n', '[console]\ntrusted_proxy_header = "X-Remote-User"\n')
        self.fd.write_config()
        self.assertEqual(self.fd.stop(), 0)
        self.fd.start()
        b = Browser(self.fd)
        sso = {"X-Remote-User": "Bob@Example.test"}
        status, _, body = b.request("GET", "/?view=open", headers=sso)
        self.assertEqual(status, 200)
        self.assertIn('<span id="agent">bob@example.test</span>', body)
        csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
        fields = {"csrf": csrf, "kind": "note", "body": "Seen through the proxy", "version": "0", "force": "1"}
        status, _, _ = b.request("POST", f"/tickets/{self.ticket}/messages", fields, headers=sso)
        self.assertEqual(status, 303)
        self.assertEqual(self.fd.query("SELECT actor FROM events WHERE kind = 'note_added'"),
                         [("console:bob@example.test",)])
        # Not an agent, or not from this machine's own address: no one.
        self.assertEqual(b.request("GET", "/", headers={"X-Remote-User": "mallory@example.test"})[0], 303)
        self.assertEqual(b.request("GET", "/", headers=sso, source="127.0.0.2")[0], 303)
        # Another agent's token does not pass for bob's forms.
        status, _, _ = b.request("POST", f"/tickets/{self.ticket}/messages", fields,
                                 headers={"X-Remote-User": "alice@example.test"})
        self.assertEqual(status, 403)

    def test_the_console_can_be_turned_off(self):
        self.fd.extra_config = '[console]\nenabled = false\n'
        self.fd.write_config()
        self.assertEqual(self.fd.stop(), 0)
        self.fd.start()
        self.assertEqual(Browser(self.fd).request("GET", "/login")[0], 404)
        self.assertEqual(Browser(self.fd).login()[0], 404)


if __name__ == "__main__":
    unittest.main()
