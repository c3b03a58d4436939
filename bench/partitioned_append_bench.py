#!/usr/bin/python3
"""The partitioned write as a user pays for it: `crvio append` of a Parquet file against
DuckDB and Polars doing the same job, each a whole process timed from outside.

For every case one input file of `identity_edges` rows is written once (cached), and then
each writer turns it into zstd Parquet, one folder per bucket, made durable:

  crvio   `crvio append --root ROOT --run bench --table identity_edges --format parquet FILE`
          with the default settings (zstd, buckets of 100 ticks): reading the file, checking
          the rows, partitioning them, the parts, every fsync and the manifest commit;
  duckdb  `node partitioned_append_peers.mjs duckdb FILE DIR`: an in-memory database runs
          COPY (SELECT * FROM read_parquet(FILE)) TO DIR (FORMAT parquet, COMPRESSION zstd,
          PARTITION_BY (bucket)), then every file written, every folder and DIR are fsynced;
  polars  `node partitioned_append_peers.mjs polars FILE DIR`: nodejs-polars readParquet(FILE),
          partitionBy('bucket'), writeParquet(zstd) of each part to DIR/bucket=N/, then the
          same fsyncs.

Each measurement is one process, timed from outside (spawn to exit, so startup and
teardown are included) with its peak resident memory (from /usr/bin/time). The peers also say
when they were ready (Node started, modules loaded, DuckDB opened) and how long the work
took inside the process, so the startup is reported separately. The writers take turns in
every round, the outputs of the previous writer are removed and os.sync() is called before
each one starts (neither timed), so nobody pays for another's dirty pages. With --repeat R
the fastest of R runs counts. The input file is in the page cache for all three.

The rows (numpy, fixed seed) look like a simulation's identity edges, not like data made
for one writer: 1,000 rows a tick on average over rows / 1,000 ticks (20 buckets for
2,000,000 rows, 100 for 10,000,000), ticks drawn at random; observers from 50,000 agents;
5 edge kinds of skewed frequency; subject (10% null) and related agent (75% null) from the
agents; objects (50% null) from 2,000,000 ids; 20 tokens of skewed frequency (20% null);
weights in [0, 1) to 6 decimals; signs -1 or 1 (33% null). numpy draws them as integer
codes and DuckDB writes the input files from them (Debian's Python has no Parquet writer),
with its defaults: snappy, row groups of 122,880 rows. Per size there are two inputs, sorted
by tick and shuffled (the same rows in random order), and for the largest size also the
shuffled rows written again by Polars (writeParquet with zstd, its other settings default),
so that crv-io is measured on the files of both peers.

Correctness, after the timed runs of a case and not timed: DuckDB reads crvio's table back
(`oracle.mjs sql`) and its row count, sum(tick), count(subject_id) and sum(edge_sign) must
equal the input's, computed by numpy; the peers' outputs get the same check.

    ninja -C build crvio        # and npm ci in tests/conformance for the peers
    /usr/bin/python3 bench/partitioned_append_bench.py [--crvio build/crvio]
        [--rows 2000000,10000000] [--repeat R] [--quick] [--cases TEXT] [--work DIR]
        [--json FILE] [--no-keep-inputs]

--quick is --rows 2000000 --repeat 1. --cases keeps the cases whose name contains TEXT
(e.g. `--cases shuffled`). The inputs are kept under --work/inputs (default
/tmp/bench-append/inputs) for the next run unless --no-keep-inputs; the outputs are removed
at the end.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

TABLE = "identity_edges"
RUN = "bench"
BUCKET_SIZE = 100  # crvio's default tick_bucket_size; the input's bucket column agrees
ROWS_PER_TICK = 1000
SEED = 20251220
AGENTS = 50_000
OBJECTS = 2_000_000
TOKENS = 20
EDGE_KINDS = ["observed", "trusts", "distrusts", "traded_with", "follows"]
EDGE_KIND_WEIGHTS = [0.40, 0.25, 0.15, 0.12, 0.08]
INPUT_VERSION = 1  # change when the rows or the input files change, to drop the cache

SOURCE_DIR = Path(__file__).resolve().parent.parent
PEERS = SOURCE_DIR / "tests" / "conformance" / "peers" / "partitioned_append_peers.mjs"
ORACLE = SOURCE_DIR / "tests" / "conformance" / "oracle.mjs"
CHECK_COLUMNS = "count(*) AS rows, sum(tick) AS tick_sum, count(subject_id) AS subjects, " \
    "sum(edge_sign) AS sign_sum"


def identity_edges_codes(rows: int, folder: Path) -> dict:
    """Draws the rows, sorted by tick, as int32 codes: one raw file per column (COLUMN.i32).

    The peer script turns codes into values (agent-000042, token-07, ...): formatting ten
    million strings and writing them as text would take numpy minutes. Null is -1 (0 for
    the sign), the weight is in millionths. shuffle_key is a random permutation of the
    rows, the order of the shuffled input. Returns what the input's rows must sum to.
    """
    rng = np.random.default_rng(SEED)

    def ids(count: int, null_share: float) -> np.ndarray:
        values = rng.integers(0, count, size=rows, dtype=np.int32)
        values[rng.random(rows) < null_share] = -1
        return values

    def skewed(count: int, weights: np.ndarray) -> np.ndarray:
        return rng.choice(count, size=rows, p=weights / weights.sum()).astype(np.int32)

    tokens = skewed(TOKENS, 1.0 / np.arange(1, TOKENS + 1))  # a few tokens dominate
    tokens[rng.random(rows) < 0.20] = -1
    signs = rng.choice(np.array([-1, 1], dtype=np.int32), size=rows)
    signs[rng.random(rows) < 0.33] = 0
    codes = {
        "tick": np.sort(rng.integers(0, rows // ROWS_PER_TICK, size=rows, dtype=np.int32)),
        "observer": ids(AGENTS, 0.0),
        "edge_kind": skewed(len(EDGE_KIND_WEIGHTS), np.array(EDGE_KIND_WEIGHTS)),
        "subject": ids(AGENTS, 0.10),
        "object": ids(OBJECTS, 0.50),  # far more ids than agents: no small dictionary
        "related": ids(AGENTS, 0.75),
        "token": tokens,
        "weight": rng.integers(0, 1_000_000, size=rows, dtype=np.int32),
        "sign": signs,
        "shuffle_key": rng.permutation(rows).astype(np.int32),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, values in codes.items():
        values.astype("<i4").tofile(folder / f"{name}.i32")
    return {
        "rows": rows,
        "tick_sum": int(codes["tick"].sum(dtype=np.int64)),
        "subjects": int((codes["subject"] >= 0).sum()),
        "sign_sum": int(codes["sign"].sum(dtype=np.int64)),
    }


def node(*args: str) -> str:
    """Runs a Node script (untimed) and returns its standard output."""
    command = ["node", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PEERS.parent)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return done.stdout


def sql(query: str) -> list:
    return [json.loads(line) for line in node(ORACLE, "sql", query).splitlines() if line]


def input_layout(file: Path) -> dict:
    """The input file's row groups and codecs, as DuckDB reads its footer."""
    (row,) = sql(
        "SELECT count(DISTINCT row_group_id) AS row_groups, "
        "string_agg(DISTINCT compression) AS codec, "
        f"max(row_group_num_rows) AS largest_row_group FROM parquet_metadata('{file}')"
    )
    return {key: int(value) if key != "codec" else value for key, value in row.items()}


