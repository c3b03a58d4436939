#!/usr/bin/env bash
# Installs crv_io with pip into a scratch folder and uses it from there, outside the source
# and build trees: the installed package must import, carry its type stubs, append and read.
#
#   check_pip_install.sh PYTHON SOURCE_DIR BUILD_DIR WORK_DIR
#
# BUILD_DIR is a CMake build folder configured with the Python package; pip reuses its
# module (CRV_IO_CMAKE_BUILD_DIR). WORK_DIR is emptied first.
set -euo pipefail

python=$1 source_dir=$2 build_dir=$3 work=$4
rm -rf "$work"
mkdir -p "$work"

CRV_IO_CMAKE_BUILD_DIR=$build_dir "$python" -m pip install --quiet --no-build-isolation \
  --no-deps --no-index --target "$work/site" "$source_dir" >"$work/pip.log" 2>&1 || {
  cat "$work/pip.log" >&2
  echo "FAIL: pip install" >&2
  exit 1
}

cd "$work"
PYTHONPATH=$work/site "$python" - "$work" <<'PY'
import pathlib
import sys

import crv_io

work = pathlib.Path(sys.argv[1])
package = pathlib.Path(crv_io.__file__).parent
assert package == work / "site" / "crv_io", f"imported {package}, not the installed package"
for name in ("_crv_io.pyi", "py.typed", "errors.py", "write.py"):
    assert (package / name).is_file(), f"the installed package lacks {name}"

settings = crv_io.IoSettings(root_dir=work / "out")
summary = crv_io.write.append(
    settings, "pip", "holdings",
    {"tick": [3, 250], "agent_id": ["a", "b"], "token_id": ["t", "t"], "quantity": [1, 2]},
)
assert summary["rows"] == 2 and summary["buckets"] == [0, 2], summary
rows = crv_io.Dataset(settings, "pip").read("holdings", columns=["tick", "quantity"]).to_pylist()
assert rows == [{"tick": 3, "quantity": 1}, {"tick": 250, "quantity": 2}], rows
print("installed crv_io", crv_io.__version__, "works")
PY
