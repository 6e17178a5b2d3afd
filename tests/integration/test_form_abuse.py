"""Abuse of the public form against the real daemon: posts sent from other
sites' pages (cross-site request forgery), telling the honeypot's answer
from a real one, escaping the rate limit by rotating IPv6 addresses, and
learning about the machine from a failure's answer."""

import http.client
import json
import re
import socket
import sqlite3
import time
import unittest

from harness import Frontdesk, multipart, urlencoded

ALLOWED = "https://www.example.com"
# Written as an operator might: capitals and a trailing slash.
ABUSE_CONFIG = """
[form]
rate_limit = 1000
allowed_origins = ["https://WWW.Example.com/"]
"""


def form_body(subject, **extra):
    fields = {"email": "visitor@example.org", "subject": subject, "message": "Hello"}
    fields.update(extra)
    return urlencoded(fields)


class OriginTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(extra_config=ABUSE_CONFIG)
        self.addCleanup(self.fd.close)
        self.fd.start()
        self.own = f"http://127.0.0.1:{self.fd.public_port}"

    def count(self):
        return self.fd.query("SELECT count(*) FROM tickets")[0][0]

    def post_form(self, headers, subject="From a browser"):
        body, ctype = form_body(subject)
        return self.fd.post("/tickets", body=body, headers=dict(headers, **{"Content-Type": ctype}))

    def post_json(self, headers, subject="From a script"):
        return self.fd.post("/tickets", body={"email": "visitor@example.org", "subject": subject,
                                              "message": "Hello"}, headers=headers)

    def refused(self):
        r = self.fd.get("/metrics", scope="read")
        self.assertEqual(r.status, 200)
        for line in r.body.decode().splitlines():
            if line.startswith("frontdesk_form_origin_refused_total "):
                return int(line.split()[1])
        return 0

    def test_cross_site_post_is_refused_with_403_and_stores_nothing(self):
        cases = [
            ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, "Origin"),
            ({"Origin": "https://evil.example"}, "Origin"),  # a browser without Sec-Fetch-Site
            ({"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site"),
            ({"Sec-Fetch-Site": "same-site", "Origin": "https://blog.example.com"}, "Origin"),
            ({"Sec-Fetch-Site": "cross-site", "Origin": self.own}, "Sec-Fetch-Site"),
        ]
        for headers, field in cases:
            with self.subTest(headers=headers):
                r = self.post_form(headers)
                self.assertEqual(r.status, 403, r.body)
                self.assertTrue(r.header("Content-Type").startswith("text/html"))
                self.assertIn(b"This form can only be sent from its own page", r.body)
                self.assertIn("default-src 'none'", r.header("Content-Security-Policy"))
                r = self.post_json(headers)
                self.assertEqual(r.status, 403, r.body)
                err = r.json()["error"]
                self.assertEqual(err["code"], "forbidden")
                self.assertEqual(err["field"], field)
                self.assertTrue(err["message"].startswith("this form takes posts only from its own pages; "))
        # A form body asking for JSON is judged the same way.
        body, ctype = form_body("Asks for JSON")
        r = self.fd.post("/tickets", body=body, headers={"Content-Type": ctype, "Accept": "application/json",
                                                         "Origin": "https://evil.example"})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"]["message"],
                         "this form takes posts only from its own pages; this one came from https://evil.example")
        self.assertEqual(self.count(), 0)
        self.assertEqual(self.refused(), 2 * len(cases) + 1)
        self.assertIn("web form: refused a post from 127.0.0.1", self.fd.log_text())

    def test_a_refused_post_does_not_spend_the_visitors_allowance(self):
        self.fd.stop()
        self.fd.extra_config = '[form]\nrate_limit = 1\nrate_limit_window = "1h"\n'
        self.fd.write_config()
        self.fd.start()
        for _ in range(3):
            self.assertEqual(self.post_form({"Origin": "https://evil.example"}).status, 403)
        self.assertEqual(self.post_form({"Origin": self.own}).status, 200)
        self.assertEqual(self.count(), 1)

    def test_the_public_urls_origin_is_taken(self):
        for headers in ({"Sec-Fetch-Site": "same-origin", "Origin": self.own},
                        {"Origin": self.own},
                        {"Sec-Fetch-Site": "same-origin"}):
            with self.subTest(headers=headers):
                r = self.post_form(headers, subject="Own page")
                self.assertEqual(r.status, 200, r.body)
                self.assertIn(b"Thank you", r.body)
        self.assertEqual(self.count(), 3)

    def test_an_allowed_origin_is_taken(self):
        for site in ("same-site", "cross-site", None):
            headers = {"Origin": ALLOWED}
            if site:
                headers["Sec-Fetch-Site"] = site
            with self.subTest(site=site):
                r = self.post_form(headers, subject=f"Embedded form {site}")
                self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.count(), 3)

    def test_origin_null_is_refused(self):
        for headers in ({"Origin": "null"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}):
            with self.subTest(headers=headers):
                self.assertEqual(self.post_form(headers).status, 403)
                r = self.post_json(headers)
                self.assertEqual(r.status, 403)
                self.assertIn("Origin: null", r.json()["error"]["message"])
        self.assertEqual(self.count(), 0)

    def test_a_request_without_either_header_is_taken(self):
        self.assertEqual(self.post_form({}).status, 200)
        r = self.post_json({})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.post_form({"Sec-Fetch-Site": "none"}).status, 200)
        self.assertEqual(self.count(), 3)

    def test_allowed_origins_that_are_not_origins_are_config_errors(self):
        entries = ["https://www.example.com/shop", "null", "ftp://files.example.com",
                   "https://www.example.com:443", "https://WWW.example.com", "https://shop.example.com:99999"]
        self.fd.stop()
        self.fd.extra_config = "[form]\nallowed_origins = [" + ", ".join(f'"{e}"' for e in entries) + "]\n"
        self.fd.write_config()
        r = self.fd.cli("check-config")
        self.assertNotEqual(r.returncode, 0)
        lines = self.fd.config_text().splitlines()
        number = next(i for i, text in enumerate(lines) if text.startswith("allowed_origins"))

        def at(i):
            return f"{self.fd.config_path}:{number + 1}:{lines[number].index(chr(34) + entries[i]) + 1}: " \
                   f"form.allowed_origins[{i}]: "
        # Every error at once, each at its entry; the 443 one is fine (the
        # default port), and makes the capitalised one after it a duplicate.
        self.assertEqual((r.stderr + r.stdout).splitlines(), [
            at(0) + '"https://www.example.com/shop": it is not an origin: leave out everything after the '
                    'host and port ("https://www.example.com")',
            at(1) + '"null": browsers send Origin: null from sandboxed pages and local files, which are '
                    'refused whatever the config says',
            at(2) + '"ftp://files.example.com": it must start with http:// or https://',
            at(4) + 'duplicate origin "https://www.example.com"',
            at(5) + '"https://shop.example.com:99999": the port must be a number from 1 to 65535',
        ])

    def test_a_base_url_no_browser_could_name_is_a_config_error(self):
        self.fd.stop()
        own = f'base_url = "http://127.0.0.1:{self.fd.public_port}"'
        text = self.fd.config_text()
        self.fd.write_config(text.replace(own, 'base_url = "https://desk@help.example.com/support"'))
        r = self.fd.cli("check-config")
        self.assertNotEqual(r.returncode, 0)
        line = next(i + 1 for i, t in enumerate(text.splitlines()) if t.startswith("base_url"))
        self.assertEqual((r.stderr + r.stdout).splitlines(),
                         [f"{self.fd.config_path}:{line}:12: server.base_url: it holds a user name"])


