"""Newton's method (IRLS) with a backtracking line search, for n_samples ≫ n_features."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xlogreg._backend import host_floats
from xlogreg.solvers._result import (
    OptimizeResult,
    is_finite,
    read_loss_and_grad_norm,
    stall_outcome,
)
from xlogreg.solvers._run import Run

__all__ = ["newton"]

# Ridge added to the equilibrated Hessian (unit diagonal) when it cannot be
# solved (singular, e.g. an unpenalized fit with duplicated columns).
_DAMPING = (0.0, 1e-12, 1e-8, 1e-4)


def _newton_direction(hessian: Any, grad: Any, *, xp: Any) -> tuple[Any, float]:
    """Solve ``H d = -g``; fall back to damped systems, then to ``-g``.

    The system is equilibrated first: with ``D = diag(H)^(-1/2)`` it solves
    ``(D H D) u = -D g`` and returns ``d = D u``. Features of very different
    scales (areas near 1e5 beside ratios near 1) otherwise make ``H``'s
    condition number exceed what float32 can solve.
    """
    diagonal = xp.linalg.diagonal(hessian)
    inv_root = 1.0 / xp.sqrt(xp.where(diagonal > 0, diagonal, xp.ones_like(diagonal)))
    scaled = hessian * inv_root[:, None] * inv_root[None, :]
    eye = xp.eye(hessian.shape[0], dtype=hessian.dtype, device=hessian.device)
    for damping in _DAMPING:
        try:
            direction = -inv_root * xp.linalg.solve(scaled + damping * eye, inv_root * grad)
        except (ValueError, RuntimeError):  # NumPy's / torch's LinAlgError
            continue
        (slope,) = host_floats(xp, grad @ direction)
        if is_finite(slope) and slope < 0.0:
            return direction, slope
    (slope,) = host_floats(xp, -(grad @ grad))
    return -grad, slope


def newton(
    objective: Any,
    w0: Any,
    *,
    tol: float,
    max_iter: int,
    callback: Callable[[int, float, float], None] | None = None,
    max_halvings: int = 40,
    patience: int = 5,
    hessian_rows: int | None = None,
) -> OptimizeResult:
    """Minimize with Newton steps ``H d = −g`` and Armijo backtracking.

    Each iteration forms the Hessian ``Xᵀ diag(s·p(1−p)) X`` (one matrix
    product, on BLAS or tensor cores) and solves a ``(d+1)×(d+1)`` system; it
    converges in a handful of iterations whatever the conditioning of ``X``.

    Parameters
    ----------
    objective : object
        Offers ``loss_grad(w)``, ``hessian(w)`` and ``xp``.
    w0 : array
        Starting point.
    tol : float
        Stop when the gradient's max-norm is at most ``tol``.
    max_iter : int
        Most iterations.
    callback : callable, optional
        ``callback(n_iter, loss, grad_norm)`` before every iteration.
    max_halvings : int
        Most step halvings in one line search.
    patience : int
        Iterations without a new best gradient (below 0.9 of it) before
        stopping: Newton's gradient falls quadratically until the precision
        floor.
    hessian_rows : int, optional
        Subsampled Newton: each Hessian is estimated from this many evenly
        spaced rows (``objective.hessian(w, max_rows=...)``) while the loss
        and gradient stay exact, so the steps converge linearly at a rate
        set by the estimate's accuracy rather than quadratically, each at a
        fraction of the cost (Byrd, Chin, Neveitt & Nocedal, SIAM J. Optim.
        21(3), 2011). ``None``: exact Hessians.

    Returns
    -------
    OptimizeResult
        Also stops, converged, when a full step's Newton decrement ``−gᵀd``
        is within one rounding of the loss. When no step decreases the loss,
        or the gradient stops improving for ``patience`` iterations, it is
        converged only if half the decrement (the predicted remaining
        decrease) is within the loss's round-off, and ``"stalled"`` otherwise;
        see :func:`~xlogreg.solvers._result.stall_outcome`. A small decrease
        alone never stops it.
    """
    run = Run(objective, w0, tol=tol, max_iter=max_iter, callback=callback)
    xp, eps = run.xp, run.eps
    while not run.should_stop():
        if hessian_rows is None:
            hessian = objective.hessian(run.w)
        else:
            hessian = objective.hessian(run.w, max_rows=hessian_rows)
        direction, slope = _newton_direction(hessian, run.grad, xp=xp)
        # Round-off makes f itself uncertain by a few eps near the optimum.
        slack = 16.0 * eps * abs(run.loss_value)
        t = 1.0
        for _ in range(max_halvings):
            w_t = run.w + t * direction
            loss_t, grad_t = objective.loss_grad(w_t)
            value, norm_t = read_loss_and_grad_norm(xp, loss_t, grad_t)
            if is_finite(value, norm_t) and value <= run.loss_value + 1e-4 * t * slope + slack:
                break
            t *= 0.5
        else:
            run.stop(*stall_outcome(run.loss_value, run.grad_norm, eps, remaining=-slope / 2))
            break
        run.accept(w_t, loss_t, grad_t, value, norm_t)
        if norm_t <= tol:
            continue
        # A full step's predicted decrease -gᵀd/2 bounds the gap left before it;
        # below one rounding of f, the new iterate is as good as f can tell.
        if t == 1.0 and -slope / 2 <= eps * max(1.0, abs(value)):
            run.stop("converged", f"the Newton decrement {-slope:.2g} is at the loss's round-off")
        elif run.stagnant == patience:
            run.stop(*stall_outcome(value, norm_t, eps, remaining=-slope / 2))
    return run.result()
