#!/usr/bin/env bash
# The quick mailgate, one process per message as an MTA runs it, beside this
# machine's process-spawn ceiling measured in the same run
# (bench/mailgate_bench.cpp says what each row is). The config is the one
# the package installs (config/frontdesk.example.toml) with its data
# directory and listeners moved into a scratch directory on the build's
# disk; the daemon it starts is stopped by PID.
#   bench/mailgate.sh [N]        N messages per row (default 1000)
#   BUILD=/tmp/b bench/mailgate.sh   an existing build directory instead
#   FRONTDESK=/old/frontdesk bench/mailgate.sh   another build's executable
#     (with its libfrontdesk.so beside it), to compare two builds
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
BUILD=${BUILD:-build-release}
if [ ! -e "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD" -j2 --target frontdesk mailgate_bench >/dev/null
bin=$(realpath "${FRONTDESK:-$BUILD/frontdesk}")
dir=$(mktemp -d "$(realpath "$BUILD")/mailbench.XXXXXX")
cleanup() {
  if [ -s "$dir/serve.pid" ]; then kill "$(cat "$dir/serve.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pub=$(free_port); adm=$(free_port)
sed -e "s|^data_dir = .*|data_dir = \"$dir/data\"|" \
    -e "s|^public_listen = .*|public_listen = \"127.0.0.1:$pub\"|" \
    -e "s|^admin_listen = .*|admin_listen = \"127.0.0.1:$adm\"|" \
    -e "s|^base_url = .*|base_url = \"http://127.0.0.1:$pub\"|" \
    config/frontdesk.example.toml > "$dir/fd.toml"
chmod 600 "$dir/fd.toml"
mkdir -p "$dir/data"
"$bin" migrate --config "$dir/fd.toml" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
sync
"$BUILD/bench/mailgate_bench" --frontdesk "$bin" --config "$dir/fd.toml" --data-dir "$dir/data" --messages "$N"
