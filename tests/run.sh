#!/usr/bin/env bash
# Builds everything and runs every test (ctest), on a fresh Debian 12 machine
# as root: installs what it needs first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/deploy/build.sh"
cd "$build"
ctest --output-on-failure -j "${JOBS:-2}" --timeout 600
