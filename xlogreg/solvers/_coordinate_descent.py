"""Coordinate descent on a small quadratic with an L1 term: proximal Newton's inner problem.

The problem has as many coordinates as the working set of the outer solver
(tens to hundreds), never as many as there are samples: the loop over
coordinates runs on 0-d arrays of the caller's namespace and device, with
no transfer to the host inside a sweep.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._backend import host_floats
from xlogreg.objectives._penalty import min_norm_subgradient, soft_threshold

__all__ = ["InnerResult", "quadratic_lasso"]


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
    subgradient, compared with ``tol``.

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
    while sweeps < max_sweeps:
        sweeps += 1
        for j in range(m):
            target = u[j] - (g[j] + h_delta[j]) * inv[j]
            moved = soft_threshold(target, cut[j], xp=xp)
            h_delta = h_delta + (moved - u[j]) * column[j]
            u[j] = moved
        current = xp.stack(u)
        subgradient = min_norm_subgradient(current, grad + h_delta, thresholds, xp=xp)
        (measure,) = host_floats(xp, xp.max(xp.abs(xp.where(movable, subgradient, 0.0))))
        if measure <= tol:
            return InnerResult(current, sweeps, measure, True)
    return InnerResult(xp.stack(u), sweeps, measure, False)
