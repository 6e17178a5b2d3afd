#!/usr/bin/env bash
# Installs the built package on this machine and checks it as an IT person
# would meet it: the files, the user, check-config on the installed config,
# serve as the frontdesk user answering /healthz, the units verified and
# their exposure scores at 2.0 or lower, then remove and purge as
# docs/OPERATIONS.md says. Needs root (or sudo, used for every privileged
# step and every look inside the 0750 state directory); refuses
# to run where frontdesk is already installed.
#
#   tests/packaging/test_deb.sh build-deb/frontdesk_0.1.0_amd64.deb
set -euo pipefail
deb=$(realpath "$1")
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
fail() { echo "test_deb: FAIL: $*" >&2; exit 1; }
ok() { echo "test_deb: ok: $*"; }

if dpkg-query -W -f='${Status}' frontdesk 2>/dev/null | grep -q "install ok installed"; then
  fail "frontdesk is already installed here; run this on a clean machine"
fi
# What an earlier run or a hand test left in /var/lib/frontdesk (a database,
# a serve.lock owned by root) must not decide this run: it is moved aside
# for the test and put back afterwards.
aside=""
if [[ -e /var/lib/frontdesk ]]; then
  aside=$($SUDO mktemp -d /var/lib/frontdesk.before-test.XXXXXX)
  $SUDO mv /var/lib/frontdesk "$aside/frontdesk"
  echo "test_deb: moved the existing /var/lib/frontdesk aside to $aside for the test"
fi
serve_pid=""
cleanup() {
  if [[ -n "$serve_pid" ]]; then $SUDO kill "$serve_pid" 2>/dev/null || true; fi
  if dpkg-query -W -f='${Status}' frontdesk 2>/dev/null | grep -q "installed"; then
    $SUDO dpkg --purge frontdesk >/dev/null 2>&1 || true
  fi
  $SUDO rm -rf /var/lib/frontdesk
  if [[ -n $aside ]]; then $SUDO mv "$aside/frontdesk" /var/lib/frontdesk && $SUDO rmdir "$aside"; fi
}
trap cleanup EXIT

for port in 8080 8081; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then fail "port $port is taken; the installed config listens there"; fi
done

# Debian's runtime libraries: apt resolves what the package depends on.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" >/tmp/test_deb.apt.log 2>&1 \
  || { cat /tmp/test_deb.apt.log; fail "apt install"; }
grep -q "is installed but not started" /tmp/test_deb.apt.log || fail "postinst did not say what to do next"
ok "installed"

for f in /usr/bin/frontdesk /etc/frontdesk/frontdesk.toml /lib/systemd/system/frontdesk.service \
         /lib/systemd/system/frontdesk-escalate.timer /lib/systemd/system/frontdesk-backup.timer \
         /lib/systemd/system/frontdesk-fetch.timer /usr/lib/sysusers.d/frontdesk.conf \
         /usr/lib/tmpfiles.d/frontdesk.conf /usr/share/doc/frontdesk/OPERATIONS.md /usr/share/doc/frontdesk/CONSOLE.md \
         /usr/share/man/man1/frontdesk.1; do
  [[ -e $f ]] || fail "missing $f"
done
grep -qx /etc/frontdesk/frontdesk.toml /var/lib/dpkg/info/frontdesk.conffiles || fail "the config is not a conffile"
getent passwd frontdesk >/dev/null || fail "no frontdesk user"
[[ $(stat -c %U:%a /var/lib/frontdesk) == frontdesk:750 ]] || fail "/var/lib/frontdesk is $(stat -c %U:%a /var/lib/frontdesk)"
[[ $(stat -c %G:%a /etc/frontdesk/frontdesk.toml) == frontdesk:640 ]] || fail "config mode $(stat -c %G:%a /etc/frontdesk/frontdesk.toml)"
if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  ! systemctl is-active --quiet frontdesk || fail "the package started the daemon"
fi
ok "files, conffile, user, modes; the daemon is not started"

as_frontdesk() { $SUDO setpriv --reuid=frontdesk --regid=frontdesk --init-groups "$@"; }
as_frontdesk /usr/bin/frontdesk check-config --config /etc/frontdesk/frontdesk.toml || fail "check-config"
ok "check-config passes on the installed config"

# Not through the function: $! must be serve itself (setpriv execs it).
$SUDO setpriv --reuid=frontdesk --regid=frontdesk --init-groups \
  /usr/bin/frontdesk serve --config /etc/frontdesk/frontdesk.toml >/tmp/test_deb.serve.log 2>&1 &
