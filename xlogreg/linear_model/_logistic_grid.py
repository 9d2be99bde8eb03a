"""A grid of logistic models, (fold, l1_ratio, C), fitted as batches of one problem.

What :class:`~xlogreg.LogisticRegressionCV` and
:func:`~xlogreg.linear_model.logistic_regression_path` share: each fold's
training rows as a column of sample weights (no copy of ``X``), the models
grouped into batches whose extra memory stays within a share of ``X``, each
batch advanced together by :func:`~xlogreg.solvers.batched_newton.batched_newton`,
and each batch after the first warm-started from the last one's solutions
along the path of ``C``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

import array_api_compat

from xlogreg._backend import integer_dtype
from xlogreg.linear_model._standardize import to_original_scale
from xlogreg.objectives import BatchedLogistic
from xlogreg.objectives._penalty import elastic_net_strengths
from xlogreg.solvers.batched_newton import batched_newton

# The smallest budget of a batch, in numbers: below it, splitting saves nothing worth
# the extra passes over X.
_MIN_BATCH_ELEMENTS = 2**20

__all__ = [
    "Candidate",
    "GridData",
    "GridFit",
    "SearchData",
    "batch_size",
    "centred_solutions",
    "fit_grid",
    "fold_weights",
    "path_rows",
]


@dataclass(frozen=True)
class Candidate:
    """One model of the grid: its fold, ``l1_ratio`` and ``C``."""

    fold: int
    l1_ratio: float
    C: float

    def describe(self) -> str:
        """``"C=…, l1_ratio=…, fold k"``, for messages."""
        return f"C={self.C:.4g}, l1_ratio={self.l1_ratio:g}, fold {self.fold}"


@dataclass(frozen=True)
class GridFit:
    """The grid's solutions (rows in the order of the candidates) and outcomes."""

    x: Any
    n_iter: tuple[int, ...]
    status: tuple[str, ...]
    message: tuple[str, ...]
    grad_norm: tuple[float, ...]

    def unconverged(self, candidates: Sequence[Candidate]) -> list[str]:
        """The candidates that did not meet their stopping rule, described with why."""
        return [
            f"{candidate.describe()} ({status}: {message}; final measure {norm:.3g})"
            for candidate, status, message, norm in zip(
                candidates, self.status, self.message, self.grad_norm, strict=True
            )
            if status != "converged"
        ]


def fold_weights(train_rows: Sequence[Any], sample_weight: Any, *, xp: ModuleType) -> Any:
    """The sample weights of each fold's training rows (index arrays or lists), zero
    elsewhere: (n_samples, n_folds).

    Each fold's mask is built on the device from its sorted row indices (a
    binary search per row), without a host array of ``n_samples`` entries.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> fold_weights([[0, 2], [1, 2]], xp.asarray([1.0, 2.0, 3.0]), xp=xp)
    Array([[1., 0.],
           [0., 2.],
           [3., 3.]], dtype=array_api_strict.float64)
    """
    device = array_api_compat.device(sample_weight)
    index_dtype = integer_dtype(xp, device)
    n_samples = sample_weight.shape[0]
    every_row = xp.arange(n_samples, dtype=index_dtype, device=device)
    columns = []
    for rows in train_rows:
        train = xp.sort(xp.asarray(rows, dtype=index_dtype, device=device))
        position = xp.searchsorted(train, every_row)
        found = xp.take(train, xp.clip(position, max=train.shape[0] - 1)) == every_row
        columns.append(xp.where(found, sample_weight, xp.zeros_like(sample_weight)))
    return xp.stack(columns, axis=1)


@dataclass(frozen=True)
class GridData:
    """The data a grid's models are fitted on, in memory or in a Dask array's chunks.

    Attributes
    ----------
    shape : (int, int)
        ``X``'s rows and columns, which bound a batch's memory.
    n_outputs : int
        Outputs per model: 1 for two classes, else the number of classes.
    fit_intercept : bool
    batch : callable
        ``batch(folds=, l2=)``: the batched objective of those models
        (:class:`~xlogreg.objectives.BatchedLogistic` or
        :class:`~xlogreg.objectives.ChunkedBatchedLogistic`).
    zeros : array of shape (n_params,)
        Zeros in the compute dtype, on the data's device.
    """

    shape: tuple[int, int]
    n_outputs: int
    fit_intercept: bool
    batch: Callable[..., Any]
    zeros: Any

    @classmethod
    def in_memory(
        cls, X: Any, target: Any, weights: Any, *, fit_intercept: bool, xp: ModuleType
    ) -> GridData:
        """The grid's data held in ``X`` (the folds' ``weights``: :func:`fold_weights`)."""
        n_outputs = 1 if target.ndim == 1 else target.shape[1]
        n_params = n_outputs * (X.shape[1] + int(fit_intercept))
        batch = functools.partial(
            BatchedLogistic, X, target, weights, fit_intercept=fit_intercept, xp=xp
        )
        zeros = xp.zeros(n_params, dtype=X.dtype, device=array_api_compat.device(X))
        return cls(tuple(X.shape), n_outputs, fit_intercept, batch, zeros)


class SearchData(NamedTuple):
    """A search's data and how its folds are scored.

    Attributes
    ----------
    grid : GridData
        What the grid's batches are fitted on.
    n_folds : int
    classes : array
        The sorted class labels.
    scaler : StandardScaler or None
    profile : TrainingProfile
    feature_names : tuple of str
    dtype : dtype
        The compute dtype.
    xp : module
    device : object
    raw_X, y : arrays
        What the refit is fitted on (for a Dask ``X``, the chunks the search
        holds).
    scores : callable
        ``scores(scorer, solutions, fitted)``: every model's score on its
        fold's test rows, the models' rows of ``solutions`` fold by fold,
        ``fitted(w, C, l1_ratio, **diagnostics)`` making a model of a row.
    """

    grid: GridData
    n_folds: int
    classes: Any
    scaler: Any
    profile: Any
    feature_names: tuple[str, ...]
    dtype: Any
    xp: Any
    device: Any
    raw_X: Any
    y: Any
    scores: Callable[..., Any]


