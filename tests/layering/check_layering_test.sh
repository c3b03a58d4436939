#!/usr/bin/env bash
# Proves check_layering.sh catches what it is for: on a copy of the source tree, each
# include planted below (one at a time, the file restored afterwards) must make it fail and
# name the planted file, and the unplanted copy must pass.
set -u
script_dir=$(cd "$(dirname "$0")" && pwd)
root=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

mkdir -p "$work/tree"
cp -r "$root/include" "$root/src" "$work/tree/"

# expect_caught <file relative to the tree> <include line> <what it plants>
expect_caught() {
  local file=$1 line=$2 what=$3 output
  cp "$work/tree/$file" "$work/original"
  printf '%s\n' "$line" >>"$work/tree/$file"
  if output=$("$script_dir/check_layering.sh" "$work/tree" 2>&1); then
    echo "FAIL: not caught: $what ($line in $file)"
    failures=$((failures + 1))
  elif [[ "$output" != *"$file"* ]]; then
    echo "FAIL: caught $what, but the report does not name $file:"
    echo "$output"
    failures=$((failures + 1))
  else
    echo "ok: caught $what"
  fi
  mv "$work/original" "$work/tree/$file"
}

if ! output=$("$script_dir/check_layering.sh" "$work/tree" 2>&1); then
  echo "FAIL: the unchanged tree is reported:"
  echo "$output"
  failures=$((failures + 1))
fi

expect_caught src/parquet/schema.cpp '#include "io/part_writer.hpp"' \
  "a private header of a higher layer"
expect_caught src/io/scan.cpp '#include "cli/console.hpp"' "a private header of a higher layer"
expect_caught src/io/scan.cpp '#include "parquet/format.hpp"' \
  "a private header of a lower layer"
expect_caught src/parquet/schema.cpp '#  include   "io/paths.hpp"' \
  "a private header of a higher layer, spaced out"
expect_caught src/frame/array.cpp '#include "crv/io/paths.hpp"' \
  "a public header of a higher layer"
expect_caught src/frame/array.cpp '#include <crv/parquet/reader.hpp>' \
  "a public header of a higher layer, in angle brackets"
expect_caught src/sim/world.cpp '#include "crv/io/settings.hpp"' \
  "a public header of a layer beside it"
expect_caught include/crv/io/paths.hpp '#include "io/part_writer.hpp"' \
  "a private header in a public header"
expect_caught include/crv/frame/array.hpp '#include "crv/cli/main.hpp"' \
  "a higher public header in a public header"

mkdir "$work/tree/src/rogue"
if "$script_dir/check_layering.sh" "$work/tree" >/dev/null 2>&1; then
  echo "FAIL: an unknown src/ folder is not reported"
  failures=$((failures + 1))
else
  echo "ok: caught an unknown src/ folder"
fi

((failures == 0)) && echo "every planted include was caught"
exit $((failures > 0))
