"""The admin API against the real daemon: tokens and scopes, filters and
cursor pagination, ETags, PATCH rules, idempotent creation, replies into the
outbox, and /metrics."""

import base64
import socket
import time
import unittest
import urllib.parse

from harness import Frontdesk

QUEUES = """
[[queue]]
name = "support"
addresses = ["support@example.test"]
agents = ["agent@example.test"]
default = true

[[queue]]
name = "billing"
addresses = ["billing@example.test"]
agents = ["cash@example.test"]
"""


class AdminApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fd = Frontdesk(queues=QUEUES)
        cls.fd.start()

    @classmethod
    def tearDownClass(cls):
        cls.fd.close()

    def create(self, subject, email="c@example.org", key=None, **extra):
        body = {"requester": {"email": email, "name": "C"}, "subject": subject, "message": "body of " + subject}
        body.update(extra)
        headers = {"Idempotency-Key": key} if key else {}
        r = self.fd.post("/api/v1/tickets", body=body, scope="write", headers=headers)
        self.assertIn(r.status, (200, 201), r.body)
        return r.json()

    def test_refused_authentication_is_logged_without_the_secret(self):
        forged = "fdt_AbCdEf123_thisIsTheSecretPart"
        self.assertEqual(self.fd.get("/api/v1/tickets", token=forged).status, 401)
        self.assertEqual(self.fd.get("/api/v1/tickets", admin=True).status, 401)
        self.assertEqual(self.fd.request("POST", "/api/v1/config/reload", scope="write").status, 403)
        deadline = time.time() + 5
        while time.time() < deadline and self.fd.log_text().count("admin authentication failed") < 3:
            time.sleep(0.05)
        log = self.fd.log_text()
        self.assertIn("admin authentication failed from 127.0.0.1: invalid or revoked token (token AbCdEf123, "
                      "GET /api/v1/tickets)", log)
        self.assertIn("admin authentication failed from 127.0.0.1: no bearer token (token -, GET /api/v1/tickets)", log)
        self.assertRegex(log, r"admin authentication failed from 127\.0\.0\.1: scope write below admin "
                              r"\(token [A-Za-z0-9-]+, POST /api/v1/config/reload\)")
        self.assertNotIn("thisIsTheSecretPart", log)

    def test_hostile_json_is_a_400_on_every_endpoint_that_reads_it(self):
        t = self.create("Hostile JSON")
        cases = [
            (b'{"subject": 1e999999}', "a value JSON cannot hold"),
            (b"[" * (1 << 20), "JSON nested deeper than 32 levels"),
            (b'{"subject": ', "malformed JSON at byte"),
        ]
        endpoints = [("POST", "/tickets", None), ("POST", "/api/v1/tickets", "write"),
                     ("PATCH", f"/api/v1/tickets/{t['id']}", "write"),
                     ("POST", f"/api/v1/tickets/{t['id']}/messages", "write")]
        for body, words in cases:
            for method, path, scope in endpoints:
                with self.subTest(path=path, body=body[:20]):
                    r = self.fd.request(method, path, body=body, scope=scope,
                                        headers={"Content-Type": "application/json", "Accept": "application/json"})
                    self.assertEqual(r.status, 400, r.body)
                    self.assertIn(words, r.json()["error"]["message"])

    def list(self, **params):
        r = self.fd.get("/api/v1/tickets?" + urllib.parse.urlencode(params), scope="read")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def patch(self, tid, body, etag=None, scope="write"):
        headers = {"If-Match": etag} if etag else {}
        return self.fd.request("PATCH", f"/api/v1/tickets/{tid}", body=body, scope=scope, headers=headers)

    # -- tokens -----------------------------------------------------------
    def test_tokens_and_scopes(self):
        self.assertEqual(self.fd.get("/api/v1/tickets", admin=True).status, 401)
        self.assertEqual(self.fd.get("/api/v1/tickets", token="fdt_abc_def").status, 401)
        r = self.fd.post("/api/v1/tickets", body={}, scope="read")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"]["code"], "forbidden")
        # A revoked token is refused at once.
        made = self.fd.cli("token", "create", "--name", "temp", "--scope", "read")
        token = made.stdout.strip()
        self.assertEqual(self.fd.get("/api/v1/tickets", token=token).status, 200)
        # The scheme's name is case-insensitive (RFC 9110); the token is not.
        for auth, status in ((f"bearer {token}", 200), (f"BEARER  {token}", 200), (f"Bearer {token.upper()}", 401),
                             (f"Bearer{token}", 401), (f"Basic {token}", 401)):
            with self.subTest(auth=auth[:12]):
                self.assertEqual(self.fd.get("/api/v1/tickets", admin=True,
                                             headers={"Authorization": auth}).status, status)
        self.assertEqual(self.fd.cli("token", "revoke", "temp").returncode, 0)
        # A large body without any credentials is refused before it is sent.
        with socket.create_connection(("127.0.0.1", self.fd.admin_port), timeout=5) as s:
            s.sendall(b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Expect: 100-continue\r\nContent-Length: 5000000\r\n\r\n")
            answer = s.recv(4096)
        self.assertTrue(answer.startswith(b"HTTP/1.1 401 "), answer)
        self.assertEqual(self.fd.get("/api/v1/tickets", token=token).status, 401)
        # Only the hash is stored.
        secret = token.rsplit("_", 1)[1]
        rows = self.fd.query("SELECT count(*) FROM api_tokens WHERE position(convert_to(?, 'UTF8') in secret_sha256) > 0"
                             if self.fd.postgres else
                             "SELECT count(*) FROM api_tokens WHERE instr(secret_sha256, ?) > 0", secret)
        self.assertEqual(rows[0][0], 0)

    # -- create -----------------------------------------------------------
    def test_create_with_idempotency_key(self):
        a = self.create("Idem", key="order-77")
        b = self.create("Idem", key="order-77")
        self.assertEqual(a["id"], b["id"])
        self.assertEqual(a["channel"], "api")
        r = self.fd.post("/api/v1/tickets", scope="write", headers={"Idempotency-Key": "order-77"},
                         body={"requester": {"email": "c@example.org"}, "subject": "Other", "message": "x"})
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["error"]["code"], "conflict")

    def test_create_validates_every_field(self):
        r = self.fd.post("/api/v1/tickets", scope="write",
                         body={"requester": {"email": "x"}, "subject": "", "message": "m",
                               "queue": "nowhere", "priority": "asap", "tags": ["Bad Tag"]})
        self.assertEqual(r.status, 400)
        fields = [d["field"] for d in r.json()["error"]["details"]]
        self.assertEqual(fields, ["email", "subject", "queue", "priority", "tags"])
        r = self.fd.post("/api/v1/tickets", scope="write", body={"requester": {"email": "a@b.c"}, "bogus": 1})
        self.assertEqual(r.json()["error"]["field"], "bogus")

    # -- list -------------------------------------------------------------
    def test_filters_are_exact(self):
        tag = "f" + base64.b32encode(__import__("os").urandom(5)).decode().lower()
        made = []
        for i in range(12):
            t = self.create(f"{tag} filter {i}", email=f"{tag}{i % 3}@example.org",
                            queue="billing" if i % 2 else "support",
                            priority=["low", "normal", "high", "urgent"][i % 4])
            made.append(t)
        ids = {t["id"] for t in made}
        everything = [t for t in self.list(q=tag, limit=100)["tickets"]]
        self.assertEqual({t["id"] for t in everything}, ids)
        billing = {t["id"] for t in self.list(q=tag, queue="billing", limit=100)["tickets"]}
        self.assertEqual(billing, {t["id"] for t in made if t["queue"] == "billing"})
        urgent = {t["id"] for t in self.list(q=tag, priority="urgent", limit=100)["tickets"]}
        self.assertEqual(urgent, {t["id"] for t in made if t["priority"] == "urgent"})
        one = {t["id"] for t in self.list(requester=f"{tag}1@example.org", limit=100)["tickets"]}
        self.assertEqual(one, {t["id"] for t in made if t["requester"]["email"] == f"{tag}1@example.org"})
        # Change one ticket and filter by status and assignee.
        r = self.patch(made[0]["id"], {"status": "pending", "assignee": "agent@example.test"})
        self.assertEqual(r.status, 200, r.body)
        pending = {t["id"] for t in self.list(q=tag, status="pending,on_hold")["tickets"]}
        self.assertEqual(pending, {made[0]["id"]})
        mine = {t["id"] for t in self.list(q=tag, assignee="agent@example.test")["tickets"]}
        self.assertEqual(mine, {made[0]["id"]})
        # Time window: everything was created now.
        self.assertEqual(len(self.list(q=tag, created_after="2000-01-01T00:00:00Z", limit=100)["tickets"]), 12)
        self.assertEqual(len(self.list(q=tag, created_before="2000-01-01T00:00:00Z")["tickets"]), 0)

    def test_bad_list_parameters_are_refused(self):
        for params, field in [({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"),
                              ({"status": "sleeping"}, "status"), ({"sort": "subject"}, "sort"),
                              ({"created_after": "yesterday"}, "created_after"),
                              ({"cursor": "!!"}, "cursor"), ({"colour": "red"}, "colour"),
                              ({"q": "\udcff"}, None)]:
            with self.subTest(params=params):
                r = self.fd.get("/api/v1/tickets?" + urllib.parse.urlencode(params, errors="surrogateescape"),
                                scope="read")
                self.assertEqual(r.status, 400, r.body)
                if field:
                    self.assertEqual(r.json()["error"]["field"], field)

    def test_search_treats_operators_as_text(self):
        t = self.create('quote " star * NEAR( AND OR', email="ops@example.org")
        found = self.list(q='" * NEAR( AND')["tickets"]
        self.assertIn(t["id"], [x["id"] for x in found])

    def test_pagination_misses_nothing_and_repeats_nothing_while_tickets_arrive(self):
        tag = "p" + base64.b32encode(__import__("os").urandom(5)).decode().lower()
        expected = {self.create(f"{tag} page {i}")["id"] for i in range(23)}
        for sort in ("-id", "id", "-created_at", "created_at"):
            with self.subTest(sort=sort):
                seen = []
                cursor = None
                while True:
                    params = {"q": tag, "limit": 5, "sort": sort}
                    if cursor:
                        params["cursor"] = cursor
                    page = self.list(**params)
                    seen += [t["id"] for t in page["tickets"]]
                    # New tickets arrive between pages.
                    new = self.create(f"{tag} late")
                    if sort.startswith("-"):
                        pass  # newer tickets sort before the cursor: not in this walk
                    else:
                        expected.add(new["id"])
                    cursor = page["next_cursor"]
                    if not cursor:
                        break
                late = {t["id"] for t in self.list(q=f"{tag} late", limit=100)["tickets"]}
                if sort.startswith("-"):
                    self.assertEqual(set(seen) - late, expected - late)
                else:
                    self.assertTrue(expected - late <= set(seen))
                self.assertEqual(len(seen), len(set(seen)), "a ticket was repeated")
                order = seen if not sort.startswith("-") else list(reversed(seen))
                self.assertEqual(order, sorted(order))
        # A cursor from one sort order is refused for another.
        page = self.list(q=tag, limit=5, sort="-id")
        r = self.fd.get("/api/v1/tickets?" + urllib.parse.urlencode(
            {"q": tag, "sort": "id", "cursor": page["next_cursor"]}), scope="read")
        self.assertEqual(r.status, 400)

    # -- get / patch --------------------------------------------------------
    def test_etag_and_if_match(self):
        t = self.create("ETag")
        r = self.fd.get(f"/api/v1/tickets/{t['id']}", scope="read")
        etag = r.header("ETag")
        self.assertEqual(etag, f'"{t["version"]}"')
        r = self.patch(t["id"], {"priority": "high"}, etag=etag)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("ETag"), f'"{r.json()["version"]}"')
        self.assertNotEqual(r.header("ETag"), etag)
        self.assertEqual(self.fd.get(f"/api/v1/tickets/{t['id']}", scope="read").header("ETag"), r.header("ETag"))
        # The first ETag is stale now.
        r = self.patch(t["id"], {"priority": "low"}, etag=etag)
        self.assertEqual(r.status, 412)
        self.assertEqual(r.json()["error"]["code"], "precondition_failed")
        self.assertEqual(self.fd.get(f"/api/v1/tickets/{t['id']}", scope="read").json()["priority"], "high")
        self.assertEqual(self.patch(t["id"], {"priority": "low"}, etag="junk").status, 400)

    def test_patch_validates_and_logs_every_change(self):
        t = self.create("Patch me")
        tid = t["id"]
        r = self.patch(tid, {"status": "open", "priority": "urgent", "queue": "billing",
                             "assignee": "Cash@Example.test", "tags": ["vip", "order:77"]})
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertEqual((body["status"], body["priority"], body["queue"], body["assignee"]),
                         ("open", "urgent", "billing", "cash@example.test"))
        self.assertEqual(body["tags"], ["order:77", "vip"])
        events = self.fd.get(f"/api/v1/tickets/{tid}", scope="read").json()["events"]
        kinds = [e["kind"] for e in events]
        self.assertEqual(kinds, ["created", "status_changed", "priority_changed", "queue_changed",
                                 "assignee_changed", "tags_changed"])
        self.assertEqual(events[1]["detail"], {"from": "new", "to": "open"})
        self.assertEqual(events[1]["actor"], "api:test-write")
        for bad, field in [({"status": "new"}, "status"), ({"status": "gone"}, "status"),
                           ({"queue": "nowhere"}, "queue"), ({"assignee": "x"}, "assignee"),
                           # Only an agent is mailed a ticket's internal notes.
                           ({"assignee": "outsider@example.org"}, "assignee"),
                           ({"tags": ["A B"]}, "tags"), ({"subject": "s"}, "subject")]:
            with self.subTest(bad=bad):
                r = self.patch(tid, bad)
                self.assertEqual(r.status, 400, r.body)
                self.assertEqual(r.json()["error"]["field"], field)
        # solved -> closed is legal; closed is final.
        self.assertEqual(self.patch(tid, {"status": "solved"}).status, 200)
        self.assertEqual(self.patch(tid, {"status": "closed"}).status, 200)
        r = self.patch(tid, {"status": "open"})
        self.assertEqual(r.status, 400)
        self.assertIn("cannot go from closed to open", r.json()["error"]["message"])
        self.assertEqual(self.patch(999999, {"status": "open"}).status, 404)
        self.assertEqual(self.fd.get("/api/v1/tickets/abc", scope="read").status, 404)

    def test_reply_goes_to_the_outbox_and_a_note_does_not(self):
        t = self.create("Reply to me", email="wants-answer@example.org")
        tid = t["id"]
        r = self.fd.post(f"/api/v1/tickets/{tid}/messages", scope="write",
                         body={"kind": "note", "body": "internal thought",
                               "author": {"email": "lead@example.test"}})
        self.assertEqual(r.status, 201, r.body)
        # The agents hear of the new ticket and of the note; the customer
        # is acknowledged, and hears nothing of the note.
        self.assertEqual(self.fd.query("SELECT recipient, kind FROM outbox WHERE ticket_id = ? ORDER BY id", tid),
                         [("wants-answer@example.org", "auto_ack"), ("agent@example.test", "new_ticket_alert"),
                          ("agent@example.test", "note_alert")])
        # The note's own author is not told of it.
        r = self.fd.post(f"/api/v1/tickets/{tid}/messages", scope="write",
                         body={"kind": "note", "body": "my own note", "author": {"email": "agent@example.test"}})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.fd.query("SELECT count(*) FROM outbox WHERE ticket_id = ? AND kind = 'note_alert'", tid),
                         [(1,)])
        r = self.fd.post(f"/api/v1/tickets/{tid}/messages", scope="write",
                         body={"kind": "reply", "body": "Here is your answer.",
                               "author": {"email": "agent@example.test", "name": "Agent"}})
        self.assertEqual(r.status, 201, r.body)
        rows = self.fd.query("SELECT recipient, kind, status FROM outbox WHERE ticket_id = ? AND kind = 'reply'", tid)
        self.assertEqual(rows, [("wants-answer@example.org", "reply", "pending")])
        got = self.fd.get(f"/api/v1/tickets/{tid}", scope="read").json()
        self.assertEqual(got["status"], "open")
        self.assertIsNotNone(got["first_response_at"])
        self.assertEqual([m["kind"] for m in got["messages"]], ["customer", "note", "note", "reply"])
        for bad, field in [({"kind": "shout", "body": "x"}, "kind"), ({"kind": "reply", "body": " "}, "body"),
                           ({"kind": "reply", "body": "x", "author": {"email": "bad"}}, "author.email")]:
            r = self.fd.post(f"/api/v1/tickets/{tid}/messages", scope="write", body=bad)
            self.assertEqual(r.status, 400)
            self.assertEqual(r.json()["error"]["field"], field)

    def test_metrics(self):
        self.create("Metrics")
        r = self.fd.get("/metrics", scope="read")
        self.assertEqual(r.status, 200)
        text = r.body.decode()
        self.assertIn('frontdesk_tickets_created_total{channel="api"}', text)
        self.assertIn('frontdesk_tickets{status="new"}', text)
        self.assertIn('frontdesk_http_requests_total{listener="admin",route="/api/v1/tickets",method="POST",code="201"}', text)
        self.assertIn('frontdesk_http_request_duration_seconds_bucket{listener="admin",route="/api/v1/tickets",method="POST",code="201",le="+Inf"}', text)
        self.assertEqual(self.fd.get("/metrics", admin=True).status, 401)

    def test_malformed_json_and_huge_bodies(self):
        r = self.fd.post("/api/v1/tickets", body=b'{"requester":', scope="write",
                         headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertIn("malformed JSON at byte", r.json()["error"]["message"])
        r = self.fd.request("PATCH", "/api/v1/tickets/1001", body=b"\xff\xfe", scope="write",
                            headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)


if __name__ == "__main__":
    unittest.main()
