#!/bin/sh
# Builds the Debian package from this tree: build-deb/frontdesk_VERSION_ARCH.deb.
# The build dependencies are those of packaging/install-deps.sh.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-deb"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DFRONTDESK_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"
(cd "$build" && cpack -G DEB)
ls "$build"/frontdesk_*.deb
