#!/usr/bin/env bash
# Installs the Debian 12 packages Frontdesk needs to build, run and test.
# Idempotent: packages already installed are skipped, and apt is not touched
# at all when nothing is missing. Later features add names to the lists below.
#
#   packaging/install-deps.sh          build and run dependencies
#   packaging/install-deps.sh --test   also what the test suite needs
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config
  libcpp-httplib-dev libsqlite3-dev libtomlplusplus-dev libspdlog-dev
  libgmime-3.0-dev libcurl4-openssl-dev libsystemd-dev libssl-dev libre2-dev
  libgumbo-dev libhowardhinnant-date-dev nlohmann-json3-dev libcli11-dev libicu-dev libsodium-dev libpq-dev sqlite3 tzdata
  ca-certificates
)
# ccache: packaging/test.sh compiles through it when it is there.
test_pkgs=(
  catch2 curl python3 dovecot-imapd python3-aiosmtpd procps clang
  systemd adduser dpkg-dev nginx-light ccache
  chromium chromium-driver python3-selenium
  postgresql-15 python3-psycopg2
)

want=("${build_pkgs[@]}")
# Catch2 is needed to configure the test target, so a plain build wants it too.
want+=(catch2)
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
