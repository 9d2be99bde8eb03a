"""Accelerated proximal gradient (FISTA) with backtracking and adaptive restart."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xlogreg._backend import host_floats
from xlogreg.solvers._result import OptimizeResult, is_finite, stall_outcome
from xlogreg.solvers._run import Run

__all__ = ["fista"]

# Iterations between checks of the optimality measure, which needs the
# gradient at the iterate (FISTA's gradients are taken at the extrapolated
# point): one more pass over X every this many iterations.
_CHECK_EVERY = 10

# Factor by which the step's curvature estimate shrinks after an accepted
# step (and grows on a rejected one), so it follows the local curvature.
_SHRINK, _GROW = 0.9, 2.0


def _identity(w: Any, step: Any) -> Any:
    return w


def fista(
    objective: Any,
    w0: Any,
    *,
    tol: float,
    max_iter: int,
    penalty: Any = None,
    callback: Callable[[int, float, float], None] | None = None,
) -> OptimizeResult:
    """Minimize ``f(w) + λ‖coef‖₁`` (or ``f`` alone) by accelerated proximal gradient steps.

    Beck & Teboulle's FISTA (SIAM J. Imaging Sci. 2(1), 2009): each
    iteration takes a proximal gradient step from the extrapolated point
    ``y``, its step ``1/(L·D)`` found by backtracking ``L`` on the quadratic
    upper bound in the metric ``D`` (the Hessian's diagonal at the start, so
    that columns of very different scales converge alike), and restarts the
    momentum whenever ``F`` increases (O'Donoghue & Candès, Found. Comput.
    Math. 15, 2015). Two passes over ``X`` per
    iteration (the gradient at ``y``, the loss at the new point), and no
    Hessian: the solver for many features, where a Hessian does not fit.
    Every 10th iteration also reads the optimality measure at the iterate.
    A plain proximal gradient step (right after a restart) that increases
    ``F`` means ``F`` is at its round-off: the fit stops there, stalled
    (:func:`~xlogreg.solvers._result.stall_outcome`) unless it met ``tol``.

    Parameters
    ----------
    objective : object
        The smooth part: ``xp``, ``loss(w)``, ``loss_grad(w)`` and
        ``hessian_diagonal(w)`` (the metric of the steps).
    w0 : array
        Starting point.
    tol : float
        Stop when the minimum-norm subgradient's max-norm (the gradient's
        max-norm without a penalty) is at most ``tol``.
    max_iter : int
        Most iterations.
    penalty : L1, optional
        The non-smooth part (:class:`~xlogreg.objectives._penalty.L1`).
    callback : callable, optional
        ``callback(n_iter, F, measure)`` at every check.

    Returns
    -------
    OptimizeResult

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives import Binomial
    >>> from xlogreg.objectives._penalty import L1
    >>> from xlogreg.solvers.fista import fista
    >>> X = xp.asarray([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> y = xp.asarray([0.0, 0.0, 1.0, 1.0])
    >>> f = Binomial(X, y, xp.ones(4), l2=0.0, fit_intercept=True, xp=xp)
    >>> penalty = L1(0.1, layout=f.layout, dtype=xp.float64, device=None)
    >>> result = fista(f, xp.zeros(3), tol=1e-8, max_iter=10_000, penalty=penalty)
    >>> result.converged, float(result.x[1])  # the second feature is left out
    (True, 0.0)
    """
    run = Run(objective, w0, tol=tol, max_iter=max_iter, callback=callback, penalty=penalty)
    xp = run.xp
    prox = _identity if penalty is None else penalty.prox
    nonsmooth = (lambda w: 0.0) if penalty is None else penalty.value
    # The metric: the Hessian's diagonal at the start, so columns of any scale take
    # steps of their own size (the soft-thresholding stays per coordinate).
    diagonal = objective.hessian_diagonal(w0)
    (largest,) = host_floats(xp, xp.max(diagonal))
    floor = max(largest, 1.0) * math.sqrt(run.eps)
    metric = xp.where(diagonal > floor, diagonal, floor)
    curvature = 1.0
    x, value = run.w, run.loss_value
    y, momentum = x, 1.0
    while not run.should_stop():
        steps, stalled = 0, False
        while steps < min(_CHECK_EVERY, max_iter - run.n_iter) and not stalled:
            steps += 1
            f_y, grad_y = objective.loss_grad(y)
            while True:
                inverse = 1.0 / (curvature * metric)
                x_new = prox(y - inverse * grad_y, inverse)
                step = x_new - y
                f_new = objective.loss(x_new)
                bound = f_y + grad_y @ step + 0.5 * curvature * (step @ (metric * step))
                fits, f_value = host_floats(xp, f_new - bound, f_new + nonsmooth(x_new))
                if is_finite(fits) and fits <= 64.0 * run.eps * max(1.0, abs(f_value)):
                    break
                curvature *= _GROW
                if not math.isfinite(curvature):
                    run.stop("non_finite", "the step size underflowed")
                    return run.result()
            if f_value > value:  # restart the momentum from the better point
                # After a restart, the step was a plain one from x: F is at its round-off.
                stalled = momentum == 1.0
                y, momentum = x, 1.0
                continue
            curvature *= _SHRINK
            following = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * momentum * momentum))
            y = x_new + ((momentum - 1.0) / following) * (x_new - x)
            x, value, momentum = x_new, f_value, following
        loss, grad, loss_value, measure = run.evaluate(x)
        run.accept(x, loss, grad, loss_value, measure, stagnating=False, steps=steps)
        if stalled and measure > tol:
            run.stop(*stall_outcome(loss_value, measure, run.eps, measure=run.measure))
    return run.result()
