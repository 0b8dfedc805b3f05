#!/usr/bin/env bash
# Installs the Debian packages (if missing) and builds everything into
# build/ (or $BUILD_DIR). Used by the README's commands, CI and the Dockerfile.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/deploy/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# Two jobs: the machine has two cores and a gRPC translation unit takes ~1 GB.
cmake --build "$build" -j "${JOBS:-2}"
