#!/usr/bin/env bash
# IMAP import throughput: N messages (default 1000) of about 8 KB with a
# small attachment, APPENDed to a private Dovecot, then imported by one
# `frontdesk fetch` (batch = N) and moved. Prints seconds and messages/s.
# Uses the Release build and the test suite's Dovecot harness.
#   bench/imap.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target frontdesk frontdesk_app >/dev/null
FRONTDESK_BIN=$PWD/build-release/frontdesk /usr/bin/python3 - "$N" <<'PY'
import base64, os, sys, time
sys.path.insert(0, "tests/integration")
import dovecot, harness
n = int(sys.argv[1])
server = dovecot.Dovecot()
server.start()
fd = None
try:
    att = base64.encodebytes(os.urandom(2048)).decode()
    text = ("Hello, my order has not arrived yet and I would like to know where it is. " * 70)[:5000]
    with server.connect() as c:
        for i in range(n):
            server.append(f"From: Customer {i} <c{i % 500}@example.org>\nTo: support@example.test\n"
                          f"Subject: Order {i}\nMessage-ID: <imap-bench-{i}@example.org>\nMIME-Version: 1.0\n"
                          "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n"
                          f"{text}\n--b\nContent-Type: application/octet-stream\n"
                          "Content-Disposition: attachment; filename=\"receipt.bin\"\n"
                          f"Content-Transfer-Encoding: base64\n\n{att}--b--\n", client=c)
    fd = harness.Frontdesk(extra_config=f"""
[[mailbox]]
name = "bench"
host = "127.0.0.1"
port = {server.port}
tls = "none"
user = "support"
password = "s3cret"
after = "move:Done"
batch = {n}
""")
    assert fd.cli("migrate").returncode == 0
    os.sync()
    start = time.perf_counter()
    r = fd.cli("fetch", timeout=600)
    secs = time.perf_counter() - start
    assert r.returncode == 0, r.stderr
    tickets = fd.query("SELECT count(*) FROM tickets")[0][0]
    left = len(server.uids())
    print(f"imap messages={n} seconds={secs:.2f} messages_per_sec={n / secs:.0f} tickets={tickets} left_on_server={left}")
finally:
    if fd:
        fd.close()
    server.close()
PY
