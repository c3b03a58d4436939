#!/usr/bin/env bash
# Installs everything, builds the project twice (optimised, and with
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs the whole test suite
# under ctest in both builds.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --with-oracles

jobs=$(nproc)
cmake -S . -B build -G Ninja
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

# Sanitizer build: the same tests, catching memory and undefined-behaviour bugs.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cmake -S . -B build-asan -G Ninja -DCRV_SANITIZE=ON -DCRV_BUILD_BENCH=OFF
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE oracle
