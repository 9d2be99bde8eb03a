"""Direct least-squares and ridge solves: SVD (rank-revealing) and Cholesky (normal equations).

The array API has no ``lstsq``. Both solves work on the weighted, centered
design, as scikit-learn does: with ``fit_intercept`` every column of ``X`` and
``Y`` has its ``sample_weight``-weighted mean removed (the intercept is
recovered from those means afterwards, and is never penalized), and weights
enter as a ``sqrt(s)`` scaling of the rows. The minimizer is that of
:class:`~xlogreg.objectives.SquaredError`, scikit-learn's ``Ridge(alpha)``
(``LinearRegression`` for ``alpha = 0``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import host_floats
from xlogreg.exceptions import LinAlgWarning
from xlogreg.objectives._gram import augmented_gram

__all__ = ["LeastSquaresResult", "cholesky_solve", "svd_solve"]


@dataclass(frozen=True)
class LeastSquaresResult:
    """Outcome of :func:`svd_solve` or :func:`cholesky_solve`.

    Attributes
    ----------
    coef : array of shape (n_targets, n_features)
    intercept : array of shape (n_targets,)
        Zeros without ``fit_intercept``.
    rank : int or None
        Numerical rank of the weighted, centered design (SVD only).
    singular_values : array of shape (min(n_samples, n_features),) or None
        Its singular values, descending (SVD only).
    method : str
        ``"lstsq"`` or ``"cholesky"``: the solve that produced the result.
    """

    coef: Any
    intercept: Any
    rank: int | None
    singular_values: Any
    method: str


@dataclass(frozen=True)
class _Centered:
    """The design and targets with their weighted means removed (when fitting an intercept)."""

    X: Any
    Y: Any
    X_offset: Any
    Y_offset: Any


def _center(
    X: Any, Y: Any, sample_weight: Any, *, fit_intercept: bool, xp: ModuleType
) -> _Centered:
    if not fit_intercept:
        return _Centered(X, Y, None, None)
    weight = sample_weight / xp.sum(sample_weight)
    X_offset = weight @ X
    Y_offset = weight @ Y
    # A constant column centers to round-off, not to zero (the weighted mean is
    # inexact), and the solves would fit that noise with a huge coefficient.
    # Columns constant over the samples that carry weight are zeroed exactly,
    # so they get a zero coefficient and lower the rank. (Zero-weight rows take
    # the values of the heaviest row so that they cannot break the tie.)
    heaviest = xp.take(X, xp.reshape(xp.argmax(sample_weight), (1,)), axis=0)
    support = xp.where((sample_weight > 0)[:, None], X, heaviest)
    constant = xp.max(support, axis=0) == xp.min(support, axis=0)
    X = (X - X_offset) * xp.astype(xp.logical_not(constant), X.dtype)
    return _Centered(X, Y - Y_offset, X_offset, Y_offset)


def _result(
    coef: Any, centered: _Centered, *, rank: int | None, singular: Any, method: str, xp: ModuleType
) -> LeastSquaresResult:
    if centered.X_offset is None:
        device = array_api_compat.device(coef)
        intercept = xp.zeros(coef.shape[0], dtype=coef.dtype, device=device)
    else:
        intercept = centered.Y_offset - coef @ centered.X_offset
    return LeastSquaresResult(coef, intercept, rank, singular, method)


def svd_solve(
    X: Any,
    Y: Any,
    sample_weight: Any,
    *,
    alpha: float,
    fit_intercept: bool,
    xp: ModuleType,
) -> LeastSquaresResult:
    """Minimum-norm least squares (``alpha = 0``) or ridge through a thin SVD of the design.

    With ``U S Vᵀ`` the SVD of ``diag(√s)·(X − x̄)``, the coefficients are
    ``V diag(f) Uᵀ diag(√s)·(Y − ȳ)`` with filter factors ``f = S / (S² + α)``
    for the singular values above NumPy's ``lstsq`` cutoff
    ``eps·max(n_samples, n_features)·S[0]`` and ``f = 0`` below it. For
    ``α = 0`` this is the minimum-norm solution ``numpy.linalg.lstsq`` returns
    (on the centered design, so the intercept is never part of the norm), and
    the number of kept singular values is the rank: a duplicated column shows
    up as a rank below ``n_features``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Design matrix, in the compute dtype.
    Y : array of shape (n_samples, n_targets)
        Targets, same dtype.
    sample_weight : array of shape (n_samples,)
        Non-negative weights with a positive sum.
    alpha : float
        Ridge penalty ``>= 0`` on the coefficients (not the intercept).
    fit_intercept : bool
        Whether to center, and return intercepts.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    LeastSquaresResult
        With ``rank`` (read back to the host, one scalar) and the singular values.

    Examples
    --------
    Seed 003's duplicated column ``[1, x, 2x]``, no intercept: rank 2 of 3 and
    NumPy's minimum-norm weights.

    >>> import array_api_strict as xp
    >>> from xlogreg.solvers.least_squares import svd_solve
    >>> x = xp.asarray([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> X = xp.stack([xp.ones(5), x, 2 * x], axis=1)
    >>> y = xp.asarray([[118.0], [141.0], [162.0], [181.0], [198.0]])
    >>> result = svd_solve(X, y, xp.ones(5), alpha=0.0, fit_intercept=False, xp=xp)
    >>> result.rank, result.coef
    (2, Array([[100.,   4.,   8.]], dtype=array_api_strict.float64))
    """
    centered = _center(X, Y, sample_weight, fit_intercept=fit_intercept, xp=xp)
    return _svd(centered, sample_weight, alpha=alpha, xp=xp)


def _svd(
    centered: _Centered, sample_weight: Any, *, alpha: float, xp: ModuleType
) -> LeastSquaresResult:
    root = xp.sqrt(sample_weight)[:, None]
    U, S, Vt = xp.linalg.svd(centered.X * root, full_matrices=False)
    n_samples, n_features = centered.X.shape
    dtype = centered.X.dtype
    # numpy.linalg.lstsq's default rcond: singular values below eps·max(M, N)
    # times the largest are round-off of zero.
    cutoff = xp.finfo(dtype).eps * max(n_samples, n_features) * S[0]
    keep = S > cutoff
    (rank,) = host_floats(xp, xp.sum(xp.astype(keep, dtype)))
    kept = xp.where(keep, S, xp.ones_like(S))
    factor = xp.where(keep, kept / (kept * kept + alpha), xp.zeros_like(S))
    coef = ((Vt.T * factor) @ (U.T @ (centered.Y * root))).T
    return _result(coef, centered, rank=int(rank), singular=S, method="lstsq", xp=xp)


# Smallest relative Cholesky pivot L_kk² / G_kk accepted. That ratio is the
# squared sine of the angle between column k and the span of the columns
# before it, and it is a pivot of the equilibrated Gram D^-½ G D^-½ (unit
# diagonal, largest eigenvalue >= 1); every pivot of a positive definite
# matrix lies between its extreme eigenvalues, so a ratio below the threshold
# means cond(D^-½ G D^-½) > 1 / threshold. That equilibrated condition number
# governs the accuracy of solving the normal equations (van der Sluis: the
# diagonal scaling is free), about eps·cond: below sqrt(eps) more than half of
# the working precision is lost to squaring the design, and an exactly
# duplicated column (ratio at round-off, ~eps) lands far below it. Both are
# left to the SVD, which works on X itself. Being relative to the diagonal, the
# test ignores feature scales: grams beside kilometres do not trip it.
def _pivot_threshold(dtype: Any, xp: ModuleType) -> float:
    return math.sqrt(xp.finfo(dtype).eps)


def _is_linalg_error(error: BaseException) -> bool:
    # NumPy's (and array-api-strict's) LinAlgError subclasses ValueError,
    # torch's RuntimeError; match the name rather than every ValueError or
    # RuntimeError so that, e.g., running out of GPU memory still raises.
    return any("LinAlgError" in cls.__name__ for cls in type(error).__mro__)


def cholesky_solve(
    X: Any,
    Y: Any,
    sample_weight: Any,
    *,
    alpha: float,
    fit_intercept: bool,
    xp: ModuleType,
) -> LeastSquaresResult:
    """Least squares or ridge from the normal equations; the SVD when they are singular.

    Solves ``(X̃ᵀ S X̃ + α I) B = X̃ᵀ S Ỹ`` for the centered ``X̃``, ``Ỹ``. A
    Cholesky factorization ``L Lᵀ`` of the Gram matrix tests it first: if it
    fails (NumPy and torch raise, CuPy may return NaN) or a relative pivot
    ``L_kk² / G_kk`` falls below ``sqrt(eps)`` of the dtype (the Gram is
    singular or too ill-conditioned to solve in this precision), a
    :class:`~xlogreg.exceptions.LinAlgWarning` is issued and the result of
    :func:`svd_solve` returned, whose ``rank`` reveals the deficiency.
    Otherwise the system is solved with ``linalg.solve``. Costs
    ``n·d² + d³`` against the SVD's larger constant on ``n·d²``; ``rank``
    and ``singular_values`` are not computed (``None``).

    Parameters
    ----------
    X, Y, sample_weight, alpha, fit_intercept, xp
        As for :func:`svd_solve`.

    Returns
    -------
    LeastSquaresResult
        ``method`` says which solve produced it (``"lstsq"`` after a fallback).

    Warns
    -----
    LinAlgWarning
        When the Gram matrix is singular or ill-conditioned and the SVD is used instead.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.solvers.least_squares import cholesky_solve
    >>> X = xp.asarray([[1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> y = xp.asarray([[118.0], [141.0], [162.0], [181.0], [198.0]])
    >>> result = cholesky_solve(X, y, xp.ones(5), alpha=0.0, fit_intercept=True, xp=xp)
    >>> result.coef, result.intercept
    (Array([[20.]], dtype=array_api_strict.float64), Array([100.], dtype=array_api_strict.float64))
    """
    centered = _center(X, Y, sample_weight, fit_intercept=fit_intercept, xp=xp)
    gram = augmented_gram(centered.X, sample_weight, fit_intercept=False, l2=alpha, xp=xp)
    try:
        factor = xp.linalg.cholesky(gram)
    except (ValueError, RuntimeError) as error:
        if not _is_linalg_error(error):
            raise
        smallest = float("nan")
    else:
        pivots = xp.linalg.diagonal(factor)
        diagonal = xp.linalg.diagonal(gram)
        # A failed or missing pivot (<= 0, NaN) counts as zero.
        relative = xp.where(
            pivots > 0,
            pivots * pivots / xp.where(diagonal > 0, diagonal, xp.ones_like(diagonal)),
            xp.zeros_like(pivots),
        )
        (smallest,) = host_floats(xp, xp.min(relative))
    threshold = _pivot_threshold(X.dtype, xp)
    if not smallest >= threshold:
        warnings.warn(
            f"the Gram matrix XᵀX{' + alpha·I' if alpha else ''} is singular or too "
            f"ill-conditioned for a Cholesky solve in {X.dtype} (smallest relative pivot "
            f"{smallest:.3g} < {threshold:.3g}: duplicated or collinear features?); "
            "falling back to the SVD (solver='lstsq'), whose rank_ shows the deficiency",
            LinAlgWarning,
            stacklevel=3,
        )
        return _svd(centered, sample_weight, alpha=alpha, xp=xp)
    rhs = centered.X.T @ (centered.Y * sample_weight[:, None])
    coef = xp.linalg.solve(gram, rhs).T
    return _result(coef, centered, rank=None, singular=None, method="cholesky", xp=xp)
