#!/bin/sh
# Builds the Debian package. The build dependencies are those of
# packaging/install-deps.sh.
#
#   packaging/deb.sh             a fresh Release tree without the tests:
#                                build-deb/frontdesk_VERSION_ARCH.deb
#   packaging/deb.sh --from DIR  packages a tree that is already built (the
#                                test suite's normal tree) without compiling
#                                again: DIR/frontdesk_VERSION_ARCH.deb. DIR
#                                must be configured with
#                                -DCMAKE_INSTALL_PREFIX=/usr, where the
#                                command looks for its private library, and
#                                without the sanitizers.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

cached() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }

if [ "${1:-}" = --from ]; then
  [ $# -eq 2 ] || { echo "usage: packaging/deb.sh [--from BUILD_DIR]" >&2; exit 2; }
  build=$(cd "$2" && pwd)
  [ -f "$build/CMakeCache.txt" ] || { echo "deb.sh: $build is not a CMake build tree" >&2; exit 1; }
  if [ "$(cached CMAKE_INSTALL_PREFIX)" != /usr ]; then
    echo "deb.sh: $build is configured for $(cached CMAKE_INSTALL_PREFIX), not /usr;" \
      "reconfigure it with -DCMAKE_INSTALL_PREFIX=/usr, or run packaging/deb.sh without --from" >&2
    exit 1
  fi
  case "$(cached FRONTDESK_SANITIZE)" in
    ON | on | TRUE | true | 1)
      echo "deb.sh: $build is built with the sanitizers; package a normal tree" >&2
      exit 1
      ;;
  esac
else
  build="$root/build-deb"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DFRONTDESK_TESTS=OFF >/dev/null
fi
# cpack builds what is out of date first, then installs the tree into a
# staging root and packs that; an up-to-date tree is not compiled again.
cmake --build "$build" -j"$(nproc)"
rm -f "$build"/frontdesk_*.deb
(cd "$build" && cpack -G DEB)
ls "$build"/frontdesk_*.deb
