#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs them: the mail parser
# for SECONDS, and the HTTP request framing for a third of that.
#   packaging/fuzz.sh [SECONDS]   default 60; the test suite runs 60
# The seed corpora are tests/data/mail and tests/data/http; new inputs go
# to build-fuzz/corpus and build-fuzz/corpus-http, which persist between
# runs, so a longer run picks up where the last stopped. A crash leaves its
# input as build-fuzz/crash-*; replay it with the target that found it:
#   build-fuzz/parse_mail_fuzzer build-fuzz/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
cmake -S tests/fuzz -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"
mkdir -p build-fuzz/corpus build-fuzz/corpus-http
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd build-fuzz
# One second per input: every parse step is linear, so an input that takes
# longer is a bug of the kind that once let one mail stall intake.
./parse_mail_fuzzer -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=262144 -timeout=1 \
  -print_final_stats=1 corpus ../tests/data/mail 2>&1 | tail -n 25
# The request framing is small and fast; a third of the time covers it.
./http_request_fuzzer -max_total_time="$(( (seconds + 2) / 3 ))" -rss_limit_mb=2048 -max_len=65536 -timeout=1 \
  -print_final_stats=1 corpus-http ../tests/data/http 2>&1 | tail -n 12
