"""Tables as pandas DataFrames."""

from typing import Any


def to_pandas(table: Any) -> Any:
    import numpy as np
    import pandas as pd

    columns = {}
    for index, name in enumerate(table.column_names):
        kind, values, mask = table._column_parts(index)
        if mask is None:
            # Lists stay lists: pandas keeps them as objects, numpy would nest them.
            columns[name] = values
        elif kind == "int64":
            columns[name] = pd.arrays.IntegerArray(np.array(values), mask)
        elif kind == "float64":
            columns[name] = pd.arrays.FloatingArray(np.array(values), mask)
        else:
            columns[name] = pd.arrays.BooleanArray(values, mask)
    return pd.DataFrame(columns, columns=table.column_names)