def prepare_inputs(rows: int, work: Path, with_polars: bool) -> tuple:
    """Writes (or finds) the inputs for a size; returns {name: file} and the expected sums."""
    folder = work / "inputs" / f"{TABLE}-{rows}-seed{SEED}-v{INPUT_VERSION}"
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    files = {
        "sorted, DuckDB-written": folder / "sorted-duckdb.parquet",
        "shuffled, DuckDB-written": folder / "shuffled-duckdb.parquet",
    }
    if with_polars:
        files["shuffled, Polars-written"] = folder / "shuffled-polars.parquet"
    if meta is None or not all(file.exists() for file in files.values()):
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        codes = folder / "codes"
        expected = identity_edges_codes(rows, codes)
        node(PEERS, "input", "duckdb", codes, files["sorted, DuckDB-written"], "sorted")
        node(PEERS, "input", "duckdb", codes, files["shuffled, DuckDB-written"], "shuffled")
        shutil.rmtree(codes)
        if with_polars:
            node(PEERS, "input", "polars", files["shuffled, DuckDB-written"],
                 files["shuffled, Polars-written"])
        meta = {"expected": expected}
        print(f"wrote the inputs of {rows:,} rows in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
    layouts = meta.setdefault("layouts", {})
    for name, file in files.items():
        if name not in layouts:
            layouts[name] = {**input_layout(file), "bytes": file.stat().st_size}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return files, meta["expected"], layouts


def measured(command: list, stdout: Path, stderr: Path, cwd: Path) -> dict:
    """Runs one process; its elapsed seconds from spawn to exit and its peak RSS.

    The peak RSS comes from /usr/bin/time, not from this process's wait4(): Linux carries
    the forking process's high-water mark into the child's ru_maxrss through exec, so a
    child of this (large) interpreter would report at least the interpreter's size."""
    rss_file = stderr.with_suffix(".maxrss")
    with stdout.open("w") as out, stderr.open("w") as err:
        started = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *command],
                                   stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed ({process.returncode}):\n"
                 f"{stderr.read_text()}")
    return {
        "seconds": seconds,
        "peak_rss_mb": int(rss_file.read_text().split()[-1]) / 1024,  # kilobytes
        "user_seconds": usage.ru_utime,
        "system_seconds": usage.ru_stime,
    }


