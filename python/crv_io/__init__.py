"""crv_io: the canonical tables of CRV simulation runs as append-only, tick-bucketed
Parquet datasets, written and read by crv-io's C++ engine.

    import crv_io

    settings = crv_io.IoSettings(root_dir="out", tick_bucket_size=100)
    with crv_io.Dataset(settings, "run-1") as ds:
        ds.append("holdings", {"tick": [0, 0], "agent_id": ["a", "b"], ...})
        table = ds.read(crv_io.TableName.HOLDINGS, where={"tick_min": 0, "tick_max": 9})
        frame = table.to_pandas()

The names follow the reference Python package crv.io: crv_io.config.IoSettings,
crv_io.write.append, crv_io.run_manifest.write_run_bundle_manifest, crv_io.errors.
"""

from ._crv_io import (
    LAB_FOLDERS,
    SCHEMA_VERSION,
    ColumnDescriptor,
    CrvError,
    Dataset,
    GrammarError,
    IoConfigError,
    IoError,
    IoFormatError,
    IoManifestError,
    IoSchemaError,
    IoSettings,
    IoWriteError,
    Scan,
    SchemaError,
    Table,
    TableDescriptor,
    TableName,
    Transaction,
    __version__,
    append,
    artifacts_root,
    file_stat,
    get_table,
    index_lab_artifacts,
    lab_dir,
    library_versions,
    list_tables,
    write_parquet_atomic,
    write_run_bundle_manifest,
    write_text_atomic,
    validate_run_id,
)
from .sweep import runs

# The reference's module paths, available after `import crv_io` as they are after
# `import crv.io`.
from . import artifacts, config, errors, run_manifest, write  # noqa: E402

__all__ = [
    "LAB_FOLDERS",
    "SCHEMA_VERSION",
    "ColumnDescriptor",
    "CrvError",
    "Dataset",
    "GrammarError",
    "IoConfigError",
    "IoError",
    "IoFormatError",
    "IoManifestError",
    "IoSchemaError",
    "IoSettings",
    "IoWriteError",
    "Scan",
    "SchemaError",
    "Table",
    "TableDescriptor",
    "TableName",
    "Transaction",
    "__version__",
    "append",
    "artifacts_root",
    "file_stat",
    "get_table",
    "index_lab_artifacts",
    "lab_dir",
    "library_versions",
    "list_tables",
    "write_parquet_atomic",
    "write_run_bundle_manifest",
    "write_text_atomic",
    "validate_run_id",
    "runs",
]
