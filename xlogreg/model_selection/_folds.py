"""Cross-validation folds: which rows each fold trains on and which it scores.

Fold assignment is bookkeeping over the labels, done once on the host before
any fit (as :mod:`xlogreg._splits` does for held-out splits): the labels are
read back once, the folds are plain lists of row indices, and the fits on the
device receive them as weights or masks.
"""

from __future__ import annotations

import bisect
import itertools
import numbers
from collections.abc import Iterable
from typing import Any

import array_api_compat

from xlogreg._backend import host_list, integer_dtype, is_array, to_numpy

__all__ = ["check_folds", "chunk_test_folds", "chunked_n_splits", "fold_bounds"]

_DEFAULT_SPLITS = 5  # scikit-learn's default cv since 0.22


class _Rows:
    """Stands in for ``X`` when a splitter object is asked for folds.

    scikit-learn's splitters read only the number of rows of ``X`` (through
    its ``shape`` or ``len``) and check it is indexable; the data never matter.
    """

    def __init__(self, n_samples: int) -> None:
        self.shape = (n_samples, 1)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: Any) -> Any:
        raise TypeError("the placeholder for X that check_folds passes to cv.split holds no data")


def check_folds(
    cv: Any, y: Any = None, *, classifier: bool, n_samples: int | None = None
) -> list[tuple[list[int], list[int]]]:
    """The training and test rows of each cross-validation fold, checked before any fit.

    Parameters
    ----------
    cv : int, splitter, iterable of (train, test) pairs or None
        ``None`` means 5. An integer ``k >= 2`` gives scikit-learn's
        ``StratifiedKFold(k)`` folds for a classifier and ``KFold(k)`` folds
        for a regressor, both without shuffling, computed here fold for fold as
        scikit-learn does (scikit-learn itself is not needed). An object with a
        ``split(X, y)`` method (a scikit-learn splitter such as ``KFold``,
        ``StratifiedKFold``, ``ShuffleSplit`` or ``RepeatedStratifiedKFold``)
        is asked for its folds with a placeholder of ``n_samples`` rows as
        ``X`` and the labels, on the host, as ``y``. An iterable of
        ``(train, test)`` pairs of row indices (arrays of any supported
        library, lists, ranges) is used as given; it must hold two folds at
        least.
    y : array or sequence, optional
        The targets (class labels for a classifier), of any supported library
        and device: read back to the host once. Required for a classifier.
    classifier : bool
        Whether the folds are for a classifier: integer ``cv`` then stratifies
        by class, and every fold must train on every class of ``y``.
    n_samples : int, optional
        The number of rows, when ``y`` is not given (a regressor's folds from
        an integer or a splitter); must equal ``len(y)`` when both are.

    Returns
    -------
    list of (list of int, list of int)
        One ``(train, test)`` pair of row indices per fold, as plain Python
        lists, in the order the folds come (for integer ``cv``, the rows of
        each list in increasing order, as scikit-learn yields them).

    Raises
    ------
    ValueError
        Naming ``cv``: an integer below 2, or above the number of rows, or
        (for a classifier) above the number of samples of the smallest class;
        a fold with no training or no test rows, row indices that are not
        integers or outside ``0 .. n_samples - 1``; fewer than two folds given
        as pairs, or none from a splitter; for a classifier, a fold whose
        training rows have no sample of a class of ``y``. Also ``y`` missing
        for a classifier, not 1-D, or of a length other than ``n_samples``.
    TypeError
        If ``cv`` is neither an integer, a splitter nor an iterable of pairs.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> y = xp.asarray([0, 1, 0, 1, 0, 1, 1])
    >>> for train, test in check_folds(2, y, classifier=True):
    ...     print(train, test)
    [4, 5, 6] [0, 1, 2, 3]
    [0, 1, 2, 3] [4, 5, 6]
    >>> check_folds(3, None, classifier=False, n_samples=5)[0]
    ([2, 3, 4], [0, 1])
    """
    labels = _host_labels(y)
    n = _number_of_rows(labels, n_samples)
    if classifier and labels is None:
        raise ValueError("y is required to make a classifier's cross-validation folds")
    if cv is None:
        cv = _DEFAULT_SPLITS
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        folds = _int_folds(int(cv), labels, n, classifier=classifier)
    elif callable(getattr(cv, "split", None)) and not isinstance(cv, (str, bytes)):
        y_host = None if y is None else (to_numpy(y) if is_array(y) else y)
        folds = _checked_pairs(cv.split(_Rows(n), y_host), n, least=1, source="cv.split(X, y)")
    elif isinstance(cv, Iterable) and not isinstance(cv, (str, bytes)):
        folds = _checked_pairs(cv, n, least=2, source="the iterable cv")
    else:
        raise TypeError(
            "cv must be an integer (the number of folds), an object with a split(X, y) "
            f"method, or an iterable of (train, test) pairs of row indices; got {cv!r}"
        )
    if classifier:
        _check_training_classes(folds, labels)
    return folds


