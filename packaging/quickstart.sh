#!/usr/bin/env bash
# Quick start: installs what is missing, builds Frontdesk, creates the data
# directory and database, creates an admin API token (shown once), and runs
# `frontdesk serve` on the example config in the foreground. Ctrl-C stops it.
# Run it as root on Debian 12: it installs packages and uses /var/lib/frontdesk.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

config=config/frontdesk.example.toml
bin=build/frontdesk
"$bin" check-config --config "$config"
"$bin" migrate --config "$config"

if "$bin" token list --json --config "$config" | grep -q '"name": "admin"'; then
  echo "An admin token named 'admin' already exists; its secret was shown when it was made."
  echo "Make another with: $bin token create --name NAME --scope admin --config $config"
else
  echo
  echo "Admin API token (shown only now; keep it):"
  "$bin" token create --name admin --scope admin --config "$config"
  echo
fi
echo "Starting frontdesk. Try: curl http://127.0.0.1:8080/healthz"
exec "$bin" serve --config "$config"
