"""One entry point over the solvers, and the rule behind ``method="auto"``."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import array_api_compat

from xlogreg._backend import syncs_cheaply
from xlogreg.exceptions import ConvergenceWarning
from xlogreg.solvers._result import OptimizeResult
from xlogreg.solvers.gd import gd
from xlogreg.solvers.lbfgs import lbfgs
from xlogreg.solvers.newton import newton

__all__ = ["METHODS", "auto_plan", "minimize"]

METHODS = ("auto", "gd", "lbfgs", "newton")

# Newton's Hessian costs n·p² per iteration and its solve p³: above this many
# parameters "auto" never forms it.
_NEWTON_MAX_PARAMS = 200

# L-BFGS iterations after which "auto" hands an unfinished fit to Newton. A
# well-conditioned problem converges within them, at a fraction of Newton's
# cost per iteration (one pass over X against a Hessian of n·p² flops); an
# ill-conditioned one would need hundreds more, where Newton, started from
# that point, finishes in a few quadratic steps.
_LBFGS_BEFORE_NEWTON = 10

# Iterations between convergence reads for gradient descent on accelerators,
# where each read waits for the device.
_GD_CHECK_EVERY_ON_ACCELERATORS = 10


def auto_plan(n_samples: int, n_params: int) -> tuple[str, ...]:
    """The solvers that ``method="auto"`` runs in turn for a problem shape.

    L-BFGS first, for at most 10 iterations when Newton may follow: Newton
    when there are at most 200 parameters and more samples than parameters
    (its Hessian is then one affordable matrix product, and it converges in a
    few iterations at any conditioning). Without Newton, L-BFGS runs to the
    end. Never gradient descent, which needs thousands of epochs on
    ill-conditioned data.

    Examples
    --------
    >>> from xlogreg.solvers import auto_plan
    >>> auto_plan(10_000, 9), auto_plan(10_000, 513), auto_plan(50, 90)
    (('lbfgs', 'newton'), ('lbfgs',), ('lbfgs',))
    """
    if n_params <= _NEWTON_MAX_PARAMS and n_samples > n_params:
        return ("lbfgs", "newton")
    return ("lbfgs",)


def minimize(
    objective: Any,
    w0: Any,
    *,
    method: str = "auto",
    tol: float = 1e-6,
    max_iter: int = 1000,
    learning_rate: float = 0.1,
    momentum: float = 0.0,
    callback: Callable[[int, float, float], None] | None = None,
) -> OptimizeResult:
    """Minimize a smooth objective from ``w0`` with the chosen method.

    Parameters
    ----------
    objective : object
        Offers ``xp``, ``n_samples``, ``n_params``, ``loss_grad(w)`` and, for
        Newton, ``hessian(w)``; L-BFGS uses ``hessian_diagonal(w)`` where it
        exists (see :mod:`xlogreg.objectives`).
    w0 : array
        Starting point; the iterates keep its namespace, device and dtype.
    method : {"auto", "gd", "lbfgs", "newton"}
        Solver; ``"auto"`` follows :func:`auto_plan`.
    tol : float
        Stop when the gradient's max-norm is at most ``tol``.
    max_iter : int
        Most iterations.
    learning_rate, momentum : float
        Gradient descent's step size and heavy-ball momentum.
    callback : callable, optional
        ``callback(n_iter, loss, grad_norm)`` with host floats, as the solver
        checks its stopping rule.

    Returns
    -------
    OptimizeResult

    Warns
    -----
    ConvergenceWarning
        If the solver stopped before meeting a stopping rule, naming the reason
        and the final gradient max-norm.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives import Binomial
    >>> from xlogreg.solvers import minimize
    >>> X = xp.asarray([[0.0], [1.0], [2.0], [3.0]])
    >>> y = xp.asarray([0.0, 1.0, 0.0, 1.0])
    >>> f = Binomial(X, y, xp.ones(4), l2=1.0, fit_intercept=True, xp=xp)
    >>> result = minimize(f, xp.zeros(2), method="newton", tol=1e-10)
    >>> result.converged, result.n_iter
    (True, 3)
    """
    if method == "auto":
        result, method = _auto(objective, w0, tol=tol, max_iter=max_iter, callback=callback)
    elif method == "gd":
        device = array_api_compat.device(w0)
        check_every = 1 if syncs_cheaply(objective.xp, device) else _GD_CHECK_EVERY_ON_ACCELERATORS
        result = gd(
            objective,
            w0,
            tol=tol,
            max_iter=max_iter,
            learning_rate=learning_rate,
            momentum=momentum,
            check_every=check_every,
            callback=callback,
        )
    elif method == "lbfgs":
        result = lbfgs(objective, w0, tol=tol, max_iter=max_iter, callback=callback)
    elif method == "newton":
        result = newton(objective, w0, tol=tol, max_iter=max_iter, callback=callback)
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if not result.converged:
        warnings.warn(
            f"{method} did not converge: {result.message}; final gradient max-norm "
            f"{result.grad_norm:.3g} (tol={tol:g}). Increase max_iter, scale the "
            "features, or choose another solver.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return result


def _auto(
    objective: Any,
    w0: Any,
    *,
    tol: float,
    max_iter: int,
    callback: Callable[[int, float, float], None] | None,
) -> tuple[OptimizeResult, str]:
    """Run :func:`auto_plan`'s solvers; return the result and the name of the last one run."""
    plan = auto_plan(objective.n_samples, objective.n_params)
    if len(plan) == 1:
        return lbfgs(objective, w0, tol=tol, max_iter=max_iter, callback=callback), "lbfgs"
    first = lbfgs(
        objective, w0, tol=tol, max_iter=min(max_iter, _LBFGS_BEFORE_NEWTON), callback=callback
    )
    done = first.n_iter
    if first.converged or first.status == "non_finite" or done == max_iter:
        return first, "lbfgs"

    def shifted(n_iter: int, loss: float, grad_norm: float) -> None:
        if n_iter > 0:  # Newton's starting point is L-BFGS's last iterate, reported already
            callback(done + n_iter, loss, grad_norm)

    second = newton(
        objective,
        first.x,
        tol=tol,
        max_iter=max_iter - done,
        callback=None if callback is None else shifted,
    )
    combined = OptimizeResult(
        second.x,
        second.fun,
        second.grad_norm,
        done + second.n_iter,
        second.status,
        f"{second.message} (Newton after {done} L-BFGS iterations)",
        first.loss_history + second.loss_history[1:],
    )
    return combined, "auto (L-BFGS, then Newton)"
