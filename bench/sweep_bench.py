"""Sweep throughput on a Dask LocalCluster, and a query across the sweep's runs through Dask
against DuckDB over the same files, in one process run.

For each worker count (--workers, default 1 and 2) a sweep of --runs market simulations
(examples/market_sim.py, --agents x --ticks each, one seed per run) is run into a fresh
root with crv_io.sweep.run_sweep, the cluster started beforehand; reported: runs/min and
rows/s. Then one query over the last sweep's holdings, the quantity per run and token at
ticks >= half the run, computed (a) with crv_io.dask.read_table + a Dask group-by on the
same cluster and (b) by DuckDB over the parts (`node tests/conformance/oracle.mjs sql`,
the whole process; DuckDB's start-up alone, `SELECT 1`, is reported beside it). Both must
give the same sums.

    /usr/bin/python3 bench/sweep_bench.py [--build build] [--runs 8] [--agents 50]
        [--ticks 200] [--workers 1 2] [--repeat 3] [--json FILE]
"""

import argparse
import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SOURCE = pathlib.Path(__file__).resolve().parents[1]
ORACLE = SOURCE / "tests" / "conformance" / "oracle.mjs"


def timed(action, repeat: int) -> tuple:
    """(median seconds, last result) of `repeat` calls."""
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def duckdb(query: str) -> list:
    output = subprocess.run(["node", str(ORACLE), "sql", query], check=True, capture_output=True,
                            text=True).stdout
    return [json.loads(line) for line in output.splitlines()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    sys.path[:0] = [str(pathlib.Path(args.build).resolve() / "python"), str(SOURCE / "examples")]

    import distributed

    import crv_io
    import crv_io.dask
    from crv_io.sweep import run_sweep
    from market_sim import simulate

    grid = [{"agents": args.agents, "ticks": args.ticks, "seed": 10 + i,
             "noise": (0.005, 0.02, 0.05)[i % 3]} for i in range(args.runs)]
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="sweep-bench-"))
    results = {"runs": args.runs, "agents": args.agents, "ticks": args.ticks, "sweeps": []}
    try:
        for workers in args.workers:
            root = scratch / f"workers-{workers}"
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                               processes=True, dashboard_address=None)
            client = distributed.Client(cluster)
            started = time.perf_counter()
            manifest = run_sweep(simulate, grid, root=root, name="bench", client=client,
                                 settings=crv_io.IoSettings(tick_bucket_size=50))
            elapsed = time.perf_counter() - started
            assert all(run["status"] == "complete" for run in manifest["runs"]), manifest
            rows = sum(sum(run["rows"].values()) for run in manifest["runs"])
            sweep = {"workers": workers, "seconds": elapsed, "rows": rows,
                     "runs_per_minute": args.runs / elapsed * 60, "rows_per_second": rows / elapsed}
            results["sweeps"].append(sweep)
            print(f"{workers} worker(s): {args.runs} runs, {rows} rows in {elapsed:.2f} s: "
                  f"{sweep['runs_per_minute']:.1f} runs/min, {sweep['rows_per_second']:.0f} rows/s")

            if workers == args.workers[-1]:
                half = args.ticks // 2
                dask_seconds, ours = timed(lambda: crv_io.dask.read_table(
                    root, "holdings", where={"tick_min": half}, columns=["token_id", "quantity"],
                ).groupby(["run_id", "token_id"]).quantity.sum().compute(), args.repeat)
                query = (
                    "SELECT regexp_extract(filename, '/runs/([^/]+)/', 1) AS run_id, token_id, "
                    f"sum(quantity) AS quantity FROM read_parquet('{root}/runs/*/tables/holdings/"
                    f"bucket=*/*.parquet', filename = true, hive_partitioning = false) "
                    f"WHERE tick >= {half} GROUP BY ALL")
                duckdb_seconds, theirs = timed(lambda: duckdb(query), args.repeat)
                startup_seconds, _ = timed(lambda: duckdb("SELECT 1"), args.repeat)
                same = {k: int(v) for k, v in ours.items()} == {
                    (r["run_id"], r["token_id"]): r["quantity"] for r in theirs}
                results["query"] = {"workers": workers, "dask_seconds": dask_seconds,
                                    "duckdb_process_seconds": duckdb_seconds,
                                    "duckdb_startup_seconds": startup_seconds, "same_result": same}
                print(f"query across {args.runs} runs, medians of {args.repeat}: Dask "
                      f"{dask_seconds:.3f} s, DuckDB process {duckdb_seconds:.3f} s (of which "
                      f"start-up {startup_seconds:.3f} s); ratio Dask/DuckDB "
                      f"{dask_seconds / duckdb_seconds:.2f}, same sums: {same}")
                if not same:
                    return 1
            client.close()
            cluster.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