def _host_labels(y: Any) -> list | None:
    """The targets as a Python list, read back from the device once; ``None`` if not given."""
    if y is None:
        return None
    if is_array(y):
        if len(y.shape) != 1:
            raise ValueError(f"y must be 1-D to make cross-validation folds, got shape {y.shape}")
        return host_list(y)
    labels = list(y)
    if any(isinstance(label, (list, tuple)) for label in labels):
        raise ValueError("y must be 1-D to make cross-validation folds, got nested sequences")
    return labels


def _number_of_rows(labels: list | None, n_samples: int | None) -> int:
    if n_samples is not None and (
        not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool)
    ):
        raise TypeError(f"n_samples must be an integer, got {n_samples!r}")
    if labels is None:
        if n_samples is None:
            raise ValueError("check_folds needs y or n_samples to know the number of rows")
        return int(n_samples)
    if n_samples is not None and n_samples != len(labels):
        raise ValueError(f"n_samples={n_samples} but y has {len(labels)} rows")
    return len(labels)


def _int_folds(
    n_splits: int, labels: list | None, n: int, *, classifier: bool
) -> list[tuple[list[int], list[int]]]:
    """``StratifiedKFold(n_splits)``'s folds for a classifier (scikit-learn's
    ``_make_test_folds`` without shuffling), ``KFold(n_splits)``'s otherwise."""
    if classifier and labels is not None:
        code_of: dict = {}
        codes = [code_of.setdefault(label, len(code_of)) for label in labels]
        names = list(code_of)
    else:
        codes, names = [0] * n, None
    counts = [0] * max(1, len(names or ()))
    for code in codes:
        counts[code] += 1
    bounds = fold_bounds(n_splits, counts, names=names)
    taken = [0] * len(counts)
    fold_of_row = []
    for code in codes:
        fold_of_row.append(bisect.bisect_right(bounds[code], taken[code]))
        taken[code] += 1
    test: list[list[int]] = [[] for _ in range(n_splits)]
    for row, fold in enumerate(fold_of_row):
        test[fold].append(row)
    return [
        ([row for row, fold in enumerate(fold_of_row) if fold != i], test[i])
        for i in range(n_splits)
    ]


