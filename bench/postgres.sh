#!/usr/bin/env bash
# Frontdesk on PostgreSQL beside its ceilings, in one run on one machine:
#   - pgbench's single-row INSERT loop on the same cluster (what one commit
#     costs there: the physical limit for a ticket a transaction);
#   - the raw SQLite fsync loop and Frontdesk on SQLite, for the comparison;
#   - Frontdesk's web form intake on each engine with 1, 8 and 32 clients;
#   - then, over TICKETS tickets moved to PostgreSQL with migrate-db: the
#     list API, the console's queue page, the escalation sweep with 1,000
#     due, and a year's KPI report.
# The cluster is private (initdb in a scratch directory, a free loopback
# port, fsync and synchronous_commit on, as in production) and stopped by
# PID. As root it runs as the postgres user.
#   bench/postgres.sh                    everything, 1,000,000 tickets
#   TICKETS=100000 bench/postgres.sh     a smaller database
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${TICKETS:-1000000}
INTAKE_REQUESTS=${INTAKE_REQUESTS:-20000}

cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target frontdesk frontdesk_bench >/dev/null
bin=$PWD/build-release/frontdesk
bench=$PWD/build-release/bench/frontdesk_bench
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

dir=$(mktemp -d "$PWD/build-release/pgbench.XXXXXX")
chmod 755 "$dir"
pid=""
as_pg=()
[[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null
  [[ -f "$dir/pg/data/postmaster.pid" ]] && kill -INT "$(head -1 "$dir/pg/data/postmaster.pid")" 2>/dev/null
  sleep 1
  wait 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pgport=$(free_port); pub=$(free_port); adm=$(free_port)
mkdir -p "$dir/pg"
[[ $(id -u) -eq 0 ]] && chown postgres: "$dir/pg"
"${as_pg[@]}" "$pgbin/initdb" -D "$dir/pg/data" -U frontdesk --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $pgport -k $dir/pg -c max_connections=200 -c shared_buffers=1GB" >/dev/null
pg="postgres://frontdesk@127.0.0.1:$pgport"
psql -q "$pg/postgres" -c "CREATE DATABASE fd" -c "CREATE DATABASE ceiling"

config() {  # config FILE DATABASE_TABLE
  cat > "$1" <<TOML
[server]
data_dir = "$dir/data-$(basename "$1" .toml)"
public_listen = "127.0.0.1:$pub"
admin_listen = "127.0.0.1:$adm"
public_threads = 16
$2
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
}
config "$dir/lite.toml" 'database = "fd.db"'
config "$dir/post.toml" "[database]
url = \"$pg/fd\""
# TOML wants [database] after [server]'s keys: move it below them.
python3 - "$dir/post.toml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
block = s[s.index("[database]"):s.index("[logging]")]
s = s.replace(block, "")
open(p, "w").write(s + "\n" + block)
PY

start() {
  "$bin" serve --config "$1" > "$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$pub/healthz" >/dev/null && return; sleep 0.1; done
  echo "daemon did not start"; cat "$dir/serve.log"; exit 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "date: $(date -u +%Y-%m-%d); PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), fsync on, synchronous_commit on"

echo "== ceiling: pgbench, one INSERT per transaction, same cluster, 10 s each"
psql -q "$pg/ceiling" -c "CREATE TABLE t (id bigserial PRIMARY KEY, x int, body text)"
echo "INSERT INTO t (x, body) VALUES (1, repeat('x', 200));" > "$dir/insert.sql"
for c in 1 8 32; do
  tps=$(pgbench -n -h 127.0.0.1 -p "$pgport" -U frontdesk -f "$dir/insert.sql" -c "$c" -j "$c" -T 10 ceiling 2>/dev/null |
        awk '/^tps/ {printf "%.0f", $3}')
  echo "pgbench clients=$c inserts_per_sec=$tps"
done
echo "== ceiling: raw SQLite, one row per transaction, same disk"
"$bench" raw-fsync --db "$dir/raw.db" --rows 3000

for engine in lite post; do
  echo "== web form intake on $([[ $engine == lite ]] && echo SQLite || echo PostgreSQL)"
  "$bin" migrate --config "$dir/$engine.toml" >/dev/null
  start "$dir/$engine.toml"
  for c in 1 8 32; do
    "$bench" intake --port "$pub" --connections "$c" --requests "$INTAKE_REQUESTS"
  done
  stop
done

echo "== $TICKETS tickets: seeded into SQLite, moved with migrate-db"
psql -q "$pg/postgres" -c "CREATE DATABASE big"
"$bench" seed --db "$dir/big.db" --tickets "$TICKETS"
now=$(date +%s)
"$bench" sla-seed --db "$dir/big.db" --config "$dir/lite.toml" --due 1000 --now "$now"
s=$(date +%s%N)
"$bin" migrate-db "$dir/big.db" "$pg/big" > "$dir/migrate-db.out"
echo "migrate-db: $(( ($(date +%s%N) - s) / 1000000 )) ms: $(tail -2 "$dir/migrate-db.out" | head -1)"
psql -q "$pg/big" -c "VACUUM ANALYZE"
sed -i "s|url = \"$pg/fd\"|url = \"$pg/big\"|" "$dir/post.toml"
token=$("$bin" token create --name bench --scope read --config "$dir/post.toml" 2>/dev/null)
start "$dir/post.toml"
echo "== API list on PostgreSQL, 50 tickets with filters, over $TICKETS tickets"
"$bench" list --port "$adm" --token "$token" --requests 4000
stop
echo "== escalate on PostgreSQL: 1000 due among $TICKETS"
# Three ceilings for the sweep, in the same run: a statement's round trip on
# one connection; the one write every sweep must make (each due ticket's
# next due time, every index of tickets kept) as one statement; and all the
# rows a sweep writes, as plain SQL (below).
echo "SELECT 1;" > "$dir/select1.sql"
rtt=$(pgbench -n -h 127.0.0.1 -p "$pgport" -U frontdesk -f "$dir/select1.sql" -c 1 -j 1 -T 5 big 2>/dev/null |
      awk '/^tps/ {printf "%.0f", 1000000 / $3}')
echo "ceiling: one statement round trip, one connection: $rtt us"
psql -q "$pg/big" -c '\timing on' -c "BEGIN" \
  -c "UPDATE tickets SET next_due_at = next_due_at + 1 WHERE id IN (SELECT id FROM tickets WHERE next_due_at IS NOT NULL ORDER BY next_due_at LIMIT 1000)" \
  -c "ROLLBACK" | awk '/^Time/ {t[NR]=$2} END {for (k in t) if (t[k] > m) m = t[k]; printf "ceiling: the 1000 due tickets updated in one statement: %.0f ms\n", m}'
# The third: the rows the sweep must write, one statement per kind, in one
# transaction (bench/sweep_floor.sql). A checkpoint before it and before the sweep, so
# that both pay the first change of each page after one.
psql -q "$pg/big" -c "CHECKPOINT"
psql -q -v now="$(date +%s)" "$pg/big" -f bench/sweep_floor.sql |
  awk '/^Time/ {s += $2} END {printf "ceiling: the same writes as plain SQL, one statement each, in one transaction: %.0f ms\n", s}'
psql -q "$pg/big" -c "CHECKPOINT"
ms() { local s=$(date +%s%N); "$@" > "$dir/escalate.out" 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
# A copy with the same tickets due, for the daemon's own sweep below.
psql -q "$pg/postgres" -c "CREATE DATABASE swept TEMPLATE big"
psql -q "$pg/big" -c "CHECKPOINT"
echo "one run, process start included: $(ms "$bin" escalate --config "$dir/post.toml") ms ($(tail -1 "$dir/escalate.out"))"
echo "next run, nothing due: $(ms "$bin" escalate --config "$dir/post.toml") ms ($(tail -1 "$dir/escalate.out"))"
# The daemon sweeps by itself ([escalation] tick, the default): no process
# to start, its connection and statements ready. Timed through
# POST /api/v1/escalations/run, which runs the same sweep at once.
sed "s|url = \"$pg/big\"|url = \"$pg/swept\"|" "$dir/post.toml" > "$dir/swept.toml"
writer=$("$bin" token create --name sweep --scope write --config "$dir/swept.toml" 2>/dev/null)
start "$dir/swept.toml"
curl -sf -o /dev/null -H "Authorization: Bearer $writer" "http://127.0.0.1:$adm/api/v1/tickets?limit=1"
psql -q "$pg/swept" -c "CHECKPOINT"
s=$(date +%s%N)
answer=$(curl -sf -X POST -H "Authorization: Bearer $writer" "http://127.0.0.1:$adm/api/v1/escalations/run")
echo "the daemon's sweep, over HTTP: $(( ($(date +%s%N) - s) / 1000000 )) ms ($(echo "$answer" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["tickets"], "tickets due,", a["breaches"], "breaches,", a["levels_fired"], "levels fired")'))"
stop
echo "== KPI report on PostgreSQL, a year, from the tables"
from=$(date -u -d @$((now - 365 * 86400)) +%Y-%m-%d)
echo "report --from-tables: $(ms "$bin" report --config "$dir/post.toml" --from "$from" --from-tables --json) ms"
echo "report --fill-cache: $(ms "$bin" report --config "$dir/post.toml" --fill-cache) ms"
echo "report from the cache: $(ms "$bin" report --config "$dir/post.toml" --from "$from" --json) ms"
