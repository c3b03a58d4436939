"""Sweeps on a Dask LocalCluster and reads across runs, checked against DuckDB.

One sweep of 6 runs on 2 worker processes is shared by the module; one worker process is
killed while runs are in progress, so at least one run is interrupted half-way and run
again by Dask. The market simulation is examples/market_sim.py.
"""

import json
import os
import pathlib
import signal
import shutil
import sys
import threading
import time

import pytest

import crv_io
import crv_io.dask
from crv_io.sweep import run_id_for, run_sweep, sweep_manifest_path
from helpers import needs_oracle, oracle

distributed = pytest.importorskip("distributed")
pytestmark = needs_oracle

# Worker processes start with this process's sys.path, so they import the simulation too.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples"))
from market_sim import simulate  # noqa: E402

BUCKET_SIZE = 10
TICKS = 40
TABLES = ("decisions", "exchange", "holdings")
GRID = [
    {"agents": 12, "ticks": TICKS, "seed": 100 + i, "noise": (0.01, 0.05)[i % 2],
     "tick_seconds": 0.05}
    for i in range(6)
]


def settings_for(root: pathlib.Path) -> crv_io.IoSettings:
    return crv_io.IoSettings(root_dir=root, tick_bucket_size=BUCKET_SIZE)


def runs_in_progress(root: pathlib.Path) -> list:
    runs = root / "runs"
    if not runs.is_dir():
        return []
    return [r for r in runs.iterdir() if (r / "tables").is_dir()
            and not (r / "bundle.manifest.json").exists()]


