#!/usr/bin/env bash
# Runs one libFuzzer target for a while, starting from its committed seeds and saved
# regressions and keeping what it finds in build-fuzz/fuzz/corpus/<target>.
#
#   scripts/fuzz.sh <target> [seconds] [extra libFuzzer flags...]
#   scripts/fuzz.sh jsonl_input 3600 -jobs=2 -workers=2
#
# Targets: parquet_reader, manifest, jsonl_input, csv_input, settings. A crash leaves its
# input as crash-<hash> in the current folder; save it as fuzz/regressions/<target>/<name>
# with a unit test, and ctest -L fuzz replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?"usage: $0 <target> [seconds] [libFuzzer flags...]"}
seconds=${2:-600}
shift $(($# < 2 ? $# : 2))

if [ ! -f build-fuzz/CMakeCache.txt ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCRV_FUZZ=ON \
    -DCRV_BUILD_TESTS=OFF -DCRV_BUILD_BENCH=OFF
fi
cmake --build build-fuzz -j"$(nproc)" --target "${target}_fuzzer"

corpus=build-fuzz/fuzz/corpus/$target
mkdir -p "$corpus"
inputs=("fuzz/seeds/$target")
[ -d "fuzz/regressions/$target" ] && inputs+=("fuzz/regressions/$target")
dict=()
[ -f "fuzz/$target.dict" ] && dict=("-dict=fuzz/$target.dict")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "build-fuzz/fuzz/${target}_fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 \
  -timeout=20 -print_final_stats=1 "${dict[@]}" "$@" "$corpus" "${inputs[@]}"
