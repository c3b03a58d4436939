#!/usr/bin/env bash
# Installs a crv-io build into a scratch prefix and uses it as a program outside the
# project would, in both supported ways: a CMake project (examples/consumer) that calls
# find_package(crv_io CONFIG REQUIRED) and links crv::io, and one compiler command with
# the flags of `pkg-config --static crv_io`. Both build examples/append_ticks.cpp; each
# program must succeed (it checks what it reads back) and leave a table that the
# installed crvio reads and fsck finds consistent.
#
#   check_install.sh BUILD_DIR SOURCE_DIR WORK_DIR CXX PKG_CONFIG LIBDIR INCLUDEDIR BINDIR
#
# LIBDIR, INCLUDEDIR and BINDIR are the build's GNUInstallDirs folders, relative to the
# prefix. WORK_DIR is emptied first and kept afterwards for a look at a failure.
set -euo pipefail

build_dir=$1 source_dir=$2 work=$3 cxx=$4 pkg_config=$5 libdir=$6 includedir=$7 bindir=$8
prefix=$work/prefix

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# Runs a command with its output in a log that is shown only when the command fails.
run_logged() {
  local log=$work/$1.log
  shift
  "$@" >"$log" 2>&1 || {
    cat "$log" >&2
    fail "$*"
  }
}

rm -rf "$work"
mkdir -p "$work"

run_logged install cmake --install "$build_dir" --prefix "$prefix"
for file in "$bindir/crvio" "$includedir/crv/version.hpp" \
  "$libdir/cmake/crv_io/crv_ioConfig.cmake" "$libdir/cmake/crv_io/crv_ioConfigVersion.cmake" \
  "$libdir/pkgconfig/crv_io.pc"; do
  [ -f "$prefix/$file" ] || fail "$file is not installed"
done
# Every layer is a static library.
for layer in "$source_dir"/src/*/; do
  layer=$(basename "$layer")
  [ -f "$prefix/$libdir/libcrv_$layer.a" ] || fail "$libdir/libcrv_$layer.a is not installed"
done
# Exactly the public headers, plus the generated version header.
diff <(cd "$source_dir/include" && find crv -type f | sort) \
  <(cd "$prefix/$includedir" && find crv -type f ! -path crv/version.hpp | sort) ||
  fail "the installed headers differ from include/crv"
# The package must not point back into the source or build tree (src/ stays private), and
# must still work from wherever the prefix is moved.
if grep -rlF -e "$source_dir" -e "$build_dir" "$prefix/$libdir/cmake" "$prefix/$libdir/pkgconfig"; then
  fail "installed package files name the source or build tree"
fi
mv "$prefix" "$work/moved-prefix"
prefix=$work/moved-prefix

crvio=$prefix/$bindir/crvio
# The table examples/append_ticks.cpp writes under ROOT: 25 ticks of 3 agents, one part
# per tick.
check_table() {
  local root=$1 rows last_tick
  [ -f "$root/runs/example-run/tables/holdings/manifest.json" ] || fail "$root: no manifest"
  "$crvio" fsck --root "$root" --run example-run | grep -q '"consistent":true,"parts_checked":25,' ||
    fail "$root: fsck does not find 25 consistent parts"
  rows=$("$crvio" read --root "$root" --run example-run --table holdings | wc -l)
  [ "$rows" -eq 75 ] || fail "$root: $rows rows, expected 75"
  last_tick=$("$crvio" read --root "$root" --run example-run --table holdings --tick-min 24 \
    --columns agent_id,quantity)
  [ "$last_tick" = '{"agent_id":"agent-1","quantity":24}
{"agent_id":"agent-2","quantity":48}
{"agent_id":"agent-3","quantity":76}' ] || fail "$root: tick 24 reads back as $last_tick"
}

# CMake: find_package(crv_io CONFIG REQUIRED), target_link_libraries(... crv::io).
run_logged consumer-configure cmake -S "$source_dir/examples/consumer" -B "$work/consumer" \
  -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx"
run_logged consumer-build cmake --build "$work/consumer"
run_logged consumer-run "$work/consumer/append_ticks" "$work/out-cmake"
check_table "$work/out-cmake"

# pkg-config: one compiler command.
flags=$(PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" "$pkg_config" --cflags --libs --static crv_io)
# shellcheck disable=SC2086 # the flags are separate words
run_logged pkg-config-build "$cxx" -std=c++20 "$source_dir/examples/append_ticks.cpp" \
  -o "$work/append_ticks" $flags
run_logged pkg-config-run "$work/append_ticks" "$work/out-pkg-config"
check_table "$work/out-pkg-config"

echo "installed package ok: find_package(crv_io) and pkg-config --static both build and run examples/append_ticks.cpp"
