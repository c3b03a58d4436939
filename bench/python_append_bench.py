#!/usr/bin/python3
"""What appending through the Python binding costs over the C++ API.

One deterministic frame of `holdings` rows (1,000,000 by default) is appended into fresh
runs three ways, each --repeat times, and the seconds per append are compared:

  (a) pandas   Dataset.append("holdings", df) with a pandas DataFrame, timed end to end:
               conversion of the columns, validation, encoding, part writes and fsyncs;
  (b) arrow    Dataset.append("holdings", table) with a crv_io.Table made once, before
               timing, by crv_io.Table.from_data(df): the engine takes its columns through
               __arrow_c_stream__ (the Arrow PyCapsule interface) without copying them;
  (c) C++      Dataset::append of the same rows in the C++ harness frame_append_bench,
               which reads them back from a source run written once here through (a).

Ratios (a)/(c) and (b)/(c) are the binding's overhead. Every append goes into a new run
id, so each does the same work; all runs lie under one scratch folder, on one file system.
Each path first makes --warmup untimed appends, so that no figure holds the first append's
extra costs (the allocator growing the heap, first calls into the libraries). The rounds
of (a) and (b) alternate, so a slow spell of the machine weighs on both alike.

The rows look like a simulation's, not like data arranged for crv-io: ticks drawn at random
over 1,000 ticks and sorted (10 buckets at tick_bucket_size=100), agent ids drawn from
200,000 agents, token ids from 12 tokens with skewed frequencies, and random quantities,
all from numpy with a fixed seed.

Run with Debian's interpreter (numpy and pandas) after building the module and harness:

    ninja -C build frame_append_bench crv_io_python
    /usr/bin/python3 bench/python_append_bench.py [--rows N] [--repeat R] [--warmup W]
                                                  [--build DIR] [--root DIR] [--json FILE]

--root is the scratch folder (default: a temporary folder, removed at the end).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TABLE = "holdings"
TICKS = 1000
BUCKET_SIZE = 100
AGENTS = 200_000
TOKENS = 12
SEED = 20240611
SOURCE_RUN = "holdings-source"


def holdings_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    ticks = np.sort(rng.integers(0, TICKS, size=rows, dtype=np.int64))
    agent_names = np.array([f"agent-{i:06d}" for i in range(AGENTS)], dtype=object)
    agents = agent_names[rng.integers(0, AGENTS, size=rows)]
    # A few tokens dominate the holdings, as on a market.
    token_weights = 1.0 / np.arange(1, TOKENS + 1)
    token_names = np.array([f"token-{i:02d}" for i in range(TOKENS)], dtype=object)
    tokens = token_names[rng.choice(TOKENS, size=rows, p=token_weights / token_weights.sum())]
    quantities = rng.integers(-1_000_000, 1_000_000, size=rows, dtype=np.int64)
    return pd.DataFrame(
        {"tick": ticks, "agent_id": agents, "token_id": tokens, "quantity": quantities}
    )


def checked(summary: dict, rows: int, what: str) -> None:
    if summary["rows"] != rows:
        sys.exit(f"{what}: appended {summary['rows']} rows, expected {rows}")


def time_python_append(crv_io, settings, run_id: str, data, rows: int) -> float:
    with crv_io.Dataset(settings, run_id) as dataset:
        started = time.perf_counter()
        summary = dataset.append(TABLE, data)
        seconds = time.perf_counter() - started
    checked(summary, rows, run_id)
    return seconds


def time_cpp_appends(
    harness: Path, source_root: Path, out_root: Path, rows: int, repeat: int, warmup: int
):
    command = [
        str(harness),
        "--root", str(source_root),
        "--source-run", SOURCE_RUN,
        "--table", TABLE,
        "--repeat", str(repeat),
        "--warmup", str(warmup),
        "--out-root", str(out_root),
        "--bucket-size", str(BUCKET_SIZE),
    ]
    print("running " + " ".join(command), file=sys.stderr)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    appends = [line for line in lines if "seconds" in line]
    result = next(line for line in lines if "min_seconds" in line)
    if result["rows"] != rows:
        sys.exit(f"frame_append_bench appended {result['rows']} rows, expected {rows}")
    return [append["seconds"] for append in appends], appends


def summary_of(times: list) -> dict:
    return {"seconds": times, "min": min(times), "median": statistics.median(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the frame")
    parser.add_argument("--repeat", type=int, default=5, help="appends timed per path")
    parser.add_argument("--warmup", type=int, default=1, help="untimed appends first, per path")
    parser.add_argument("--build", type=Path, default=Path("build"), help="CMake build folder")
    parser.add_argument("--root", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    if args.rows < 1 or args.repeat < 1 or args.warmup < 0:
        parser.error("--rows and --repeat must be positive, --warmup not negative")

    build = args.build.resolve()
    sys.path.insert(0, str(build / "python"))
    import crv_io

    harness = build / "bench" / "frame_append_bench"
    if not harness.is_file():
        sys.exit(f"{harness} is missing: ninja -C {args.build} frame_append_bench")

    scratch = args.root.resolve() if args.root else Path(tempfile.mkdtemp(prefix="crv-append-"))
    remove_scratch = args.root is None
    try:
        started = time.perf_counter()
        df = holdings_frame(args.rows)
        print(f"generated {len(df)} rows in {time.perf_counter() - started:.2f} s", file=sys.stderr)

        for folder in ("python", "source", "cpp"):
            shutil.rmtree(scratch / folder, ignore_errors=True)
        python_settings, source_settings = (
            crv_io.IoSettings(root_dir=scratch / folder, tick_bucket_size=BUCKET_SIZE)
            for folder in ("python", "source")
        )

        table = crv_io.Table.from_data(df)
        inputs = {"pandas": df, "arrow": table}
        for i in range(args.warmup):
            for path, data in inputs.items():
                time_python_append(crv_io, python_settings, f"{path}-warmup-{i}", data, args.rows)
        times = {path: [] for path in inputs}
        for i in range(args.repeat):
            for path, data in inputs.items():
                times[path].append(
                    time_python_append(crv_io, python_settings, f"{path}-{i}", data, args.rows)
                )
        with crv_io.Dataset(source_settings, SOURCE_RUN) as source:
            checked(source.append(TABLE, df), args.rows, "source run")
        cpp_times, cpp_appends = time_cpp_appends(
            harness, scratch / "source", scratch / "cpp", args.rows, args.repeat, args.warmup
        )
    finally:
        if remove_scratch:
            shutil.rmtree(scratch, ignore_errors=True)

    results = {
        "pandas": summary_of(times["pandas"]),
        "arrow": summary_of(times["arrow"]),
        "cpp": summary_of(cpp_times),
    }
    ratios = {
        f"{path}/cpp": {
            "min": results[path]["min"] / results["cpp"]["min"],
            "median": results[path]["median"] / results["cpp"]["median"],
        }
        for path in ("pandas", "arrow")
    }
    labels = {
        "pandas": "(a) Python, pandas DataFrame",
        "arrow": "(b) Python, Arrow stream (crv_io.Table)",
        "cpp": "(c) C++ Dataset::append",
    }
    nproc = len(os.sched_getaffinity(0))
    print(
        f"{args.rows:,} rows of {TABLE}, {args.repeat} timed appends per path"
        f" (after {args.warmup} untimed), nproc {nproc}"
    )
    print(f"{'path':<42} {'min s':>8} {'median s':>9} {'/(c) min':>9} {'/(c) median':>12}")
    for path, label in labels.items():
        row = results[path]
        ratio = ratios.get(f"{path}/cpp", {"min": 1.0, "median": 1.0})
        print(
            f"{label:<42} {row['min']:>8.3f} {row['median']:>9.3f}"
            f" {ratio['min']:>9.2f} {ratio['median']:>12.2f}"
        )

    if args.json:
        report = {
            "table": TABLE,
            "rows": args.rows,
            "repeat": args.repeat,
            "warmup": args.warmup,
            "nproc": nproc,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "crv_io": crv_io.__version__,
            "results": results,
            "ratios": ratios,
            "cpp_appends": cpp_appends,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
