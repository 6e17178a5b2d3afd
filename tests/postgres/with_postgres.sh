#!/usr/bin/env bash
# with_postgres.sh COMMAND...: runs COMMAND beside a private PostgreSQL
# cluster and stops the cluster after it, whatever COMMAND does.
#
# The cluster is made with Debian's initdb in a temporary directory, listens
# on a free loopback port with its socket in that directory, and is stopped
# by the PID it wrote. COMMAND finds it in FRONTDESK_TEST_POSTGRES, a URL
# without a database name ("postgres://frontdesk@127.0.0.1:PORT/"); each test
# makes its own database there. As root, the cluster runs as the postgres
# user, since PostgreSQL refuses to run as root.
set -euo pipefail

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [[ -z $bindir || ! -x $bindir/initdb ]]; then
  echo "with_postgres.sh: no PostgreSQL server (apt-get install postgresql-15)" >&2
  exit 1
fi

dir="$(mktemp -d /tmp/frontdesk-pg-XXXXXX)"
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop() {
  local rc=$?
  if [[ -f $dir/data/postmaster.pid ]]; then
    local pid
    pid="$(head -n 1 "$dir/data/postmaster.pid")"
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap stop EXIT
# Stopped from outside (a CI timeout, ^C): the cluster goes too.
trap 'exit 143' TERM
trap 'exit 130' INT

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U frontdesk --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
# Tests make and drop many small databases; durability is the subject of
# the failover tests, which start their own clusters.
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
  "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export FRONTDESK_TEST_POSTGRES="postgres://frontdesk@127.0.0.1:$port/"
echo "with_postgres.sh: PostgreSQL on 127.0.0.1:$port ($dir)"
"$@"
