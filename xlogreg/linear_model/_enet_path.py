"""Elastic-net and lasso regularization paths, scikit-learn's ``enet_path`` and ``lasso_path``,
on any array library: coefficients for a descending sequence of alphas, each fit
warm-started from the previous one, by coordinate descent on the Gram matrix
(:func:`~xlogreg.solvers.batched_lasso.elastic_net_gram_path`).

Also the pieces that :class:`~xlogreg.linear_model._elastic_net_cv.ElasticNetCV` shares
with them: the checks of ``alphas``, ``eps`` and ``l1_ratio`` (:func:`check_alphas`),
scikit-learn's grid of alphas (:func:`alpha_grid`), and the warning that names the
models that did not converge (:func:`warn_unconverged`).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import array_api_compat

from xlogreg._backend import (
    accumulation_dtype,
    host_floats,
    host_list,
    is_array,
    is_chunked,
    resolve,
)
from xlogreg._chunked_data import chunked_training_data
from xlogreg._target_validation import check_regression_target, check_sample_weight
from xlogreg._validation import check_features, check_number
from xlogreg.exceptions import ConvergenceWarning
from xlogreg.linear_model._least_squares_cv_chunks import chunked_statistics
from xlogreg.objectives._weighted_grams import GramStatistics, weighted_grams
from xlogreg.solvers.batched_lasso import elastic_net_gram_path

__all__ = [
    "alpha_grid",
    "check_alphas",
    "check_path_options",
    "enet_path",
    "lasso_path",
    "warn_unconverged",
]

# numpy.finfo(numpy.float64).resolution: scikit-learn's floor of the automatic grid.
_RESOLUTION = 1e-15


def check_alphas(alphas: Any, eps: float, l1_ratios: Sequence[float]) -> list[float] | None:
    """Check ``alphas`` (a number of alphas, or the alphas), ``eps`` and ``l1_ratios``.

    Returns
    -------
    list of float or None
        The given alphas in decreasing order; ``None`` for a number of alphas.

    Raises
    ------
    TypeError or ValueError
        Naming the argument: ``alphas`` neither an integer ``>= 1`` nor a non-empty
        sequence of finite numbers ``> 0``; ``eps`` outside ``(0, 1)``; an
        ``l1_ratio`` outside ``[0, 1]``, or ``0`` with an automatic grid (whose
        ``alpha_max`` divides by it).
    """
    for index, ratio in enumerate(l1_ratios):
        name = "l1_ratio" if len(l1_ratios) == 1 else f"l1_ratio[{index}]"
        check_number(ratio, name, low=0.0, high=1.0)
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        check_number(alphas, "alphas", integer=True, low=1)
        check_number(eps, "eps", low=0.0, high=1.0, low_open=True, high_open=True)
        if any(ratio == 0.0 for ratio in l1_ratios):
            raise ValueError(
                "l1_ratio=0 (ridge) has no automatic grid of alphas (alpha_max divides by "
                "l1_ratio): pass the alphas themselves, or use RidgeCV"
            )
        return None
    values = host_list(alphas) if is_array(alphas) else alphas
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(
            "alphas must be an integer (how many) or a sequence of positive numbers, "
            f"got {alphas!r}"
        )
    if len(values) == 0:
        raise ValueError("alphas must hold at least one value, got an empty sequence")
    for index, alpha in enumerate(values):
        check_number(alpha, f"alphas[{index}]", low=0.0, low_open=True, finite=True)
    return sorted((float(alpha) for alpha in values), reverse=True)


def check_path_options(tol: Any, max_iter: Any) -> None:
    """Check the coordinate descent's ``tol`` (``>= 0``, finite) and ``max_iter`` (``>= 1``)."""
    check_number(tol, "tol", low=0.0, finite=True)
    check_number(max_iter, "max_iter", integer=True, low=1)


def alpha_grid(xy: Any, l1_ratio: float, eps: float, n_alphas: int, *, xp: Any) -> list[float]:
    """scikit-learn's automatic grid (``_alpha_grid``): ``n_alphas`` alphas spaced evenly on a
    log scale from ``alpha_max = max_j |c_j| / l1_ratio`` down to ``eps·alpha_max``.

    ``c = Σ w (x − x̄)(y − ȳ) / Σ w`` (around zero without an intercept): at and above
    ``alpha_max`` every coefficient is zero. As scikit-learn, a zero ``alpha_max``
    gives ``n_alphas`` copies of ``1e-15``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.linear_model._enet_path import alpha_grid
    >>> alpha_grid(xp.asarray([0.5, -2.0]), 0.5, 0.01, 3, xp=xp)
    [4.0, 0.4, 0.04]
    """
    (alpha_max,) = host_floats(xp, xp.max(xp.abs(xy)))
    alpha_max /= l1_ratio
    if alpha_max <= _RESOLUTION:
        return [_RESOLUTION] * n_alphas
    if n_alphas == 1:
        return [alpha_max]
    # numpy.geomspace: 10 to the powers evenly spaced (numpy.linspace's arithmetic), its
    # ends exact; the powers taken by the library (NumPy's differ from Python's in the last
    # bit at some points), in its widest float.
    start, stop = math.log10(alpha_max), math.log10(alpha_max * eps)
    step = (stop - start) / (n_alphas - 1)
    exponents = [i * step + start for i in range(n_alphas)]
    device = array_api_compat.device(xy)
    wide = accumulation_dtype(xp, device)
    grid = host_list(
        xp.pow(
            xp.asarray(10.0, dtype=wide, device=device),
            xp.asarray(exponents, dtype=wide, device=device),
        )
    )
    grid[0], grid[-1] = alpha_max, alpha_max * eps
    return [float(alpha) for alpha in grid]


