"""The admin API tells a client what changed and keeps the SMTP server's
words: If-None-Match on a ticket and on the ticket list (304 until the
answer would differ); POST and PATCH endpoints whose fields are all optional
take an empty body; every error code the API answers is in docs/API.md's
table; a sent outbox row has no last_error; a refusal keeps the exact reply
lines of the command that failed, never QUIT's answer."""

import json
import os
import re
import socket
import time
import unittest

from harness import SOURCE_DIR, Frontdesk
from smtp_sink import SmtpServer

ETAG_OF_BODY = re.compile(r'^"[0-9a-f]{32}"$')


def raw_request(port, data, timeout=10):
    """Sends bytes as they are on a new connection and returns (status,
    headers, body) of the answer, read until the server closes or the
    Content-Length is in."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        head, _, body = got.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, body[:length]


def documented_codes():
    """The `code`s of docs/API.md's error table."""
    with open(os.path.join(SOURCE_DIR, "docs", "API.md")) as f:
        text = f.read()
    table = text.split("## Errors", 1)[1].split("\n\n| HTTP | code | when |", 1)[1].split("\n\n", 1)[0]
    codes = set()
    for row in table.splitlines():
        cells = row.split("|")
        if len(cells) > 2:
            codes.update(re.findall(r"`([a-z_]+)`", cells[2]))
    return codes


class ConditionalGetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fd = Frontdesk()
        cls.fd.start()

    @classmethod
    def tearDownClass(cls):
        cls.fd.close()

    def create(self, subject="Disk full"):
        r = self.fd.post("/api/v1/tickets", scope="write",
                         body={"requester": {"email": "ops@example.org", "name": "Ops"},
                               "subject": subject, "message": "db1 is at 100%"})
        self.assertEqual(r.status, 201, r.body)
        return r.json()["id"]

    def get(self, path, tag=None):
        return self.fd.get(path, scope="read", headers={"If-None-Match": tag} if tag is not None else None)

    def note(self, tid, body="Checked the disk."):
        r = self.fd.post(f"/api/v1/tickets/{tid}/messages", scope="write", body={"kind": "note", "body": body})
        self.assertEqual(r.status, 201, r.body)

    def assert_not_modified(self, r, tag):
        self.assertEqual(r.status, 304, r.body)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("ETag"), tag)

    def test_a_ticket_answers_304_while_its_version_holds(self):
        tid = self.create()
        first = self.get(f"/api/v1/tickets/{tid}")
        self.assertEqual(first.status, 200)
        tag = first.header("ETag")
        self.assertEqual(tag, '"%d"' % first.json()["version"])
        for held in (tag, "W/" + tag, '"nope", ' + tag, "*", ' "x" ,, W/%s ' % tag, 'garbage, ' + tag):
            with self.subTest(held=held):
                self.assert_not_modified(self.get(f"/api/v1/tickets/{tid}", held), tag)
        for stale in ('"999"', 'W/"999"', tag.strip('"'), "", "W/*", '"%s' % tag):
            with self.subTest(stale=stale):
                r = self.get(f"/api/v1/tickets/{tid}", stale)
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(r.header("ETag"), tag)
        # A ticket that does not exist is 404, whatever the client holds.
        self.assertEqual(self.get("/api/v1/tickets/99999", "*").status, 404)

    def test_a_new_message_ends_the_304(self):
        # Needs every change to a ticket (a note among them) to move its
        # version.
        tid = self.create()
        tag = self.get(f"/api/v1/tickets/{tid}").header("ETag")
        self.assert_not_modified(self.get(f"/api/v1/tickets/{tid}", tag), tag)
        self.note(tid)
        r = self.get(f"/api/v1/tickets/{tid}", tag)
        self.assertEqual(r.status, 200, r.body)
        self.assertNotEqual(r.header("ETag"), tag)
        self.assertEqual(r.json()["messages"][-1]["body"], "Checked the disk.")
        self.assert_not_modified(self.get(f"/api/v1/tickets/{tid}", r.header("ETag")), r.header("ETag"))

    def test_a_list_answers_304_until_any_byte_would_change(self):
        tid = self.create("List me")
        opened = self.create("Opened")
        r = self.fd.request("PATCH", f"/api/v1/tickets/{opened}", scope="write", body={"status": "open"})
        self.assertEqual(r.status, 200, r.body)
        views = ["/api/v1/tickets", "/api/v1/tickets?limit=1", "/api/v1/tickets?sort=id&status=open",
                 "/api/v1/tickets?q=List"]
        tags = {}
        for path in views:
            r = self.get(path)
            self.assertEqual(r.status, 200, r.body)
            tags[path] = r.header("ETag")
            self.assertRegex(tags[path], ETAG_OF_BODY)
            self.assert_not_modified(self.get(path, tags[path]), tags[path])
            self.assert_not_modified(self.get(path, "W/" + tags[path]), tags[path])
            self.assert_not_modified(self.get(path, "*"), tags[path])
            # The same list asked again has the same tag: it is the body's.
            self.assertEqual(self.get(path).header("ETag"), tags[path])
        self.assertEqual(len(set(tags.values())), len(views), tags)
        # The next page has its own tag.
        cursor = self.get("/api/v1/tickets?limit=1").json()["next_cursor"]
        paged = self.get(f"/api/v1/tickets?limit=1&cursor={cursor}")
        self.assertEqual(paged.status, 200, paged.body)
        self.assertNotEqual(paged.header("ETag"), tags["/api/v1/tickets?limit=1"])
        self.assert_not_modified(self.get(f"/api/v1/tickets?limit=1&cursor={cursor}", paged.header("ETag")),
                                 paged.header("ETag"))
        # A new ticket changes the list.
        self.create("Another one")
        r = self.get("/api/v1/tickets", tags["/api/v1/tickets"])
        self.assertEqual(r.status, 200, r.body)
        self.assertNotEqual(r.header("ETag"), tags["/api/v1/tickets"])
        # A note on a ticket of the list changes it too (its version and
        # updated_at are in the list).
        tag = r.header("ETag")
        self.note(tid)
        r = self.get("/api/v1/tickets", tag)
        self.assertEqual(r.status, 200, r.body)
        self.assertNotEqual(r.header("ETag"), tag)

    def test_a_bad_list_query_is_still_an_error(self):
        r = self.get("/api/v1/tickets?sort=sideways", "*")
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.json()["error"]["field"], "sort")


class EmptyBodyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fd = Frontdesk()
        cls.fd.start()

    @classmethod
    def tearDownClass(cls):
        cls.fd.close()

    def admin(self, method, path, head="", body=b"", scope="admin"):
        data = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.fd.tokens[scope]}\r\n"
                f"Connection: close\r\n{head}\r\n").encode() + body
        return raw_request(self.fd.admin_port, data)

    def test_reload_and_a_sweep_take_no_body(self):
        for path, scope in (("/api/v1/config/reload", "admin"), ("/api/v1/escalations/run", "write")):
            for head in ("Content-Length: 0\r\n", "Content-Length: 0\r\nContent-Type: application/json\r\n",
                         "Content-Length: 0\r\nContent-Type: text/plain\r\n",
                         "Content-Length: 2\r\nContent-Type: application/json\r\n",
                         "Transfer-Encoding: chunked\r\n"):
                with self.subTest(path=path, head=head):
                    body = b"{}" if "2" in head else b"0\r\n\r\n" if "chunked" in head else b""
                    status, _, answer = self.admin("POST", path, head, body, scope)
                    self.assertEqual(status, 200, answer)

    def test_a_request_without_content_length_has_an_empty_body(self):
        # RFC 9112 6.3: a request with neither Content-Length nor
        # Transfer-Encoding has no body (curl -X POST sends such a request).
        tid = self.fd.post("/api/v1/tickets", scope="write",
                           body={"requester": {"email": "ops@example.org"}, "subject": "s", "message": "m"}).json()["id"]
        for method, path, scope in (("POST", "/api/v1/config/reload", "admin"),
                                    ("POST", "/api/v1/escalations/run", "write"),
                                    ("PATCH", f"/api/v1/tickets/{tid}", "write")):
            with self.subTest(path=path):
                started = time.time()
                status, _, answer = self.admin(method, path, "", b"", scope)
                self.assertEqual(status, 200, answer)
                self.assertLess(time.time() - started, 5)

    def test_a_sweep_reads_dry_run_from_the_body_or_the_parameter(self):
        r = self.fd.post("/api/v1/escalations/run", scope="write", body={"dry_run": True})
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.json()["dry_run"])
        r = self.fd.post("/api/v1/escalations/run?dry_run=true", scope="write")
        self.assertTrue(r.json()["dry_run"])
        self.assertFalse(self.fd.post("/api/v1/escalations/run", scope="write").json()["dry_run"])
        for path, body, field in (("/api/v1/escalations/run?dry_run=yes", None, "dry_run"),
                                  ("/api/v1/escalations/run?dryrun=true", None, "dryrun"),
                                  ("/api/v1/escalations/run", {"dry_run": "true"}, "dry_run"),
                                  ("/api/v1/escalations/run?dry_run=false", {"dry_run": True}, "dry_run"),
                                  ("/api/v1/escalations/run", {"force": True}, "force"),
                                  ("/api/v1/escalations/run", [], None)):
            with self.subTest(path=path, body=body):
                r = self.fd.post(path, scope="write", body=body)
                self.assertEqual(r.status, 400, r.body)
                self.assertEqual(r.json()["error"]["code"], "invalid")
                self.assertEqual(r.json()["error"]["field"], field)

    def test_reload_refuses_fields_it_does_not_take(self):
        r = self.fd.post("/api/v1/config/reload", scope="admin", body={"path": "/etc/other.toml"})
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.json()["error"]["field"], "path")

    def test_an_empty_patch_changes_nothing_and_answers_the_ticket(self):
        r = self.fd.post("/api/v1/tickets", scope="write",
                         body={"requester": {"email": "ops@example.org"}, "subject": "s", "message": "m"})
        tid, version = r.json()["id"], r.json()["version"]
        for head in ("Content-Length: 0\r\n", "Content-Length: 0\r\nContent-Type: application/json\r\n"):
            with self.subTest(head=head):
                status, headers, body = self.admin("PATCH", f"/api/v1/tickets/{tid}", head, scope="write")
                self.assertEqual(status, 200, body)
                self.assertEqual(json.loads(body)["version"], version)
                self.assertEqual(headers["etag"], '"%d"' % version)
        status, _, body = self.admin("PATCH", f"/api/v1/tickets/{tid}", "Content-Length: 10\r\n", b'{"x": 1}  ',
                                     scope="write")
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)["error"]["field"], "x")

    def test_endpoints_with_required_fields_still_want_them(self):
        r = self.fd.post("/api/v1/tickets/1/messages", scope="write")
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.json()["error"]["code"], "invalid")


