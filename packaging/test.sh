#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then builds and tests
# twice, once normally and once under AddressSanitizer and
# UndefinedBehaviorSanitizer (warnings are errors in both builds), packages
# the normal build as a .deb and tests it installed on this machine, and
# fuzzes the mail parser and the HTTP request framing.
#
# Each stage prints its wall time as it ends ("== time: STAGE: 3m07s"), and
# a table of them all closes the log, also when a stage fails, so a CI log
# shows where the time went and which stage grew.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs="$(nproc)"
stage_names=()
stage_secs=()
current=""
current_start=0
suite_start=$SECONDS

mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

print_times() {
  local rc=$? i
  if [[ -n $current ]]; then
    stage_names+=("$current (FAILED)")
    stage_secs+=($((SECONDS - current_start)))
  fi
  echo
  echo "== stage times"
  for i in "${!stage_names[@]}"; do
    printf '   %-44s %8s\n' "${stage_names[$i]}" "$(mmss "${stage_secs[$i]}")"
  done
  printf '   %-44s %8s\n' "total" "$(mmss $((SECONDS - suite_start)))"
  if [[ -n ${ccache_used:-} ]]; then
    echo "== ccache: $(ccache --print-stats 2>/dev/null | awk -F'\t' '$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { h += $2 } $1 == "cache_miss" { m = $2 } END { printf "%d hits, %d misses", h, m }')"
  fi
  exit "$rc"
}
trap print_times EXIT

# stage NAME COMMAND...: runs one stage and records its wall time.
stage() {
  current=$1
  shift
  echo "== $current"
  current_start=$SECONDS
  "$@"
  local took=$((SECONDS - current_start))
  stage_names+=("$current")
  stage_secs+=("$took")
  current=""
  echo "== time: ${stage_names[-1]}: $(mmss "$took")"
}

stage "install dependencies" packaging/install-deps.sh --test

# ccache speeds up a rerun on a machine that keeps its cache (a developer's,
# or CI with a cached ~/.cache/ccache); on a cold cache it only costs a
# little hashing, and the results never depend on it. CMake reads the
# launcher from the environment when it configures a tree, so the
# sanitizer and fuzz trees use it too. CCACHE_DISABLE=1 turns it off.
if command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
  ccache --zero-stats >/dev/null
  ccache_used=yes
fi

# The normal tree is configured for /usr, so that the package can be made
# from it (packaging/deb.sh --from) instead of compiling everything again.
configure_and_build() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -DFRONTDESK_WERROR=ON -DFRONTDESK_TESTS=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
}
run_ctest() { (cd "$1" && ctest --output-on-failure -j"$jobs"); }

stage "build (RelWithDebInfo)" configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFRONTDESK_SANITIZE=OFF -DCMAKE_INSTALL_PREFIX=/usr
stage "test (RelWithDebInfo)" run_ctest build
# The same tests again with PostgreSQL as the engine: the store's unit tests
# and the schema comparison, and every integration test against the real
# daemon configured with [database] url. One private cluster serves the
# stage (tests/postgres/with_postgres.sh); each test makes its own database.
stage "test on PostgreSQL (RelWithDebInfo)" \
  tests/postgres/with_postgres.sh bash -c 'cd build && ctest --output-on-failure -j"$0" -E "^layout$"' "$jobs"

stage "build (ASan + UBSan)" configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DFRONTDESK_SANITIZE=ON
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
stage "test (ASan + UBSan)" run_ctest build-asan
# The PostgreSQL engine's own code under the sanitizers: the unit tests only
# (the integration tests on PostgreSQL ran above, and here prove SQLite).
stage "unit tests on PostgreSQL (ASan + UBSan)" \
  tests/postgres/with_postgres.sh bash -c 'cd build-asan && ctest --output-on-failure -j"$0" -E "^(integration\.|layout$)"' "$jobs"

stage "package (from the normal build)" packaging/deb.sh --from build
stage "package test: install, run, remove, purge" \
  tests/packaging/test_deb.sh build/frontdesk_*_"$(dpkg --print-architecture)".deb

stage "fuzz the mail parser and the HTTP framing (build, then 60 + 20 s)" packaging/fuzz.sh 60
