"""Type stubs of crv_io's native module. Everything here is re-exported by crv_io."""

import enum
import os
import pathlib
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Optional, Union

__version__: str

# --- errors ---------------------------------------------------------------------------
class CrvError(Exception):
    """Base of every crv-io error. str(e) is the message followed by its context."""

    message: str
    """The message without the context."""
    path: Optional[str]
    """The file or folder involved, when known."""
    column: Optional[str]
    """The column involved (dotted for nested fields), when known."""
    row: Optional[int]
    """The 0-based row of the input involved, when known."""
    offset: Optional[int]
    """The byte offset in `path`, when known."""

class GrammarError(CrvError, ValueError):
    """A name breaks the grammar: unknown table, not lower_snake, bad run id."""

class SchemaError(CrvError, ValueError):
    """In-memory data breaks a rule of its own (a row rule, or a malformed Arrow array)."""

class IoError(CrvError):
    """Base of the I/O errors; raised itself for operating-system failures."""

class IoConfigError(IoError):
    """A setting or argument value is invalid."""

class IoSchemaError(IoError):
    """Data does not fit the table's descriptor (names column, row and value)."""

class IoWriteError(IoError):
    """A part or file could not be encoded or stored."""

class IoManifestError(IoError):
    """A manifest is missing, corrupt or could not be written."""

class IoFormatError(IoError):
    """A file is not valid Parquet, or uses a feature crv-io does not read."""

# --- tables ---------------------------------------------------------------------------
class TableName(str, enum.Enum):
    """The canonical tables. Wherever a table is asked for, its lower_snake name works too."""

    EXCHANGE = "exchange"
    IDENTITY_EDGES = "identity_edges"
    SCENARIOS_SEEN = "scenarios_seen"
    MESSAGES = "messages"
    DECISIONS = "decisions"
    ORACLE_CALLS = "oracle_calls"
    HOLDINGS = "holdings"
    HOLDINGS_VALUATION = "holdings_valuation"

TableLike = Union[TableName, str]

class ColumnDescriptor:
    name: str
    dtype: Literal["i64", "f64", "str", "struct", "list[struct]"]
    required: bool
    """Present in every appended frame, never null."""
    nullable: bool

class TableDescriptor:
    name: TableName
    columns: list[ColumnDescriptor]
    """In canonical order; the first is the partition column `bucket`."""
    partitioning: list[str]
    version: str
    """The schema version, "major.minor@date"."""
    def column(self, name: str) -> Optional[ColumnDescriptor]: ...

def get_table(table: TableLike) -> TableDescriptor:
    """The descriptor of `table`; GrammarError for an unknown name."""

def list_tables() -> list[TableDescriptor]:
    """Every table's descriptor, in canonical order."""

SCHEMA_VERSION: str
"""The schema version this library writes, "major.minor@date"."""

# --- settings -------------------------------------------------------------------------
class IoSettings:
    """Where runs are written and how parts are encoded. Values are checked at
    construction and on assignment: an invalid one is an IoConfigError naming it."""

    root_dir: pathlib.Path
    partitioning: str
    tick_bucket_size: int
    row_group_size: int
    compression: Literal["zstd", "lz4", "snappy", "none"]
    compression_level: int
    strict_schema: bool
    write_manifest_every_n: int
    manifest_every_commit: bool
    iceberg_metadata: bool
    max_open_parts: int
    max_buffered_rows: int
    target_part_bytes: int
    fs_protocol: str
    def __init__(
        self,
        *,
        root_dir: Union[str, os.PathLike[str]] = "out",
        partitioning: str = "tick_buckets",
        tick_bucket_size: int = 100,
        row_group_size: int = 131072,
        compression: str = "zstd",
        compression_level: int = 3,
        strict_schema: bool = True,
        write_manifest_every_n: int = 1,
        manifest_every_commit: bool = False,
        iceberg_metadata: bool = True,
        max_open_parts: int = 256,
        max_buffered_rows: int = 1048576,
        target_part_bytes: int = 134217728,
        fs_protocol: str = "file",
    ) -> None: ...
    @staticmethod
    def load(
        *,
        config_file: Optional[Union[str, os.PathLike[str]]] = None,
        search_dir: Optional[Union[str, os.PathLike[str]]] = None,
        environ: Optional[Mapping[str, str]] = None,
    ) -> IoSettings:
        """Defaults, overridden by crv.toml [io] (or pyproject.toml [tool.crv.io]) found in
        `search_dir` (the working directory by default) or by `config_file`, overridden by
        CRV_IO_<KEY> variables of `environ` (os.environ by default)."""
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...