def parquet_files(folder: Path) -> list:
    return sorted(folder.rglob("*.parquet"))


def run_crvio(crvio: Path, file: Path, scratch: Path) -> dict:
    root = scratch / "crvio"
    result = measured(
        [crvio, "append", "--root", root, "--run", RUN, "--table", TABLE, "--format",
         "parquet", file],
        scratch / "crvio.out", scratch / "crvio.err", scratch,
    )
    table = root / "runs" / RUN / "tables" / TABLE
    parts = parquet_files(table)
    per_bucket = {}
    for part in parts:
        per_bucket[part.parent.name] = per_bucket.get(part.parent.name, 0) + 1
    result.update(
        files=len(parts),
        bytes=sum(part.stat().st_size for part in parts),
        buckets=len(per_bucket),
        parts_per_bucket=(min(per_bucket.values()), max(per_bucket.values())),
        glob=f"{table}/bucket=*/*.parquet",
    )
    return result


def run_peer(peer: str, file: Path, scratch: Path) -> dict:
    out = scratch / peer
    result = measured(["node", PEERS, peer, file, out], scratch / f"{peer}.out",
                      scratch / f"{peer}.err", PEERS.parent)
    inside = json.loads((scratch / f"{peer}.out").read_text())
    result.update(inside)
    # What the process spent outside its measured work: Node's start, loading the modules
    # (and opening DuckDB) before, and exiting after.
    result["startup_seconds"] = result["seconds"] - inside["work_seconds"]
    result["glob"] = f"{out}/**/*.parquet"
    return result


def clear(scratch: Path, writer: str) -> None:
    """Removes the writer's previous output, and flushes every file system (not timed)."""
    shutil.rmtree(scratch / writer, ignore_errors=True)
    os.sync()


def check(results: dict, expected: dict) -> str:
    """Reads every writer's output back with DuckDB and compares the sums with the input's."""
    union = " UNION ALL ".join(
        f"SELECT '{writer}' AS writer, {CHECK_COLUMNS} FROM read_parquet('{result['glob']}', "
        "hive_partitioning = false)"
        for writer, result in results.items()
    )
    problems = []
    for row in sql(union):
        writer = row.pop("writer")
        got = {key: int(value) for key, value in row.items()}
        if got != expected:
            problems.append(f"{writer}: {got} != {expected}")
    return "; ".join(problems) if problems else "ok"


