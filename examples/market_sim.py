"""A small agent-based market, the simulation the Python examples run and sweep.

Agents hold one token and value it with private noise around a drifting fundamental; each
tick they decide to buy, sell or hold, and buyers and sellers are matched at the tick's
price, which moves with the order imbalance. Every tick appends the tick's `decisions`
(nested structs and a list of structs), `exchange` (trades) and `holdings` rows through
crv_io. The same parameters always give the same rows.

Parameters: agents, ticks, seed, and `noise`, the spread of the agents' private
valuations (the behavioural one: more noise, more disagreement, more trades);
`tick_seconds` pauses after each tick, standing in for a slower model (the sweep tests use
it to stop a run half-way).
"""

import time

import numpy as np

import crv_io

TOKEN = "crv"
ACTIONS = ("buy", "sell", "hold")


def simulate(
    settings: crv_io.IoSettings,
    run_id: str,
    *,
    agents: int = 50,
    ticks: int = 120,
    seed: int = 7,
    noise: float = 0.02,
    tick_seconds: float = 0.0,
) -> dict:
    """Runs the market into run `run_id`; returns the rows appended per table."""
    rng = np.random.default_rng(seed)
    agent_ids = [f"agent-{i:04d}" for i in range(agents)]
    quantity = rng.integers(5, 15, size=agents)
    bias = rng.normal(0.0, 0.05, size=agents)
    fundamental, price = 100.0, 100.0
    appended = {"decisions": 0, "exchange": 0, "holdings": 0}

    with crv_io.Dataset(settings, run_id) as ds:
        for tick in range(ticks):
            fundamental *= float(np.exp(rng.normal(0.0, 0.01)))
            estimates = fundamental * (1.0 + bias + rng.normal(0.0, noise, size=agents))
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
            if tick_seconds:
                time.sleep(tick_seconds)
    return appended
