#!/bin/sh
# The console's pages over a seeded year: N tickets (default 1,000,000), of
# which 100,000 stay open with a resolution clock running, written straight
# into a scratch database (the KPI bench's seed), then `frontdesk serve` on
# it and bench/console_client.py timing each page over loopback.
# SEEDED=DIR keeps the seeded database in DIR and reuses it the next time.
# POSTGRES=postgres://user@host:port/ moves the seeded file into a new
# database there with `frontdesk migrate-db` and serves the pages from it.
set -eu
N=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-release"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target frontdesk frontdesk_bench >/dev/null
dir=$(mktemp -d "$build/console-XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
mkdir -p "$dir/data"
db="$dir/data/frontdesk.db"
if [ -n "${SEEDED:-}" ] && [ -f "$SEEDED/frontdesk.db" ]; then
  cp "$SEEDED/frontdesk.db" "$db"
else
"$build/bench/frontdesk_bench" kpi-seed --db "$db" --tickets "$N" >/dev/null 2>&1
# 100,000 of them open (one in ten), each with its resolution clock due
# within three days of when it came in, so the views sort real due times.
sqlite3 "$db" <<SQL
UPDATE tickets SET status = 'closed' WHERE status = 'open' AND id % 10 != 1;
UPDATE tickets SET status = 'open', solved_at = NULL WHERE id % 10 = 1;
INSERT OR REPLACE INTO sla_targets(ticket_id, target, cycle, started_at, due_at)
  SELECT id, 'resolution', 0, created_at, created_at + 3 * 86400 FROM tickets WHERE status = 'open';
SELECT 'open=' || count(*) FROM tickets WHERE status = 'open';
SQL
  if [ -n "${SEEDED:-}" ]; then mkdir -p "$SEEDED" && cp "$db" "$SEEDED/frontdesk.db"; fi
fi
sqlite3 "$db" "SELECT id FROM tickets WHERE status = 'open' ORDER BY random() LIMIT 2000" > "$dir/ids"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pub=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/fd.toml" <<TOML
[server]
data_dir = "$dir/data"
public_listen = "127.0.0.1:$pub"
admin_listen = "127.0.0.1:$port"
[logging]
level = "warn"
[[queue]]
name = "support"
addresses = ["support@example.test"]
agents = ["agent0@example.test", "agent1@example.test", "agent2@example.test", "agent3@example.test", "agent4@example.test"]
default = true
[[queue]]
name = "billing"
addresses = ["billing@example.test"]
[[sla]]
name = "standard"
first_response = "4h"
resolution = "3d"
[escalation]
tick = false
TOML
export FRONTDESK_FAKE_NOW=2026-12-31T12:00:00Z
"$build/frontdesk" --config "$dir/fd.toml" migrate >/dev/null 2>&1
if [ -n "${POSTGRES:-}" ]; then
  name="console_$$"
  psql -q "${POSTGRES}postgres" -c "CREATE DATABASE $name"
  start=$(date +%s%N)
  "$build/frontdesk" migrate-db "$db" "$POSTGRES$name" | tail -1
  echo "migrate_db_ms=$(( ($(date +%s%N) - start) / 1000000 ))"
  psql -q "$POSTGRES$name" -c "VACUUM ANALYZE"
  printf '[database]\nurl = "%s"\n' "$POSTGRES$name" >> "$dir/fd.toml"
  trap 'cleanup; psql -q "${POSTGRES}postgres" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"' EXIT
fi
"$build/frontdesk" --config "$dir/fd.toml" report --fill-cache >/dev/null 2>&1
printf 'bench password 1\n' | "$build/frontdesk" --config "$dir/fd.toml" agent password agent1@example.test >/dev/null 2>&1
"$build/frontdesk" --config "$dir/fd.toml" serve >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$pub/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
/usr/bin/python3 "$root/bench/console_client.py" "$port" agent1@example.test 'bench password 1' "$dir/ids"
ps -o rss= -p "$pid" | awk '{printf "serve_rss_kib=%s\n", $1}'