serve_pid=$!
healthy=no
for _ in $(seq 1 100); do
  if curl -fsS http://127.0.0.1:8080/healthz 2>/dev/null | grep -q '"ok"'; then healthy=yes; break; fi
  sleep 0.1
done
[[ $healthy == yes ]] || { cat /tmp/test_deb.serve.log; fail "serve did not answer /healthz"; }
[[ $($SUDO stat -c %U /var/lib/frontdesk/frontdesk.db) == frontdesk ]] || fail "the database is not the frontdesk user's"
curl -fsS -H 'Content-Type: application/json' -d '{"email":"deb@example.org","subject":"From the package","message":"m","fields":{"topic":"Orders"}}' \
  http://127.0.0.1:8080/tickets | grep -q '"id"' || fail "a ticket through the installed daemon"
# The postinst's token step, exactly as it prints it: run as the frontdesk
# user, it leaves nothing in the state directory owned by root, and the
# token it prints opens the admin API.
# (apt's log ends its lines with \r\n.)
token_cmd=$(tr -d '\r' </tmp/test_deb.apt.log | sed -n 's/^ *\(runuser -u frontdesk -- frontdesk token create .*\)$/\1/p')
[[ -n $token_cmd ]] || fail "postinst did not say how to make an admin token as the frontdesk user"
# shellcheck disable=SC2086 # the printed command line, split into words as a shell would
token=$($SUDO $token_cmd) || fail "the postinst's token step: $token_cmd"
curl -fsS -H "Authorization: Bearer $token" http://127.0.0.1:8081/healthz >/dev/null || fail "the postinst's token opens no admin API"
[[ -z $($SUDO find /var/lib/frontdesk ! -user frontdesk) ]] || fail "the token step left files not owned by frontdesk"
as_frontdesk /usr/bin/frontdesk backup --config /etc/frontdesk/frontdesk.toml | grep -q "integrity ok" || fail "backup"
$SUDO kill -TERM "$serve_pid"
wait "$serve_pid" || fail "serve did not stop cleanly"
serve_pid=""
ok "serve as frontdesk answers /healthz, files a ticket, takes the postinst's token, backs up, stops on SIGTERM"

for unit in /lib/systemd/system/frontdesk*.service /lib/systemd/system/frontdesk*.timer; do
  out=$(systemd-analyze verify "$unit" 2>&1) || { echo "$out"; fail "systemd-analyze verify $unit"; }
  [[ -z $out ]] || { echo "$out"; fail "systemd-analyze verify $unit has warnings"; }
done
for unit in /lib/systemd/system/frontdesk*.service; do
  score=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*exposure level for .*: \([0-9.]*\).*/\1/p')
  [[ -n $score ]] || fail "no security score for $unit"
  awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "$unit exposure $score is over 2.0"
  echo "test_deb: $(basename "$unit") exposure $score"
  # Resource ceilings, so that a runaway cannot starve the box.
  for key in MemoryMax TasksMax LimitNOFILE; do
    grep -q "^$key=" "$unit" || fail "$unit has no $key="
  done
done
for unit in frontdesk-escalate frontdesk-backup; do
  grep -qx "PrivateNetwork=yes" "/lib/systemd/system/$unit.service" || fail "$unit.service can reach the network"
done
ok "every unit verifies; every service scores 2.0 or lower and has its resource ceilings"

$SUDO dpkg -r frontdesk >/dev/null
[[ ! -e /usr/bin/frontdesk ]] || fail "remove left the binary"
[[ -e /etc/frontdesk/frontdesk.toml ]] || fail "remove took the config"
getent passwd frontdesk >/dev/null || fail "remove took the user"
$SUDO test -e /var/lib/frontdesk/frontdesk.db || fail "remove took the data"
ok "remove keeps the config, the user and the data"

$SUDO dpkg --purge frontdesk >/tmp/test_deb.purge.log 2>&1
[[ ! -e /etc/frontdesk ]] || fail "purge left /etc/frontdesk"
! getent passwd frontdesk >/dev/null || fail "purge left the user"
$SUDO test -e /var/lib/frontdesk/frontdesk.db || fail "purge took the data"
$SUDO sh -c 'ls /var/lib/frontdesk/backups/frontdesk-*.db' >/dev/null || fail "purge took the backups"
grep -q "was kept" /tmp/test_deb.purge.log || fail "purge did not say the data was kept"
ok "purge removes the config and the user, keeps the data and says so"
echo "test_deb: all passed"
