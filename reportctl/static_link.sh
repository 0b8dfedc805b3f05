#!/usr/bin/env bash
# Link launcher of `reportctl` (RULE_LAUNCH_LINK, reportctl/CMakeLists.txt):
# runs the link command CMake gives it with abseil's and protobuf's shared
# libraries replaced by Debian's static archives of them, beside them in the
# same folder, grouped so that their order does not matter.
#
# Why: reportctl is started once per command, and Debian builds abseil's 30
# shared libraries with BIND_NOW, so every start bound all their symbols:
# 87 % of the instructions of `reportctl --help`, and the import of a PDF
# took 1.5× poppler's own pdftotext (docs/performance.md). reportctl links
# no gRPC, the only library that needs the shared abseil, so one copy of
# each is in the process. A library without its archive stays shared.
set -euo pipefail
args=()
archives=()
for a in "$@"; do
  if [[ "$a" =~ ^(/.*/lib(absl_[a-z0-9_]+|protobuf))\.so(\.[0-9.]+)?$ ]] && [ -f "${BASH_REMATCH[1]}.a" ]; then
    archives+=("${BASH_REMATCH[1]}.a")
  else
    args+=("$a")
  fi
done
if [ ${#archives[@]} -gt 0 ]; then
  args+=(-Wl,--start-group "${archives[@]}" -Wl,--end-group -lpthread)
fi
exec "${args[@]}"
