"""A parameter sweep of the market simulation (market_sim.py) on a Dask cluster.

Runs N parameter sets, the valuation noise over a grid and one seed per run, each into
its own run under ROOT, with the sweep manifest in ROOT/sweeps/NAME.json; then reads every
run's holdings at the last tick through crv_io.dask and prints, per noise value, how
unequal the agents' final holdings are (the mean over runs of the holdings' standard
deviation and of the top decile's share).

    PYTHONPATH=build/python /usr/bin/python3 examples/market_sweep.py --root out-sweep \\
        --name noise --runs 6 --workers 2 [--scheduler tcp://host:8786] [--agents 50] \\
        [--ticks 120]

Exit status 0 only when every run completed.
"""

import argparse
import sys
import time

import crv_io
import crv_io.dask
from crv_io.sweep import run_sweep
from market_sim import simulate

NOISE_LEVELS = (0.005, 0.02, 0.05)


def grid(runs: int, agents: int, ticks: int) -> list:
    return [
        {
            "agents": agents,
            "ticks": ticks,
            "seed": 1000 + i,
            "noise": NOISE_LEVELS[i % len(NOISE_LEVELS)],
        }
        for i in range(runs)
    ]


def final_holdings_summary(root: str, manifest: dict, ticks: int) -> list:
    """Per noise value: runs, mean standard deviation of the final holdings, mean share of
    the top decile of agents."""
    noise_of = {run["run_id"]: run["params"]["noise"] for run in manifest["runs"]}
    last = crv_io.dask.read_table(
        root, "holdings", runs=list(noise_of), where={"tick_min": ticks - 1},
        columns=["agent_id", "quantity"],
    ).compute()
    summary = []
    for noise in sorted(set(noise_of.values())):
        spreads, top_shares = [], []
        for run_id in (r for r, n in noise_of.items() if n == noise):
            quantities = last.loc[last.run_id == run_id, "quantity"].sort_values(ascending=False)
            top = quantities.head(max(1, len(quantities) // 10)).sum()
            spreads.append(float(quantities.std(ddof=0)))
            top_shares.append(float(top) / float(quantities.sum()))
        summary.append((noise, len(spreads), sum(spreads) / len(spreads),
                        sum(top_shares) / len(top_shares)))
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler")
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--ticks", type=int, default=120)
    args = parser.parse_args()

    started = time.monotonic()
    manifest = run_sweep(
        simulate, grid(args.runs, args.agents, args.ticks), root=args.root, name=args.name,
        workers=args.workers, scheduler=args.scheduler,
    )
    elapsed = time.monotonic() - started
    complete = [run for run in manifest["runs"] if run["status"] == "complete"]
    rows = sum(sum(run["rows"].values()) for run in complete)
    print(f"sweep '{args.name}': {len(complete)} of {len(manifest['runs'])} runs complete, "
          f"{rows} rows in {elapsed:.1f} s ({len(complete) / elapsed * 60:.1f} runs/min, "
          f"{rows / elapsed:.0f} rows/s)")
    for run in manifest["runs"]:
        if run["status"] != "complete":
            print(f"  {run['run_id']}: {run['status']} {run.get('error', '')}")
    print(f"manifest: {crv_io.sweep.sweep_manifest_path(args.root, args.name)}")
    if len(complete) != len(manifest["runs"]):
        return 1

    print(f"\n{'noise':>7} {'runs':>5} {'std of final holdings':>22} {'top-decile share':>17}")
    for noise, count, spread, top_share in final_holdings_summary(args.root, manifest, args.ticks):
        print(f"{noise:7.3f} {count:5d} {spread:22.3f} {top_share:17.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
