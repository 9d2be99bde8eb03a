"""The inner problems of batched proximal Newton: many lasso-penalized quadratic models at
once, by coordinate descent over the batch and exact steps on stable supports."""

from __future__ import annotations

from typing import Any

import array_api_compat

from xlogreg._backend import host_bool, host_list
from xlogreg.objectives._penalty import min_norm_subgradient, soft_threshold

__all__ = ["batched_quadratic_lasso"]

# Most coordinate-descent sweeps of one batch of inner problems: an unfinished one still
# gives a descent direction, and the next outer iteration starts from a better point.
_MAX_SWEEPS = 500


def batched_quadratic_lasso(H: Any, g: Any, u0: Any, thresholds: Any, *, tol: Any, xp: Any) -> Any:
    r"""Minimize each ``g_mᵀ(u − u₀) + ½(u − u₀)ᵀH_m(u − u₀) + Σ_j λ_mj|u_j|`` by cyclic
    coordinate descent, every model's coordinate ``j`` moved at once.

    The batch form of :func:`~xlogreg.solvers._coordinate_descent.quadratic_lasso`:
    each move is the soft-thresholded ``u_j − ∂_j/H_jj``, with ``∂`` kept
    current through ``H(u − u₀)``. After each sweep, every model also tries
    the exact minimizer on its sweep's support and signs (one batched
    solve), kept where its signs hold and it meets ``tol``: once the
    supports are right, this ends the problem rather than the many sweeps
    of coordinate descent's linear convergence. It stops when each model's
    minimum-norm subgradient is at most its ``tol`` (an array, one per model):
    one read per sweep.
    """
    size = H.shape[1]
    diagonal = xp.linalg.diagonal(H)
    movable = diagonal > 0.0
    inverse = xp.where(movable, 1.0 / xp.where(movable, diagonal, 1.0), 0.0)
    cut = thresholds * inverse
    columns = [H[:, :, j] for j in range(size)]
    u = [u0[:, j] for j in range(size)]
    h_delta = xp.zeros_like(g)
    eye = xp.eye(size, dtype=H.dtype, device=array_api_compat.device(H))
    # (H u₀ − g): the right-hand side of the exact minimizer on a support.
    shifted = xp.matmul(H, u0[:, :, None])[:, :, 0] - g
    current, last_support, tried = u0, None, None
    for _ in range(_MAX_SWEEPS):
        for j in range(size):
            target = u[j] - (g[:, j] + h_delta[:, j]) * inverse[:, j]
            moved = soft_threshold(target, cut[:, j], xp=xp)
            h_delta = h_delta + (moved - u[j])[:, None] * columns[j]
            u[j] = moved
        current = xp.stack(u, axis=1)
        residual = _residual(current, g + h_delta, thresholds, movable, xp=xp)
        support = movable & ((current != 0.0) | (thresholds == 0.0))
        # Try the exact minimizers once per new set of supports, after a sweep that
        # left them unchanged.
        stable = xp.asarray(False, device=array_api_compat.device(H))
        if last_support is not None:
            stable = xp.all(support == last_support)
            if tried is not None:
                stable = stable & xp.any(support != tried)
        done, same = host_list(xp.stack([xp.all(residual <= tol), stable]))
        if done:
            break
        last_support = support
        if not same:
            continue
        tried = support
        exact, exact_residual = _on_support(
            H, shifted, current, support, thresholds, movable, eye, xp=xp
        )
        better = exact_residual < residual
        current = xp.where(better[:, None], exact, current)
        if host_bool(xp.all(xp.where(better, exact_residual, residual) <= tol)):
            break
        h_delta = xp.matmul(H, (current - u0)[:, :, None])[:, :, 0]
        u = [current[:, j] for j in range(size)]
    return current


def _residual(u: Any, smooth_grad: Any, thresholds: Any, movable: Any, *, xp: Any) -> Any:
    """Each model's largest minimum-norm subgradient over its movable coordinates."""
    residual = min_norm_subgradient(u, smooth_grad, thresholds, xp=xp)
    return xp.max(xp.abs(xp.where(movable, residual, 0.0)), axis=1)


def _on_support(
    H: Any,
    shifted: Any,
    u: Any,
    support: Any,
    thresholds: Any,
    movable: Any,
    eye: Any,
    *,
    xp: Any,
) -> tuple[Any, Any]:
    """Each model's exact minimizer on ``support`` with the signs of ``u`` (the least-norm
    one, by pseudo-inverse: a multinomial working set's Hessian is singular along the
    intercepts' common shift), and its residual, infinite where a sign flips."""
    signs = xp.sign(u)
    inside = xp.astype(support, H.dtype)
    system = H * inside[:, :, None] * inside[:, None, :] + (1.0 - inside)[:, :, None] * eye
    rhs = inside * (shifted - thresholds * signs)
    exact = xp.matmul(xp.linalg.pinv(system), rhs[:, :, None])[:, :, 0] * inside
    smooth_grad = xp.matmul(H, exact[:, :, None])[:, :, 0] - shifted
    residual = _residual(exact, smooth_grad, thresholds, movable, xp=xp)
    kept = (thresholds == 0.0) | (xp.sign(exact) == signs)
    consistent = xp.all(kept | ~support, axis=1) & xp.all(xp.isfinite(exact), axis=1)
    return exact, xp.where(consistent, residual, xp.full_like(residual, float("inf")))