def batch_size(
    n_candidates: int,
    shape: tuple[int, int],
    n_params: int,
    *,
    max_batch_memory: float,
    sampled_rows: int,
) -> int:
    """How many candidates one batch may hold, its extra memory at most
    ``max_batch_memory`` times the bytes of ``X`` of that ``shape`` (or
    ``_MIN_BATCH_ELEMENTS`` numbers, 8 MiB in float64, whichever is more: small
    data is never split).

    Per candidate a batch holds a few parameter-sized vectors, its Hessian
    (``n_params²``) and a column of the sampled rows' curvatures; the row
    tiles' temporaries are bounded apart (a share of ``X``, a cache's worth
    on the host). At least one candidate.
    """
    n_samples, n_features = shape
    per_candidate = n_params * n_params + 8 * n_params + min(n_samples, sampled_rows * n_params)
    budget = max(max_batch_memory * n_samples * n_features, _MIN_BATCH_ELEMENTS)
    return max(1, min(n_candidates, int(budget // per_candidate)))


def fit_grid(
    data: GridData,
    candidates: Sequence[Candidate],
    *,
    tol: float,
    max_iter: int,
    max_batch_memory: float,
) -> GridFit:
    """Fit every candidate on its fold's weights, a batch at a time.

    The candidates should come ordered along the path (increasing ``C``
    within each fold and ``l1_ratio``): a batch that does not hold the whole
    grid then starts each model from the solution just before it on the
    path, fitted in an earlier batch. Models with an L1 part run proximal
    Newton, the others Newton, in separate batches.
    """
    zeros = data.zeros
    size = batch_size(
        len(candidates),
        data.shape,
        zeros.shape[0],
        max_batch_memory=max_batch_memory,
        sampled_rows=256,
    )
    solutions: dict[int, Any] = {}
    n_iter, status, message, norms = {}, {}, {}, {}
    previous: dict[tuple[int, float], int] = {}  # (fold, l1_ratio) -> last solved candidate
    xp = array_api_compat.array_namespace(zeros)
    for proximal in (False, True):
        chosen = [i for i, c in enumerate(candidates) if (c.l1_ratio > 0.0) == proximal]
        for start in range(0, len(chosen), size):
            batch = chosen[start : start + size]
            starts = [
                solutions.get(previous.get((candidates[i].fold, candidates[i].l1_ratio), -1))
                for i in batch
            ]
            W0 = xp.stack([zeros if w is None else w for w in starts])
            strengths = [
                elastic_net_strengths(1.0 / candidates[i].C, candidates[i].l1_ratio) for i in batch
            ]
            objective = data.batch(
                folds=[candidates[i].fold for i in batch], l2=[l2 for l2, _ in strengths]
            )
            result = batched_newton(
                objective,
                W0,
                tol=tol,
                max_iter=max_iter,
                l1=[l1 for _, l1 in strengths] if proximal else None,
            )
            for k, i in enumerate(batch):
                solutions[i] = result.x[k, :]
                n_iter[i], status[i] = result.n_iter[k], result.status[k]
                message[i], norms[i] = result.message[k], result.grad_norm[k]
                previous[(candidates[i].fold, candidates[i].l1_ratio)] = i
    order = range(len(candidates))
    return GridFit(
        xp.stack([solutions[i] for i in order]),
        tuple(n_iter[i] for i in order),
        tuple(status[i] for i in order),
        tuple(message[i] for i in order),
        tuple(norms[i] for i in order),
    )


def centred_solutions(solutions: Any, layout: Any, l1_ratios: list, *, xp: Any) -> Any:
    """The multinomial solutions as a single fit stores them: the coefficients centred over
    the classes where there is no L1 part, the intercepts always (the softmax is unchanged)."""
    if layout.n_outputs == 1:
        return solutions
    n_models = solutions.shape[0]
    rows = xp.reshape(solutions, (n_models, layout.n_outputs, layout.width))
    smooth = xp.asarray([r == 0.0 for r in l1_ratios], device=array_api_compat.device(solutions))[
        :, None, None
    ]
    shift = xp.mean(rows, axis=1, keepdims=True)
    if layout.fit_intercept:
        is_intercept = (
            xp.arange(layout.width, device=array_api_compat.device(solutions)) == layout.n_features
        )
        shift = xp.where(smooth | is_intercept[None, None, :], shift, xp.zeros_like(shift))
    else:
        shift = xp.where(smooth, shift, xp.zeros_like(shift))
    return xp.reshape(rows - shift, (n_models, layout.n_params))


def path_rows(solutions: Any, layout: Any, scaler: Any, *, xp: Any) -> Any:
    """Each solution as scikit-learn's path row on the original features:
    (n_models, n_outputs, n_dof), the intercept last."""
    n_models = solutions.shape[0]
    rows = xp.reshape(solutions, (n_models, layout.n_outputs, layout.width))
    if scaler is None:
        return rows
    coef = rows[:, :, : layout.n_features]
    if not layout.fit_intercept:
        return to_original_scale(coef, xp.zeros(rows.shape[:2], dtype=rows.dtype), scaler)[0]
    coef, intercept = to_original_scale(coef, rows[:, :, layout.n_features], scaler)
    return xp.concat([coef, intercept[:, :, None]], axis=2)