def warn_unconverged(
    path: Any, alphas: list[list[float]], l1_ratios: list[float], problems: list[str], *, tol: float
) -> None:
    """One :class:`~xlogreg.exceptions.ConvergenceWarning` naming every model of ``path``
    (a :class:`~xlogreg.solvers.batched_lasso.PathResult`) that stopped short of its
    tolerance, with its final duality gap; nothing when all converged.

    ``alphas[l][a]`` is the alpha of index ``a`` for ``l1_ratios[l]``, ``problems`` names
    the problems (``"fold 0"``, …). One read back of the flags, and of the gaps only
    when a model failed.
    """
    xp = array_api_compat.array_namespace(path.gaps)
    if host_list(xp.all(path.converged)):
        return
    flags = host_list(xp.reshape(path.converged, (-1,)))
    gaps = host_list(xp.reshape(path.gaps, (-1,)))
    n_l1, n_problems = len(l1_ratios), len(problems)
    failed = []
    for flat, flag in enumerate(flags):
        if flag:
            continue
        a, rest = divmod(flat, n_l1 * n_problems)
        ratio, p = divmod(rest, n_problems)
        failed.append(
            f"(alpha={alphas[ratio][a]:.6g}, l1_ratio={l1_ratios[ratio]:g}, {problems[p]}: "
            f"duality gap {gaps[flat]:.3e})"
        )
    shown = ", ".join(failed[:10]) + (f" and {len(failed) - 10} more" if len(failed) > 10 else "")
    warnings.warn(
        f"coordinate descent did not converge for {len(failed)} of {len(flags)} models "
        f"within max_iter sweeps (tol={tol:g} times each problem's centred y'y): {shown}. "
        "They are kept as they stopped; increase max_iter, or scale the features "
        "(standardize=True)",
        ConvergenceWarning,
        stacklevel=3,
    )


