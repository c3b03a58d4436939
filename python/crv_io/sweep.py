"""Parameter sweeps on a Dask cluster: one run per parameter set, and a sweep manifest.

    from crv_io.sweep import run_sweep

    manifest = run_sweep(simulate, [{"seed": 1, "noise": 0.01}, ...], root="out", name="grid")

`simulate(settings, run_id, **params)` appends a run's rows through crv_io. Each parameter
set becomes one task on a `distributed.Client` (a LocalCluster of `workers` processes by
default, or the scheduler at `scheduler`), which runs the simulation into its own run and
writes the run's bundle. The sweep manifest, <root>/sweeps/<name>.json, lists every run
with its parameters, status, rows per table, bundle path and whether an earlier attempt's
leftovers were discarded ("restarted"); it is rewritten atomically whenever a run finishes.

A run is complete once its bundle exists, and the bundle is written last. Dask runs a task
again when its worker dies; the task then finds the run without a bundle, deletes what the
dead attempt left, and runs the simulation from the start, so every row is in the run
exactly once. A run that is already complete is not run again (the sweep can be resumed).
This relies on one attempt at a time per run: Dask starts the next attempt only after the
worker of the previous one is gone.
"""

import datetime
import hashlib
import json
import os
import pathlib
import shutil
from typing import Any, Callable, Iterable, Mapping, Optional

from . import _crv_io

Simulation = Callable[..., Any]


def run_id_for(name: str, index: int, params: Mapping[str, Any]) -> str:
    """The run id of the `index`-th parameter set of sweep `name`: stable for the same
    parameters, and distinct for different ones."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    return f"{name}-{index:03d}-{digest}"


def sweep_manifest_path(root: "str | os.PathLike[str]", name: str) -> pathlib.Path:
    return pathlib.Path(root) / "sweeps" / f"{name}.json"


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _completed_run(settings: "_crv_io.IoSettings", run_id: str) -> Optional[dict]:
    """The run's outcome from its bundle, or None when it has no bundle yet."""
    bundle = pathlib.Path(settings.root_dir) / "runs" / run_id / "bundle.manifest.json"
    if not bundle.is_file():
        return None
    tables = json.loads(bundle.read_text())["tables"]
    return {
        "status": "complete",
        "rows": {table: stats["rows"] for table, stats in sorted(tables.items())},
        "bundle": str(bundle),
    }


def run_one(
    simulate: Simulation,
    settings: "_crv_io.IoSettings",
    run_id: str,
    params: Mapping[str, Any],
    sweep_name: str,
) -> dict:
    """One task of a sweep: the run `run_id` of `params`, complete. Runs on a worker."""
    done = _completed_run(settings, run_id)
    if done is not None:
        return done
    # A run without a bundle is what an attempt that died left: start it afresh.
    run_folder = pathlib.Path(settings.root_dir) / "runs" / run_id
    restarted = run_folder.exists()
    if restarted:
        shutil.rmtree(run_folder)
    simulate(settings, run_id, **params)
    _crv_io.write_run_bundle_manifest(
        settings, run_id, {"sweep": sweep_name, "params": dict(params)}
    )
    done = _completed_run(settings, run_id)
    assert done is not None
    return {**done, "restarted": restarted}


def _write_manifest(path: pathlib.Path, manifest: dict) -> None:
    manifest["updated_at"] = _now()
    _crv_io.write_text_atomic(path, json.dumps(manifest, indent=2, sort_keys=False) + "\n")


def _client(client: Any, scheduler: Optional[str], workers: int) -> tuple:
    """The client to use and whether this sweep made it (and so closes it)."""
    if client is not None:
        return client, False
    from distributed import Client, LocalCluster

    if scheduler is not None:
        return Client(scheduler), True
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
    return Client(cluster), True


def run_sweep(
    simulate: Simulation,
    grid: Iterable[Mapping[str, Any]],
    *,
    root: "str | os.PathLike[str]",
    name: str,
    settings: Optional["_crv_io.IoSettings"] = None,
    client: Any = None,
    scheduler: Optional[str] = None,
    workers: int = 2,
    retries: int = 2,
) -> dict:
    """Runs `simulate` once per parameter set of `grid` on a Dask cluster and returns the
    sweep manifest (also written to <root>/sweeps/<name>.json).

    `settings` are the runs' settings (root_dir is replaced by `root`); IoSettings
    defaults otherwise. `retries` is how often a task that raised is tried again (a task
    whose worker died is rescheduled by Dask on its own). A run that still fails is listed
    as "failed" with its error; the manifest is written either way.
    """
    from distributed import as_completed

    _crv_io.validate_run_id(name)
    params_list = [dict(params) for params in grid]
    run_settings = _crv_io.IoSettings(**{**(settings.to_dict() if settings else {}), "root_dir": root})
    path = sweep_manifest_path(root, name)
    manifest = {
        "name": name,
        "root": str(pathlib.Path(root).resolve()),
        "created_at": _now(),
        "updated_at": None,
        "runs": [
            {"run_id": run_id_for(name, i, p), "params": p, "status": "pending", "rows": None,
             "bundle": None, "restarted": False}
            for i, p in enumerate(params_list)
        ],
    }
    _write_manifest(path, manifest)  # fails here, before any task, when root is not writable

    dask_client, owned = _client(client, scheduler, workers)
    try:
        futures = {
            dask_client.submit(
                run_one, simulate, run_settings, entry["run_id"], entry["params"], name,
                key=f"crv-sweep-{entry['run_id']}", retries=retries, pure=False,
            ): entry
            for entry in manifest["runs"]
        }
        for future in as_completed(futures):
            entry = futures[future]
            try:
                entry.update(future.result())
            except Exception as error:  # noqa: BLE001 - a failed run is recorded, not raised
                entry.update(status="failed", error=f"{type(error).__name__}: {error}")
            _write_manifest(path, manifest)
    finally:
        if owned:
            dask_client.close()
    return manifest


def runs(root: "str | os.PathLike[str]") -> list:
    """The runs under <root>/runs, sorted by id: {"run_id", "path", "bundle" (path or
    None), "tables" (the tables with a manifest)}."""
    runs_folder = pathlib.Path(root) / "runs"
    if not runs_folder.is_dir():
        return []
    listed = []
    for run in sorted(p for p in runs_folder.iterdir() if p.is_dir()):
        bundle = run / "bundle.manifest.json"
        tables_folder = run / "tables"
        tables = sorted(
            t.name for t in tables_folder.iterdir() if (t / "manifest.json").is_file()
        ) if tables_folder.is_dir() else []
        listed.append({
            "run_id": run.name,
            "path": run,
            "bundle": bundle if bundle.is_file() else None,
            "tables": tables,
        })
    return listed
