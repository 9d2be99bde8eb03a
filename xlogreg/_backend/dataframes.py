"""pandas and polars DataFrames: their values as a NumPy array, their column names, their rows.

A DataFrame is recognized by its type only when its library is already
imported (looked up in ``sys.modules``, as einops does), so neither library
is ever imported here.
"""

from __future__ import annotations

import sys
from typing import Any

# (module, class) of the DataFrame types whose columns name the features.
_DATAFRAMES = (("pandas", "DataFrame"), ("polars", "DataFrame"))


def dataframe_rows(X: Any, rows: Any) -> Any:
    """The rows ``rows`` (host integer indices) of a pandas or polars DataFrame ``X``.

    ``None`` when ``X`` is not a DataFrame (recognized as in
    :func:`split_dataframe`): an estimator fitted on the rows keeps the
    frame's column names.

    Examples
    --------
    >>> import pandas as pd
    >>> from xlogreg._backend import dataframe_rows
    >>> dataframe_rows(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), [2, 0])["a"].tolist()
    [3.0, 1.0]
    >>> dataframe_rows([[1.0]], [0]) is None
    True
    """
    for module, kind in _DATAFRAMES:
        library = sys.modules.get(module)
        if library is not None and isinstance(X, getattr(library, kind)):
            return X[list(rows)] if module == "polars" else X.iloc[list(rows)]
    return None


def split_dataframe(X: Any, *, name: str = "X") -> tuple[Any, list | None]:
    """A pandas or polars DataFrame as a C-ordered NumPy array and its column labels.

    Anything else is returned unchanged with ``None``. A DataFrame is
    recognized by its type only when its library is already imported (looked
    up in ``sys.modules``, as einops does), so pandas and polars are never
    imported here. The rows are made contiguous because the tiled
    kernels read ``X`` a tile of rows at a time, and ``to_numpy()``
    usually hands back a column-major array.

    Columns of NumPy numbers and booleans convert as they are. Any other
    column (pandas' nullable ``Int64``, ``boolean`` and ``Float64``, objects,
    categories, polars' strings) is converted to float64 on its own, so that
    a column that cannot be is named: where it holds a missing value, or
    values that are not numbers.

    Raises
    ------
    ValueError
        If a column holds missing values (``pd.NA``, ``None``, a polars null,
        or NaN in a column that is converted on its own).
    TypeError
        If a column holds dates, times or durations, or values that do not
        convert to float64.

    Examples
    --------
    >>> import pandas as pd
    >>> from xlogreg._backend import split_dataframe
    >>> split_dataframe(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}))
    (array([[1., 3.],
           [2., 4.]]), ['a', 'b'])
    >>> split_dataframe([[1.0, 3.0]])
    ([[1.0, 3.0]], None)
    """
    for module, kind in _DATAFRAMES:
        library = sys.modules.get(module)
        if library is not None and isinstance(X, getattr(library, kind)):
            import numpy as np

            columns = list(X.columns)
            if module == "polars":
                series = [X.to_series(j) for j in range(len(columns))]
                missing = [s.null_count() for s in series]
            else:
                series = [X.iloc[:, j] for j in range(len(columns))]
                missing = [None] * len(columns)  # counted only for columns converted alone
            dtypes = [s.dtype for s in series] if module == "pandas" else []
            if not any(missing) and all(
                isinstance(d, np.dtype) and d.kind in "biuf" for d in dtypes
            ):
                values = X.to_numpy()
                if values.dtype.kind in "biuf":
                    return np.ascontiguousarray(values), columns
            values = [
                _numeric_column(s, label, count, name=name)
                for s, label, count in zip(series, columns, missing, strict=True)
            ]
            return np.stack(values, axis=1) if values else X.to_numpy(), columns
    return X, None


def _numeric_column(series: Any, label: Any, missing: int | None, *, name: str) -> Any:
    """One DataFrame column as float64 NumPy numbers, or an error naming it."""
    import numpy as np

    where = f"{name}'s column {label!r}"
    if missing is None:
        missing = int(series.isna().sum())
    if missing:
        raise ValueError(
            f"{where} holds {missing} missing value(s) (NA, None or NaN) in {len(series)} rows; "
            "fill or drop them first"
        )
    raw = series.to_numpy()
    if getattr(series.dtype, "kind", None) in ("m", "M") or raw.dtype.kind in ("m", "M"):
        raise TypeError(
            f"{where} holds {series.dtype} values, not numbers; convert them to numbers first "
            "(seconds since a reference time, say)"
        )
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{where} (dtype {series.dtype}) must hold real numbers; converting it failed: {error}"
        ) from None
