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

from xlogreg._backend import has_float64, host_floats
from xlogreg.exceptions import LinAlgWarning
from xlogreg.objectives._gram import augmented_gram

__all__ = [
    "Centered",
    "LeastSquaresResult",
    "cholesky_solve",
    "is_linalg_error",
    "svd_solve",
    "weighted_center",
]


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
class Centered:
    """The design and targets with their weighted means removed (when fitting an intercept)."""

    X: Any
    Y: Any
    X_offset: Any
    Y_offset: Any


def weighted_center(
    X: Any, Y: Any, sample_weight: Any, *, fit_intercept: bool, xp: ModuleType
) -> Centered:
    if not fit_intercept:
        return Centered(X, Y, None, None)
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
    return Centered(X, Y - Y_offset, X_offset, Y_offset)


def _result(
    coef: Any, centered: Centered, *, rank: int | None, singular: Any, method: str, xp: ModuleType
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

    For ``α = 0`` the design ``A = diag(√s)·(X − x̄)`` is first equilibrated,
    its columns divided by their largest absolute values ``D``. If the SVD
    ``Ũ S̃ Ṽᵀ`` of ``A D⁻¹`` has full rank (every singular value above NumPy's
    ``lstsq`` cutoff ``eps·max(n_samples, n_features)·S̃[0]``), the
    coefficients are the unique solution ``D⁻¹ Ṽ S̃⁻¹ Ũᵀ diag(√s)·(Y − ȳ)``,
    accurate to about ``eps·cond(A D⁻¹)`` rather than ``eps·cond(A)``: the
    scale-free rank and the digits of features in different units (NIST's
    Longley in float32 keeps 5 digits instead of none). Otherwise, and for
    ridge, with ``U S Vᵀ`` the SVD of ``A`` itself, the coefficients are
    ``V diag(f) Uᵀ diag(√s)·(Y − ȳ)`` with filter factors ``f = S / (S² + α)``
    for the singular values above that cutoff on ``S`` and ``f = 0`` below
    it: for ``α = 0`` the minimum-norm solution ``numpy.linalg.lstsq``
    returns (on the centered design, so the intercept is never part of the
    norm), and the number of kept singular values is the rank (a duplicated
    column shows up as a rank below ``n_features``). ``singular_values`` are
    always those of ``A``, as scikit-learn's ``singular_``.

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
        A rank-deficient equilibrated design costs a second SVD, of ``A``.

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
    centered = weighted_center(X, Y, sample_weight, fit_intercept=fit_intercept, xp=xp)
    return _svd(X, Y, centered, sample_weight, alpha=alpha, xp=xp)


def _svd(
    X: Any, Y: Any, centered: Centered, sample_weight: Any, *, alpha: float, xp: ModuleType
) -> LeastSquaresResult:
    root = xp.sqrt(sample_weight)[:, None]
    design, targets = centered.X * root, centered.Y * root
    n_samples, n_features = design.shape
    if alpha == 0:
        # The least-squares solution is unique when the design has full rank, and
        # then any column scaling gives it: the SVD of the equilibrated design
        # decides the rank free of the features' units (Longley's GNP in dollars
        # beside the year cost float32 a rank and every digit), and loses
        # eps·cond(equilibrated) rather than eps·cond(design). A rank-deficient
        # design keeps NumPy's minimum norm, defined on the unscaled coefficients.
        scale = equilibrating_scale(design, xp=xp)
        U, S, Vt = xp.linalg.svd(design / scale, full_matrices=False)
        keep = _above_cutoff(S, n_samples, n_features, xp=xp)
        rank, largest, smallest = host_floats(xp, xp.sum(xp.astype(keep, S.dtype)), S[0], S[-1])
        if rank == n_features:
            _warn_if_ill_conditioned(largest / smallest, design.dtype, xp=xp)

            def solve(right: Any) -> Any:
                return ((Vt.T / S) @ (U.T @ right)).T / scale

            # The design's own singular values, those of diag(S)·Vᵀ·diag(scale): O(d³).
            singular = xp.linalg.svdvals(S[:, None] * Vt * scale)
            result = _result(
                solve(targets), centered, rank=n_features, singular=singular, method="lstsq", xp=xp
            )
            return _refined(result, X, Y, sample_weight, centered, solve, xp=xp)
    U, S, Vt = xp.linalg.svd(design, full_matrices=False)
    keep = _above_cutoff(S, n_samples, n_features, xp=xp)
    (rank,) = host_floats(xp, xp.sum(xp.astype(keep, S.dtype)))
    kept = xp.where(keep, S, xp.ones_like(S))
    factor = xp.where(keep, kept / (kept * kept + alpha), xp.zeros_like(S))
    coef = ((Vt.T * factor) @ (U.T @ targets)).T
    return _result(coef, centered, rank=int(rank), singular=S, method="lstsq", xp=xp)


def _refined(
    result: LeastSquaresResult,
    X: Any,
    Y: Any,
    sample_weight: Any,
    centered: Centered,
    solve: Any,
    *,
    xp: ModuleType,
) -> LeastSquaresResult:
    """A float32 solution after one step of iterative refinement with a float64 residual.

    float32 arithmetic loses the low-order digits of every residual
    ``y − Xβ − b`` of a nearly exact fit (NIST's Wampler1: responses up to
    3.4e6, exact in float32, beside an intercept of 1), and with them about
    ``eps·|y| / |βⱼ|`` of each coefficient: 1.2 of Wampler1's digits were
    left. The residual of the float32 solution, computed in float64 (a
    transient float64 copy of ``X``, as for the column statistics), and
    solved for a correction with the same factorization, restores what the
    data determine (Wampler1 keeps 6.4 digits, Wampler2 5.7 → 11). float64
    results, and devices without float64, are returned as they are.
    """
    device = array_api_compat.device(X)
    if X.dtype != xp.float32:
        return result
    if not has_float64(xp, device):
        _warn_if_exact_to_rounding(result, X, Y, centered, xp=xp)
        return result
    wide = xp.float64
    coef, intercept = xp.astype(result.coef, wide), xp.astype(result.intercept, wide)
    residual = xp.astype(Y, wide) - xp.astype(X, wide) @ coef.T - intercept
    mean = None
    if centered.X_offset is not None:
        weight = xp.astype(sample_weight, wide)
        mean = (weight / xp.sum(weight)) @ residual
        residual = residual - mean
    root = xp.sqrt(sample_weight)[:, None]
    correction = xp.astype(solve(xp.astype(residual, X.dtype) * root), wide)
    coef = coef + correction
    if mean is not None:
        intercept = intercept + mean - correction @ xp.astype(centered.X_offset, wide)
    narrow = X.dtype
    return LeastSquaresResult(
        xp.astype(coef, narrow),
        xp.astype(intercept, narrow),
        result.rank,
        result.singular_values,
        result.method,
    )


def _warn_if_exact_to_rounding(
    result: LeastSquaresResult, X: Any, Y: Any, centered: Centered, *, xp: ModuleType
) -> None:
    """Warn when a float32 fit that cannot be refined is exact to float32's resolution.

    Its residuals are then rounding, and so are the coefficients' trailing
    digits: NIST's Wampler1 keeps 0.4-1.2 digits on devices without float64
    (MPS, JAX without x64), where a float64 residual would restore 6.
    """
    residual = Y - X @ result.coef.T - result.intercept
    spread = centered.Y if centered.Y_offset is not None else Y
    residual_norm, spread_norm = host_floats(
        xp, xp.linalg.vector_norm(residual), xp.linalg.vector_norm(spread)
    )
    if residual_norm <= math.sqrt(xp.finfo(X.dtype).eps) * spread_norm:
        warnings.warn(
            f"the fit is exact to within {X.dtype}'s resolution (residual norm "
            f"{residual_norm:.3g} against the response's {spread_norm:.3g}), so the "
            "coefficients' trailing digits are rounding, and this device has no float64 to "
            "refine them: fit float64 data on a device with float64 (JAX: jax_enable_x64) "
            "for more digits",
            LinAlgWarning,
            stacklevel=5,  # the caller of LinearRegression.fit
        )


def _warn_if_ill_conditioned(condition: float, dtype: Any, *, xp: ModuleType) -> None:
    """Warn when a full-rank equilibrated design's condition number exceeds
    ``1/sqrt(eps)``: its coefficients may keep less than half of the dtype's digits."""
    bound = xp.finfo(dtype).eps ** -0.5
    if condition > bound:
        remedy = (
            "drop or combine nearly collinear features, or use alpha > 0"
            if dtype == xp.float64
            else "fit on float64 data"
        )
        warnings.warn(
            f"the design is too ill-conditioned for {dtype}: the condition number of the "
            f"centered design with equilibrated columns is {condition:.3g} > {bound:.3g} "
            f"(1/sqrt(eps)), so the coefficients may keep less than half of the digits of "
            f"{dtype}; {remedy}",
            LinAlgWarning,
            stacklevel=5,  # the caller of LinearRegression.fit
        )


def equilibrating_scale(design: Any, *, xp: ModuleType) -> Any:
    """The power of two nearest to each column's largest absolute value (1 for a zero
    column): dividing by it gives max-abs columns within a factor √2 of 1, without
    rounding a single entry, and without the overflow of a 2-norm."""
    largest = xp.max(xp.abs(design), axis=0)
    positive = largest > 0
    exponent = xp.round(xp.log2(xp.where(positive, largest, xp.ones_like(largest))))
    return 2.0**exponent


def _above_cutoff(S: Any, n_samples: int, n_features: int, *, xp: ModuleType) -> Any:
    # numpy.linalg.lstsq's default rcond: singular values below eps·max(M, N)
    # times the largest are round-off of zero.
    return S > xp.finfo(S.dtype).eps * max(n_samples, n_features) * S[0]


def normal_equations_bound(dtype: Any, xp: ModuleType) -> float:
    """Largest condition number of the equilibrated Gram matrix a normal-equations
    solve accepts in ``dtype``: ``eps^(-1/3)`` (1.7e5 in float64, 203 in float32).

    Solving ``XᵀX β = Xᵀy`` loses about ``eps·cond(XᵀX)`` where the SVD of ``X``
    loses ``eps·cond(X) = eps·sqrt(cond(XᵀX))`` (on a small residual). Below the
    bound the normal equations keep two thirds of the working digits and give
    up at most a sixth of them (``sqrt(cond) <= eps^(-1/6)``: 2.6 digits in
    float64, 1.2 in float32) to the SVD. Measured on the NIST StRD problems
    (NumPy; ``tests/test_nist.py``), LRE of the normal equations against the
    SVD's: Norris (cond 1) 12.8 against 12.2 in float64, 4.6 against 4.6 in
    float32; Longley (1.2e4) 12.0 against 13.5 in float64, kept, and 2.8
    against 4.9 in float32, where it falls back; Wampler1 and 2 (2.7e6) 7.0
    against 8.9 and 9.5 against 13.1 in float64, where they fall back.
    """
    return xp.finfo(dtype).eps ** (-1.0 / 3.0)


def equilibrated_condition(matrix: Any, *, xp: ModuleType) -> float:
    """Condition number of the symmetric ``matrix`` scaled to a unit diagonal
    (``D^-½ A D^-½``), from its eigenvalues: ``inf`` when it is not positive
    definite (a zero diagonal entry, a non-positive or NaN eigenvalue).

    The diagonal scaling is free (van der Sluis): it is this condition number,
    not the raw one, that governs a Cholesky or LU solve, so grams beside
    kilometres do not count as ill-conditioned.
    """
    diagonal = xp.linalg.diagonal(matrix)
    positive = diagonal > 0
    inv_root = 1.0 / xp.sqrt(xp.where(positive, diagonal, xp.ones_like(diagonal)))
    try:
        eigenvalues = xp.linalg.eigvalsh(matrix * inv_root[:, None] * inv_root[None, :])
    except (ValueError, RuntimeError) as error:  # NaN entries: no eigenvalues
        if not is_linalg_error(error):
            raise
        return math.inf
    smallest, largest, all_positive = host_floats(
        xp,
        eigenvalues[0],
        eigenvalues[-1],
        xp.astype(xp.all(positive), matrix.dtype),
    )
    if not (smallest > 0 and all_positive == 1):
        return math.inf
    return largest / smallest


def is_linalg_error(error: BaseException) -> bool:
    """Whether ``error`` is a library's ``LinAlgError`` (a failed factorization).

    NumPy's (and array-api-strict's) subclasses ``ValueError``, torch's
    ``RuntimeError``; the name is matched rather than every ``ValueError`` or
    ``RuntimeError`` so that, e.g., running out of GPU memory still raises.
    """
    return any("LinAlgError" in cls.__name__ for cls in type(error).__mro__)


def cholesky_solve(
    X: Any,
    Y: Any,
    sample_weight: Any,
    *,
    alpha: float,
    fit_intercept: bool,
    xp: ModuleType,
    warn: bool = True,
) -> LeastSquaresResult:
    """Least squares or ridge from the normal equations; the SVD when they would lose accuracy.

    Solves ``(X̃ᵀ S X̃ + α I) B = X̃ᵀ S Ỹ`` for the centered ``X̃``, ``Ỹ``. The
    condition number of that Gram matrix scaled to a unit diagonal (from its
    ``d × d`` eigenvalues) is checked first: when it is infinite (the Gram is
    singular) or above :func:`normal_equations_bound` (``eps^(-1/3)`` of the
    dtype, where the normal equations would lose accuracy that the SVD
    keeps), a :class:`~xlogreg.exceptions.LinAlgWarning` is issued and the
    result of :func:`svd_solve` returned, whose ``rank`` reveals a
    deficiency. Otherwise the system is solved with ``linalg.solve``. Costs
    ``n·d² + d³`` against the SVD's larger constant on ``n·d²``; ``rank``
    and ``singular_values`` are not computed (``None``).

    Parameters
    ----------
    X, Y, sample_weight, alpha, fit_intercept, xp
        As for :func:`svd_solve`.
    warn : bool, default=True
        Whether a fallback warns; ``LinearRegression(solver="auto")``, which
        only prefers the normal equations, falls back silently.

    Returns
    -------
    LeastSquaresResult
        ``method`` says which solve produced it (``"lstsq"`` after a fallback).

    Warns
    -----
    LinAlgWarning
        When the Gram matrix is singular or too ill-conditioned and the SVD is used instead.

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
    centered = weighted_center(X, Y, sample_weight, fit_intercept=fit_intercept, xp=xp)
    gram = augmented_gram(centered.X, sample_weight, fit_intercept=False, l2=alpha, xp=xp)
    condition = equilibrated_condition(gram, xp=xp)
    bound = normal_equations_bound(X.dtype, xp)
    if not condition <= bound:
        if warn:
            warnings.warn(
                f"the Gram matrix XᵀX{' + alpha·I' if alpha else ''} is singular or too "
                f"ill-conditioned for the normal equations in {X.dtype} (condition number "
                f"{condition:.3g} with a unit diagonal > {bound:.3g}: collinear or duplicated "
                "features, or a polynomial design?); falling back to the SVD "
                "(solver='lstsq'), which keeps the accuracy and whose rank_ shows a deficiency",
                LinAlgWarning,
                stacklevel=3,
            )
        return _svd(X, Y, centered, sample_weight, alpha=alpha, xp=xp)
    rhs = centered.X.T @ (centered.Y * sample_weight[:, None])
    coef = xp.linalg.solve(gram, rhs).T
    return _result(coef, centered, rank=None, singular=None, method="cholesky", xp=xp)