def kill_a_worker_mid_run(client, root: pathlib.Path, killed: list) -> None:
    """Waits until a run has rows but no bundle, then kills one worker process."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any((r / "tables" / "holdings" / "manifest.json").exists() for r in runs_in_progress(root)):
            pid = next(iter(client.run(os.getpid).values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.02)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    killed = []
    killer = threading.Thread(target=kill_a_worker_mid_run, args=(client, root, killed))
    killer.start()
    try:
        manifest = run_sweep(simulate, GRID, root=root, name="grid", settings=settings_for(root),
                             client=client)
    finally:
        killer.join()
        client.close()
        cluster.close()
    return root, manifest, killed


def duckdb_counts(root: pathlib.Path) -> dict:
    """(run, table) -> rows, counted by DuckDB over every part on disk."""
    lines = oracle(
        "sql",
        "SELECT regexp_extract(filename, '/runs/([^/]+)/tables/([^/]+)/', 1) AS run, "
        "regexp_extract(filename, '/runs/([^/]+)/tables/([^/]+)/', 2) AS tbl, count(*) AS n "
        f"FROM read_parquet('{root}/runs/*/tables/*/bucket=*/*.parquet', filename = true, "
        "union_by_name = true, hive_partitioning = false) GROUP BY ALL",
    )
    return {(r["run"], r["tbl"]): r["n"] for r in map(json.loads, lines.splitlines())}


def test_every_run_completes_although_a_worker_died_mid_run(sweep):
    root, manifest, killed = sweep
    assert killed, "no worker was killed: the sweep finished before a run was seen in progress"
    assert [run["status"] for run in manifest["runs"]] == ["complete"] * 6
    # The killed worker's run was found half-written by its next attempt and started afresh.
    assert any(run["restarted"] for run in manifest["runs"]), manifest["runs"]
    assert [run["run_id"] for run in manifest["runs"]] == [
        run_id_for("grid", i, params) for i, params in enumerate(GRID)
    ]
    on_disk = json.loads(sweep_manifest_path(root, "grid").read_text())
    assert on_disk["runs"] == manifest["runs"]
    assert {run["run_id"] for run in crv_io.runs(root) if run["bundle"]} == {
        run["run_id"] for run in manifest["runs"]
    }


def test_rows_equal_the_bundles_duckdb_and_a_single_process_run(sweep, tmp_path):
    root, manifest, _ = sweep
    counted = duckdb_counts(root)
    for run, params in zip(manifest["runs"], GRID):
        bundle = json.loads(pathlib.Path(run["bundle"]).read_text())
        alone = simulate(settings_for(tmp_path), run["run_id"], **{**params, "tick_seconds": 0})
        for table in TABLES:
            rows = run["rows"][table]
            assert rows == bundle["tables"][table]["rows"] == counted[(run["run_id"], table)]
            assert rows == alone[table], (run["run_id"], table)
        # The same rows, not only as many: the run equals its single-process twin.
        swept = crv_io.Dataset(settings_for(root), run["run_id"]).read("decisions")
        twin = crv_io.Dataset(settings_for(tmp_path), run["run_id"]).read("decisions")
        assert swept == twin


def test_a_dask_group_by_across_runs_equals_duckdb_sql(sweep):
    root, _, _ = sweep
    holdings = crv_io.dask.read_table(root, "holdings")
    ours = holdings.groupby(["run_id", "token_id"]).quantity.sum().compute()
    lines = oracle(
        "sql",
        "SELECT regexp_extract(filename, '/runs/([^/]+)/', 1) AS run_id, token_id, "
        f"sum(quantity) AS quantity FROM read_parquet('{root}/runs/*/tables/holdings/bucket=*/"
        "*.parquet', filename = true, hive_partitioning = false) GROUP BY ALL",
    )
    theirs = {(r["run_id"], r["token_id"]): r["quantity"] for r in map(json.loads, lines.splitlines())}
    assert {key: int(value) for key, value in ours.items()} == theirs
    assert len(theirs) == 6


def test_tick_pruning_makes_partitions_only_for_overlapping_buckets(sweep):
    root, manifest, _ = sweep
    every = crv_io.dask.read_table(root, "holdings")
    assert every.npartitions == 6 * (TICKS // BUCKET_SIZE)
    window = crv_io.dask.read_table(root, "holdings", where={"tick_min": 12, "tick_max": 17},
                                    columns=["tick", "quantity"])
    assert window.npartitions == 6
    assert crv_io.dask.partitions(root, "holdings", where={"tick_min": 12, "tick_max": 17}) == [
        (run["run_id"], 1) for run in sorted(manifest["runs"], key=lambda r: r["run_id"])
    ]
    rows = window.compute()
    assert list(rows.columns) == ["run_id", "tick", "quantity"]
    assert sorted(set(rows.tick)) == list(range(12, 18))
    assert len(rows) == 6 * 6 * 12  # runs x ticks x agents
    two_runs = [manifest["runs"][0]["run_id"], manifest["runs"][3]["run_id"]]
    assert crv_io.dask.read_table(root, "holdings", runs=two_runs,
                                  where={"tick_min": 35}).npartitions == 2


def test_bad_inputs_are_clear_errors(sweep, tmp_path):
    root, manifest, _ = sweep
    with pytest.raises(crv_io.GrammarError, match="holding"):
        crv_io.dask.read_table(root, "holding")
    with pytest.raises(crv_io.IoSchemaError, match="no column 'price'"):
        crv_io.dask.read_table(root, "holdings", columns=["tick", "price"])

    broken = tmp_path / "broken"
    crv_io.Dataset(settings_for(broken), "r1").append(
        "holdings", {"tick": [1], "agent_id": ["a"], "token_id": ["t"], "quantity": [1]})
    # Everything but the parts is lost: the commit log and manifest.json.
    shutil.rmtree(broken / "runs" / "r1" / "tables" / "holdings" / "_log")
    (broken / "runs" / "r1" / "tables" / "holdings" / "manifest.json").unlink(missing_ok=True)
    with pytest.raises(crv_io.IoManifestError, match="run 'r1' has no manifest.*rebuild"):
        crv_io.dask.read_table(broken, "holdings", include_incomplete=True)

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(crv_io.IoWriteError) as caught:
        run_sweep(simulate, GRID[:1], root=blocked / "root", name="grid")
    assert "a-file" in str(caught.value)
    with pytest.raises(crv_io.GrammarError):
        run_sweep(simulate, GRID[:1], root=tmp_path, name="Not A Name")


def test_a_sweep_runs_on_an_existing_scheduler_by_address_and_resumes(tmp_path):
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    grid = [{**params, "tick_seconds": 0} for params in GRID[:2]]
    try:
        first = run_sweep(simulate, grid, root=tmp_path, name="remote",
                          settings=settings_for(tmp_path), scheduler=cluster.scheduler_address)
        bundles = {run["run_id"]: pathlib.Path(run["bundle"]).stat().st_mtime_ns
                   for run in first["runs"]}
        again = run_sweep(simulate, grid, root=tmp_path, name="remote",
                          settings=settings_for(tmp_path), scheduler=cluster.scheduler_address)
    finally:
        cluster.close()
    assert [run["status"] for run in first["runs"]] == ["complete", "complete"]
    # Complete runs are not run again: same rows, bundles untouched.
    assert [run["rows"] for run in again["runs"]] == [run["rows"] for run in first["runs"]]
    assert {run["run_id"]: pathlib.Path(run["bundle"]).stat().st_mtime_ns
            for run in again["runs"]} == bundles
