#!/bin/sh
# frontdesk backup over a seeded database (N tickets, default 1,000,000,
# written as bench/kpi.sh does), beside the physical limit of the same
# disk in the same run: cp of the same file followed by fsync. Prints the
# seconds of each and the database size.
set -eu
N=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-release"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target frontdesk frontdesk_bench >/dev/null
dir=$(mktemp -d "$build/backup-XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/data"
"$build/bench/frontdesk_bench" kpi-seed --db "$dir/data/frontdesk.db" --tickets "$N" 2>/dev/null
printf '[server]\ndata_dir = "%s/data"\n[[queue]]\nname = "s"\naddresses = ["s@example.test"]\n' "$dir" >"$dir/fd.toml"
ls -l "$dir/data/frontdesk.db" | awk '{printf "database_bytes=%s\n", $5}'
# Warm the page cache for both, so each reads the same way.
cat "$dir/data/frontdesk.db" >/dev/null
start=$(date +%s.%N)
cp "$dir/data/frontdesk.db" "$dir/copy.db" && sync "$dir/copy.db"
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "cp_and_fsync_seconds=%.2f\n", b - a }'
rm -f "$dir/copy.db"
start=$(date +%s.%N)
"$build/frontdesk" backup --config "$dir/fd.toml" >/dev/null
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "frontdesk_backup_seconds=%.2f\n", b - a }'
