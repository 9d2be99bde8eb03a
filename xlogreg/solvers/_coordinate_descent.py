"""Coordinate descent on a small quadratic with an L1 term: proximal Newton's inner problem.

The problem has as many coordinates as the working set of the outer solver
(tens to hundreds), never as many as there are samples: the loop over
coordinates runs on 0-d arrays of the caller's namespace and device, with
no transfer to the host inside a sweep.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._backend import host_floats, host_list, integer_dtype
from xlogreg.objectives._penalty import min_norm_subgradient, soft_threshold

__all__ = ["InnerResult", "quadratic_lasso", "scatter"]


class InnerResult:
    """The minimizer found, its sweeps, and whether it met the inner tolerance."""

    def __init__(self, u: Any, sweeps: int, measure: float, converged: bool) -> None:
        self.u, self.sweeps, self.measure, self.converged = u, sweeps, measure, converged


def quadratic_lasso(
    hessian: Any,
    grad: Any,
    u0: Any,
    thresholds: Any,
    *,
    tol: float,
    max_sweeps: int,
    xp: ModuleType,
) -> InnerResult:
    r"""Minimize ``q(u) = gᵀ(u − u₀) + ½(u − u₀)ᵀH(u − u₀) + Σ_j λ_j |u_j|`` by cyclic
    coordinate descent.

    Each coordinate moves to its exact minimizer with the others fixed: the
    soft-thresholded ``u_j − ∂_j/H_jj`` (glmnet's update, Friedman, Hastie &
    Tibshirani, J. Stat. Softw. 33(1), 2010), where ``∂_j`` is the smooth
    part's derivative, kept current through ``H(u − u₀)``, updated by one
    column of ``H`` per move. A sweep visits every coordinate once; after
    each, one scalar is read: the max-norm of ``q``'s minimum-norm
    subgradient, compared with ``tol``. Then the exact minimizer on the
    sweep's support and signs is tried (one small solve): once coordinate
    descent has found the support, it ends there, rather than after the
    many sweeps of its linear convergence.

    Parameters
    ----------
    hessian : array of shape (m, m)
        Symmetric positive semi-definite; coordinates with a zero diagonal
        stay where they are.
    grad : array of shape (m,)
        The gradient ``g`` of the smooth part at ``u₀``.
    u0 : array of shape (m,)
        Where the model is centred, and the start.
    thresholds : array of shape (m,)
        ``λ_j >= 0`` (zero for unpenalized coordinates such as intercepts).
    tol : float
        Stop when the subgradient's max-norm is at most this.
    max_sweeps : int
        Most sweeps.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    InnerResult

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.solvers._coordinate_descent import quadratic_lasso
    >>> H = xp.asarray([[2.0, 0.0], [0.0, 1.0]])
    >>> g = xp.asarray([-4.0, 0.5])  # the first coordinate wants to move to 2
    >>> result = quadratic_lasso(H, g, xp.zeros(2), xp.asarray([1.0, 1.0]), tol=1e-12,
    ...                          max_sweeps=10, xp=xp)
    >>> result.u, result.converged  # (4 - 1) / 2, and |0.5| <= 1 keeps the second at zero
    (Array([1.5, 0. ], dtype=array_api_strict.float64), True)
    """
    m = hessian.shape[0]
    diagonal = xp.linalg.diagonal(hessian)
    movable = diagonal > 0.0
    inverse = xp.where(movable, 1.0 / xp.where(movable, diagonal, 1.0), 0.0)
    # Per coordinate, 0-d arrays and the column of H: indexed once, used every sweep.
    inv = [inverse[j] for j in range(m)]
    cut = [(thresholds * inverse)[j] for j in range(m)]
    g = [grad[j] for j in range(m)]
    column = [hessian[:, j] for j in range(m)]
    u = [u0[j] for j in range(m)]
    h_delta = xp.zeros_like(grad)  # H (u − u₀), kept current
    measure, sweeps = float("inf"), 0
    last_support, tried = None, None
    while sweeps < max_sweeps:
        sweeps += 1
        for j in range(m):
            target = u[j] - (g[j] + h_delta[j]) * inv[j]
            moved = soft_threshold(target, cut[j], xp=xp)
            h_delta = h_delta + (moved - u[j]) * column[j]
            u[j] = moved
        current = xp.stack(u)
        measure = _measure(current, grad + h_delta, thresholds, movable, xp=xp)
        if measure <= tol:
            return InnerResult(current, sweeps, measure, True)
        support = _support(current, thresholds, movable, xp=xp)
        if support == last_support and support != tried:
            tried = support
            polished = _polished(hessian, grad, u0, thresholds, current, support, movable, xp=xp)
            if polished is not None and polished[1] <= tol:
                return InnerResult(polished[0], sweeps, polished[1], True)
        last_support = support
    return InnerResult(xp.stack(u), sweeps, measure, False)


def _measure(u: Any, smooth_grad: Any, thresholds: Any, movable: Any, *, xp: ModuleType) -> float:
    """The max-norm of ``q``'s minimum-norm subgradient at ``u`` (coordinates that can move)."""
    subgradient = min_norm_subgradient(u, smooth_grad, thresholds, xp=xp)
    (measure,) = host_floats(xp, xp.max(xp.abs(xp.where(movable, subgradient, 0.0))))
    return measure


