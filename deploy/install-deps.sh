#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds, tests and runs with.
# Idempotent: packages already present are skipped by apt. Run as root.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev
  libgrpc++-dev grpc-proto
  libabsl-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev libre2-dev libssl-dev openssl
  libpqxx-dev postgresql
  libpoppler-cpp-dev libtesseract-dev tesseract-ocr-chi-sim libgumbo-dev libzip-dev libpugixml-dev
  # making and checking test documents: render HTML to PDF, scan it, compare with poppler
  chromium fonts-noto-cjk poppler-utils img2pdf python3-pil
  # the web console: its HTTPS server and the charts of its pages
  libcpp-httplib-dev libjs-chart.js
  # the independent verifier of a bundle (tools/verify_bundle.py): Ed25519
  python3-cryptography
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages (${missing[*]}); run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
