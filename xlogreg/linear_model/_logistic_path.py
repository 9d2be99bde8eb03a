"""The regularization path of logistic regression: one model per ``C``, fitted as a batch."""

from __future__ import annotations

import warnings
from typing import Any

from xlogreg._backend import integer_dtype, is_chunked, resolve
from xlogreg._validation import check_number
from xlogreg.exceptions import ConvergenceWarning
from xlogreg.linear_model._logistic import LogisticRegression
from xlogreg.linear_model._logistic_cv import check_Cs
from xlogreg.linear_model._logistic_cv_chunks import chunked_search
from xlogreg.linear_model._logistic_fit import checked_training_data, logistic_layout
from xlogreg.linear_model._logistic_grid import (
    Candidate,
    GridData,
    centred_solutions,
    fit_grid,
    fold_weights,
    path_rows,
)

__all__ = ["logistic_regression_path"]


def logistic_regression_path(
    X: Any,
    y: Any,
    *,
    Cs: Any = 10,
    l1_ratio: float = 0.0,
    fit_intercept: bool = True,
    sample_weight: Any = None,
    class_weight: Any = None,
    standardize: bool = False,
    tol: float = 1e-6,
    max_iter: int = 100,
    max_batch_memory: float = 0.5,
) -> tuple[Any, Any, Any]:
    """Coefficients of logistic regression for a sequence of ``C``, on any array library.

    The models of :class:`~xlogreg.LogisticRegression` for every ``C`` of
    the path (with the same ``l1_ratio``), fitted together as one batched
    problem: each iteration reads ``X`` once for all of them, and each
    model stops on its own criterion. A path longer than one batch allows
    (``max_batch_memory``) is fitted a batch at a time along increasing
    ``C``, each batch warm-started from the last one's solutions. For users
    who build their own selection; :class:`~xlogreg.LogisticRegressionCV`
    runs the same fits on every fold.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Training data of any supported array library and device, or a Dask
        array (each model's evaluations summed over its chunks where they
        live, one scheduler round trip per evaluation for the whole batch).
    y : array of shape (n_samples,)
        Class labels, two or more.
    Cs : int or sequence of float, default=10
        Inverse penalty strengths (``> 0``; ``inf``: none); an integer ``k``
        means ``logspace(-4, 4, k)``, as in scikit-learn.
    l1_ratio : float, default=0.0
        The elastic-net mixing value of every model, in ``[0, 1]``.
    fit_intercept, class_weight, standardize, tol, max_iter
        As in :class:`~xlogreg.LogisticRegression`.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    max_batch_memory : float, default=0.5
        The extra memory of one batch, at most this multiple of the bytes of ``X``.

    Returns
    -------
    coefs : array of shape (n_cs, n_outputs, n_features + fit_intercept)
        Each model's coefficients followed by its intercept, on the original
        features, one row per class (one for two classes), in the order of ``Cs``.
    Cs : array of shape (n_cs,)
    n_iter : array of shape (n_cs,)
        Each model's iterations.

    Raises
    ------
    ValueError
        As :class:`~xlogreg.LogisticRegressionCV` for the grid and
        :class:`~xlogreg.LogisticRegression` for the data, before any work.

    Warns
    -----
    ConvergenceWarning
        Once, naming the values of ``C`` whose models did not converge.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from xlogreg.linear_model import logistic_regression_path
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> coefs, Cs, n_iter = logistic_regression_path(X, y, Cs=[0.01, 1.0], standardize=True)
    >>> coefs.shape
    (2, 1, 31)
    >>> bool(abs(coefs[1, 0, :30]).sum() > abs(coefs[0, 0, :30]).sum())  # larger C, larger
    True
    """
    grid = check_Cs(Cs)
    check_number(l1_ratio, "l1_ratio", low=0.0, high=1.0)
    check_number(tol, "tol", low=0.0, finite=True)
    check_number(max_iter, "max_iter", integer=True, low=1)
    check_number(max_batch_memory, "max_batch_memory", low=0.0, low_open=True)
    model = LogisticRegression(
        fit_intercept=fit_intercept, standardize=standardize, class_weight=class_weight
    )
    model._validate_params()
    order = sorted(range(len(grid)), key=lambda k: grid[k])
    candidates = [Candidate(0, l1_ratio, grid[k]) for k in order]
    if is_chunked(X):
        search = chunked_search(model, X, y, sample_weight, None, n_splits=None).data
        data, classes, scaler = search.grid, search.classes, search.scaler
        xp, device, dtype = search.xp, search.device, search.dtype
    else:
        raw_X, _ = model._fit_input(X, None, y=y, sample_weight=sample_weight)
        xp, device = resolve(X=raw_X, y=y, sample_weight=sample_weight)
        X, target, weights, classes, scaler, _ = checked_training_data(
            model, raw_X, y, sample_weight, xp=xp, device=device
        )
        dtype = X.dtype
        data = GridData.in_memory(
            X,
            target,
            fold_weights([xp.arange(X.shape[0], device=device)], weights, xp=xp),
            fit_intercept=fit_intercept,
            xp=xp,
        )
    fit = fit_grid(data, candidates, tol=tol, max_iter=max_iter, max_batch_memory=max_batch_memory)
    unconverged = fit.unconverged(candidates)
    if unconverged:
        warnings.warn(
            f"{len(unconverged)} of the {len(candidates)} models of the path did not "
            f"converge: {'; '.join(unconverged)}. Increase max_iter, or standardize the features.",
            ConvergenceWarning,
            stacklevel=2,
        )
    rank = {k: r for r, k in enumerate(order)}
    index = xp.asarray(
        [rank[k] for k in range(len(grid))], dtype=integer_dtype(xp, device), device=device
    )
    layout = logistic_layout(data.shape[1], classes.shape[0], fit_intercept=fit_intercept, xp=xp)
    solutions = centred_solutions(
        xp.take(fit.x, index, axis=0), layout, [l1_ratio] * len(grid), xp=xp
    )
    n_iter = [fit.n_iter[rank[k]] for k in range(len(grid))]
    return (
        path_rows(solutions, layout, scaler, xp=xp),
        xp.asarray(grid, dtype=dtype, device=device),
        xp.asarray(n_iter, dtype=integer_dtype(xp, device), device=device),
    )
