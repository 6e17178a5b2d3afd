#!/bin/sh
# The KPI report over a seeded year: N tickets (default 1,000,000) written
# straight into a scratch database, then three reports timed (best of 3):
# the whole year, the year by month, and one month by day.
set -eu
N=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-release"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target frontdesk_bench >/dev/null
dir=$(mktemp -d "$build/kpi-XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$build/bench/frontdesk_bench" kpi-seed --db "$dir/kpi.db" --tickets "$N" 2>/dev/null
"$build/bench/frontdesk_bench" kpi --db "$dir/kpi.db" 2>/dev/null
ls -l "$dir/kpi.db" | awk '{printf "database_bytes=%s\n", $5}'
