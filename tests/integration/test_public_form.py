"""The public listener against the real daemon: the form as browsers send it,
JSON intake, double submits, caps, the honeypot, the rate limit, hostile
input, idle keep-alive connections, and a kill -9 right after a 201."""

import http.client
import json
import re
import socket
import time
import unittest

from harness import Frontdesk, multipart, urlencoded

FORM_FIELDS = """
[form]
rate_limit = 1000
max_attachment_bytes = "64KiB"
max_attachments = 2

[[form.field]]
name = "order_number"
label = "Order number"
"""


class PublicFormTest(unittest.TestCase):
    def setUp(self):
        self.fd = Frontdesk(extra_config=FORM_FIELDS, server_extra='max_body_bytes = "256KiB"')
        self.addCleanup(self.fd.close)
        self.fd.start()

    def count(self, table="tickets"):
        return self.fd.query(f"SELECT count(*) FROM {table}")[0][0]

    def submit(self, body, ctype, headers=None):
        h = {"Content-Type": ctype}
        h.update(headers or {})
        return self.fd.post("/tickets", body=body, headers=h)

    def ticket(self, number):
        r = self.fd.get(f"/api/v1/tickets/{number}", scope="read")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def test_form_page_is_served_escaped_and_without_scripts(self):
        r = self.fd.get("/")
        self.assertEqual(r.status, 200)
        html = r.body.decode()
        self.assertIn('<form method="post" action="/tickets"', html)
        self.assertIn('name="form_token"', html)
        self.assertIn('<label for="f-email">', html)
        self.assertIn('name="order_number"', html)
        self.assertNotIn("<script", html)
        self.assertIn("default-src 'none'", r.header("Content-Security-Policy"))

    def test_multipart_form_with_attachment_makes_a_ticket(self):
        data = bytes(range(256)) * 10
        body, ctype = multipart(
            [("name", "Zoë Smith"), ("email", "Zoe@Example.org"), ("subject", "Broken widget"),
             ("message", "It broke.\nTwice."), ("order_number", "A-17"), ("form_token", "tok1")],
            [("attachment", "photo.png", "image/png", data)])
        r = self.submit(body, ctype)
        self.assertEqual(r.status, 200, r.body)
        number = int(re.search(rb"<strong>(\d+)</strong>", r.body).group(1))
        t = self.ticket(number)
        self.assertEqual(t["requester"], {"email": "zoe@example.org", "name": "Zoë Smith"})
        self.assertEqual(t["subject"], "Broken widget")
        self.assertEqual(t["channel"], "web")
        self.assertEqual(t["status"], "new")
        self.assertEqual(t["fields"], {"order_number": "A-17"})
        self.assertEqual(t["messages"][0]["body"], "It broke.\nTwice.")
        att = t["messages"][0]["attachments"][0]
        self.assertEqual((att["filename"], att["content_type"], att["size"]), ("photo.png", "image/png", len(data)))
        dl = self.fd.get(att["url"], scope="read")
        self.assertEqual(dl.status, 200)
        self.assertEqual(dl.body, data)
        self.assertTrue(dl.header("Content-Disposition").startswith('attachment; filename="photo.png"'))
        self.assertEqual(t["events"][0]["kind"], "created")

    def test_urlencoded_form_makes_a_ticket(self):
        body, ctype = urlencoded({"email": "a@example.org", "subject": "Hello there",
                                  "message": "Plus+signs & ampersands = fine"})
        r = self.submit(body, ctype)
        self.assertEqual(r.status, 200, r.body)
        number = int(re.search(rb"<strong>(\d+)</strong>", r.body).group(1))
        self.assertEqual(self.ticket(number)["messages"][0]["body"], "Plus+signs & ampersands = fine")

    def test_a_long_urlencoded_message_is_taken_up_to_the_forms_cap(self):
        # Over the 8 KiB that Debian's cpp-httplib allows an urlencoded body,
        # under the form's 20,000-character cap for the message.
        text = "Zażółć gęślą jaźń & more. " * 700
        body, ctype = urlencoded({"email": "a@example.org", "subject": "Long", "message": text.strip()})
        self.assertGreater(len(body), 8192)
        r = self.submit(body, ctype)
        self.assertEqual(r.status, 200, r.body)
        number = int(re.search(rb"<strong>(\d+)</strong>", r.body).group(1))
        self.assertEqual(self.ticket(number)["messages"][0]["body"], text.strip())
        # Over the message cap it is the form's own error, not a bare 413.
        body, ctype = urlencoded({"email": "a@example.org", "subject": "Long", "message": "x" * 20001})
        r = self.submit(body, ctype)
        self.assertEqual(r.status, 400, r.body)
        self.assertIn(b'id="f-message-error"', r.body)

    def test_json_intake_answers_201(self):
        r = self.fd.post("/tickets", body={"email": "j@example.org", "subject": "Via JSON",
                                           "message": "Hello"})
        self.assertEqual(r.status, 201, r.body)
        body = r.json()
        self.assertEqual(body["id"], body["number"])
        self.assertFalse(body["replayed"])
        self.assertEqual(self.ticket(body["id"])["subject"], "Via JSON")

    def test_double_submit_makes_one_ticket(self):
        body, ctype = multipart([("email", "d@example.org"), ("subject", "Twice"),
                                 ("message", "Clicked twice"), ("form_token", "same-token")])
        first = self.submit(body, ctype)
        second = self.submit(body, ctype)
        self.assertEqual(first.status, 200)
        self.assertEqual(second.status, 200)
        n1 = re.search(rb"<strong>(\d+)</strong>", first.body).group(1)
        n2 = re.search(rb"<strong>(\d+)</strong>", second.body).group(1)
        self.assertEqual(n1, n2)
        self.assertEqual(self.count(), 1)
        # JSON with an Idempotency-Key behaves the same.
        payload = {"email": "d@example.org", "subject": "JSON twice", "message": "x"}
        a = self.fd.post("/tickets", body=payload, headers={"Idempotency-Key": "k-1"})
        b = self.fd.post("/tickets", body=payload, headers={"Idempotency-Key": "k-1"})
        self.assertEqual((a.status, b.status), (201, 200))
        self.assertEqual(a.json()["id"], b.json()["id"])
        self.assertTrue(b.json()["replayed"])
        self.assertEqual(self.count(), 2)

    def test_body_over_the_cap_gets_413_and_stores_nothing(self):
        body, ctype = multipart([("email", "big@example.org"), ("subject", "Big"),
                                 ("message", "x" * (300 * 1024))])
        r = self.submit(body, ctype)
        self.assertEqual(r.status, 413)
        self.assertEqual(r.json()["error"]["code"], "too_large")
        self.assertEqual(self.count(), 0)
        # An attachment over its own cap is 413 too, naming the field.
        body, ctype = multipart([("email", "big@example.org"), ("subject", "Big"), ("message", "m")],
                                [("attachment", "big.bin", "application/octet-stream", b"x" * (65 * 1024))])
        r = self.submit(body, ctype, {"Accept": "application/json"})
        self.assertEqual(r.status, 413)
        self.assertEqual(r.json()["error"]["field"], "attachment")
        self.assertEqual(self.count(), 0)
        self.assertEqual(self.count("blobs"), 0)

    def test_bad_email_names_the_field(self):
        r = self.fd.post("/tickets", body={"email": "not an address", "subject": "s", "message": "m"})
        self.assertEqual(r.status, 400)
        err = r.json()["error"]
        self.assertEqual(err["field"], "email")
        self.assertIn("invalid mail address", err["message"])
        # In the HTML form the error sits next to its field, and the values stay.
        body, ctype = urlencoded({"email": "bob@", "subject": "Keep me", "message": "m"})
        r = self.submit(body, ctype)
        self.assertEqual(r.status, 400)
        html = r.body.decode()
        self.assertIn('id="f-email" name="email" autocomplete="email" maxlength="254" required aria-invalid="true" aria-describedby="f-email-error"', html)
        self.assertIn('<p class="error" id="f-email-error">invalid mail address &quot;bob@&quot;: the domain is empty</p>', html)
        self.assertIn('value="Keep me"', html)
        self.assertEqual(self.count(), 0)

    def test_every_missing_field_is_reported_at_once(self):
        r = self.fd.post("/tickets", body={"email": "", "subject": "", "message": ""})
        self.assertEqual(r.status, 400)
        fields = [d["field"] for d in r.json()["error"]["details"]]
        self.assertEqual(fields, ["email", "subject", "message"])

    def test_honeypot_stores_nothing(self):
        body, ctype = urlencoded({"email": "bot@example.org", "subject": "Buy", "message": "spam",
                                  "website": "http://spam.example"})
        r = self.submit(body, ctype)
        self.assertEqual(r.status, 200)
        self.assertIn(b"<strong>1001</strong>", r.body)  # looks like a real answer
        r = self.fd.post("/tickets", body={"email": "bot@example.org", "subject": "Buy",
                                           "message": "spam", "website": "x"})
        self.assertEqual(r.status, 201)
        self.assertEqual(self.count(), 0)

    def test_hostile_input_gets_4xx_and_never_crashes(self):
        cases = [
            (b'{"email": "a@b.c", "subject": ', "application/json", 400),
            (b"[1,2,3]", "application/json", 400),
            (b'{"email": 5, "subject": "s", "message": "m"}', "application/json", 400),
            (b'{"email": "a@b.c", "subject": "s", "message": "m", "admin": true}', "application/json", 400),
            (b'{"email": "a@b.c", "subject": "\xff\xfe", "message": "m"}', "application/json", 400),
            (b"email=a%40b.c&subject=%FF%FE&message=m", "application/x-www-form-urlencoded", 400),
            (b"email=a%40b.c&subject=Hi%0D%0ABcc%3A%20x%40y.z&message=m",
             "application/x-www-form-urlencoded", 400),
            # Unicode's own line breaks: NEL, LINE and PARAGRAPH SEPARATOR, and a C1 control.
            (b"email=a%40b.c&subject=Hi%C2%85Bcc&message=m", "application/x-www-form-urlencoded", 400),
            ('{"email": "a@b.c", "subject": "Hi\u2028Bcc", "message": "m"}'.encode(), "application/json", 400),
            ('{"email": "a@b.c", "subject": "s", "name": "A\u2029B", "message": "m"}'.encode(),
             "application/json", 400),
            ('{"email": "a@b.c", "subject": "Hi\u009b", "message": "m"}'.encode(), "application/json", 400),
            # A key given twice is refused, not decided by whichever parser reads it last.
            (b'{"email": "a@b.c", "subject": "s", "message": "m", "email": "c@d.e"}', "application/json", 400),
            (b"<xml/>", "text/xml", 415),
            (b"--nope\r\nbroken", "multipart/form-data; boundary=zzz", 400),
        ]
        for body, ctype, status in cases:
            with self.subTest(body=body[:40]):
                r = self.submit(body, ctype)
                self.assertEqual(r.status, status, r.body)
        # Huge headers.
        r = self.fd.get("/", headers={"X-Big": "a" * 20000})
        self.assertGreaterEqual(r.status, 400)
        self.assertLess(r.status, 500)
        # Path traversal in an attachment name is stored as a plain name.
        body, ctype = multipart([("email", "t@example.org"), ("subject", "Traversal"), ("message", "m")],
                                [("attachment", "../../etc/passwd", "text/plain", b"root:x")])
        r = self.submit(body, ctype, {"Accept": "application/json"})
        self.assertEqual(r.status, 201, r.body)
        t = self.ticket(r.json()["id"])
        self.assertEqual(t["messages"][0]["attachments"][0]["filename"], "passwd")
        # SQL metacharacters are data, not code.
        evil = "'; DROP TABLE tickets; --"
        r = self.fd.post("/tickets", body={"email": "s@example.org", "subject": evil, "message": evil})
        self.assertEqual(r.status, 201)
        self.assertEqual(self.ticket(r.json()["id"])["subject"], evil)
        self.assertEqual(self.fd.get("/healthz").status, 200)
        self.assertEqual(self.count(), 2)

    def test_idle_keepalive_connections_do_not_block_a_new_submit(self):
        self.fd.stop()
        self.fd.server_extra = "public_threads = 4\npublic_max_threads = 16\nkeep_alive_timeout = \"30s\""
        self.fd.write_config()
        self.fd.start()
        idle = []
        for _ in range(4):
            c = http.client.HTTPConnection("127.0.0.1", self.fd.public_port, timeout=10)
            c.request("GET", "/healthz")
            c.getresponse().read()
            idle.append(c)  # kept open, idle, each holding a thread
        self.addCleanup(lambda: [c.close() for c in idle])
        start = time.time()
        r = self.fd.post("/tickets", body={"email": "k@example.org", "subject": "Quick", "message": "m"})
        took = time.time() - start
        self.assertEqual(r.status, 201)
        self.assertLess(took, 1.0)

    def test_kill9_right_after_201_keeps_the_ticket(self):
        r = self.fd.post("/tickets", body={"email": "k9@example.org", "subject": "Durable", "message": "m"})
        self.assertEqual(r.status, 201)
        number = r.json()["id"]
        self.fd.kill9()
        self.fd.start()
        self.assertEqual(self.ticket(number)["subject"], "Durable")


class RateLimitTest(unittest.TestCase):
    def test_rate_limit_answers_429_and_stores_nothing(self):
        fd = Frontdesk(extra_config='[form]\nrate_limit = 3\nrate_limit_window = "1h"\n')
        self.addCleanup(fd.close)
        fd.start()
        for i in range(3):
            r = fd.post("/tickets", body={"email": "r@example.org", "subject": f"n{i}", "message": "m"})
            self.assertEqual(r.status, 201)
        r = fd.post("/tickets", body={"email": "r@example.org", "subject": "n4", "message": "m"})
        self.assertEqual(r.status, 429)
        self.assertEqual(r.json()["error"]["code"], "rate_limited")
        self.assertGreater(int(r.header("Retry-After")), 0)
        self.assertEqual(fd.query("SELECT count(*) FROM tickets")[0][0], 3)


if __name__ == "__main__":
    unittest.main()
