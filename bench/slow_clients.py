#!/usr/bin/env python3
"""Form POST latency on the public listener, beside 200 slow clients.

Starts a daemon (FRONTDESK_BIN, as the integration tests do), sends POSTS
form POSTs one after another on fresh connections and reports their p50,
p99 and maximum; then opens SLOW slow clients (a third dripping a byte a
second into half a head, a third idle between keep-alive requests and
reconnecting when closed, a third silent after half a head) and sends the
same POSTs beside them. The first figure is the limit the second is held
against.

    FRONTDESK_BIN=build/frontdesk /usr/bin/python3 bench/slow_clients.py [--posts 200] [--slow 200]
"""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))

from harness import Frontdesk  # noqa: E402
from test_slow_clients import Swarm, form_post  # noqa: E402


def percentile(sorted_values, p):
    i = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[i]


def measure(port, posts):
    took, failed = [], 0
    for _ in range(posts):
        status, seconds = form_post(port)
        failed += status != 200
        took.append(seconds * 1000)
    took.sort()
    return {"p50": percentile(took, 50), "p99": percentile(took, 99), "max": took[-1], "failed": failed}


def machine():
    cpus = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    model = "?"
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    return f"nproc {cpus}, {model}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=200)
    ap.add_argument("--slow", type=int, default=200)
    args = ap.parse_args()
    fd = Frontdesk(extra_config="[form]\nrate_limit = 1000000\n")
    try:
        fd.start()
        form_post(fd.public_port)  # warm up: the first ticket creates the pages' caches
        alone = measure(fd.public_port, args.posts)
        third = args.slow // 3
        swarm = Swarm(fd.public_port, drip=args.slow - 2 * third, idle=third, silent=third).start()
        try:
            time.sleep(2)
            opened = swarm.open_count()
            beside = measure(fd.public_port, args.posts)
            reopened = swarm.reopened
        finally:
            swarm.close()
    finally:
        fd.close()
    print(f"machine: {machine()}")
    print(f"{args.posts} form POSTs, one after another, each on a new connection (ms):")
    print(f"{'':32} {'p50':>8} {'p99':>8} {'max':>8} {'failed':>7}")
    for label, r in ((f"alone", alone), (f"beside {opened} slow clients", beside)):
        print(f"{label:32} {r['p50']:8.1f} {r['p99']:8.1f} {r['max']:8.1f} {r['failed']:7d}")
    print(f"(slow clients reconnected {reopened} times while the POSTs ran)")
    return 0 if alone["failed"] == beside["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