# --- data -----------------------------------------------------------------------------
DataLike = Any
"""What an append accepts: an object with __arrow_c_stream__ or __arrow_c_array__ (Polars,
pyarrow, DuckDB, nanoarrow, a crv_io Table), a pandas DataFrame, a dict of column name to
list or numpy array, or a list of dicts (one per row)."""

class Table:
    """Rows read from a table, in Arrow's columnar layout. Arrow consumers take it without
    copying through __arrow_c_stream__ (pl.DataFrame(t), pa.table(t), duckdb.from_arrow(t))."""

    @staticmethod
    def from_data(data: DataLike) -> Table:
        """Converts any input an append accepts, without validating it against a table."""
    @property
    def num_rows(self) -> int: ...
    @property
    def num_columns(self) -> int: ...
    @property
    def column_names(self) -> list[str]: ...
    @property
    def schema(self) -> dict[str, str]:
        """Column name to type, e.g. {"tick": "int64", "payload": "struct<a: int64>"}."""
    def __len__(self) -> int: ...
    def column(self, name: str) -> list[Any]:
        """The column's values; KeyError when there is no such column."""
    def to_pydict(self) -> dict[str, list[Any]]: ...
    def to_pylist(self) -> list[dict[str, Any]]: ...
    def to_pandas(self) -> Any:
        """A pandas DataFrame: int64/float64/bool numpy columns without nulls; nullable
        pandas dtypes (Int64, Float64, boolean) where nulls occur; object columns of str,
        dict (structs) and list."""
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
    def __arrow_c_schema__(self) -> object: ...
    def __eq__(self, other: object) -> bool: ...

class Scan:
    """One pass over the rows a scan selects, a batch (row group) at a time."""

    @property
    def column_names(self) -> list[str]: ...
    @property
    def schema(self) -> dict[str, str]: ...
    @property
    def stats(self) -> dict[str, int]:
        """parts_selected, row_groups_selected, row_groups_pruned, row_groups_filtered,
        rows_yielded."""
    def __iter__(self) -> Iterator[Table]: ...
    def __next__(self) -> Table: ...
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        """The remaining batches as an Arrow stream; the scan is consumed."""

Summary = dict[str, Any]
"""{"table", "run_id", "parts": [{"bucket_id", "path", "rows", "bytes", "tick_min",
"tick_max"}], "rows", "buckets"}"""

Where = Optional[Mapping[str, Optional[int]]]
"""{"tick_min": a, "tick_max": b}, inclusive; either may be absent or None."""

class Transaction:
    """A multi-batch append committed at once. As a context manager it commits when the
    block ends normally and rolls back when it raises. Threads may share one; their calls
    take turns."""

    def add(self, data: DataLike, *, validate_schema: bool = True) -> None:
        """Validates `data` and adds its rows. They are kept until their row group fills,
        so numpy and pandas columns are copied: changing them after add() returns changes
        nothing. Arrow data is shared (the Arrow interfaces make it immutable)."""
    def commit(self) -> Summary: ...
    def rollback(self) -> None: ...
    @property
    def pending_rows(self) -> int: ...
    @property
    def summary(self) -> Optional[Summary]:
        """The commit's summary once committed."""
    def __enter__(self) -> Transaction: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...

