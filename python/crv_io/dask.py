"""Reading a table across runs as a Dask DataFrame.

    import crv_io.dask

    holdings = crv_io.dask.read_table("out", "holdings", where={"tick_min": 100})
    holdings.groupby(["run_id", "token_id"]).quantity.sum().compute()

One partition per (run, bucket): the runs' manifests decide, before any task is made, which
buckets can hold rows in the tick range, and only those become partitions. Each partition
is read by crv_io on the worker that computes it (the bucket's parts, pruned by their
row-group statistics, rows filtered exactly) and gets a `run_id` column.

Without a list of runs, only complete runs are read: those with their bundle manifest,
which a sweep writes last (see crv_io.sweep). A run that failed or is still being written
has committed rows too; include_incomplete=True reads those as well.
"""

import os
import pathlib
from typing import Any, Mapping, Optional, Sequence

from . import _crv_io
from .sweep import runs as list_runs

# pandas dtypes of the descriptor's column types; nullable integers use pandas' Int64 so
# every partition of a column has the same dtype whether or not it holds nulls.
_REQUIRED_DTYPES = {"i64": "int64", "f64": "float64", "str": "object"}
_NULLABLE_DTYPES = {"i64": "Int64", "f64": "float64", "str": "object"}


def _column_dtypes(table: str, columns: Optional[Sequence[str]]) -> dict:
    descriptor = _crv_io.get_table(table)
    by_name = {column.name: column for column in descriptor.columns}
    names = list(columns) if columns is not None else list(by_name)
    dtypes = {}
    for name in names:
        column = by_name.get(name)
        if column is None:
            raise _crv_io.IoSchemaError(
                f"table '{table}' has no column '{name}'; its columns are: {', '.join(by_name)}"
            )
        table_dtypes = _REQUIRED_DTYPES if column.required else _NULLABLE_DTYPES
        dtypes[name] = table_dtypes.get(column.dtype, "object")
    return dtypes


def _read_bucket(root: str, run_id: str, table: str, bucket: int, where: Optional[dict],
                 dtypes: dict) -> Any:
    """One partition: the rows of one bucket of one run, as a pandas DataFrame."""
    import pandas as pd

    dataset = _crv_io.Dataset(_crv_io.IoSettings(root_dir=root), run_id)
    try:
        rows = dataset.read(table, where=where, columns=list(dtypes), buckets=[bucket])
    finally:
        dataset.close()
    frame = rows.to_pandas() if rows.num_rows else pd.DataFrame({n: [] for n in dtypes})
    frame = frame.astype(dtypes)
    frame.insert(0, "run_id", pd.Series([run_id] * len(frame), dtype="object", index=frame.index))
    return frame


def _meta(dtypes: dict) -> Any:
    import pandas as pd

    columns = {"run_id": pd.Series([], dtype="object")}
    columns.update({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})
    return pd.DataFrame(columns)


def _overlaps(partition: Mapping[str, Any], where: Optional[Mapping[str, Any]]) -> bool:
    tick_min = (where or {}).get("tick_min")
    tick_max = (where or {}).get("tick_max")
    return (tick_min is None or partition["tick_max"] >= tick_min) and (
        tick_max is None or partition["tick_min"] <= tick_max
    )


def _checked_where(where: Optional[Mapping[str, Any]]) -> Optional[dict]:
    """`where` as the dict Dataset.read takes, refused here as Dataset.read would refuse it,
    before any task exists."""
    where_dict = dict(where) if isinstance(where, Mapping) else where
    _crv_io._check_scan_arguments(where=where_dict)
    return where_dict or None


def partitions(root: "str | os.PathLike[str]", table: str, runs: Optional[Sequence[str]] = None,
               where: Optional[Mapping[str, Any]] = None, *,
               include_incomplete: bool = False) -> list:
    """The (run_id, bucket) pairs a read_table of these arguments makes partitions of, in
    order: the runs' buckets whose manifest tick range overlaps `where`.

    IoConfigError for a `where` Dataset.read refuses. IoManifestError when a run asked for
    (or, without `runs`, a run read by default) has no manifest for the table."""
    name = str(_crv_io.get_table(table).name.value)
    where = _checked_where(where)
    settings = _crv_io.IoSettings(root_dir=root)
    if runs is None:
        runs = [
            run["run_id"] for run in list_runs(root)
            if (pathlib.Path(run["path"]) / "tables" / name).is_dir()
            and (include_incomplete or run["bundle"] is not None)
        ]
    pairs = []
    for run_id in runs:
        dataset = _crv_io.Dataset(settings, run_id)
        try:
            manifest = dataset.manifest(name)
        finally:
            dataset.close()
        if manifest is None:
            raise _crv_io.IoManifestError(
                f"run '{run_id}' has no manifest for table '{name}' under {root}; if its parts "
                f"are on disk, rebuild it with Dataset.rebuild_manifest or `crvio "
                f"rebuild-manifest --run {run_id} --table {name}`"
            )
        for partition in manifest["partitions"].values():
            if _overlaps(partition, where):
                pairs.append((run_id, int(partition["bucket_id"])))
    return pairs


def read_table(root: "str | os.PathLike[str]", table: str, runs: Optional[Sequence[str]] = None,
               where: Optional[Mapping[str, Any]] = None,
               columns: Optional[Sequence[str]] = None, *,
               include_incomplete: bool = False) -> Any:
    """The rows of `table` in `runs` as a dask.dataframe.DataFrame with a leading `run_id`
    column; `where` and `columns` as in Dataset.read, and refused as it refuses them, here
    rather than when the partitions are computed. Without `runs`, every complete run under
    `root` holding the table (one with its bundle manifest); include_incomplete=True adds
    the runs without a bundle (failed, or still being written). Columns are typed by the
    table's descriptor: int64 (Int64 when nullable), float64, and object for text and
    nested values."""
    import dask.dataframe as dd
    from dask import delayed

    name = str(_crv_io.get_table(table).name.value)
    where_dict = _checked_where(where)
    _crv_io._check_scan_arguments(columns=columns)
    dtypes = _column_dtypes(name, columns)
    root_text = os.fspath(root)
    parts = [
        delayed(_read_bucket)(root_text, run_id, name, bucket, where_dict, dtypes)
        for run_id, bucket in partitions(root, name, runs, where_dict,
                                         include_incomplete=include_incomplete)
    ]
    meta = _meta(dtypes)
    if not parts:
        return dd.from_pandas(meta, npartitions=1)
    return dd.from_delayed(parts, meta=meta, verify_meta=False)
