"""Reading data files for the commands: CSV, Parquet, ``.npy`` and ``.npz``, into NumPy.

Every reader returns a :class:`Table`: the feature matrix as float64, the
target column as it was written (numbers or strings), the column names, and
the id columns (which name rows and are never features) as they were written.
Errors name the file and the column or row at fault.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = ["FORMATS", "Table", "read_table"]

FORMATS = (".csv", ".parquet", ".npy", ".npz")


class Table(NamedTuple):
    """Features and (optionally) a target read from one file.

    Attributes
    ----------
    X : float64 array of shape (n_samples, n_features)
    y : array of shape (n_samples,) or None
        The target column (numbers, or strings for class names); None when no
        target was asked for.
    feature_names : tuple of str
    target_name : str or None
    ids : dict of str to list
        Each id column asked for, by name, as Python values in row order
        (strings from a CSV file).
    """

    X: np.ndarray
    y: np.ndarray | None
    feature_names: tuple[str, ...]
    target_name: str | None
    ids: dict[str, list]


def read_table(
    path: str | Path,
    *,
    target: str | None = None,
    features: Sequence[str] | None = None,
    ids: Sequence[str] = (),
) -> Table:
    """Read ``path`` and split it into features and the ``target`` column.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` file with a header row, a ``.parquet`` file (needs
        pyarrow), a ``.npy`` 2-D array (columns named ``x0, x1, ...``) or a
        ``.npz`` archive holding ``X`` and, optionally, ``y`` and
        ``feature_names``.
    target : str, optional
        The column holding the labels (``y`` for a ``.npz`` archive).
    features : sequence of str, optional
        The feature columns, in this order; default every column but the
        target and the id columns.
    ids : sequence of str, default=()
        Columns that name the rows (a customer id, say): never features, kept
        as they were written, whatever their type.

    Returns
    -------
    Table

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        For an unknown format or column, a non-numeric feature value, an
        empty file, a ragged row, or an id column that is also the target or
        a feature.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path}: unknown format {suffix!r}; expected one of {', '.join(FORMATS)}")
    ids = tuple(dict.fromkeys(ids))
    if suffix == ".npz":
        return _read_npz(path, target=target, features=features, ids=ids)
    names, columns = {".csv": _read_csv, ".parquet": _read_parquet, ".npy": _read_npy}[suffix](path)
    return _split(path, names, columns, target=target, features=features, ids=ids)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows = [row for row in rows if row]
    if len(rows) < 2:
        raise ValueError(f"{path}: needs a header row and at least one data row")
    names, body = [name.strip() for name in rows[0]], rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(names):
            raise ValueError(
                f"{path}: line {number} has {len(row)} fields, the header has {len(names)}"
            )
    return names, [list(column) for column in zip(*body, strict=True)]


def _read_parquet(path: Path) -> tuple[list[str], list[list]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ValueError(
            f"{path}: reading Parquet needs pyarrow (pip install 'xlogreg[parquet]')"
        ) from None
    table = pq.read_table(path)
    return list(table.column_names), [table.column(name).to_pylist() for name in table.column_names]


def _read_npy(path: Path) -> tuple[list[str], list[np.ndarray]]:
    array = np.load(path, allow_pickle=False)
    if array.ndim != 2:
        raise ValueError(f"{path}: expected a 2-D array, got shape {array.shape}")
    return [f"x{j}" for j in range(array.shape[1])], list(array.T)


def _read_npz(
    path: Path, *, target: str | None, features: Sequence[str] | None, ids: Sequence[str]
) -> Table:
    with np.load(path, allow_pickle=False) as archive:
        if "X" not in archive:
            raise ValueError(f"{path}: a .npz file must hold an array named 'X'")
        X = archive["X"]
        if X.ndim != 2:
            raise ValueError(f"{path}: X must be 2-D, got shape {X.shape}")
        names = (
            [str(name) for name in archive["feature_names"]]
            if "feature_names" in archive
            else [f"x{j}" for j in range(X.shape[1])]
        )
        y = None
        if target is not None:
            if target != "y" or "y" not in archive:
                raise ValueError(f"{path}: the target of a .npz file is its array 'y' (--target y)")
            y = archive["y"]
    if len(names) != X.shape[1]:
        raise ValueError(f"{path}: {len(names)} feature_names for {X.shape[1]} columns")
    table = _split(path, names, list(X.T), target=None, features=features, ids=ids)
    if y is not None and y.shape != (X.shape[0],):
        raise ValueError(f"{path}: y has shape {y.shape}, expected ({X.shape[0]},)")
    return table._replace(y=y, target_name=target)


def _split(
    path: Path,
    names: list[str],
    columns: list,
    *,
    target: str | None,
    features: Sequence[str] | None,
    ids: Sequence[str],
) -> Table:
    if len(set(names)) != len(names):
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(f"{path}: repeated column names {repeated}")
    index = {name: j for j, name in enumerate(names)}
    for name in [*([target] if target is not None else []), *ids]:
        if name not in index:
            raise ValueError(f"{path}: no column {name!r} (columns: {', '.join(names)})")
    if target in ids:
        raise ValueError(f"{path}: the target {target!r} cannot also be an id column")
    chosen = list(features) if features else [n for n in names if n != target and n not in ids]
    unknown = [name for name in chosen if name not in index]
    if unknown:
        raise ValueError(f"{path}: no column {unknown[0]!r} (columns: {', '.join(names)})")
    if target is not None and target in chosen:
        raise ValueError(f"{path}: the target {target!r} cannot also be a feature")
    both = [name for name in ids if name in chosen]
    if both:
        raise ValueError(f"{path}: the id column {both[0]!r} cannot also be a feature")
    if not chosen:
        raise ValueError(f"{path}: no feature columns")
    X = np.column_stack([_numeric(path, name, columns[index[name]]) for name in chosen])
    y = None if target is None else _labels(columns[index[target]])
    kept = {name: _as_list(columns[index[name]]) for name in ids}
    return Table(X, y, tuple(chosen), target, kept)


def _as_list(column: Sequence) -> list:
    """A column as Python values (NumPy's scalars become Python's)."""
    return column.tolist() if isinstance(column, np.ndarray) else list(column)


def _numeric(path: Path, name: str, column: Sequence) -> np.ndarray:
    try:
        values = np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError):
        for row, value in enumerate(column, start=1):
            try:
                float(value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{path}: column {name!r} row {row} is not a number: {value!r}"
                ) from None
        raise
    if not np.all(np.isfinite(values)):
        row = int(np.flatnonzero(~np.isfinite(values))[0]) + 1
        raise ValueError(f"{path}: column {name!r} row {row} is not finite: {values[row - 1]}")
    return values


def _labels(column: Sequence) -> np.ndarray:
    """Numbers when every value is one (``"0"``, ``"1"``...), else the strings."""
    try:
        values = np.asarray(column, dtype=np.float64)
    except (TypeError, ValueError):
        return np.asarray([str(value).strip() for value in column])
    integral = np.all(values == np.round(values))
    return values.astype(np.int64) if integral else values