def fold_bounds(n_splits: int, counts: list[int], *, names: list | None = None) -> list[list[int]]:
    """Where each class's test folds end: scikit-learn's allocation of each class to folds.

    ``StratifiedKFold(n_splits)`` (``KFold(n_splits)`` for one class of all
    the rows) puts the ``j``-th row of class ``k`` (counted from 0 in row
    order) in the test fold ``i`` with ``bounds[k][i - 1] <= j < bounds[k][i]``,
    which a chunk of a Dask array finds by binary search from how many rows of
    the class come before it (:func:`chunk_test_folds`). Classes are numbered
    by first appearance in ``y``; their sorted numbers are dealt round robin to
    the folds, which gives each fold's share of each class.

    Parameters
    ----------
    n_splits : int
        The ``cv`` integer.
    counts : list of int
        The rows of each class, the classes numbered by first appearance in
        ``y`` (one count, of every row, for ``KFold``).
    names : list, optional
        The classes' labels, in the same order, for the messages.

    Returns
    -------
    list of list of int
        Per class, the cumulative sizes of its share of each test fold.

    Raises
    ------
    ValueError
        Naming ``cv``: below 2, above the number of rows, or (with several
        classes) above the rows of the smallest class.

    Examples
    --------
    >>> fold_bounds(2, [4, 3])
    [[2, 4], [2, 3]]
    """
    if n_splits < 2:
        raise ValueError(f"cv={n_splits}: cross-validation needs at least 2 folds")
    n = sum(counts)
    if n_splits > n:
        raise ValueError(f"cv={n_splits} is larger than the number of samples, n_samples={n}")
    smallest = min(range(len(counts)), key=counts.__getitem__)
    if len(counts) > 1 and n_splits > counts[smallest]:
        label = smallest if names is None else names[smallest]
        raise ValueError(
            f"cv={n_splits} is larger than the {counts[smallest]} samples of class {label!r}: "
            "every fold must train on every class; choose cv <= the smallest class count"
        )
    # The class numbers sorted and dealt round robin to the folds: class k holds the
    # sorted positions [start, start + count), and fold i those with j % n_splits == i.
    bounds, start = [], 0
    for count in counts:
        stop = start + count
        shares = [(stop - 1 - i) // n_splits - (start - 1 - i) // n_splits for i in range(n_splits)]
        bounds.append(list(itertools.accumulate(shares)))
        start = stop
    return bounds


def chunk_test_folds(
    y: Any, classes: Any, before: list[int], bounds: list[list[int]], *, xp: Any
) -> Any:
    """Each row's test fold in one chunk of rows, from the classes' counts in earlier chunks.

    Parameters
    ----------
    y : array of shape (n_rows,)
        The chunk's class labels (any vector of its rows for ``KFold``).
    classes : array of shape (n_classes,) or None
        The labels whose rows ``bounds`` and ``before`` count, in their
        order; ``None`` for ``KFold``: one class of every row.
    before : list of int
        Per class, its rows in the chunks before this one.
    bounds : list of list of int
        :func:`fold_bounds`, in the order of ``classes``.
    xp : module
        The chunk's namespace.

    Returns
    -------
    array of shape (n_rows,)
        Each row's test fold, of the device's index dtype.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> y = xp.asarray([1, 0, 1])  # rows 4 .. 6 of y = [0, 1, 0, 1, 1, 0, 1]
    >>> chunk_test_folds(y, xp.asarray([0, 1]), [2, 2], fold_bounds(2, [3, 4]), xp=xp)
    Array([1, 1, 1], dtype=array_api_strict.int64)
    """
    device = array_api_compat.device(y)
    index = integer_dtype(xp, device)
    folds = None
    for k, edges in enumerate(bounds):
        member = xp.ones(y.shape[0], dtype=xp.bool, device=device)
        if classes is not None:
            member = y == classes[k]
        rank = xp.cumulative_sum(xp.astype(member, index)) - 1 + before[k]
        fold = xp.searchsorted(xp.asarray(edges, dtype=index, device=device), rank, side="right")
        folds = fold if folds is None else xp.where(member, fold, folds)
    return xp.astype(folds, index)


def chunked_n_splits(cv: Any, default: int, n_samples: float) -> int:
    """The number of ``KFold`` folds that ``cv`` asks of a search on a Dask ``X``.

    Parameters
    ----------
    cv : int or None
        The estimator's ``cv``; ``None`` is ``default``.
    default : int
        The estimator's default number of folds.
    n_samples : int or float
        The rows of ``X`` (NaN while unknown: ``cv`` is then checked against them later).

    Returns
    -------
    int

    Raises
    ------
    ValueError
        Naming ``cv``: not an integer (a splitter or (train, test) pairs index the rows
        on the client), below 2, or above the number of rows.

    Examples
    --------
    >>> chunked_n_splits(None, 5, 100), chunked_n_splits(3, 5, float("nan"))
    (5, 3)
    """
    cv = default if cv is None else cv
    if not isinstance(cv, numbers.Integral) or isinstance(cv, bool):
        text = repr(cv)
        raise ValueError(
            f"cv={text if len(text) <= 60 else text[:57] + '...'}: a search on a Dask X takes an "
            "integer cv (scikit-learn's KFold, found chunk by chunk); splitters and lists of "
            "(train, test) pairs index the rows on the client: compute X first (X.compute())"
        )
    if n_samples == n_samples:
        fold_bounds(int(cv), [int(n_samples)])
    return int(cv)


def _checked_pairs(
    pairs: Iterable, n: int, *, least: int, source: str
) -> list[tuple[list[int], list[int]]]:
    folds = []
    for i, pair in enumerate(pairs):
        try:
            train, test = pair
        except (TypeError, ValueError):
            raise ValueError(
                f"cv: fold {i} must be a (train, test) pair of row indices, got {_short(pair)}"
            ) from None
        folds.append((_row_indices(train, n, i, "training"), _row_indices(test, n, i, "test")))
    if len(folds) < least:
        raise ValueError(
            f"cv: {source} gave {len(folds)} fold{'s' if len(folds) != 1 else ''}; "
            f"cross-validation needs at least {least}"
        )
    return folds


def _row_indices(indices: Any, n: int, fold: int, role: str) -> list[int]:
    if is_array(indices):
        values = host_list(indices)
    elif isinstance(indices, (list, tuple, range)):
        values = list(indices)
    else:
        raise ValueError(
            f"cv: fold {fold}'s {role} rows must be an array or a list of row indices, "
            f"got {_short(indices)}"
        )
    if not values:
        raise ValueError(f"cv: fold {fold} has no {role} rows")
    bad = next(
        (v for v in values if isinstance(v, bool) or not isinstance(v, numbers.Integral)), None
    )
    if bad is not None:
        raise ValueError(
            f"cv: fold {fold}'s {role} rows must be integer row indices, got {bad!r} "
            "(boolean masks are not taken)"
        )
    values = [int(v) for v in values]
    outside = next((v for v in values if v < 0 or v >= n), None)
    if outside is not None:
        raise ValueError(
            f"cv: fold {fold}'s {role} rows hold index {outside}, outside 0 .. {n - 1} "
            f"({n} samples)"
        )
    return values


def _check_training_classes(folds: list[tuple[list[int], list[int]]], labels: list) -> None:
    classes = list(dict.fromkeys(labels))
    try:
        classes.sort()
    except TypeError:
        pass  # labels of mixed types: name them in order of appearance
    for i, (train, _) in enumerate(folds):
        present = {labels[row] for row in train}
        if len(present) < len(classes):
            missing = next(label for label in classes if label not in present)
            raise ValueError(
                f"cv: fold {i}'s training rows have no sample of class {missing!r}; every "
                "fold must train on every class of y"
            )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
