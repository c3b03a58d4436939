"""append() with the reference's signature (crv.io.write.append)."""

from typing import Any

from . import _crv_io
from ._crv_io import IoSettings, TableName


def append(
    settings: IoSettings,
    run_id: str,
    table: "TableName | str",
    df: Any,
    *,
    validate_schema: bool = True,
    validate_rows: bool = False,
) -> "dict[str, Any]":
    """Appends `df` (anything crv_io.Dataset.append accepts) to `table` of run `run_id`
    atomically and returns the summary {table, run_id, parts, rows, buckets}.

    Raises IoSchemaError when the frame does not fit the table's descriptor, IoWriteError
    when a part cannot be written, IoManifestError when the manifest cannot be committed.
    """
    return _crv_io.append(
        table,
        df,
        run_id,
        settings,
        validate_schema=validate_schema,
        validate_rows=validate_rows,
    )


__all__ = ["append"]
