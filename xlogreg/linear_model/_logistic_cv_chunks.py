"""A logistic grid search on a Dask array: folds made chunk by chunk, the batched models
summed over the chunks where they live, and the folds scored by the metrics' Dask path.

What :class:`~xlogreg.LogisticRegressionCV` and
:func:`~xlogreg.linear_model.logistic_regression_path` do with a Dask ``X``
before and after :func:`~xlogreg.linear_model._logistic_grid.fit_grid`:

1. The chunks are checked and summarized in one pass
   (:func:`~xlogreg._chunked_data.chunked_training_data`), as a Dask fit of
   :class:`~xlogreg.LogisticRegression` does; the class weights and the
   scaler of ``standardize=True`` come from that summary.
2. The folds are scikit-learn's ``StratifiedKFold(cv)``: one more pass counts
   each chunk's rows per class (and where each class first appears), the
   client allocates each class's rows to the folds
   (:func:`~xlogreg.model_selection._folds.fold_bounds`), and each chunk
   finds its rows' test folds from the counts before it
   (:func:`~xlogreg.model_selection._folds.chunk_test_folds`).
3. Each chunk keeps its rows (standardized), targets and an ``(n_rows,
   n_folds)`` matrix of the folds' training weights: the batches of models are
   :class:`~xlogreg.objectives.ChunkedBatchedLogistic`, one scheduler round
   trip per evaluation for the whole batch.
4. Each fold's test rows are selected lazily by their test fold, and each
   model is scored on them by the scorer (the metrics compute on the chunks).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import array_api_compat

from xlogreg._backend import RowChunks, host_list, integer_dtype, known_rows
from xlogreg._chunked_data import chunked_training_data
from xlogreg._validation import check_feature_names, check_matrix_shape
from xlogreg.linear_model._logistic_fit import chunk_loss
from xlogreg.linear_model._logistic_grid import GridData, SearchData
from xlogreg.linear_model._standardize import chunked_scaler
from xlogreg.model_selection._folds import chunk_test_folds, fold_bounds
from xlogreg.objectives import ChunkedBatchedLogistic

__all__ = ["ChunkedSearch", "chunked_fold_scores", "chunked_search"]


class ChunkedSearch(NamedTuple):
    """A Dask ``X`` made ready for a grid search: its :class:`SearchData`, and
    ``test_rows(f)``, fold ``f``'s test rows of the checked ``X``, labels and sample weights
    (``None`` when none were given), as lazy Dask arrays."""

    data: SearchData
    test_rows: Callable[[int], tuple[Any, Any, Any]]


def _class_positions(X: Any, y: Any, sample_weight: Any, classes: Any) -> tuple[list, list]:
    """Per class of ``classes``: the chunk's rows of it, and the first such row (or the
    chunk's length)."""
    xp = array_api_compat.array_namespace(X)
    member = y[:, None] == classes[None, :]
    index = integer_dtype(xp, array_api_compat.device(X))
    counts = xp.sum(xp.astype(member, index), axis=0)
    rows = xp.arange(y.shape[0], dtype=index, device=array_api_compat.device(X))[:, None]
    first = xp.min(xp.where(member, rows, y.shape[0]), axis=0) if y.shape[0] else counts
    return host_list(counts), host_list(first)


def _grid_chunk(
    X: Any,
    y: Any,
    sample_weight: Any,
    before: list[int],
    classes: Any,
    bounds: list[list[int]],
    encode: Any,
    scaler: Any,
) -> tuple[Any, Any, Any, Any]:
    """A chunk's design (standardized), targets, folds' training weights and test folds."""
    xp = array_api_compat.array_namespace(X)
    device = array_api_compat.device(X)
    target, weight = encode(y, sample_weight, xp=xp)
    if scaler is not None:
        X = scaler.transform(X)
    if bounds is None:  # a path: one fold of every row
        return (
            X,
            target,
            weight[:, None],
            xp.zeros(y.shape[0], dtype=integer_dtype(xp, device), device=device),
        )
    test_fold = chunk_test_folds(y, classes, before, bounds, xp=xp)
    folds = xp.arange(len(bounds[0]), dtype=test_fold.dtype, device=device)
    trains = test_fold[:, None] != folds[None, :]
    fold_weights = xp.where(trains, weight[:, None], xp.zeros_like(weight)[:, None])
    return X, target, fold_weights, test_fold


def _fold_sums(X: Any, target: Any, fold_weights: Any, test_fold: Any) -> Any:
    return array_api_compat.array_namespace(X).sum(fold_weights, axis=0)


