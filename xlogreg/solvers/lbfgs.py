"""Limited-memory BFGS with a strong Wolfe line search, iterating on the device."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import Any

from xlogreg._backend import host_floats
from xlogreg.solvers._line_search import strong_wolfe
from xlogreg.solvers._result import (
    LOSS_ROUNDOFF,
    OptimizeResult,
    relative_reduction,
    stall_outcome,
)
from xlogreg.solvers._run import Run

__all__ = ["lbfgs"]


# Rows the preconditioner's diagonal is estimated from: its inverse only scales
# the steps, and column scales are well estimated from this many rows, while a
# full pass would cost as much as a gradient on large data.
_DIAGONAL_ROWS = 65_536


def _inverse_diagonal(objective: Any, w: Any, *, xp: Any) -> Any:
    """``1 / diag(H(w))`` where the objective offers its Hessian's diagonal, else ``None``."""
    hessian_diagonal = getattr(objective, "hessian_diagonal", None)
    if hessian_diagonal is None:
        return None
    diagonal = hessian_diagonal(w, max_rows=_DIAGONAL_ROWS)
    ones = xp.ones_like(diagonal)
    positive = diagonal > 0
    return xp.where(positive, ones / xp.where(positive, diagonal, ones), ones)


def _two_loop(grad: Any, pairs: deque, scale: Any) -> Any:
    """Apply the L-BFGS inverse-Hessian approximation to ``grad`` (N&W Alg. 7.4).

    Its initial matrix is ``γ·diag(scale)`` (``γ·I`` when ``scale`` is ``None``),
    with ``γ = sᵀy / yᵀ diag(scale) y`` from the newest pair.
    """
    q = grad
    alphas = []
    for s, y, rho in reversed(pairs):
        alpha = rho * (s @ q)
        q = q - alpha * y
        alphas.append(alpha)
    s, y, _ = pairs[-1]
    if scale is None:
        r = ((s @ y) / (y @ y)) * q
    else:
        r = ((s @ y) / (y @ (scale * y))) * (scale * q)
    for (s, y, rho), alpha in zip(pairs, reversed(alphas), strict=True):
        r = r + (alpha - rho * (y @ r)) * s
    return r


def lbfgs(
    objective: Any,
    w0: Any,
    *,
    tol: float,
    max_iter: int,
    memory: int = 10,
    patience: int = 10,
    callback: Callable[[int, float, float], None] | None = None,
) -> OptimizeResult:
    """Minimize with L-BFGS.

    Vectors and the two-loop recursion stay on the device; each line-search
    trial reads three scalars back (value, slope, gradient max-norm) in one
    transfer. Where the objective offers ``hessian_diagonal(w)``, its inverse
    at ``w0`` scales the steepest-descent steps and the initial inverse-Hessian
    approximation (diagonal preconditioning), so features of very different
    scales converge as fast as standardized ones, in float32 too.

    Parameters
    ----------
    objective : object
        Offers ``loss_grad(w) -> (loss, grad)`` and ``xp``; optionally
        ``hessian_diagonal(w)``.
    w0 : array
        Starting point.
    tol : float
        Stop when the gradient's max-norm is at most ``tol``.
    max_iter : int
        Most iterations.
    memory : int
        Number of correction pairs kept.
    patience : int
        Iterations without a new best gradient, once the objective no longer
        resolves a decrease, before stopping.
    callback : callable, optional
        ``callback(n_iter, loss, grad_norm)`` before every iteration.

    Returns
    -------
    OptimizeResult
        Converged only when the gradient's max-norm is at most ``tol``. Also
        stops, as ``"stalled"`` (not converged, see
        :func:`~xlogreg.solvers._result.stall_outcome`), when even a
        steepest-descent step finds no decrease, or when the objective no
        longer decreases (relative ``8·eps``) and the gradient has not reached
        a new low for ``patience`` iterations. A small decrease alone (SciPy's
        ``ftol``) never stops it: near the optimum the slopes still guide
        progress that the values cannot resolve.
    """
    run = Run(objective, w0, tol=tol, max_iter=max_iter, callback=callback)
    xp, eps = run.xp, run.eps
    pairs: deque = deque(maxlen=memory)
    # Diagonal scaling, fixed at the start: without it, features of scales 1e-2
    # and 1e2 give a curvature model that float32 gradients cannot pin down.
    scale = _inverse_diagonal(objective, w0, xp=xp)

    def steepest_descent(grad: Any) -> Any:
        return -grad if scale is None else -(scale * grad)

    while not run.should_stop():
        grad = run.grad
        steepest = not pairs
        direction = steepest_descent(grad) if steepest else -_two_loop(grad, pairs, scale)
        (slope,) = host_floats(xp, grad @ direction)
        if not slope < 0.0:
            pairs.clear()
            steepest = True
            direction = steepest_descent(grad)
            (slope,) = host_floats(xp, grad @ direction)
        first_step = min(1.0, 1.0 / math.sqrt(-slope)) if steepest else 1.0

        def phi(t: float, w: Any = run.w, direction: Any = direction) -> tuple[float, float, Any]:
            w_t = w + t * direction
            loss_t, grad_t = objective.loss_grad(w_t)
            value, slope_t, norm_t = host_floats(
                xp, loss_t, grad_t @ direction, xp.max(xp.abs(grad_t))
            )
            return value, slope_t, (w_t, loss_t, grad_t, norm_t)

        noise = LOSS_ROUNDOFF * eps * abs(run.loss_value)
        accepted = strong_wolfe(phi, run.loss_value, slope, first_step, noise=noise)
        if accepted is None:
            if not steepest:  # a stale curvature model: restart from steepest descent
                pairs.clear()
                continue
            run.stop(*stall_outcome(run.loss_value, run.grad_norm, eps))
            break
        t, new_value, new_slope, (w_new, loss_new, grad_new, norm_new) = accepted
        curvature = t * (new_slope - slope)  # sᵀy, known on the host already
        if curvature > 0.0:
            pairs.append((t * direction, grad_new - grad, 1.0 / curvature))
        # L-BFGS's gradient is not monotone: only steps the loss cannot
        # resolve count towards stagnation.
        unresolved = relative_reduction(run.loss_value, new_value) <= 8.0 * eps
        run.accept(w_new, loss_new, grad_new, new_value, norm_new, stagnating=unresolved)
        if run.stagnant == patience and norm_new > tol:
            run.stop(*stall_outcome(new_value, norm_new, eps))
    return run.result()
