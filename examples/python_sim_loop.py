"""A simulation loop in Python that appends every tick through crv_io.

Runs the market of market_sim.py (every tick appends its `decisions`, `exchange` and
`holdings` rows), then reads the run back, checks it against what was appended, and
writes the run's bundle.

    PYTHONPATH=build/python /usr/bin/python3 examples/python_sim_loop.py OUT_DIR \\
        [--agents 50] [--ticks 120] [--seed 7]

Exit status 0 when every table reads back exactly as appended.
"""

import argparse
import sys

import crv_io
from market_sim import simulate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="dataset root (the run is written to ROOT/runs/python-sim)")
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--ticks", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    settings = crv_io.IoSettings(root_dir=args.root, tick_bucket_size=50)
    run_id = "python-sim"
    appended = simulate(settings, run_id, agents=args.agents, ticks=args.ticks, seed=args.seed)

    ok = True
    ds = crv_io.Dataset(settings, run_id)
    for table, rows in appended.items():
        read = ds.read(table)
        print(f"{table:10} appended {rows:7} rows, read back {read.num_rows:7}")
        ok &= read.num_rows == rows
    last = ds.read("holdings", where={"tick_min": args.ticks - 1}, columns=["agent_id", "quantity"])
    total = sum(last.column("quantity"))
    print(f"tokens held at the last tick: {total}")
    first = ds.read("decisions", limit=1).to_pylist()[0]
    print(f"first decision: {first['agent_id']} {first['chosen_action']}")
    print(f"bundle: {crv_io.write_run_bundle_manifest(settings, run_id, meta={'seed': args.seed})}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
