#!/usr/bin/env python3
"""Large requests and large mail against the real daemon: latency beside
slow uploads, and the memory bursts of large bodies and mails take.

Starts a daemon (FRONTDESK_BIN, as the integration tests do) three times:

1. Form POST latency alone, then beside 64 slow uploads from two
   addresses (each a 1 MB form post sent 70 KB at once, then a byte every
   2 s). The first figure is the limit the second is held against.
2. CLIENTS clients each post a 10 MiB JSON body three times at once: the
   daemon's peak and idle RSS, beside the bytes the clients sent.
3. MAILS mails of 24 MB (a text part and a 17 MiB attachment) through
   mailgate, four at a time: the time to file them, the peak and idle RSS,
   beside the raw bytes.

    FRONTDESK_BIN=build-release/frontdesk /usr/bin/python3 bench/large_bodies.py [--clients 40] [--mails 30]
"""

import argparse
import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))

from harness import FRONTDESK_BIN, Frontdesk  # noqa: E402
from test_slow_clients import SlowUploads, form_post, vm_rss_kib  # noqa: E402

MIB = 1024 * 1024


class RssWatch:
    """The peak RSS of a process, sampled every 50 ms until stopped."""

    def __init__(self, pid):
        self.pid, self.peak, self.stopping = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self):
        while not self.stopping.is_set():
            self.peak = max(self.peak, vm_rss_kib(self.pid))
            time.sleep(0.05)

    def stop(self):
        self.stopping.set()
        self.thread.join()
        return self.peak // 1024


def latency(port, n=40):
    took = sorted(form_post(port)[1] * 1000 for _ in range(n))
    return {"p50": round(took[len(took) // 2], 1), "max": round(took[-1], 1)}


def beside_slow_uploads():
    fd = Frontdesk(extra_config="[form]\nrate_limit = 1000000\n")
    fd.start()
    try:
        form_post(fd.public_port)
        alone = latency(fd.public_port)
        uploads = SlowUploads(fd.public_port)
        time.sleep(1.0)
        beside = latency(fd.public_port)
        start = time.monotonic()
        health = fd.get("/healthz").status
        health_ms = round((time.monotonic() - start) * 1000, 1)
        uploads.close()
        return {"alone_ms": alone, "beside_64_slow_uploads_ms": beside, "healthz": health, "healthz_ms": health_ms}
    finally:
        fd.close()


def big_posts(clients):
    fd = Frontdesk(extra_config="[form]\nrate_limit = 1000000\n")
    fd.start()
    try:
        start_rss = vm_rss_kib(fd.proc.pid) // 1024
        body = json.dumps({"email": "big@example.org", "subject": "big",
                           "message": "x" * (10 * MIB - 200)}).encode()
        statuses = []

        def client():
            for _ in range(3):
                c = http.client.HTTPConnection("127.0.0.1", fd.public_port, timeout=300)
                c.request("POST", "/tickets", body=body, headers={"Content-Type": "application/json"})
                r = c.getresponse()
                r.read()
                c.close()
                statuses.append(r.status)
        watch = RssWatch(fd.proc.pid)
        t0 = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - t0
        peak = watch.stop()
        time.sleep(10)
        return {"posts": len(statuses), "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
                "sent_mib": round(len(statuses) * len(body) / MIB), "seconds": round(took, 1),
                "rss_start_mib": start_rss, "rss_peak_mib": peak, "rss_idle_mib": vm_rss_kib(fd.proc.pid) // 1024}
    finally:
        fd.close()


def big_mails(count):
    fd = Frontdesk()
    fd.start()
    try:
        attachment = base64.encodebytes(os.urandom(17 * MIB)).replace(b"\n", b"\r\n")
        watch = RssWatch(fd.proc.pid)
        sizes = []

        def send(i):
            head = (f"From: big{i}@example.org\r\nTo: support@example.test\r\nSubject: Big {i}\r\n"
                    f"Message-ID: <big{i}@example.org>\r\nMIME-Version: 1.0\r\n"
                    f"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                    f"Text {i} " + "words " * 200000 + "\r\n--b\r\nContent-Type: application/octet-stream; "
                    "name=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode()
            raw = head + attachment + b"\r\n--b--\r\n"
            sizes.append(len(raw))
            r = subprocess.run([FRONTDESK_BIN, "mailgate", "--config", fd.config_path], input=raw,
                               capture_output=True)
            assert r.returncode == 0, r.stderr
        t0 = time.monotonic()
        running = []
        for i in range(count):
            t = threading.Thread(target=send, args=(i,))
            t.start()
            running.append(t)
            if len(running) >= 4:
                running.pop(0).join()
        for t in running:
            t.join()
        while fd.query("SELECT count(*) FROM inbound_spool")[0][0] > 0:
            time.sleep(0.1)
        took = time.monotonic() - t0
        peak = watch.stop()
        time.sleep(10)
        return {"mails": count, "mail_mib": round(sizes[0] / MIB, 1), "raw_mib": round(sum(sizes) / MIB),
                "filed_seconds": round(took, 1), "tickets": fd.query("SELECT count(*) FROM tickets")[0][0],
                "rss_peak_mib": peak, "rss_idle_mib": vm_rss_kib(fd.proc.pid) // 1024}
    finally:
        fd.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=40)
    ap.add_argument("--mails", type=int, default=30)
    args = ap.parse_args()
    out = {"machine": f"nproc {os.cpu_count()}", "host": socket.gethostname(),
           "date": time.strftime("%Y-%m-%d"), "binary": FRONTDESK_BIN}
    out["slow_uploads"] = beside_slow_uploads()
    out["big_posts"] = big_posts(args.clients)
    out["big_mails"] = big_mails(args.mails)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
