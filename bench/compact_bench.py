#!/usr/bin/python3
"""Compaction of a table made by many small appends, and what it saves its readers.

append_latency_bench appends --appends times --rows identity_edges rows (one tick per
append, bucket size 100, zstd, every append fsynced and committed), which leaves one part
per append. Then, with DuckDB (tests/conformance/oracle.mjs sql) as the independent reader:

  1. DuckDB counts the rows and sums a hash of every row over the committed parts
     (timed: what reading the small parts costs a query);
  2. `crvio compact --run bench --table identity_edges` runs as its own process (timed:
     rows rewritten per second, fsyncs included);
  3. DuckDB repeats the query over the compacted parts (timed) and must get the same
     count and hash sum; the parts per bucket must be one.

The hash is order-independent (a sum), so it checks the rows, while `crvio read` before
and after checks their order too (its outputs must be byte-identical).

    ninja -C build append_latency_bench crvio
    /usr/bin/python3 bench/compact_bench.py [--appends N] [--rows R] [--build DIR] [--root DIR]
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ORACLE = REPO / "tests" / "conformance" / "oracle.mjs"
RUN, TABLE = "bench", "identity_edges"


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr}")
    return seconds, result.stdout


def table_dir(root: Path) -> Path:
    return root / "runs" / RUN / "tables" / TABLE


def parts_per_bucket(root: Path) -> dict[int, int]:
    manifest = json.loads((table_dir(root) / "manifest.json").read_text())
    return {int(key): len(partition["parts"]) for key, partition in manifest["partitions"].items()}


def duckdb_fingerprint(root: Path) -> tuple[float, dict]:
    glob = table_dir(root) / "bucket=*" / "*.parquet"
    query = (
        "SELECT count(*) AS n, sum(hash(tick, observer_agent_id, edge_kind, edge_weight, bucket)"
        f"::HUGEINT)::VARCHAR AS h FROM read_parquet('{glob}', hive_partitioning = false)"
    )
    seconds, out = timed(["node", str(ORACLE), "sql", query])
    return seconds, json.loads(out.strip().splitlines()[0])


def read_digest(crvio: Path, root: Path) -> str:
    _, out = timed([str(crvio), "read", "--root", str(root), "--run", RUN, "--table", TABLE])
    return hashlib.sha256(out.encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appends", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--build", type=Path, default=REPO / "build")
    parser.add_argument("--root", type=Path, help="scratch dataset root (default: temporary)")
    args = parser.parse_args()

    scratch = None
    root = args.root
    if root is None:
        scratch = tempfile.mkdtemp(prefix="crv-compact-bench-")
        root = Path(scratch) / "out"
    crvio = args.build / "crvio"
    try:
        append_seconds, _ = timed([str(args.build / "bench" / "append_latency_bench"),
                                   "--appends", str(args.appends), "--rows", str(args.rows),
                                   "--root", str(root)])
        before_parts = parts_per_bucket(root)
        query_before, fingerprint_before = duckdb_fingerprint(root)
        digest_before = read_digest(crvio, root)

        compact_seconds, out = timed([str(crvio), "compact", "--root", str(root), "--run", RUN,
                                      "--table", TABLE])
        summary = json.loads(out.strip().splitlines()[0])

        after_parts = parts_per_bucket(root)
        query_after, fingerprint_after = duckdb_fingerprint(root)
        digest_after = read_digest(crvio, root)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)

    ok = (fingerprint_before == fingerprint_after and digest_before == digest_after
          and set(after_parts.values()) == {1})
    rows = summary["rows"]
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{args.appends} appends of {args.rows} rows: {append_seconds:.2f} s")
    print("| | parts | buckets | MB | DuckDB count + hash (s) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| before | {sum(before_parts.values())} | {len(before_parts)} | "
          f"{summary['bytes_before'] / 1e6:.2f} | {query_before:.3f} |")
    print(f"| after | {sum(after_parts.values())} | {len(after_parts)} | "
          f"{summary['bytes_after'] / 1e6:.2f} | {query_after:.3f} |")
    print(f"crvio compact: {rows} rows in {compact_seconds:.3f} s, "
          f"{rows / compact_seconds:,.0f} rows/s (whole process)")
    print(f"DuckDB rows {fingerprint_after['n']}, hash sums equal: "
          f"{fingerprint_before == fingerprint_after}; crvio read identical: "
          f"{digest_before == digest_after}")
    if not ok:
        sys.exit("compaction changed the rows or left more than one part in a bucket")


if __name__ == "__main__":
    main()
