#!/usr/bin/env bash
# Installs everything, builds the project twice (optimised, and with
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs the whole test suite
# under ctest in both builds; then builds the libFuzzer targets with clang and runs
# each for a bounded time (CRV_FUZZ_SECONDS, 30 by default). The sanitizer and fuzz
# builds compile each target's sources in batches (CMAKE_UNITY_BUILD), which halves their
# time; the optimised build compiles every source on its own, as a user's build does.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --with-oracles

jobs=$(nproc)
cmake -S . -B build -G Ninja
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

# Sanitizer build: the same tests, catching memory and undefined-behaviour bugs. The
# oracles test file contents, which the optimised build already checked; the crash stress
# kills processes at random instants and gains nothing from instrumented ones; the Dask
# tests run worker processes of an uninstrumented interpreter that the sanitizer runtime
# would have to be preloaded into as well, for code the other Python tests already cover.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cmake -S . -B build-asan -G Ninja -DCRV_SANITIZE=ON -DCMAKE_UNITY_BUILD=ON -DCRV_BUILD_BENCH=OFF
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE 'oracle|stress|dask'

# Fuzz build (clang, ASan + UBSan + libFuzzer): replays the seeds and saved regressions,
# then runs each target for CRV_FUZZ_SECONDS.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCRV_FUZZ=ON -DCMAKE_UNITY_BUILD=ON \
  -DCRV_BUILD_TESTS=OFF -DCRV_BUILD_BENCH=OFF -DCRV_BUILD_PYTHON=OFF -DCRV_FUZZ_SECONDS="${CRV_FUZZ_SECONDS:-30}"
cmake --build build-fuzz -j"$jobs" --target fuzzers
ctest --test-dir build-fuzz --output-on-failure -j"$jobs" -L fuzz
