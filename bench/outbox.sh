#!/usr/bin/env bash
# Outbox throughput: N replies (default 1000) queued in the outbox, then
# delivered by one `frontdesk send` to a local SMTP sink (aiosmtpd, as in
# the tests). Beside it, in the same run, the sink's own ceiling: Python's
# smtplib sending N messages of the same size over one connection.
#   bench/outbox.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target frontdesk frontdesk_app >/dev/null
FRONTDESK_BIN=$PWD/build-release/frontdesk /usr/bin/python3 - "$N" <<'PY'
import smtplib, sqlite3, sys, time
sys.path.insert(0, "tests/integration")
import harness, smtp_sink
n = int(sys.argv[1])
sink = smtp_sink.SmtpServer()
sink.start()
fd = None
try:
    fd = harness.Frontdesk(extra_config=f'[smtp]\nurl = "smtp://127.0.0.1:{sink.port}"\ntls = "none"\n')
    assert fd.cli("migrate").returncode == 0
    body = ("Thank you for your message. We have looked into your order and it will ship tomorrow. " * 20)[:1500]
    db = sqlite3.connect(fd.db_path)
    now = int(time.time())
    for i in range(n):
        cur = db.execute(
            "INSERT INTO tickets(subject, status, priority, queue, requester_email, requester_name, channel, "
            "created_at, updated_at) VALUES (?, 'open', 'normal', 'support', ?, 'Customer', 'email', ?, ?)",
            (f"Order {i}", f"c{i}@example.org", now, now))
        db.execute(
            "INSERT INTO outbox(dedupe_key, ticket_id, kind, automatic, recipient, message_id, subject, body, "
            "next_attempt_at, created_at) VALUES (?, ?, 'reply', 0, ?, ?, ?, ?, ?, ?)",
            (f"bench:{i}", cur.lastrowid, f"c{i}@example.org", f"fd.{cur.lastrowid}.bench{i}.x",
             f"Order {i}", body.encode(), now, now))
    db.commit()
    db.close()
    start = time.perf_counter()
    r = fd.cli("send", timeout=600)
    secs = time.perf_counter() - start
    assert r.returncode == 0, r.stdout + r.stderr
    got = len(sink.messages())
    print(f"outbox messages={n} seconds={secs:.2f} messages_per_sec={n / secs:.0f} received={got}")
    # The sink's ceiling: the same number of messages of the same size, one connection.
    raw = sink.messages()[0].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as s:
        for i in range(n):
            s.sendmail("support@example.test", [f"c{i}@example.org"], raw)
    secs = time.perf_counter() - start
    print(f"smtplib_ceiling messages={n} seconds={secs:.2f} messages_per_sec={n / secs:.0f}")
finally:
    if fd:
        fd.close()
    sink.close()
PY