def _support(u: Any, thresholds: Any, movable: Any, *, xp: ModuleType) -> tuple[int, ...]:
    """The coordinates of ``u`` that are nonzero or unpenalized, and can move."""
    return tuple(
        int(j) for j in host_list(xp.nonzero(((u != 0.0) | (thresholds == 0.0)) & movable)[0])
    )


def _polished(
    hessian: Any,
    grad: Any,
    u0: Any,
    thresholds: Any,
    u: Any,
    positions: tuple[int, ...],
    movable: Any,
    *,
    xp: ModuleType,
) -> tuple[Any, float] | None:
    """The exact minimizer of ``q`` if ``u`` has found its support and signs, and its measure.

    On the support ``S = positions`` of ``u`` (its nonzero and unpenalized coordinates),
    with the signs of ``u``, ``q`` is a quadratic whose stationary point
    solves ``H_SS (u_S − u0_S) = −(g_S + λ_S sign(u_S) + H_{S,¬S}(0 − u0_{¬S}))``,
    one small linear solve (a pseudo-inverse: a softmax's intercepts make
    ``H_SS`` singular). Coordinate descent converges linearly, at a rate
    set by ``H``'s conditioning; this step ends it as soon as the support is
    right; it is tried once per support, after a sweep that left it unchanged.
    ``None`` where the solve fails.
    """
    if not positions:
        return None
    index = xp.asarray(positions, dtype=integer_dtype(xp, u.device), device=u.device)
    outside = xp.where(
        scatter(
            xp.ones(len(positions), dtype=u.dtype, device=u.device), positions, u.shape[0], xp=xp
        )
        > 0.0,
        0.0,
        -u0,
    )
    rhs = -(xp.take(grad + thresholds * xp.sign(u) + hessian @ outside, index))
    block = xp.take(xp.take(hessian, index, axis=0), index, axis=1)
    try:
        step = xp.linalg.pinv(block) @ rhs
    except (ValueError, RuntimeError, NotImplementedError):  # LinAlgError; no SVD on the device
        return None
    candidate = scatter(xp.take(u0, index) + step, positions, u.shape[0], xp=xp)
    measure = _measure(candidate, grad + hessian @ (candidate - u0), thresholds, movable, xp=xp)
    return candidate, measure


def scatter(values: Any, positions: tuple[int, ...], size: int, *, xp: ModuleType) -> Any:
    """A vector of ``size`` zeros holding ``values`` at ``positions``, by one gather (no
    in-place write, which JAX arrays do not allow).

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.solvers._coordinate_descent import scatter
    >>> scatter(xp.asarray([5.0, 7.0]), (3, 0), 4, xp=xp)
    Array([7., 0., 0., 5.], dtype=array_api_strict.float64)
    """
    place = [len(positions)] * size
    for k, position in enumerate(positions):
        place[position] = k
    device = values.device
    place = xp.asarray(place, dtype=integer_dtype(xp, device), device=device)
    return xp.take(xp.concat([values, xp.zeros_like(values[:1])]), place)