class Dataset:
    """A run's tables. Safe to use from several threads at once."""

    def __init__(self, settings: IoSettings, run_id: str) -> None: ...
    @property
    def settings(self) -> IoSettings: ...
    @property
    def run_id(self) -> str: ...
    def append(
        self,
        table: TableLike,
        df: DataLike,
        *,
        validate_schema: bool = True,
        validate_rows: bool = False,
        writer: Optional[str] = None,
        sequence: Optional[int] = None,
    ) -> Summary:
        """Validates `df` against the table and appends it atomically. With `writer` and
        `sequence` the append is exactly-once: when the table's commit log records a
        sequence of that writer at least as large, nothing is written and the writer's last
        commit is returned with "duplicate": True."""
    def last_sequence(self, table: TableLike, writer: str) -> Optional[int]:
        """The last sequence `writer` committed to the table; None when it never did."""
    def transaction(self, table: TableLike) -> Transaction: ...
    def flush(self) -> None:
        """Commits every append held back by write_manifest_every_n > 1 (waiting for the
        calls other threads are making meanwhile) and rewrites each table's manifest.json
        from its commit log."""
    def close(self) -> None:
        """Flushes and releases the handles; later calls raise IoError. A Scan or
        Transaction still alive keeps its handle until it ends."""
    def __enter__(self) -> Dataset: ...
    def __exit__(self, *exc: object) -> None: ...
    def scan(
        self,
        table: TableLike,
        where: Where = None,
        *,
        columns: Optional[Sequence[str]] = None,
        buckets: Optional[Sequence[int]] = None,
        as_of: Optional[int] = None,
    ) -> Scan:
        """`buckets` limits the scan to those bucket ids (all by default); `as_of` reads the
        table as of that version of its commit log (see history())."""
    def read(
        self,
        table: TableLike,
        where: Where = None,
        limit: Optional[int] = None,
        *,
        columns: Optional[Sequence[str]] = None,
        buckets: Optional[Sequence[int]] = None,
        as_of: Optional[int] = None,
    ) -> Table:
        """At most `limit` rows of what scan() selects. A `where`, `limit`, `columns`,
        `buckets` or `as_of` of the wrong type is an IoConfigError naming it."""
    def history(self, table: TableLike) -> list[dict[str, Any]]:
        """The table's commits, oldest first: version, operation, committed_at, writer,
        sequence, host, pid, parts_added, rows_added, parts_removed."""
    def rewind(self, table: TableLike, after_tick: int) -> dict[str, Any]:
        """Removes every row with a tick greater than `after_tick` in one commit; writers
        whose last exactly-once commit lost rows go back to their latest whole one."""
    def publish_iceberg(self, table: TableLike) -> dict[str, Any]:
        """Writes the table's Apache Iceberg metadata for its committed parts; returns
        {table, run_id, metadata_version, metadata_file, updated, snapshot_id, ...}."""
    def manifest(self, table: TableLike) -> Optional[dict[str, Any]]:
        """The table's committed state in manifest.json's shape, read from its commit log
        (manifest.json itself may be a checkpoint behind while a writer has the table
        open); None when the table has none yet."""
    def rebuild_manifest(self, table: TableLike) -> dict[str, Any]: ...
    def compact(
        self, table: TableLike, *, buckets: Optional[Sequence[int]] = None
    ) -> dict[str, Any]:
        """Merges each bucket's small parts; returns what was rewritten."""

def append(
    table: TableLike,
    data: DataLike,
    run_id: str,
    settings: Optional[IoSettings] = None,
    *,
    validate_schema: bool = True,
    validate_rows: bool = False,
) -> Summary:
    """One append through a temporary Dataset; settings default to IoSettings.load()."""

def write_run_bundle_manifest(
    settings: IoSettings, run_id: str, meta: Optional[Mapping[str, Any]] = None
) -> pathlib.Path:
    """IoConfigError when `meta` holds what JSON cannot (NaN, an infinity, a cycle)."""
def _check_scan_arguments(
    where: Where = None, columns: Optional[Sequence[str]] = None
) -> None:
    """The IoConfigError Dataset.read raises for these arguments, if any."""

def library_versions() -> dict[str, str]: ...
def validate_run_id(run_id: str) -> None:
    """GrammarError unless `run_id` is a valid run id (also the rule of sweep names)."""

# --- artifacts ------------------------------------------------------------------------
LAB_FOLDERS: tuple[str, ...]

def artifacts_root(settings: IoSettings, run_id: str) -> pathlib.Path: ...
def lab_dir(settings: IoSettings, run_id: str, folder: str) -> pathlib.Path: ...
def file_stat(path: Union[str, os.PathLike[str]]) -> dict[str, Any]:
    """{"path", "bytes"}"""
def write_text_atomic(path: Union[str, os.PathLike[str]], text: str) -> dict[str, Any]: ...
def write_parquet_atomic(
    settings: IoSettings, path: Union[str, os.PathLike[str]], data: DataLike
) -> dict[str, Any]: ...
def index_lab_artifacts(settings: IoSettings, run_id: str) -> dict[str, list[dict[str, Any]]]:
    """Folder name to [{"path", "bytes", "rows"?}], as the bundle lists them."""
