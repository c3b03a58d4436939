"""pandas DataFrames and mappings of columns reduced to typed columns for the engine.

columns_of(data) returns a list of (name, kind, values, mask) with kind one of "int64",
"float64", "bool" (values a contiguous numpy array of that type) or "object" (values a
list of Python objects), and mask None or a numpy bool array, True where a value is null
(pandas' missing values, a numpy MaskedArray's mask); None when `data` is neither a
DataFrame nor a mapping. Only numpy and pandas' own type
checks are used, and pandas is never imported for inputs that are not pandas objects.
"""

import sys
from collections.abc import Mapping
from typing import Any, Optional

from ._crv_io import IoSchemaError

_INT64_MAX = 2**63 - 1


def _schema_error(message: str, column: str, row: Optional[int] = None) -> IoSchemaError:
    # Shaped like the engine's errors: str() is the message, then the context.
    where = f"column '{column}'" + ("" if row is None else f", row {row}")
    error = IoSchemaError(f"{message} ({where})")
    error.message, error.column, error.row = message, column, row
    return error


def _numpy_column(name: str, array: Any, nan_is_null: bool) -> tuple:
    import numpy as np

    if array.ndim != 1:
        raise _schema_error(f"a column is one-dimensional, not of shape {array.shape}", name)
    # A masked array's mask is its nulls; the values under it are never read.
    masked = np.ma.getmaskarray(array) if isinstance(array, np.ma.MaskedArray) else None
    if masked is not None:
        array = array.data
        masked = masked if masked.any() else None
    kind = array.dtype.kind
    # Compared as uint64: against a Python int numpy compares as float64, where 2**63 - 1
    # and the values just above it round to the same number.
    if kind == "u" and array.dtype.itemsize == 8 and array.size:
        too_large = array > np.uint64(_INT64_MAX)
        if masked is not None:
            too_large &= ~masked
        if too_large.any():
            row = int(np.argmax(too_large))
            raise _schema_error(f"{array[row]} does not fit in int64", name, row)
    if kind in "iu":
        return ("int64", np.ascontiguousarray(array, dtype=np.int64), masked)
    if kind == "f":
        values = np.ascontiguousarray(array, dtype=np.float64)
        if nan_is_null and np.isnan(values).any():
            masked = np.isnan(values) if masked is None else masked | np.isnan(values)
        return ("float64", values, masked)
    if kind == "b":
        return ("bool", np.ascontiguousarray(array, dtype=np.bool_), masked)
    if kind in "OUS":
        return ("object", array.tolist(), masked)
    raise _schema_error(
        f"numpy dtype {array.dtype} is not a type crv-io tables hold "
        "(integers, floats, bool, str or objects)",
        name,
    )


def _series_column(name: str, series: Any) -> tuple:
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind == "O":
            # pandas' missing markers (None, NaN, NA) are nulls in object columns.
            mask = series.isna().to_numpy()
            return ("object", series.tolist(), mask if mask.any() else None)
        # NaN is pandas' missing value in float columns.
        return _numpy_column(name, series.to_numpy(), nan_is_null=True)
    mask = series.isna().to_numpy(dtype=np.bool_)
    nulls = mask if mask.any() else None
    if pd.api.types.is_bool_dtype(dtype):
        return ("bool", series.to_numpy(dtype=np.bool_, na_value=False), nulls)
    if pd.api.types.is_integer_dtype(dtype):
        if dtype.itemsize == 8 and getattr(dtype, "kind", "i") == "u":
            values = series.to_numpy(dtype=np.uint64, na_value=0)
            kind, converted, _ = _numpy_column(name, values, nan_is_null=False)
            return (kind, converted, nulls)
        return ("int64", series.to_numpy(dtype=np.int64, na_value=0), nulls)
    if pd.api.types.is_float_dtype(dtype):
        return ("float64", series.to_numpy(dtype=np.float64, na_value=0.0), nulls)
    if pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return ("object", series.astype(object).tolist(), nulls)
    raise _schema_error(
        f"pandas dtype {dtype} is not a type crv-io tables hold "
        "(integers, floats, bool, str or objects); convert the column first",
        name,
    )


def _is_pandas(data: Any, class_name: str) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(data, getattr(pandas, class_name))


def _mapping_column(name: Any, values: Any) -> tuple:
    if not isinstance(name, str):
        raise TypeError(f"column names must be str, not {type(name).__name__} ({name!r})")
    if _is_pandas(values, "Series"):
        return (name, *_series_column(name, values))
    if hasattr(values, "dtype") and hasattr(values, "ndim"):
        return (name, *_numpy_column(name, values, nan_is_null=False))
    if isinstance(values, (list, tuple)):
        return (name, "object", values, None)
    raise _schema_error(
        f"a column is a list, tuple, numpy array or pandas Series, not a {type(values).__name__}",
        name,
    )


def columns_of(data: Any) -> Optional[list]:
    if _is_pandas(data, "DataFrame") or isinstance(data, Mapping):
        return [_mapping_column(name, values) for name, values in data.items()]
    return None