def best(runs: list) -> dict:
    return min(runs, key=lambda run: run["seconds"])


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crvio", type=Path, default=Path("build/crvio"), help="the binary")
    parser.add_argument("--rows", default="2000000,10000000",
                        help="input sizes, comma-separated (buckets = rows / 100,000)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per writer; fastest counts")
    parser.add_argument("--quick", action="store_true", help="--rows 2000000 --repeat 1")
    parser.add_argument("--cases", default="", help="only cases whose name contains this")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-append"),
                        help="scratch folder: cached inputs and the outputs")
    parser.add_argument("--no-keep-inputs", action="store_true",
                        help="remove the input files at the end")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeat = "2000000", 1
    sizes = sorted(int(size) for size in args.rows.split(","))
    if args.repeat < 1 or any(size < ROWS_PER_TICK * BUCKET_SIZE for size in sizes):
        parser.error(f"--repeat must be positive and --rows at least {ROWS_PER_TICK * BUCKET_SIZE}")
    crvio = args.crvio.resolve()
    if not crvio.is_file():
        sys.exit(f"{crvio} is missing: ninja -C build crvio")
    work = args.work.resolve()
    scratch = work / "out"
    scratch.mkdir(parents=True, exist_ok=True)

    cases = []
    for rows in sizes:
        files, expected, layouts = prepare_inputs(rows, work, with_polars=rows == sizes[-1])
        for name, file in files.items():
            case = f"{rows:,} rows, {rows // (ROWS_PER_TICK * BUCKET_SIZE)} buckets, {name}"
            if args.cases in case:
                cases.append((case, rows, file, expected, layouts[name]))

    started_load = load_average()
    print(f"load average at the start: {started_load}", file=sys.stderr)
    report = []
    for case, rows, file, expected, layout in cases:
        runs = {"crvio": [], "duckdb": [], "polars": []}
        for _ in range(args.repeat):
            clear(scratch, "crvio")
            runs["crvio"].append(run_crvio(crvio, file, scratch))
            for peer in ("duckdb", "polars"):
                clear(scratch, peer)
                runs[peer].append(run_peer(peer, file, scratch))
        results = {writer: best(writer_runs) for writer, writer_runs in runs.items()}
        # The last run of each writer is still on disk.
        verdict = check({writer: runs[writer][-1] for writer in runs}, expected)
        for writer in runs:
            clear(scratch, writer)
        fastest_peer = min(results["duckdb"]["seconds"], results["polars"]["seconds"])
        entry = {
            "case": case,
            "rows": rows,
            "input": {"file": str(file), **layout},
            "results": results,
            "all_seconds": {w: [run["seconds"] for run in r] for w, r in runs.items()},
            "speedup_vs_fastest_peer": fastest_peer / results["crvio"]["seconds"],
            "check": verdict,
        }
        report.append(entry)
        print(f"{case}: crvio {results['crvio']['seconds']:.2f} s, DuckDB "
              f"{results['duckdb']['seconds']:.2f} s, Polars {results['polars']['seconds']:.2f} s,"
              f" check {verdict}", file=sys.stderr)
    ended_load = load_average()

    print(f"`crvio append` against DuckDB and Polars, {TABLE}, whole processes, fsync "
          f"included, fastest of {args.repeat}; load average {started_load} at the start, "
          f"{ended_load} at the end, nproc {len(os.sched_getaffinity(0))}\n")
    print("| case | input (row groups, codec, MB) | crvio s | DuckDB s | Polars s "
          "| DuckDB / crvio | Polars / crvio | goal 3x | crvio parts (per bucket) "
          "| DuckDB files | Polars files | crvio MB | DuckDB MB | Polars MB | crvio peak RSS MB "
          "| check |")
    print("|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---|")
    for entry in report:
        r = entry["results"]
        c, d, p = r["crvio"], r["duckdb"], r["polars"]
        low, high = c["parts_per_bucket"]
        layout = entry["input"]
        speedup = entry["speedup_vs_fastest_peer"]
        print(
            f"| {entry['case']} | {layout['row_groups']}, {layout['codec'].lower()}, "
            f"{layout['bytes'] / 1e6:.1f} | {c['seconds']:.2f} | {d['seconds']:.2f} "
            f"| {p['seconds']:.2f} | {d['seconds'] / c['seconds']:.2f} "
            f"| {p['seconds'] / c['seconds']:.2f} | {'met' if speedup >= 3 else 'not met'} "
            f"({speedup:.2f}x) | {c['files']} in {c['buckets']} buckets ({low}"
            f"{'' if low == high else f'-{high}'}) | {d['files']} | {p['files']} "
            f"| {c['bytes'] / 1e6:.1f} | {d['bytes'] / 1e6:.1f} | {p['bytes'] / 1e6:.1f} "
            f"| {c['peak_rss_mb']:.0f} | {entry['check']} |"
        )
    print("\nThe peers' processes: startup (outside the work they time themselves), work, "
          "CPU seconds (user + system) and peak RSS; crvio's CPU seconds for comparison.\n")
    print("| case | crvio CPU s | DuckDB startup s | DuckDB work s | DuckDB CPU s "
          "| DuckDB peak RSS MB | Polars startup s | Polars work s (of which reading) "
          "| Polars CPU s | Polars peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for entry in report:
        r = entry["results"]
        c, d, p = r["crvio"], r["duckdb"], r["polars"]
        cpu = {w: x["user_seconds"] + x["system_seconds"] for w, x in r.items()}
        print(
            f"| {entry['case']} | {cpu['crvio']:.2f} | {d['startup_seconds']:.2f} "
            f"| {d['work_seconds']:.2f} | {cpu['duckdb']:.2f} | {d['peak_rss_mb']:.0f} "
            f"| {p['startup_seconds']:.2f} | {p['work_seconds']:.2f} ({p['read_seconds']:.2f}) "
            f"| {cpu['polars']:.2f} | {p['peak_rss_mb']:.0f} |"
        )

    if args.json:
        args.json.write_text(json.dumps({
            "table": TABLE,
            "repeat": args.repeat,
            "crvio": str(crvio),
            "load_average": {"start": started_load, "end": ended_load},
            "nproc": len(os.sched_getaffinity(0)),
            "python": platform.python_version(),
            "cases": report,
        }, indent=2, default=str) + "\n")
    shutil.rmtree(scratch, ignore_errors=True)
    if args.no_keep_inputs:
        shutil.rmtree(work / "inputs", ignore_errors=True)
    if any(entry["check"] != "ok" for entry in report):
        sys.exit(1)


if __name__ == "__main__":
    main()
