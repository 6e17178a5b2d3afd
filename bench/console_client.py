#!/usr/bin/env python3
"""Times the console's pages over loopback against a running daemon, as one
agent with a keep-alive connection, and prints one line per page: how many
requests, p50, p99 and the largest, and the page's bytes with its
stylesheet and script. The same run times a request that does no work (the
stylesheet, served from memory) as the floor of HTTP on this machine.

    console_client.py PORT AGENT PASSWORD TICKET_IDS_FILE"""

import http.client
import random
import re
import sys
import time
import urllib.parse

port, agent, password, ids_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ticket_ids = [int(line) for line in open(ids_file) if line.strip()]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)


def request(method, path, body=None, cookie=None):
    headers = {"Host": f"127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        body = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    start = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, dict(r.getheaders()), data, time.perf_counter() - start


status, headers, _, _ = request("POST", "/login", {"email": agent, "password": password, "next": "/"})
assert status == 303, status
cookie = headers["Set-Cookie"].split(";")[0]
assets = sum(len(request("GET", p)[2]) for p in ("/static/console.css", "/static/console.js"))


def timed(name, paths, n):
    times, size = [], 0
    for i in range(n):
        status, _, body, took = request("GET", paths(i), cookie=cookie)
        assert status == 200, (paths(i), status, body[:300])
        times.append(took)
        size = max(size, len(body))
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(len(times) * q))] * 1000
    print(f"console {name} requests={n} p50_ms={p(0.5):.2f} p99_ms={p(0.99):.2f} max_ms={times[-1] * 1000:.2f} "
          f"page_bytes={size} with_assets={size + assets}")


random.seed(7)
timed("floor_static_css", lambda i: "/static/console.css", 500)
timed("queue_all_open", lambda i: "/?view=open", 500)
timed("queue_mine", lambda i: "/?view=mine", 500)
timed("queue_support", lambda i: "/?view=queue:support", 500)
timed("queue_due_2h", lambda i: "/?view=due", 500)
# Deep pages: the cursor of page 1 onward, found by following "Next page".
status, _, body, _ = request("GET", "/?view=open", cookie=cookie)
after = re.search(rb'after=([0-9.]+)', body).group(1).decode()
timed("queue_all_open_page_2", lambda i: "/?view=open&after=" + after, 500)
timed("ticket", lambda i: f"/tickets/{random.choice(ticket_ids)}", 500)
timed("search_subject", lambda i: "/?view=open&q=Seeded", 20)
timed("dashboard_30_days", lambda i: "/dashboard", 20)
timed("dashboard_year_by_month", lambda i: "/dashboard?from=2026-01-01&to=2027-01-01&group_by=month", 10)
