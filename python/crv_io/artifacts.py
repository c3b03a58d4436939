"""Files a run keeps beside its tables, under <root>/runs/<run_id>/artifacts/lab/<folder>."""

from ._crv_io import (
    LAB_FOLDERS,
    artifacts_root,
    file_stat,
    index_lab_artifacts,
    lab_dir,
    write_parquet_atomic,
    write_text_atomic,
)

__all__ = [
    "LAB_FOLDERS",
    "artifacts_root",
    "file_stat",
    "index_lab_artifacts",
    "lab_dir",
    "write_parquet_atomic",
    "write_text_atomic",
]
