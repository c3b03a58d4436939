"""A simulation loop in Python that appends every tick through crv_io.

A small market: agents hold one token, value it with private noise around a drifting
fundamental, and each tick decide to buy, sell or hold; buyers and sellers are matched at
the tick's price. Every tick appends the tick's `decisions` (nested structs and a list of
structs), `exchange` (trades) and `holdings` rows; at the end the run is read back and
checked against what was appended, and the run's bundle is written.

    PYTHONPATH=build/python /usr/bin/python3 examples/python_sim_loop.py OUT_DIR \\
        [--agents 50] [--ticks 120] [--seed 7]

Exit status 0 when every table reads back exactly as appended.
"""

import argparse
import sys

import numpy as np

import crv_io

TOKEN = "crv"
ACTIONS = ("buy", "sell", "hold")


def simulate(settings: crv_io.IoSettings, run_id: str, agents: int, ticks: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    agent_ids = [f"agent-{i:04d}" for i in range(agents)]
    quantity = rng.integers(5, 15, size=agents)
    bias = rng.normal(0.0, 0.05, size=agents)
    fundamental, price = 100.0, 100.0
    appended = {"decisions": 0, "exchange": 0, "holdings": 0}

    with crv_io.Dataset(settings, run_id) as ds:
        for tick in range(ticks):
            fundamental *= float(np.exp(rng.normal(0.0, 0.01)))
            estimates = fundamental * (1.0 + bias + rng.normal(0.0, 0.02, size=agents))
            scores = np.stack([estimates - price, price - estimates, np.zeros(agents)], axis=1)
            choice = np.where(quantity == 0, np.where(scores[:, 0] > 0, 0, 2), scores.argmax(axis=1))

            decisions = [
                {
                    "tick": tick,
                    "agent_id": agent_ids[i],
                    "chosen_action": {"action": ACTIONS[choice[i]], "token_id": TOKEN},
                    "action_candidates": [
                        {"action": action, "score": round(float(scores[i, k]), 6)}
                        for k, action in enumerate(ACTIONS)
                    ],
                    "token_value_estimates": {TOKEN: round(float(estimates[i]), 6)},
                }
                for i in range(agents)
            ]
            ds.append(crv_io.TableName.DECISIONS, decisions)
            appended["decisions"] += len(decisions)

            buyers = np.flatnonzero(choice == 0)
            sellers = np.flatnonzero(choice == 1)
            trades = min(len(buyers), len(sellers))
            if trades:
                quantity[buyers[:trades]] += 1
                quantity[sellers[:trades]] -= 1
                ds.append(
                    "exchange",
                    {
                        "tick": np.full(trades, tick),
                        "venue_id": ["main"] * trades,
                        "token_id": [TOKEN] * trades,
                        "exchange_event_type": ["trade"] * trades,
                        "side": ["buy"] * trades,
                        "quantity": np.ones(trades),
                        "price": np.full(trades, round(price, 4)),
                        "actor_agent_id": [agent_ids[b] for b in buyers[:trades]],
                        "counterparty_agent_id": [agent_ids[s] for s in sellers[:trades]],
                        "additional_payload": [{"fundamental": round(fundamental, 4)}] * trades,
                    },
                )
                appended["exchange"] += trades
            price *= 1.0 + 0.002 * (len(buyers) - len(sellers)) / agents

            ds.append(
                "holdings",
                {
                    "tick": np.full(agents, tick),
                    "agent_id": agent_ids,
                    "token_id": [TOKEN] * agents,
                    "quantity": quantity.copy(),
                },
            )
            appended["holdings"] += agents
    return appended


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="dataset root (the run is written to ROOT/runs/python-sim)")
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--ticks", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    settings = crv_io.IoSettings(root_dir=args.root, tick_bucket_size=50)
    run_id = "python-sim"
    appended = simulate(settings, run_id, args.agents, args.ticks, args.seed)

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
