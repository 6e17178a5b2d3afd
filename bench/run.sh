#!/usr/bin/env bash
# Runs the benchmarks against a Release build and the real daemon, and prints
# the figures recorded in docs/PERFORMANCE.md. Everything runs on loopback in
# a scratch directory on the same disk as the build, and is stopped by PID.
#   bench/run.sh                 all of it (seeds 1,000,000 tickets)
#   TICKETS=100000 bench/run.sh  a smaller list benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${TICKETS:-1000000}
INTAKE_REQUESTS=${INTAKE_REQUESTS:-20000}

cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target frontdesk frontdesk_bench >/dev/null
bin=$PWD/build-release/frontdesk
bench=$PWD/build-release/bench/frontdesk_bench

dir=$(mktemp -d "$PWD/build-release/bench.XXXXXX")
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pub=$(free_port); adm=$(free_port)
cat > "$dir/fd.toml" <<TOML
[server]
data_dir = "$dir/data"
public_listen = "127.0.0.1:$pub"
admin_listen = "127.0.0.1:$adm"
public_threads = 16
[logging]
level = "warn"
[[queue]]
name = "support"
addresses = ["support@example.test"]
agents = ["agent@example.test"]
[[queue]]
name = "billing"
addresses = ["billing@example.test"]
[[sla]]
name = "bench"
first_response = "1h"
resolution = "8h"
[[sla.escalation]]
target = "first_response"
at = "50%"
notify = ["agents"]
[[sla.escalation]]
target = "first_response"
at = "+30m"
raise_priority = true
[escalation]
tick = false
[form]
rate_limit = 1000000
rate_limit_window = "1s"
TOML

rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
start() {
  "$bin" serve --config "$dir/fd.toml" > "$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$pub/healthz" >/dev/null && return; sleep 0.1; done
  echo "daemon did not start"; cat "$dir/serve.log"; exit 1
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "date: $(date -u +%Y-%m-%d)"
"$bin" migrate --config "$dir/fd.toml" >/dev/null
token=$("$bin" token create --name bench --scope read --config "$dir/fd.toml" 2>/dev/null)

echo "== fsync ceiling: raw SQLite, one row per transaction, same disk"
"$bench" raw-fsync --db "$dir/raw.db" --rows 3000

start
sleep 1
echo "== memory: idle RSS after start: $(rss "$pid") MiB"
echo "== web form intake (JSON to POST /tickets, keep-alive)"
for c in 1 8 32; do
  "$bench" intake --port "$pub" --connections "$c" --requests "$INTAKE_REQUESTS"
done
echo "== memory: RSS after intake: $(rss "$pid") MiB"
kill "$pid"; wait "$pid" || true; pid=""

echo "== seeding $TICKETS tickets for the list benchmark"
rm -rf "$dir/data"
"$bench" seed --db "$dir/list.db" --tickets "$TICKETS"
sed -i "s|^data_dir = .*|data_dir = \"$dir\"\ndatabase = \"list.db\"|" "$dir/fd.toml"
token=$("$bin" token create --name bench --scope read --config "$dir/fd.toml" 2>/dev/null)
start
echo "== database: $(du -h "$dir/list.db" | cut -f1)"
echo "== API list, 50 tickets with filters, over $TICKETS tickets"
"$bench" list --port "$adm" --token "$token" --requests 4000
echo "== memory: RSS after the list benchmark: $(rss "$pid") MiB"
kill "$pid"; wait "$pid" || true; pid=""

echo "== escalate: $TICKETS tickets with SLA clocks, 1000 of them due"
now=$(date +%s)
"$bench" sla-seed --db "$dir/list.db" --config "$dir/fd.toml" --due 1000 --now "$now"
ms() { local s=$(date +%s%N); "$@" > "$dir/escalate.out" 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
sync
echo "one run, process start included: $(ms "$bin" escalate --config "$dir/fd.toml") ms ($(tail -1 "$dir/escalate.out"))"
echo "next run, nothing due: $(ms "$bin" escalate --config "$dir/fd.toml") ms ($(tail -1 "$dir/escalate.out"))"
echo "process start alone (check-config): $(ms "$bin" check-config --config "$dir/fd.toml") ms"
echo "== SLA arithmetic"
"$bench" sla-cost --tickets 200000