def enet_path(
    X: Any,
    y: Any,
    *,
    l1_ratio: float = 0.5,
    eps: float = 1e-3,
    alphas: Any = 100,
    coef_init: Any = None,
    return_n_iter: bool = False,
    sample_weight: Any = None,
    tol: float = 1e-4,
    max_iter: int = 1000,
) -> tuple:
    """The elastic-net path by coordinate descent, scikit-learn's ``enet_path``.

    For each alpha, from the largest down, minimizes

    ``Σᵢ sᵢ(yᵢ − w·xᵢ)² / (2 Σᵢ sᵢ) + alpha·l1_ratio·‖w‖₁ + alpha·(1 − l1_ratio)/2·‖w‖²``

    (no intercept, as scikit-learn's: centre ``X`` and ``y`` first to have one),
    starting from the previous alpha's solution, until scikit-learn's duality gap
    is at most ``tol`` times ``Σ sᵢ yᵢ² / Σ sᵢ``. ``X`` is read once, for its Gram
    matrix; the coordinate descent runs on it, on the device of ``X``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Training data, of any supported library and device, or a Dask array
        (its statistics summed over its chunks).
    y : array of shape (n_samples,)
        One target.
    l1_ratio : float, default=0.5
        Share of the L1 part, in ``[0, 1]`` (``0``: ridge, with ``alphas`` given).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of an automatic grid, in ``(0, 1)``.
    alphas : int or sequence of float, default=100
        How many alphas in the automatic grid (from ``alpha_max``, where every
        coefficient is zero, down to ``eps·alpha_max``), or the alphas (``> 0``;
        taken in decreasing order).
    coef_init : array of shape (n_features,), optional
        The start of the first alpha.
    return_n_iter : bool, default=False
        Also return the sweeps of each alpha.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights. (scikit-learn's ``enet_path`` ignores them on dense
        ``X``; here they weight the squared errors, as in :class:`ElasticNet`.)
    tol : float, default=1e-4
        Stop each alpha's descent when the duality gap is at most ``tol·Σ sᵢyᵢ²/Σ sᵢ``.
    max_iter : int, default=1000
        Most sweeps per alpha.

    Returns
    -------
    alphas : array of shape (n_alphas,)
        The alphas, in decreasing order.
    coefs : array of shape (n_features, n_alphas)
        The coefficients along the path.
    dual_gaps : array of shape (n_alphas,)
        The duality gaps where the descent stopped.
    n_iters : list of int
        Sweeps per alpha (with ``return_n_iter``).

    Raises
    ------
    ValueError
        Invalid ``alphas``, ``eps``, ``l1_ratio``, ``tol`` or ``max_iter`` (before
        any work), shapes, non-finite values, a 2-D ``y``, or invalid weights.

    Warns
    -----
    ConvergenceWarning
        Once, naming the alphas whose descent met no tolerance within ``max_iter``.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.linear_model._enet_path import enet_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 3))
    >>> y = X @ np.array([1.0, 0.0, -2.0])
    >>> alphas, coefs, gaps = enet_path(X, y, l1_ratio=0.8, alphas=3)
    >>> alphas.round(4)
    array([1.8821, 0.0595, 0.0019])
    >>> coefs.round(3)  # zero at alpha_max, then the features enter (scikit-learn's too)
    array([[ 0.   ,  0.945,  0.998],
           [ 0.   ,  0.   ,  0.   ],
           [ 0.   , -1.905, -1.997]])
    """
    l1_ratios = [l1_ratio]
    given = check_alphas(alphas, eps, l1_ratios)
    check_path_options(tol, max_iter)
    if is_chunked(X):
        if getattr(y, "ndim", 1) != 1:
            raise ValueError(f"y must be 1-D (one target), got shape {tuple(y.shape)}")
        data = chunked_training_data(X, y, sample_weight, target="values")
        stats = chunked_statistics(data, None, center=False, one_target=True)
    else:
        stats = _path_statistics(X, y, sample_weight, coef_init)
    xp = array_api_compat.array_namespace(stats.gram)
    device = array_api_compat.device(stats.gram)
    dtype = stats.gram.dtype
    n_features = stats.gram.shape[1]
    grid = given if given is not None else alpha_grid(stats.xy[0, :], l1_ratio, eps, alphas, xp=xp)
    start = None
    if coef_init is not None:
        start = xp.reshape(xp.astype(xp.asarray(coef_init, device=device), dtype), (1, 1, -1))
        if start.shape[2] != n_features:
            raise ValueError(
                f"coef_init has {start.shape[2]} coefficients but X has {n_features} features"
            )
    path = elastic_net_gram_path(
        stats.gram,
        stats.xy,
        stats.yy,
        xp.asarray([grid], dtype=dtype, device=device),
        xp.asarray([float(l1_ratio)], dtype=dtype, device=device),
        tol=float(tol),
        max_iter=int(max_iter),
        xp=xp,
        coef_init=start,
    )
    warn_unconverged(path, [grid], [float(l1_ratio)], ["the data"], tol=float(tol))
    result = (
        xp.asarray(grid, dtype=dtype, device=device),
        xp.permute_dims(path.coefs[:, 0, 0, :], (1, 0)),
        path.gaps[:, 0, 0],
    )
    if return_n_iter:
        result += ([int(n) for n in host_list(path.n_iter[:, 0, 0])],)
    return result


def _path_statistics(X: Any, y: Any, sample_weight: Any, coef_init: Any) -> GramStatistics:
    """The uncentred moments of in-memory data, checked, for :func:`enet_path`."""
    xp, device = resolve(X=X, y=y, sample_weight=sample_weight, coef_init=coef_init)
    X = check_features(X, xp=xp, device=device, overflow="squares")
    n_samples = X.shape[0]
    y = check_regression_target(
        y, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype, overflow="squares"
    )
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one target), got shape {tuple(y.shape)}")
    sample_weight = check_sample_weight(
        sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype
    )
    return weighted_grams(X, y, sample_weight[:, None], center=False, xp=xp)


def lasso_path(
    X: Any,
    y: Any,
    *,
    eps: float = 1e-3,
    alphas: Any = 100,
    coef_init: Any = None,
    return_n_iter: bool = False,
    sample_weight: Any = None,
    tol: float = 1e-4,
    max_iter: int = 1000,
) -> tuple:
    """The lasso path by coordinate descent, scikit-learn's ``lasso_path``: :func:`enet_path`
    with ``l1_ratio=1``, minimizing ``Σᵢ sᵢ(yᵢ − w·xᵢ)² / (2 Σᵢ sᵢ) + alpha·‖w‖₁``.

    Parameters
    ----------
    X, y, eps, alphas, coef_init, return_n_iter, sample_weight, tol, max_iter
        As in :func:`enet_path`.

    Returns
    -------
    tuple
        As :func:`enet_path`'s.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.linear_model._enet_path import lasso_path
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> alphas, coefs, _ = lasso_path(X, np.array([2.0, 0.0, 2.0]), alphas=[0.5])
    >>> coefs.round(4)
    array([[1.25],
           [0.  ]])
    """
    return enet_path(
        X,
        y,
        l1_ratio=1.0,
        eps=eps,
        alphas=alphas,
        coef_init=coef_init,
        return_n_iter=return_n_iter,
        sample_weight=sample_weight,
        tol=tol,
        max_iter=max_iter,
    )
