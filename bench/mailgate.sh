#!/usr/bin/env bash
# mailgate throughput, one process per message as an MTA runs it: N messages
# of about 8 KB with a small attachment, delivered by P parallel "MTA
# workers". Prints messages/s. Uses the Release build of bench/run.sh.
#   bench/mailgate.sh [N] [P]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
P=${2:-4}
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target frontdesk >/dev/null
bin=$PWD/build-release/frontdesk
dir=$(mktemp -d "$PWD/build-release/mailbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cat > "$dir/fd.toml" <<TOML
[server]
data_dir = "$dir/data"
[logging]
level = "warn"
[[queue]]
name = "support"
addresses = ["support@example.test"]
TOML
"$bin" migrate --config "$dir/fd.toml" >/dev/null
mkdir -p "$dir/msgs"
/usr/bin/python3 - "$dir/msgs" "$N" <<'PY'
import base64, os, sys
out, n = sys.argv[1], int(sys.argv[2])
att = base64.encodebytes(os.urandom(2048)).decode().replace("\n", "\r\n")
text = ("Hello, my order has not arrived yet and I would like to know where it is. " * 70)[:5000]
for i in range(n):
    m = (f"From: Customer {i} <c{i % 500}@example.org>\r\nTo: support@example.test\r\n"
         f"Subject: Order {i} has not arrived\r\nMessage-ID: <bench-{i}@example.org>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
         f"{text}\r\n--b\r\nContent-Type: application/octet-stream; name=\"receipt.bin\"\r\n"
         "Content-Disposition: attachment; filename=\"receipt.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         f"{att}--b--\r\n")
    open(os.path.join(out, f"{i:06d}.eml"), "w").write(m)
PY
size=$(du -b "$dir/msgs/000000.eml" | cut -f1)
sync
start=$(date +%s%N)
ls "$dir/msgs" | xargs -P "$P" -I{} sh -c "'$bin' mailgate --config '$dir/fd.toml' < '$dir/msgs/{}' > /dev/null || echo FAIL {}" > "$dir/fails"
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
tickets=$(sqlite3 "$dir/data/frontdesk.db" "SELECT count(*) FROM tickets")
echo "mailgate messages=$N size_bytes=$size workers=$P seconds=$(awk "BEGIN {print $ms/1000}") messages_per_sec=$(awk "BEGIN {printf \"%.0f\", $N*1000/$ms}") tickets=$tickets failures=$(wc -l < "$dir/fails")"
