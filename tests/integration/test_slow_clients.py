"""Slow, silent and idle clients against the real daemon's public listener.

Each attack here once kept every form POST waiting for as long as it lasted:
clients that send half a head and then a byte a second, idle keep-alive
clients that reconnect when closed, and clients that send half a head and go
silent. With 200 of them open a form POST must still be answered in under a
second. Heads are capped (431), a Content-Length over the cap is refused
before its body (413), a line without end is cut off with the daemon's
memory bounded, and a full queue answers 503 with Retry-After.

Swarm and the helpers are shared with test_nginx_front.py and
bench/slow_clients.py.
"""

import http.client
import select
import socket
import sqlite3
import threading
import time
import unittest

from harness import QUEUES, Frontdesk, urlencoded

FORM = '[form]\nrate_limit = 100000\n'
HALF_HEAD = (b"POST /tickets HTTP/1.1\r\nHost: helpdesk\r\n"
             b"Content-Type: application/x-www-form-urlencoded\r\nX-Slow: ")


def connect(port, source="127.0.0.1", timeout=5):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))


def read_answer(sock, timeout=5):
    """Reads one HTTP answer (head and Content-Length body); b"" when the
    connection closes first."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def send_until_answered(sock, chunks, seconds):
    """Sends chunks while watching for an answer; returns (answer, bytes sent)
    as soon as the server answers or closes, or when time runs out."""
    sock.setblocking(False)
    sent, answer = 0, b""
    deadline = time.monotonic() + seconds
    pending = b""
    while time.monotonic() < deadline:
        if not pending:
            pending = next(chunks, b"")
        readable, writable, _ = select.select([sock], [sock] if pending else [], [], 0.05)
        if readable:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            answer += chunk
            if not chunk or b"\r\n\r\n" in answer:
                break
        if writable and pending:
            try:
                n = sock.send(pending)
            except OSError:
                break
            sent += n
            pending = pending[n:]
    return answer, sent


def form_post(port, source="127.0.0.1", timeout=10, headers=None):
    """One browser-like form POST on a new connection; (status, seconds)."""
    body, ctype = urlencoded({"email": "slow@example.org", "subject": "Beside slow clients",
                              "message": "Still answered."})
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/tickets", body=body, headers=dict({"Content-Type": ctype}, **(headers or {})))
        r = conn.getresponse()
        r.read()
        return r.status, time.monotonic() - start
    finally:
        conn.close()


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class Swarm:
    """Keeps `drip + idle + silent` connections open against a port, as the
    attacks did: half a head then a byte a second; an idle keep-alive
    connection after one request; half a head, then silence. Whatever the
    server closes is opened again, once a second."""

    def __init__(self, port, drip, idle, silent, source="127.0.0.1"):
        self.port, self.source = port, source
        self.kinds = ["drip"] * drip + ["idle"] * idle + ["silent"] * silent
        self.socks = [None] * len(self.kinds)
        self.reopened = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self, kind):
        try:
            s = connect(self.port, self.source)
            if kind == "idle":
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: helpdesk\r\n\r\n")
                read_answer(s)
            else:
                s.sendall(HALF_HEAD)
            s.setblocking(False)
            return s
        except OSError:
            return None

    def start(self):
        for i, kind in enumerate(self.kinds):
            self.socks[i] = self._open(kind)
        self.thread.start()
        return self

    def _alive(self, s):
        try:
            s.recv(4096)  # the end, or an answer the server closes after
            return False
        except BlockingIOError:
            return True
        except OSError:
            return False

    def _run(self):
        while not self.stopping.wait(1.0):
            for i, kind in enumerate(self.kinds):
                s = self.socks[i]
                ok = s is not None and self._alive(s)
                if ok and kind == "drip":
                    try:
                        s.send(b"a")
                    except OSError:
                        ok = False
                if not ok and not self.stopping.is_set():
                    if s is not None:
                        s.close()
                    self.socks[i] = self._open(kind)
                    self.reopened += 1

    def open_count(self):
        return sum(1 for s in self.socks if s is not None and s.fileno() >= 0)

    def close(self):
        self.stopping.set()
        self.thread.join()
        for s in self.socks:
            if s is not None:
                s.close()


class SlowUploads:
    """Large form posts sent a trickle at a time: from each source address,
    `per_address` connections send 70 KB of a 1 MB body at once, then a byte
    each every 2 s, until closed."""

    def __init__(self, port, sources=("127.0.0.2", "127.0.0.3"), per_address=32):
        self.socks = []
        for source in sources:
            for _ in range(per_address):
                s = connect(port, source)
                s.sendall(b"POST /tickets HTTP/1.1\r\nHost: helpdesk\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\n"
                          b"Content-Length: 1000000\r\n\r\nmessage=" + b"x" * 70000)
                self.socks.append(s)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._trickle)
        self.thread.start()

    def _trickle(self):
        while not self.stopping.wait(2.0):
            for s in self.socks:
                try:
                    s.send(b"x")
                except OSError:
                    pass

    def close(self):
        self.stopping.set()
        self.thread.join()
        for s in self.socks:
            s.close()


class SlowClientsTest(unittest.TestCase):
    """The listener as shipped: only keys that existed before it held."""

    @classmethod
    def setUpClass(cls):
        cls.fd = Frontdesk(extra_config=FORM)
        cls.addClassCleanup(cls.fd.close)
        cls.fd.start()

    def test_form_posts_are_answered_beside_200_slow_idle_and_silent_clients(self):
        swarm = Swarm(self.fd.public_port, drip=70, idle=65, silent=65).start()
        self.addCleanup(swarm.close)
        time.sleep(1.5)  # the drips are under way
        for _ in range(6):
            self.assertGreaterEqual(swarm.open_count(), 190)
            status, took = form_post(self.fd.public_port)
            self.assertEqual(status, 200)
            self.assertLess(took, 1.0)
            time.sleep(0.5)

    def test_slow_large_bodies_from_two_addresses_hold_no_worker(self):
        # Two addresses, each at its connection cap, send large form posts
        # a trickle at a time.
        uploads = SlowUploads(self.fd.public_port)
        self.addCleanup(uploads.close)
        time.sleep(1.0)
        for _ in range(4):
            start = time.monotonic()
            self.assertEqual(self.fd.get("/healthz").status, 200)
            self.assertLess(time.monotonic() - start, 1.0)
            status, took = form_post(self.fd.public_port)
            self.assertEqual(status, 200)
            self.assertLess(took, 1.0)
            time.sleep(0.5)
        # None of them was answered or cut off: they are still being read.
        self.assertEqual(select.select(uploads.socks, [], [], 0)[0], [])

    def test_504KB_of_headers_gets_431_at_once(self):
        big = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"p" * 1000) for i in range(504))
        s = connect(self.fd.public_port)
        self.addCleanup(s.close)
        start = time.monotonic()
        answer, _ = send_until_answered(s, iter([b"GET / HTTP/1.1\r\nHost: helpdesk\r\n" + big + b"\r\n"]), 5)
        self.assertRegex(answer, rb"^HTTP/1.1 (431|400) ")
        self.assertLess(time.monotonic() - start, 2.0)

    def test_a_line_without_end_is_cut_off_and_memory_stays_bounded(self):
        before = vm_rss_kib(self.fd.proc.pid)
        results = []

        def endless():
            s = connect(self.fd.public_port)
            chunks = iter(lambda: b"a" * 65536, None)
            start = time.monotonic()
            answer, sent = send_until_answered(s, chunks, 4)
            results.append((answer, sent, time.monotonic() - start))
            s.close()

        threads = [threading.Thread(target=endless) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        grown_mib = (vm_rss_kib(self.fd.proc.pid) - before) / 1024
        for answer, sent, took in results:
            self.assertTrue(answer.startswith(b"HTTP/1.1 431 "), (answer[:80], sent))
            self.assertLess(took, 3.0)
        self.assertLess(grown_mib, 32, f"the daemon grew by {grown_mib:.0f} MiB")

    def test_a_content_length_over_the_cap_gets_413_before_the_body(self):
        s = connect(self.fd.public_port)
        self.addCleanup(s.close)
        start = time.monotonic()
        s.sendall(b"POST /tickets HTTP/1.1\r\nHost: helpdesk\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: 10485761\r\n\r\n")
        answer = read_answer(s)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413 "), answer[:80])
        self.assertLess(time.monotonic() - start, 1.0)


class ListenerLimitsTest(unittest.TestCase):
    """The new limits, set small enough to reach."""

    @classmethod
    def setUpClass(cls):
        # SQLite on any run: the test holds the database's write lock itself.
        cls.fd = Frontdesk(extra_config=FORM, sqlite=True, server_extra=(
            "public_threads = 2\npublic_max_threads = 2\npublic_max_pending = 0\n"
            "max_connections_per_address = 4\nbusy_timeout = \"20s\"\n"))
        cls.addClassCleanup(cls.fd.close)
        cls.fd.start()

    def test_a_full_queue_answers_503_with_retry_after(self):
        # No client can hold a worker by being slow, so the workers are held
        # the way a long write holds them: two form posts wait for the
        # database, locked here.
        lock = sqlite3.connect(self.fd.db_path, isolation_level=None, timeout=10)
        self.addCleanup(lock.close)
        lock.execute("BEGIN IMMEDIATE")
        results = []
        posts = [threading.Thread(target=lambda: results.append(form_post(self.fd.public_port, timeout=30)))
                 for _ in range(2)]
        for t in posts:
            t.start()
            time.sleep(0.3)
        try:
            r = self.fd.get("/healthz")
            self.assertEqual(r.status, 503)
            self.assertEqual(r.header("Retry-After"), "5")
            self.assertEqual(r.json()["error"]["code"], "busy")
        finally:
            lock.execute("ROLLBACK")
            for t in posts:
                t.join()
        self.assertEqual([status for status, _ in results], [200, 200])
        deadline = time.monotonic() + 5
        while self.fd.get("/healthz").status != 200:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)

    def test_one_address_holds_at_most_max_connections_per_address(self):
        held = [connect(self.fd.public_port, "127.0.0.2") for _ in range(4)]
        self.addCleanup(lambda: [s.close() for s in held])
        for s in held:
            s.sendall(HALF_HEAD)
        time.sleep(0.2)
        extra = connect(self.fd.public_port, "127.0.0.2")
        self.addCleanup(extra.close)
        self.assertTrue(read_answer(extra).startswith(b"HTTP/1.1 503 "))
        # Another address, and loopback (where a local proxy connects from), are not held back.
        self.assertEqual(form_post(self.fd.public_port, "127.0.0.3")[0], 200)
        self.assertEqual(self.fd.get("/healthz").status, 200)


class CheckConfigTest(unittest.TestCase):
    def test_bad_listener_limits_are_refused_with_their_place(self):
        fd = Frontdesk()
        self.addCleanup(fd.close)
        fd.write_config('[server]\nheader_timeout = "2m"\nrequest_timeout = "1m"\n'
                        'public_max_connections = 800\nadmin_max_connections = 200\n'
                        'public_max_pending = -1\nbuffered_body_bytes = "32MiB"\n'
                        'max_connections_per_address = 0\nmax_header_bytes = "2MiB"\n'
                        'body_memory_bytes = "8MiB"\n' + QUEUES)
        r = fd.cli("check-config")
        self.assertEqual(r.returncode, 1)
        p = fd.config_path
        self.assertEqual(r.stderr,
                         f"{p}:2:18: server.header_timeout: must be at most request_timeout\n"
                         f"{p}:5:25: server.admin_max_connections: public_max_connections + "
                         "admin_max_connections must be at most 900: cpp-httplib cannot serve a socket "
                         "numbered 1024 or more, and the daemon needs descriptors of its own\n"
                         f"{p}:6:22: server.public_max_pending: must be between 0 and 100000, got -1\n"
                         f"{p}:7:23: server.buffered_body_bytes: must be between 0 and 16777216 bytes, "
                         "got 33554432\n"
                         f"{p}:8:31: server.max_connections_per_address: must be between 1 and 900, got 0\n"
                         f"{p}:9:20: server.max_header_bytes: must be between 1024 and 1048576 bytes, "
                         "got 2097152\n"
                         f"{p}:10:21: server.body_memory_bytes: must be at least max_body_bytes, or the "
                         "largest body could never be read\n")


if __name__ == "__main__":
    unittest.main()
