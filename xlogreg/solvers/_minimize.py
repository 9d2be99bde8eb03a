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

__all__ = ["METHODS", "choose_method", "minimize"]

METHODS = ("auto", "gd", "lbfgs", "newton")

# Newton's Hessian costs n·p² per iteration and its solve p³: above this many
# parameters L-BFGS's cheaper iterations win even when it needs more of them.
_NEWTON_MAX_PARAMS = 200

# Iterations between convergence reads for gradient descent on accelerators,
# where each read waits for the device.
_GD_CHECK_EVERY_ON_ACCELERATORS = 10


def choose_method(n_samples: int, n_params: int) -> str:
    """The solver that ``method="auto"`` picks for a problem shape.

    Newton when there are at most 200 parameters and more samples than
    parameters (it converges in a few iterations at any conditioning, and its
    Hessian is one matrix product), L-BFGS otherwise. Never gradient descent,
    which needs thousands of epochs on ill-conditioned data.

    Examples
    --------
    >>> from xlogreg.solvers import choose_method
    >>> choose_method(10_000, 9), choose_method(10_000, 513), choose_method(50, 90)
    ('newton', 'lbfgs', 'lbfgs')
    """
    if n_params <= _NEWTON_MAX_PARAMS and n_samples > n_params:
        return "newton"
    return "lbfgs"


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
        Solver; ``"auto"`` follows :func:`choose_method`.
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
        method = choose_method(objective.n_samples, objective.n_params)
    if method == "gd":
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