class HoneypotTest(unittest.TestCase):
    """A bot that fills the hidden `website` field must get what a real
    post gets: the same status, the same headers, the same page, or JSON of
    the same shape. Only the real posts are stored."""

    def setUp(self):
        self.fd = Frontdesk(extra_config="[form]\nrate_limit = 1000\n")
        self.addCleanup(self.fd.close)
        self.fd.start()

    def count(self):
        return self.fd.query("SELECT count(*) FROM tickets")[0][0]

    def assertSameHeaders(self, real, bot):
        def headers(r):
            return {k.lower(): v for k, v in r.headers if k.lower() != "date"}
        self.assertEqual(sorted(headers(real)), sorted(headers(bot)))
        self.assertEqual(headers(real), headers(bot))

    def test_the_html_answers_are_the_same_page(self):
        for encode in ("urlencoded", "multipart"):
            with self.subTest(encode=encode):
                answers = []
                for website in ("", "http://spam.example"):
                    fields = {"email": "a@example.org", "subject": f"Hi {encode}", "message": "m",
                              "website": website}
                    if encode == "urlencoded":
                        body, ctype = urlencoded(fields)
                    else:
                        body, ctype = multipart(list(fields.items()))
                    answers.append(self.fd.post("/tickets", body=body, headers={"Content-Type": ctype}))
                real, bot = answers
                self.assertEqual(real.status, 200, real.body)
                self.assertEqual(bot.status, real.status)
                self.assertSameHeaders(real, bot)
                # The same page, with the number the next ticket would get.
                number = int(re.search(rb"<strong>(\d+)</strong>", real.body).group(1))
                self.assertEqual(bot.body, real.body.replace(str(number).encode(), str(number + 1).encode()))
        self.assertEqual(self.count(), 2)
        subjects = [row[0] for row in self.fd.query("SELECT subject FROM tickets ORDER BY id")]
        self.assertEqual(subjects, ["Hi urlencoded", "Hi multipart"])

    def test_the_json_answers_have_the_same_shape(self):
        real = self.fd.post("/tickets", body={"email": "j@example.org", "subject": "Real", "message": "m"})
        bot = self.fd.post("/tickets", body={"email": "j@example.org", "subject": "Bot", "message": "m",
                                             "website": "http://spam.example"})
        self.assertEqual(real.status, 201, real.body)
        self.assertEqual(bot.status, real.status)
        self.assertSameHeaders(real, bot)
        r, b = real.json(), bot.json()
        self.assertEqual(sorted(r), sorted(b))
        self.assertEqual({k: type(v) for k, v in r.items()}, {k: type(v) for k, v in b.items()})
        self.assertEqual(b["id"], b["number"])
        self.assertFalse(b["replayed"])
        # It looks like the next number, and it is no ticket.
        self.assertEqual(b["id"], r["id"] + 1)
        self.assertEqual(self.fd.get(f"/api/v1/tickets/{b['id']}", scope="read").status, 404)
        # A form post that asks for JSON gets the same.
        body, ctype = form_body("Bot via form", website="x")
        via_form = self.fd.post("/tickets", body=body, headers={"Content-Type": ctype,
                                                                "Accept": "application/json"})
        self.assertEqual(via_form.status, 201)
        self.assertEqual(sorted(via_form.json()), sorted(r))
        self.assertEqual(self.count(), 1)

    def test_errors_are_the_same_with_the_honeypot_filled(self):
        answers = []
        for website in ("", "x"):
            body, ctype = form_body("Bad address", website=website)
            body = body.replace(b"visitor%40example.org", b"bob%40")
            answers.append(self.fd.post("/tickets", body=body, headers={"Content-Type": ctype}))
        real, bot = answers
        self.assertEqual(real.status, 400)
        self.assertEqual(bot.status, 400)
        self.assertIn(b'id="f-email-error"', bot.body)
        self.assertSameHeaders(real, bot)
        self.assertEqual(self.count(), 0)


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
            return s.getsockname()[1]
    except OSError:
        return None


