#!/usr/bin/env bash
# mailgate throughput, one process per message as an MTA runs it: N messages
# of about 8 KB with a small attachment, delivered by P parallel "MTA
# workers". Prints messages/s. Uses the Release build of bench/run.sh.
#   bench/mailgate.sh [N] [P]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
P=${2:-4}
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target frontdesk frontdesk_app >/dev/null
bin=$PWD/build-release/frontdesk
dir=$(mktemp -d "$PWD/build-release/mailbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cat > "$dir/fd.toml" <<TOML
[server]
data_dir = "$dir/data"
[logging]
level = "warn"
[[queue]]
name = "support"
addresses = ["support@example.test"]
TOML
"$bin" migrate --config "$dir/fd.toml" >/dev/null
mkdir -p "$dir/msgs"
/usr/bin/python3 - "$dir/msgs" "$N" <<'PY'
import base64, os, sys
out, n = sys.argv[1], int(sys.argv[2])
att = base64.encodebytes(os.urandom(2048)).decode().replace("\n", "\r\n")
text = ("Hello, my order has not arrived yet and I would like to know where it is. " * 70)[:5000]
for i in range(n):
    m = (f"From: Customer {i} <c{i % 500}@example.org>\r\nTo: support@example.test\r\n"
         f"Subject: Order {i} has not arrived\r\nMessage-ID: <bench-{i}@example.org>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
         f"{text}\r\n--b\r\nContent-Type: application/octet-stream; name=\"receipt.bin\"\r\n"
         "Content-Disposition: attachment; filename=\"receipt.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         f"{att}--b--\r\n")
    open(os.path.join(out, f"{i:06d}.eml"), "w").write(m)
PY
size=$(du -b "$dir/msgs/000000.eml" | cut -f1)
# N processes, P at a time, each fork+exec'd with its message on stdin, as
# Postfix's pipe(8) runs a command (bench/spawn.c; no shell in between).
cc -O2 -o "$dir/spawn" bench/spawn.c
drive() { "$dir/spawn" "$P" "$dir/msgs" -- "$@"; }
tickets() { sqlite3 "$dir/data/frontdesk.db" "SELECT count(*) FROM tickets"; }

if [ "${SKIP_DIRECT:-0}" = 0 ]; then
# 1. Without a daemon: each process parses, threads, routes and commits.
sync
read -r secs fails < <(drive "$bin" mailgate --config "$dir/fd.toml")
echo "mailgate mode=direct messages=$N size_bytes=$size workers=$P seconds=$secs messages_per_sec=$(awk "BEGIN {printf \"%.0f\", $N/$secs}") tickets=$(tickets) failures=$fails"

fi
# 2. With `frontdesk serve` running: each process spools (exit 0 after the
# commit) and the daemon files the mail.
rm -rf "$dir/data"
"$bin" migrate --config "$dir/fd.toml" >/dev/null
port1=$((20000 + RANDOM % 20000)); port2=$((port1 + 1))
cat >> "$dir/fd.toml" <<TOML
TOML
sed -i "s|^\[server\]|[server]\npublic_listen = \"127.0.0.1:$port1\"\nadmin_listen = \"127.0.0.1:$port2\"|" "$dir/fd.toml"
"$bin" serve --config "$dir/fd.toml" > "$dir/serve.log" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ -e "$dir/data/serve.lock" ] && curl -sf "http://127.0.0.1:$port1/healthz" >/dev/null && break; sleep 0.1; done
sync
# The ceiling of this machine in the same run: the same spawning of a
# process that does nothing.
read -r true_secs _ < <(drive /bin/true)
echo "spawn /bin/true processes=$N workers=$P seconds=$true_secs per_sec=$(awk "BEGIN {printf \"%.0f\", $N/$true_secs}")"
start=$(date +%s%N)
read -r secs fails < <(drive "$bin" mailgate --config "$dir/fd.toml")
while [ "$(tickets)" -lt "$N" ]; do sleep 0.05; done
end=$(date +%s%N)
filed=$(awk "BEGIN {print ($end-$start)/1e9}")
echo "mailgate mode=spool messages=$N size_bytes=$size workers=$P seconds=$secs messages_per_sec=$(awk "BEGIN {printf \"%.0f\", $N/$secs}") all_filed_seconds=$filed tickets=$(tickets) failures=$fails"
kill $serve_pid; wait $serve_pid 2>/dev/null || true
