#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then builds and tests
# twice, once normally and once under AddressSanitizer and
# UndefinedBehaviorSanitizer (warnings are errors in both builds), builds
# the Debian package and tests it installed on this machine, and fuzzes the
# mail parser.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/install-deps.sh --test
jobs="$(nproc)"

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRONTDESK_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build and test (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFRONTDESK_SANITIZE=ON -DFRONTDESK_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd build-asan && ctest --output-on-failure -j"$jobs")

echo "== the Debian package: build, install, run, remove, purge"
packaging/deb.sh
tests/packaging/test_deb.sh build-deb/frontdesk_*_"$(dpkg --print-architecture)".deb

echo "== fuzz the mail parser (60 s)"
packaging/fuzz.sh 60
