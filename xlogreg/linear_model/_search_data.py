"""The data of a logistic grid search, in memory or in a Dask array's chunks, and how its
folds are scored: what :class:`~xlogreg.LogisticRegressionCV` fits its grid on."""

from __future__ import annotations

import functools
from typing import Any

from xlogreg._backend import integer_dtype, is_chunked, resolve
from xlogreg._target_validation import check_sample_weight
from xlogreg.linear_model._cv_scores import class_labels, fold_scores
from xlogreg.linear_model._logistic_cv_chunks import chunked_search
from xlogreg.linear_model._logistic_fit import checked_training_data
from xlogreg.linear_model._logistic_grid import GridData, SearchData, fold_weights
from xlogreg.model_selection import Scorer, check_folds
from xlogreg.model_selection._folds import chunked_n_splits

__all__ = ["search_data"]


def search_data(
    model: Any, X: Any, y: Any, sample_weight: Any, scorer: Scorer, *, cv: Any
) -> SearchData:
    """Check the search's data and make its folds, before any fit.

    Parameters
    ----------
    model : LogisticRegression
        Carries the search's ``fit_intercept``, ``standardize`` and ``class_weight``.
    X, y, sample_weight
        The fit's arguments: ``X`` in memory (any library) or a Dask array.
    scorer : Scorer
        Checked against the classes.
    cv : int, splitter, iterable of pairs or None
        The folds (:func:`~xlogreg.model_selection.check_folds`; an integer
        or ``None`` for a Dask ``X``).

    Returns
    -------
    SearchData
    """
    if is_chunked(X):
        chunked = chunked_search(
            model, X, y, sample_weight, None, n_splits=chunked_n_splits(cv, 5, X.shape[0])
        )
        scorer.check_problem(chunked.data.classes)
        return chunked.data
    raw_X, feature_names = model._fit_input(X, None, y=y, sample_weight=sample_weight)
    xp, device = resolve(X=raw_X, y=y, sample_weight=sample_weight)
    X, target, weights, classes, scaler, profile = checked_training_data(
        model, raw_X, y, sample_weight, xp=xp, device=device
    )
    scorer.check_problem(classes)
    labels = class_labels(target, classes, xp=xp)
    # Each fold's rows as device index arrays: the host lists of n Python ints per
    # fold weighed 0.35x X at 200k x 64, more than the whole grid's batches.
    index_dtype = integer_dtype(xp, device)
    folds = [
        tuple(xp.asarray(rows, dtype=index_dtype, device=device) for rows in fold)
        for fold in check_folds(cv, labels, classifier=True)
    ]
    score_weight = None
    if sample_weight is not None:
        score_weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=X.shape[0], dtype=X.dtype
        )
    grid = GridData.in_memory(
        X,
        target,
        fold_weights([train for train, _ in folds], weights, xp=xp),
        fit_intercept=model.fit_intercept,
        xp=xp,
    )
    scores = functools.partial(
        fold_scores,
        folds=folds,
        designs=(X, raw_X),
        labels=labels,
        sample_weight=score_weight,
        classes=classes,
        fit_intercept=model.fit_intercept,
        xp=xp,
    )
    return SearchData(
        grid,
        len(folds),
        classes,
        scaler,
        profile,
        feature_names,
        X.dtype,
        xp,
        device,
        raw_X,
        y,
        scores,
    )