class ErrorCodesTest(unittest.TestCase):
    """Every code the API answers with is in the table of docs/API.md."""

    def test_every_code_answered_is_documented(self):
        fd = Frontdesk(extra_config='[form]\nrate_limit = 1\nrate_limit_window = "1h"\n',
                       server_extra='max_body_bytes = "64KiB"\nheader_timeout = "1s"')
        self.addCleanup(fd.close)
        fd.start()
        tid = fd.post("/api/v1/tickets", scope="write",
                      body={"requester": {"email": "ops@example.org"}, "subject": "s", "message": "m"}).json()["id"]
        seen = {}

        def record(what, status, body):
            code = json.loads(body)["error"]["code"]
            seen.setdefault(code, []).append((what, status))

        def check(what, r, status):
            self.assertEqual(r.status, status, (what, r.body))
            record(what, r.status, r.body)

        check("bad value", fd.get("/api/v1/tickets?limit=0", scope="read"), 400)
        check("no token", fd.get("/api/v1/tickets", admin=True), 401)
        check("small scope", fd.post("/api/v1/config/reload", scope="read"), 403)
        check("no ticket", fd.get("/api/v1/tickets/424242", scope="read"), 404)
        check("no path", fd.get("/api/v1/nothing", scope="read"), 404)
        key = {"Idempotency-Key": "k1"}
        fd.post("/api/v1/tickets", scope="write", headers=key,
                body={"requester": {"email": "a@example.org"}, "subject": "s", "message": "one"})
        check("key reused", fd.post("/api/v1/tickets", scope="write", headers=key,
                                    body={"requester": {"email": "a@example.org"}, "subject": "s", "message": "two"}),
              409)
        check("stale", fd.request("PATCH", f"/api/v1/tickets/{tid}", scope="write", headers={"If-Match": '"999"'},
                                  body={"priority": "high"}), 412)
        check("body too large", fd.post("/api/v1/tickets", scope="write", body={"x": "y" * 70000}), 413)
        check("media type", fd.post("/tickets", body=b"hello", headers={"Content-Type": "text/plain"}), 415)
        form = {"name": "R", "email": "r@example.org", "subject": "s", "message": "m"}
        fd.post("/tickets", body=form)
        check("rate", fd.post("/tickets", body=form), 429)
        fd.write_config(fd.config_text() + "\n[[queue]]\nname = 1\n")
        check("bad config", fd.post("/api/v1/config/reload", scope="admin"), 422)
        fd.write_config()
        for what, data, status in (
                ("no HTTP version", b"GET /healthz\r\nHost: x\r\n\r\n", 400),
                ("unknown method", b"BREW /api/v1/tickets HTTP/1.1\r\nHost: x\r\n\r\n", 501),
                ("two lengths", b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                                b"Content-Length: 3\r\n\r\n{}", 400),
                ("broken chunks", b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n"
                                  b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
                ("HTTP/2 in an HTTP/1 line", b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505),
                ("a method the path does not take",
                 b"PUT /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 404),
                ("long URI", b"GET /api/v1/tickets?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
                ("headers too large", b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
                ("slow headers", b"GET /healthz HTTP/1.1\r\n", 408)):
            with self.subTest(what=what):
                status_got, _, body = raw_request(fd.admin_port, data)
                self.assertEqual(status_got, status, body)
                record(what, status_got, body)
        undocumented = set(seen) - documented_codes()
        self.assertEqual(undocumented, set(), {c: seen[c] for c in undocumented})

    def test_every_status_code_name_is_documented(self):
        # Any Status can reach a client through WriteError; the table must
        # name each code it can carry.
        with open(os.path.join(SOURCE_DIR, "daemon", "base", "status.cpp")) as f:
            names = set(re.findall(r'case Code::k\w+: return "([a-z_]+)";', f.read())) - {"ok"}
        self.assertGreater(len(names), 5)
        self.assertEqual(names - documented_codes(), set())


class SmtpWordsTest(unittest.TestCase):
    REJECTS = {
        "gone@example.org": "550 5.1.1 <gone@example.org>: User unknown",
        "full@example.org": ["552-5.2.2 <full@example.org>: Mailbox full", "552-5.2.2 quota 1 GB",
                             "552 5.2.2 Try again after a clean-up"],
        "later@example.org": "451 4.7.1 <later@example.org>: Greylisted, come back in 5 minutes",
    }

    def setUp(self):
        self.sink = SmtpServer(rejects=self.REJECTS)
        self.addCleanup(self.sink.close)
        self.sink.start()
        self.fd = Frontdesk(extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{self.sink.port}"\ntls = "none"\n'
                                         f'interval = "1s"\nretry_after = "1s"\nmax_attempts = 50\ntimeout = "5s"\n'
                                         f'[mail]\nauto_ack = false\n')
        self.addCleanup(self.fd.close)
        self.fd.start()

    def ticket_with_reply(self, sender, subject):
        self.fd.deliver((f"From: {sender}\r\nTo: support@example.test\r\nSubject: {subject}\r\n"
                         f"Message-ID: <{subject.replace(' ', '-')}@example.org>\r\n\r\nHello.\r\n").encode())
        (tid,) = self.fd.query("SELECT id FROM tickets WHERE requester_email = ?", sender)[0]
        r = self.fd.post(f"/api/v1/tickets/{tid}/messages", scope="write", body={"kind": "reply", "body": "Hi."})
        self.assertEqual(r.status, 201, r.body)
        return tid

    def outbox_row(self, recipient, status, attempts=1, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.fd.get("/api/v1/outbox", scope="read")
            rows = [o for o in r.json()["outbox"] if o["recipient"] == recipient and o["kind"] == "reply"]
            if rows and rows[0]["status"] == status and rows[0]["attempts"] >= attempts:
                return rows[0]
            time.sleep(0.1)
        self.fail(f"no reply to {recipient} is {status}: {self.fd.query('SELECT * FROM outbox')}")

    def test_a_refusal_keeps_the_servers_exact_words(self):
        tid = self.ticket_with_reply("gone@example.org", "Where is my order")
        row = self.outbox_row("gone@example.org", "failed")
        self.assertEqual(row["last_error"], "550 5.1.1 <gone@example.org>: User unknown")
        self.assertEqual(row["attempts"], 1)
        (detail,) = self.fd.query("SELECT detail FROM events WHERE ticket_id = ? AND kind = 'mail_failed'", tid)[0]
        self.assertEqual(json.loads(detail)["error"], "550 5.1.1 <gone@example.org>: User unknown")
        self.assertNotIn("221", self.fd.get("/healthz", scope="read").json()["outbox"]["last_error"] or "")

    def test_a_multi_line_refusal_keeps_every_line(self):
        self.ticket_with_reply("full@example.org", "Mailbox")
        row = self.outbox_row("full@example.org", "failed")
        self.assertEqual(row["last_error"], "552-5.2.2 <full@example.org>: Mailbox full; 552-5.2.2 quota 1 GB; "
                                            "552 5.2.2 Try again after a clean-up")

    def test_a_4xx_is_retried_with_the_servers_words(self):
        self.ticket_with_reply("later@example.org", "Greylist")
        row = self.outbox_row("later@example.org", "pending", attempts=2)
        self.assertEqual(row["last_error"], "451 4.7.1 <later@example.org>: Greylisted, come back in 5 minutes")
        self.assertEqual(self.fd.get("/healthz", scope="read").json()["outbox"]["last_error"], row["last_error"])

    def test_a_sent_row_has_no_last_error(self):
        # The sink refuses one recipient first, so the connection the sender
        # keeps has seen a QUIT before the mail that goes through.
        self.ticket_with_reply("gone@example.org", "First")
        self.outbox_row("gone@example.org", "failed")
        self.ticket_with_reply("ann@example.org", "Second")
        row = self.outbox_row("ann@example.org", "sent")
        self.assertIsNone(row["last_error"])
        self.assertIsNotNone(row["sent_at"])
        self.assertEqual(self.fd.query("SELECT count(*) FROM outbox WHERE status = 'sent' AND last_error IS NOT NULL"),
                         [(0,)])
        self.sink.wait_for("ann@example.org", 1)

    def test_a_row_sent_after_a_failed_try_has_no_last_error(self):
        self.sink.stop()
        self.ticket_with_reply("bob@example.org", "Down")
        row = self.outbox_row("bob@example.org", "pending", attempts=1)
        self.assertIn("connect", row["last_error"].lower())
        self.sink.start()
        row = self.outbox_row("bob@example.org", "sent", timeout=30)
        self.assertIsNone(row["last_error"])


if __name__ == "__main__":
    unittest.main()