def chunked_search(
    estimator: Any,
    X: Any,
    y: Any,
    sample_weight: Any,
    feature_names: Any,
    *,
    n_splits: int | None,
) -> ChunkedSearch:
    """Check a Dask ``X`` with ``y`` and ``sample_weight``, make the folds and the chunks'
    batched objective of ``estimator``'s grid.

    Parameters
    ----------
    estimator : LogisticRegression
        A shell carrying the search's ``fit_intercept``, ``standardize`` and
        ``class_weight``.
    X, y, sample_weight, feature_names
        The fit's arguments.
    n_splits : int or None
        The number of folds
        (:func:`~xlogreg.model_selection._folds.chunked_n_splits`); ``None``
        for a path: one fold, of every row, and no test rows.

    Returns
    -------
    ChunkedSearch

    Raises
    ------
    ValueError
        As the in-memory search, before any fit: ``cv`` (not an integer, below
        2, above the smallest class's count) and every error of a Dask fit of
        :class:`~xlogreg.LogisticRegression` about the data.
    """
    check_matrix_shape(X)
    feature_names = check_feature_names(feature_names, n_features=X.shape[1])
    data = chunked_training_data(
        X, y, sample_weight, target="labels", scaler_moments=estimator.standardize
    )
    scaler = chunked_scaler(estimator, data, feature_names)
    loss = chunk_loss(estimator, data)
    chunks, xp, classes = data.chunks, data.xp, data.labels
    n_classes = classes.shape[0]
    by_class, befores = None, [((),)] * len(chunks.rows)
    if n_splits is not None:
        by_class, befores = _stratified(chunks, classes, n_splits)
    grid_chunks = chunks.map(
        _grid_chunk, classes, by_class, loss.encode, scaler, per_chunk=befores, nout=4
    )
    fold_sums = host_list(grid_chunks.reduce(_fold_sums))
    n_outputs = 1 if n_classes == 2 else n_classes
    batch = functools.partial(
        ChunkedBatchedLogistic,
        grid_chunks,
        fold_sums,
        fit_intercept=estimator.fit_intercept,
        n_features=data.n_features,
        n_outputs=n_outputs,
        dtype=data.dtype,
    )
    n_params = n_outputs * (data.n_features + int(estimator.fit_intercept))
    zeros = xp.zeros(n_params, dtype=data.dtype, device=chunks.device)
    grid = GridData(
        (sum(chunks.rows), data.n_features), n_outputs, estimator.fit_intercept, batch, zeros
    )
    X_checked = chunks.as_array(0, data.dtype, trailing=(data.n_features,))
    y_checked = chunks.as_array(1, classes.dtype)
    weight = chunks.as_array(2, data.dtype) if sample_weight is not None else None
    test_folds = grid_chunks.as_array(3, integer_dtype(xp, chunks.device))
    test_rows = functools.partial(_test_rows, X_checked, y_checked, weight, test_folds)
    n_folds = 1 if n_splits is None else n_splits
    scores = functools.partial(
        chunked_fold_scores, test_rows=test_rows, n_folds=n_folds, like=zeros
    )
    search = SearchData(
        grid,
        n_folds,
        classes,
        scaler,
        data.profile,
        feature_names,
        data.dtype,
        xp,
        chunks.device,
        X_checked,
        y_checked,
        scores,
    )
    return ChunkedSearch(search, test_rows)


def _stratified(chunks: RowChunks, classes: Any, n_splits: int) -> tuple[list, list]:
    """``StratifiedKFold(n_splits)``'s bounds per class of ``classes`` and, per chunk, the
    rows of each class in the chunks before it: one pass counting each chunk's classes."""
    positions = chunks.collect(_class_positions, classes)
    n_classes = classes.shape[0]
    counts = [sum(counted[k] for counted, _ in positions) for k in range(n_classes)]
    # Classes numbered by first appearance in y, as scikit-learn's StratifiedKFold does.
    first = [
        min((b, firsts[k]) for b, (counted, firsts) in enumerate(positions) if counted[k])
        for k in range(n_classes)
    ]
    order = sorted(range(n_classes), key=first.__getitem__)
    labels = host_list(classes)
    bounds = fold_bounds(n_splits, [counts[k] for k in order], names=[labels[k] for k in order])
    befores, running = [], [0] * n_classes
    for counted, _ in positions:
        befores.append((list(running),))
        running = [r + c for r, c in zip(running, counted, strict=True)]
    return [bounds[order.index(k)] for k in range(n_classes)], befores


def _test_rows(X: Any, y: Any, weight: Any, test_folds: Any, fold: int) -> tuple[Any, Any, Any]:
    mask = test_folds == fold
    return tuple(None if a is None else known_rows(a[mask]) for a in (X, y, weight))


def chunked_fold_scores(
    scorer: Any, solutions: Any, fitted: Any, *, test_rows: Callable, n_folds: int, like: Any
) -> Any:
    """Every model's score on its fold's test rows (the rows of ``solutions`` fold by fold),
    as one array of the dtype, namespace and device of ``like``: each model a fitted
    :class:`~xlogreg.LogisticRegression` scored by ``scorer`` on the test rows selected
    lazily by ``test_rows(f)``, the metric computed on the chunks."""
    per_fold = solutions.shape[0] // n_folds
    scores = []
    for f in range(n_folds):
        X, y, weight = test_rows(f)
        for m in range(per_fold):
            estimator = fitted(solutions[f * per_fold + m, :], 1.0, 0.0, n_iter_=0, converged_=True)
            scores.append(float(scorer(estimator, X, y, weight)))
    xp = array_api_compat.array_namespace(like)
    return xp.asarray(scores, dtype=like.dtype, device=array_api_compat.device(like))
