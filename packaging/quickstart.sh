#!/usr/bin/env bash
# Quick start: installs what is missing, builds Frontdesk, creates the data
# directory and database, creates an admin API token (shown once, as a line
# to paste into another shell), and runs `frontdesk serve` on the example
# config in the foreground. Ctrl-C stops it.
# Run it as root on Debian 12: it installs packages and uses /var/lib/frontdesk.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh
# Only what `serve` needs: no unit tests, no benchmarks (packaging/test.sh
# builds those). Its own tree, so that a test tree's settings never mix in.
cmake -S . -B build-quickstart -DCMAKE_BUILD_TYPE=Release -DFRONTDESK_TESTS=OFF >/dev/null
cmake --build build-quickstart -j"$(nproc)" --target frontdesk

# Absolute, so that the lines printed below work from any directory.
config=$PWD/config/frontdesk.example.toml
bin=$PWD/build-quickstart/frontdesk
"$bin" check-config --config "$config"
"$bin" migrate --config "$config"

echo
# token create prints the secret alone on stdout (its notice goes to
# stderr), so it can be captured and printed as a line of shell.
if token=$("$bin" token create --name admin --scope admin --config "$config"); then
  echo "Admin API token (shown only now). In the shell you use the API from, run:"
  echo
  echo "  export TOKEN=$token"
else
  echo "No new admin token was made (above: why). For a new one, in the shell you use the API from, run:"
  echo
  echo "  export TOKEN=\$($bin token create --name NAME --scope admin --config $config)"
fi
echo
echo "Starting frontdesk. Try: curl http://127.0.0.1:8080/healthz"
exec "$bin" serve --config "$config"
