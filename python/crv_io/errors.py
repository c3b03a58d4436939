"""crv-io's errors under the reference's module name (crv.io.errors).

IoError and its subclasses IoConfigError, IoSchemaError, IoWriteError, IoManifestError and
IoFormatError; GrammarError and SchemaError (also ValueErrors); all derive from CrvError.
Each carries message, path, column, row and offset (None when unknown).
"""

from ._crv_io import (
    CrvError,
    GrammarError,
    IoConfigError,
    IoError,
    IoFormatError,
    IoManifestError,
    IoSchemaError,
    IoWriteError,
    SchemaError,
)

__all__ = [
    "CrvError",
    "GrammarError",
    "IoConfigError",
    "IoError",
    "IoFormatError",
    "IoManifestError",
    "IoSchemaError",
    "IoWriteError",
    "SchemaError",
]
