#!/usr/bin/env bash
# Installs every Debian package the build, tests and benchmarks need, then the
# JavaScript test oracles from the committed lockfile. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libzstd-dev liblz4-dev libsnappy-dev libbrotli-dev zlib1g-dev
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libfmt-dev
  libavro-dev
  clang-format clang-14 libclang-rt-14-dev
  python3-dev pybind11-dev python3-numpy python3-pandas python3-pytest python3-dask python3-distributed
  time
)
# The machine image may ship Node.js from elsewhere; only fall back to Debian's.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${missing[@]}"
fi

if [ "${1:-}" = "--with-oracles" ]; then
  (cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error)
fi
