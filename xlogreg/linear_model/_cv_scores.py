"""Scores of a cross-validated grid on the folds' test rows, and scikit-learn's choice
of the best (``C``, ``l1_ratio``) from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import array_api_compat

from xlogreg._backend import host_list, integer_dtype
from xlogreg._math import log_softmax, sigmoid
from xlogreg._tiles import row_tiles

# A fold's test rows of X are gathered in this many parts for its decision functions.
_GATHER_TILES = 16

__all__ = ["Choice", "best_candidate", "class_labels", "fold_scores", "numpy_sum", "responses"]


def class_labels(target: Any, classes: Any, *, xp: Any) -> Any:
    """The class labels of the encoded ``target`` (indicator or one-hot)."""
    index_dtype = integer_dtype(xp, array_api_compat.device(target))
    if target.ndim == 1:
        return xp.take(classes, xp.astype(target, index_dtype))
    return xp.take(classes, xp.argmax(target, axis=1))


def responses(kind: str, z: Any, classes: Any, *, xp: Any) -> Any:
    """A fold model's ``kind`` of output from its decision function ``z`` (n, n_outputs)."""
    if kind == "decision_function":
        return z[:, 0] if z.shape[1] == 1 else z
    if kind == "predict_proba":
        if z.shape[1] == 1:
            p = sigmoid(z[:, 0], xp=xp)
            return xp.stack([1.0 - p, p], axis=1)
        return xp.exp(log_softmax(z, axis=1, xp=xp))
    index_dtype = integer_dtype(xp, array_api_compat.device(z))
    if z.shape[1] == 1:
        return xp.take(classes, xp.astype(z[:, 0] > 0, index_dtype))
    return xp.take(classes, xp.argmax(z, axis=1))


def fold_scores(
    scorer: Any,
    solutions: Any,
    fitted: Any,
    *,
    folds: list,
    designs: tuple[Any, Any],
    labels: Any,
    sample_weight: Any,
    classes: Any,
    fit_intercept: bool,
    xp: Any,
) -> Any:
    """Every model's score on its fold's test rows, as one array (read back once, later).

    One fold at a time, its test rows of ``X`` are gathered (a copy of 1/k of
    ``X``) and scored by all of the fold's models' decision functions at once.
    A callable ``scoring`` scores a fitted :class:`LogisticRegression` per
    model on the raw test rows.
    """
    X, raw_X = designs
    device = array_api_compat.device(X)
    per_fold = solutions.shape[0] // len(folds)
    n_features = X.shape[1]
    width = n_features + int(fit_intercept)
    scores = []
    for f, (_, test) in enumerate(folds):
        rows = xp.asarray(test, dtype=integer_dtype(xp, device), device=device)
        y_test = xp.take(labels, rows)
        weight = None if sample_weight is None else xp.take(sample_weight, rows)
        fold = solutions[f * per_fold : (f + 1) * per_fold, :]
        if scorer.is_callable:
            X_test = xp.take(raw_X, rows, axis=0)
            for m in range(per_fold):
                estimator = fitted(fold[m, :], 1.0, 0.0, n_iter_=0, converged_=True)
                value = scorer(estimator, X_test, y_test, weight)
                scores.append(xp.asarray(float(value), dtype=X.dtype, device=device))
            continue
        n_outputs = fold.shape[1] // width
        fold_rows = xp.reshape(fold, (per_fold * n_outputs, width))
        # The test rows' decision functions, gathered 1/_GATHER_TILES of them at a time:
        # a copy of all of a fold's rows of X would be 1/k of X.
        parts = []
        for tile in row_tiles(rows.shape[0], -(-rows.shape[0] // _GATHER_TILES)):
            parts.append(xp.take(X, rows[tile], axis=0) @ fold_rows[:, :n_features].T)
        z = parts[0] if len(parts) == 1 else xp.concat(parts)
        if width > n_features:
            z = z + fold_rows[:, n_features]
        z = xp.reshape(z, (z.shape[0], per_fold, n_outputs))
        for m in range(per_fold):
            response = responses(scorer.response, z[:, m, :], classes, xp=xp)
            value = scorer.score(y_test, response, weight, classes=classes)
            scores.append(xp.astype(value, X.dtype))
    return xp.stack(scores)


@dataclass(frozen=True)
class Choice:
    """The chosen ``C`` and ``l1_ratio``, and the (fold, l1 index, C index) of the models
    whose coefficients start the refit (or are averaged into ``coef_``)."""

    C: float
    l1_ratio: float
    rows: list


def best_candidate(scores: Any, Cs: list, l1_ratios: list, refit: bool) -> Choice:
    """scikit-learn's choice: with ``refit``, the highest score summed over the folds, ties
    going to the first in its order (``C`` major, then ``l1_ratio``); otherwise each
    fold's best, their ``C`` and ``l1_ratio`` averaged.

    The sums are rounded as NumPy rounds scikit-learn's: the folds added in
    order (its sum over the first axis), the means pairwise (:func:`numpy_sum`).
    Candidates whose exact sums tie (accuracies of the same total over
    differently sized folds, say) are then told apart, or not, as
    scikit-learn does.
    """
    n_folds, n_l1, n_cs = scores.shape
    host = host_list(array_api_compat.array_namespace(scores).reshape(scores, (-1,)))

    def score(f: int, r: int, c: int) -> float:
        return host[(f * n_l1 + r) * n_cs + c]

    order = [(c, r) for c in range(n_cs) for r in range(n_l1)]
    if refit:
        totals = []
        for c, r in order:
            total = 0.0
            for f in range(n_folds):
                total += score(f, r, c)
            totals.append(total)
        c, r = order[max(range(len(order)), key=lambda k: (totals[k], -k))]
        return Choice(Cs[c], l1_ratios[r], [(f, r, c) for f in range(n_folds)])
    chosen = []
    for f in range(n_folds):
        c, r = order[max(range(len(order)), key=lambda k: (score(f, *order[k][::-1]), -k))]
        chosen.append((f, r, c))
    C = numpy_sum([Cs[c] for _, _, c in chosen]) / n_folds
    l1_ratio = numpy_sum([l1_ratios[r] for _, r, _ in chosen]) / n_folds
    return Choice(C, l1_ratio, chosen)


def numpy_sum(values: list) -> float:
    """The sum of host floats rounded as ``numpy.sum`` rounds a 1-D float64 array's:
    pairwise, with eight running sums in each block of at most 128.

    Examples
    --------
    >>> numpy_sum([0.1] * 10), sum([0.1] * 10)
    (1.0, 0.9999999999999999)
    """
    n = len(values)
    if n > 128:
        half = n // 2 - (n // 2) % 8
        return numpy_sum(values[:half]) + numpy_sum(values[half:])
    if n < 8:
        total = 0.0
        for value in values:
            total += value
        return total
    partial = list(values[:8])
    end = n - n % 8
    for start in range(8, end, 8):
        for j in range(8):
            partial[j] += values[start + j]
    total = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + (
        (partial[4] + partial[5]) + (partial[6] + partial[7])
    )
    for value in values[end:]:
        total += value
    return total
