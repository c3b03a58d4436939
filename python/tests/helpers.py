"""Data builders and checks shared by the test modules.

The expected column lists below are copied from the contract (contracts.md), not taken
from crv_io's descriptors, so a descriptor that drifts from the contract fails a test
instead of silently reshaping the expectations.
"""

from __future__ import annotations

import math
import pathlib
import shutil
import struct as binary
import subprocess
from typing import Any, Callable, Iterable, Optional, Sequence

import pytest

# DuckDB runs behind the project's Node oracle (tests/conformance/oracle.mjs).
CONFORMANCE = pathlib.Path(__file__).resolve().parents[2] / "tests" / "conformance"
ORACLE = CONFORMANCE / "oracle.mjs"
NODE = shutil.which("node")
needs_oracle = pytest.mark.skipif(
    NODE is None or not (CONFORMANCE / "node_modules").is_dir() or not ORACLE.is_file(),
    reason="needs node and tests/conformance/node_modules (npm ci in tests/conformance)",
)


def oracle(*args: str) -> str:
    """The oracle's standard output for `args`; the test fails when it exits non-zero."""
    result = subprocess.run([NODE, str(ORACLE), *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"oracle {args[0]} failed ({result.returncode}): {result.stderr}"
    return result.stdout


RUN_ID = "run-1"
BUCKET_SIZE = 100  # IoSettings' default tick_bucket_size

# Canonical columns of the tables these tests write, in order: (name, dtype, required).
TABLE_COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    "exchange": [
        ("bucket", "i64", True), ("tick", "i64", True), ("venue_id", "str", True),
        ("token_id", "str", True), ("exchange_event_type", "str", True), ("side", "str", False),
        ("quantity", "f64", False), ("price", "f64", False), ("actor_agent_id", "str", False),
        ("counterparty_agent_id", "str", False), ("baseline_value", "f64", False),
        ("additional_payload", "struct", True),
    ],
    "identity_edges": [
        ("bucket", "i64", True), ("tick", "i64", True), ("observer_agent_id", "str", True),
        ("edge_kind", "str", True), ("subject_id", "str", False), ("object_id", "str", False),
        ("related_agent_id", "str", False), ("token_id", "str", False),
        ("edge_weight", "f64", True), ("edge_sign", "i64", False),
    ],
    "scenarios_seen": [
        ("bucket", "i64", True), ("tick", "i64", True), ("observer_agent_id", "str", True),
        ("token_id", "str", False), ("owner_status", "str", False),
        ("peer_alignment_label", "str", False), ("group_label", "str", False),
        ("visibility_scope", "str", False), ("channel_name", "str", False),
        ("salient_agent_pairs", "list[struct]", True), ("exchange_snapshot", "struct", True),
        ("recent_affect_index", "f64", False), ("salient_other_agent_id", "str", False),
        ("context_hash", "str", True),
    ],
    "messages": [
        ("bucket", "i64", True), ("tick", "i64", True), ("sender_agent_id", "str", True),
        ("channel_name", "str", True), ("visibility_scope", "str", True),
        ("audience", "struct", True), ("speech_act", "str", True), ("topic_label", "str", True),
        ("stance_label", "str", False), ("claims", "struct", True), ("style", "struct", True),
    ],
    "decisions": [
        ("bucket", "i64", True), ("tick", "i64", True), ("agent_id", "str", True),
        ("chosen_action", "struct", True), ("action_candidates", "list[struct]", True),
        ("token_value_estimates", "struct", True),
    ],
    "oracle_calls": [
        ("bucket", "i64", True), ("tick", "i64", True), ("agent_id", "str", True),
        ("engine", "str", True), ("signature_id", "str", True), ("persona_id", "str", True),
        ("persona_hash", "str", True), ("representation_hash", "str", True),
        ("context_hash", "str", True), ("value_json", "str", True), ("latency_ms", "i64", True),
        ("cache_hit", "i64", True), ("n_tool_calls", "i64", True), ("tool_seq", "struct", True),
    ],
    "holdings": [
        ("bucket", "i64", True), ("tick", "i64", True), ("agent_id", "str", True),
        ("token_id", "str", True), ("quantity", "i64", True),
    ],
    "holdings_valuation": [
        ("bucket", "i64", True), ("tick", "i64", True), ("agent_id", "str", True),
        ("token_id", "str", True), ("quantity", "i64", True), ("avg_unit_cost", "f64", False),
        ("cost_value", "f64", False), ("mark_price", "f64", False), ("mark_value", "f64", False),
        ("realized_pnl", "f64", False), ("unrealized_pnl", "f64", False),
        ("price_source", "str", False), ("accounting_method", "str", False),
    ],
}


def column_names(table: str) -> list[str]:
    return [name for name, _, _ in TABLE_COLUMNS[table]]


# --- files ---------------------------------------------------------------------------


def snapshot(folder: pathlib.Path) -> dict[str, bytes]:
    """Every regular file under `folder` (relative POSIX path -> bytes); {} when the
    folder does not exist. Two equal snapshots mean a byte-identical tree of files."""
    folder = pathlib.Path(folder)
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_same_files(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """Equal snapshots, with a readable list of what changed otherwise."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(p for p in set(before) & set(after) if before[p] != after[p])
    assert not (added or removed or changed), f"added {added}, removed {removed}, changed {changed}"


def part_files(root: pathlib.Path, table: str, run_id: str = RUN_ID) -> list[pathlib.Path]:
    return sorted((table_dir(root, table, run_id)).glob("bucket=*/part-*.parquet"))


def table_dir(root: pathlib.Path, table: str, run_id: str = RUN_ID) -> pathlib.Path:
    return pathlib.Path(root) / "runs" / run_id / "tables" / table


def manifest_path(root: pathlib.Path, table: str, run_id: str = RUN_ID) -> pathlib.Path:
    return table_dir(root, table, run_id) / "manifest.json"


# --- errors ----------------------------------------------------------------------------

UNSET = object()  # an expectation not given


def expect_refusal(
    root: pathlib.Path,
    error_class: type[BaseException],
    action: Callable[[], Any],
    *,
    column: Any = UNSET,
    row: Any = UNSET,
    message_has: Iterable[str] = (),
) -> BaseException:
    """Runs `action`, which must raise `error_class` and leave every file under `root`
    byte-identical. `column`/`row` are the error's attributes when given; every string
    of `message_has` must appear in str(error)."""
    before = snapshot(root)
    with pytest.raises(error_class) as caught:
        action()
    assert_same_files(before, snapshot(root))
    error = caught.value
    if column is not UNSET:
        assert error.column == column, f"column {error.column!r} in {error}"
    if row is not UNSET:
        assert error.row == row, f"row {error.row!r} in {error}"
    for part in message_has:
        assert part in str(error), f"{part!r} not in {str(error)!r}"
    return error


# --- data ------------------------------------------------------------------------------


def holdings_columns(ticks: Sequence[int], *, tag: str = "a") -> dict[str, list[Any]]:
    """Holdings rows as a dict of lists: agent ids unique per row (tag-index), so a test
    can tell every row apart."""
    return {
        "tick": list(ticks),
        "agent_id": [f"{tag}-{i}" for i in range(len(ticks))],
        "token_id": ["tok-x" if i % 2 else "tok-y" for i in range(len(ticks))],
        "quantity": [10 * i - 5 for i in range(len(ticks))],
    }


def edge_columns(ticks: Sequence[int]) -> dict[str, list[Any]]:
    """identity_edges rows with only the required columns."""
    return {
        "tick": list(ticks),
        "observer_agent_id": [f"obs-{i}" for i in range(len(ticks))],
        "edge_kind": ["trust" if i % 2 else "owns" for i in range(len(ticks))],
        "edge_weight": [0.25 * i for i in range(len(ticks))],
    }


def decision_rows(ticks: Sequence[int]) -> list[dict[str, Any]]:
    """decisions rows: a struct, a list of structs (an empty one too) and a struct of
    estimates, with nulls inside the nested values."""
    rows = []
    for i, tick in enumerate(ticks):
        candidates = [
            {"action_type": "buy", "parameters": {"token_id": "tok-x", "size": i + 1},
             "score": 0.5 + i, "key": f"k{i}-0"},
            {"action_type": "hold", "parameters": {"token_id": None, "size": 0},
             "score": None, "key": f"k{i}-1"},
        ]
        rows.append({
            "tick": tick,
            "agent_id": f"agent-{i}",
            "chosen_action": {"action_type": "buy", "token_id": "tok-x", "quantity": i},
            "action_candidates": candidates if i % 3 != 2 else [],
            "token_value_estimates": {"tok_x": 1.5 * i, "tok_y": -0.25},
        })
    return rows


def scenario_rows(ticks: Sequence[int]) -> list[dict[str, Any]]:
    """scenarios_seen rows: list[struct] pairs, a struct holding a struct, some nullable
    columns given (one of them null) and the others absent."""
    rows = []
    for i, tick in enumerate(ticks):
        rows.append({
            "tick": tick,
            "observer_agent_id": f"obs-{i}",
            "token_id": "tok-x" if i % 2 else None,
            "salient_agent_pairs": [
                {"agent_a": f"a{i}", "agent_b": f"b{i}", "weight": 0.5},
                {"agent_a": f"c{i}", "agent_b": None, "weight": -1.0},
            ][: i % 3],
            "exchange_snapshot": {"price": 1.25 + i, "depth": {"bids": i, "asks": 2 * i}},
            "recent_affect_index": -0.5 * i,
            "context_hash": f"h{i:04d}",
        })
    return rows


def columns_to_rows(columns: dict[str, Sequence[Any]]) -> list[dict[str, Any]]:
    names = list(columns)
    return [dict(zip(names, values)) for values in zip(*(columns[n] for n in names))]


def rows_to_columns(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    names: list[str] = []
    for row in rows:
        names += [name for name in row if name not in names]
    return {name: [row.get(name) for row in rows] for name in names}


def expected_rows(table: str, rows: Sequence[dict[str, Any]], bucket_size: int = BUCKET_SIZE) -> list[dict[str, Any]]:
    """What reading `rows` back from `table` gives: every canonical column in order,
    `bucket` computed from `tick`, absent nullable columns null."""
    expected = []
    for row in rows:
        full = {name: row.get(name) for name in column_names(table)}
        full["bucket"] = row["tick"] // bucket_size
        expected.append(full)
    return expected


def sort_rows(rows: Iterable[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: tuple(row[k] for k in keys))


# --- values -----------------------------------------------------------------------------


def same_float(a: Optional[float], b: Optional[float]) -> bool:
    """Equal as stored: bit-identical doubles (so -0.0 differs from 0.0), any NaN equal."""
    if a is None or b is None:
        return a is b
    if math.isnan(a) and math.isnan(b):
        return True
    return binary.pack("<d", a) == binary.pack("<d", b)


def canonical(value: Any) -> Any:
    """A value in the conformance oracle's canonical row form (tests/conformance/README.md)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "f64:nan" if math.isnan(value) else "f64:" + binary.pack(">d", value).hex()
    if isinstance(value, str):
        return "s:" + value
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    raise TypeError(f"no canonical form for {value!r}")