class RateLimitPerNetworkTest(unittest.TestCase):
    """IPv4 clients are limited per address, IPv6 clients per /64."""

    LIMIT = '[form]\nrate_limit = 2\nrate_limit_window = "1h"\n'

    def submit(self, fd, forwarded, subject):
        return fd.post("/tickets", body={"email": "r@example.org", "subject": subject, "message": "m"},
                       headers={"X-Forwarded-For": forwarded})

    def test_rotating_ipv6_addresses_in_one_64_share_a_limit(self):
        # nginx on this machine, forwarding each client's address.
        fd = Frontdesk(extra_config=self.LIMIT, server_extra='trusted_proxies = ["127.0.0.1"]')
        self.addCleanup(fd.close)
        fd.start()
        codes = [self.submit(fd, f"2001:db8:1:2::{i}", f"rotating {i}").status for i in range(1, 4)]
        self.assertEqual(codes, [201, 201, 429])
        self.assertEqual(self.submit(fd, "2001:db8:1:2:ffff:ffff:ffff:ffff", "far end").status, 429)
        # The next /64 is someone else.
        self.assertEqual(self.submit(fd, "2001:db8:1:3::1", "neighbour").status, 201)
        # IPv4 is per address; an IPv4-mapped address is that IPv4 address.
        self.assertEqual(self.submit(fd, "::ffff:192.0.2.7", "mapped").status, 201)
        self.assertEqual(self.submit(fd, "192.0.2.7", "plain").status, 201)
        self.assertEqual(self.submit(fd, "192.0.2.7", "plain again").status, 429)
        self.assertEqual(self.submit(fd, "192.0.2.8", "next address").status, 201)
        self.assertEqual(fd.query("SELECT count(*) FROM tickets")[0][0], 6)

    def test_a_listener_on_ipv6_loopback_limits_per_64(self):
        port = ipv6_loopback()
        if port is None:
            self.skipTest("IPv6 loopback (::1) cannot be bound here; RateLimitKey's unit test "
                          "(tests/daemon/web/rate_limiter_test.cpp) covers the /64 rule")
        fd = Frontdesk(extra_config=self.LIMIT, server_extra='trusted_proxies = ["::1"]')
        self.addCleanup(fd.close)
        text = fd.config_text()
        text = text.replace(f'public_listen = "127.0.0.1:{fd.public_port}"', f'public_listen = "[::1]:{port}"')
        text = text.replace(f'base_url = "http://127.0.0.1:{fd.public_port}"', f'base_url = "http://[::1]:{port}"')
        fd.write_config(text)
        fd.start(wait=False)

        def post(headers, subject):
            conn = http.client.HTTPConnection("::1", port, timeout=10)
            try:
                conn.request("POST", "/tickets", body=json.dumps(
                    {"email": "v6@example.org", "subject": subject, "message": "m"}),
                    headers=dict(headers, **{"Content-Type": "application/json"}))
                r = conn.getresponse()
                return r.status, r.read()
            finally:
                conn.close()

        deadline = time.time() + 15
        while True:
            try:
                conn = http.client.HTTPConnection("::1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                conn.close()
            self.assertLess(time.time(), deadline, fd.log_text())
            time.sleep(0.05)

        # The form's own origin, an IPv6 literal, is taken.
        status, body = post({"Origin": f"http://[::1]:{port}", "X-Forwarded-For": "2001:db8:9:9::1"}, "own page")
        self.assertEqual(status, 201, body)
        status, _ = post({"X-Forwarded-For": "2001:db8:9:9::2"}, "second address")
        self.assertEqual(status, 201)
        status, _ = post({"X-Forwarded-For": "2001:db8:9:9:1:2:3:4"}, "third address")
        self.assertEqual(status, 429)
        # The proxy itself, ::1, is its own /64.
        self.assertEqual(post({}, "from the proxy")[0], 201)
        self.assertEqual(fd.query("SELECT count(*) FROM tickets")[0][0], 3)


class FailureDetailTest(unittest.TestCase):
    """A locked database makes intake fail for a moment; the customer is
    told to retry, and the log, not the answer, says which process held it."""

    def test_a_locked_database_answers_without_naming_the_process_or_the_file(self):
        fd = Frontdesk(extra_config=ABUSE_CONFIG, sqlite=True, server_extra='busy_timeout = "300ms"')
        self.addCleanup(fd.close)
        fd.start()
        lock = sqlite3.connect(fd.db_path, isolation_level=None, timeout=10)
        self.addCleanup(lock.close)
        lock.execute("BEGIN IMMEDIATE")
        try:
            body, ctype = form_body("Locked")
            answers = [fd.post("/tickets", body={"email": "a@example.org", "subject": "s", "message": "m"}),
                       fd.post("/tickets", body=body, headers={"Content-Type": ctype})]
        finally:
            lock.execute("ROLLBACK")
        for r in answers:
            self.assertEqual(r.status, 503, r.body)
            self.assertEqual(r.header("Retry-After"), "5")
            for secret in ("pid", "python", fd.db_path, fd.dir, "busy_timeout"):
                self.assertNotIn(secret, r.body.decode())
        self.assertEqual(answers[0].json()["error"]["code"], "busy")
        self.assertIn("try again", answers[0].json()["error"]["message"])
        self.assertIn("held the write lock", fd.log_text())


if __name__ == "__main__":
    unittest.main()
