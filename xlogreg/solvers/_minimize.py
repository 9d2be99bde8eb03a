"""One entry point over the solvers, and the rule behind ``method="auto"``."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import array_api_compat

from xlogreg._backend import host_floats, syncs_cheaply
from xlogreg.exceptions import ConvergenceWarning
from xlogreg.solvers._result import OptimizeResult
from xlogreg.solvers.fista import fista
from xlogreg.solvers.gd import gd
from xlogreg.solvers.lbfgs import lbfgs
from xlogreg.solvers.newton import newton
from xlogreg.solvers.proximal_newton import proximal_newton

__all__ = ["METHODS", "PROXIMAL_METHODS", "auto_plan", "minimize"]

METHODS = ("auto", "gd", "lbfgs", "newton", "fista")

#: The methods that take a non-smooth (L1) penalty: ``"newton"`` is then proximal Newton.
PROXIMAL_METHODS = ("auto", "newton", "fista")

# Most features for which "auto" runs proximal Newton on an L1 problem: its
# Hessian covers the working set only (usually the support), but may grow to
# every feature, (K·d)² numbers; above this, FISTA, which forms none.
_PROXIMAL_NEWTON_MAX_FEATURES = 2048

# Newton's Hessian costs n·p² per iteration and its solve p³: above this many
# parameters "auto" never forms it.
_NEWTON_MAX_PARAMS = 200

# L-BFGS iterations after which "auto" hands an unfinished fit to Newton. A
# well-conditioned problem converges within them, at a fraction of Newton's
# cost per iteration (one pass over X against a Hessian of n·p² flops); an
# ill-conditioned one would need hundreds more, where Newton, started from
# that point, finishes in a few quadratic steps.
_LBFGS_BEFORE_NEWTON = 10

# Up to this many parameters, Newton takes over from an L-BFGS that has not
# converged within _LBFGS_BEFORE_RESCUE iterations: its Hessian (32 MB in
# float64) and n·p² flops per iteration are then cheaper than the thousands of
# iterations L-BFGS needs on ill-conditioned data, or than a stall above tol in
# float32. Measured on scikit-learn's digits (1797 x 64, 10 classes, 650
# parameters): L-BFGS reaches max_iter=1000 at a gradient of 6e-6 in float64
# and stalls at an objective 1.7e-4 above the optimum in float32 (after 208
# iterations), where Newton converges in 10-14 iterations in either dtype.
_NEWTON_RESCUE_MAX_PARAMS = 2048

# L-BFGS iterations before Newton's rescue, above _NEWTON_MAX_PARAMS
# parameters; one Newton iteration costs about 40 of them there.
_LBFGS_BEFORE_RESCUE = 100

# Rows per parameter of subsampled Newton's Hessian estimates: each costs
# 256·p³ flops instead of n·p², and its steps still shrink the gradient about
# tenfold per iteration (7-9 iterations to tol=1e-8 on the benchmarks'
# ill-conditioned problems, against 4 for exact Newton).
_SAMPLED_ROWS_PER_PARAM = 256

# Most subsampled Newton iterations before exact Newton takes over: its
# gradient shrinks about tenfold per iteration, so a fit still unfinished
# after this many has estimates too poor for its data.
_SUBSAMPLED_MAX_ITER = 50

# Rows per parameter of the Hessian estimate that measures the conditioning
# at the start: enough for its condition number within a factor of about two.
_CONDITION_ROWS_PER_PARAM = 32

# Condition number of the equilibrated Hessian (unit diagonal, which is what
# the diagonally scaled L-BFGS sees) above which subsampled Newton beats
# L-BFGS. Measured on 200k x 32 problems with correlated columns: L-BFGS
# takes 6-9 iterations up to a condition number of 7 and 12-22 from 14 on,
# subsampled Newton 7-9 throughout, at about 1.5x L-BFGS's cost per iteration.
_ILL_CONDITIONED = 10.0

# Iterations between convergence reads for gradient descent on accelerators,
# where each read waits for the device.
_GD_CHECK_EVERY_ON_ACCELERATORS = 10


def _newton_fits(n_samples: int, n_params: int) -> bool:
    """Whether Newton's Hessian is affordable: few parameters, more samples than parameters."""
    return n_params <= _NEWTON_MAX_PARAMS and n_samples > n_params


def _sampling_pays(n_samples: int, n_params: int) -> bool:
    """Whether subsampled Newton's Hessian estimate leaves out at least half the rows."""
    return _newton_fits(n_samples, n_params) and (
        2 * _SAMPLED_ROWS_PER_PARAM * n_params <= n_samples
    )


def auto_plan(n_samples: int, n_params: int, condition: float | None = None) -> tuple[str, ...]:
    """The solvers that ``method="auto"`` runs in turn for a problem shape.

    - Many samples per parameter (at least 512), at most 200 parameters, and
      an ill-conditioned start (``condition``, the condition number of the
      Hessian at the start scaled to a unit diagonal, above 10): subsampled
      Newton, each Hessian estimated from 256 rows per parameter, then exact
      Newton if it has not converged within 50 iterations or stalls.
    - Otherwise, with at most 2048 parameters: L-BFGS, then Newton from its
      last iterate if it has not converged (stalled, or used its budget of
      10 iterations with at most 200 parameters and more samples than
      parameters, 100 iterations otherwise).
    - Otherwise L-BFGS alone: a fit that stops above ``tol`` warns.

    Never gradient descent, which needs thousands of epochs on
    ill-conditioned data. ``condition`` is only consulted where subsampling
    applies; ``None`` counts as well-conditioned.

    Examples
    --------
    >>> from xlogreg.solvers import auto_plan
    >>> auto_plan(10_000, 9), auto_plan(1_797, 650), auto_plan(10_000, 3_000)
    (('lbfgs', 'newton'), ('lbfgs', 'newton'), ('lbfgs',))
    >>> auto_plan(200_000, 33, condition=30.0), auto_plan(200_000, 33, condition=1.3)
    (('subsampled newton', 'newton'), ('lbfgs', 'newton'))
    """
    if n_params > _NEWTON_RESCUE_MAX_PARAMS:
        return ("lbfgs",)
    ill = condition is not None and condition > _ILL_CONDITIONED
    if ill and _sampling_pays(n_samples, n_params):
        return ("subsampled newton", "newton")
    return ("lbfgs", "newton")


def _lbfgs_budget(n_samples: int, n_params: int) -> int:
    """L-BFGS iterations before Newton takes over, in :func:`auto_plan`'s second case."""
    return _LBFGS_BEFORE_NEWTON if _newton_fits(n_samples, n_params) else _LBFGS_BEFORE_RESCUE


def _equilibrated_condition(objective: Any, w: Any) -> float | None:
    """Condition number of the Hessian at ``w``, estimated from a row sample and
    scaled to a unit diagonal (the part of the conditioning that L-BFGS's
    diagonal scaling leaves); ``None`` where the device has no eigensolver."""
    xp = objective.xp
    hessian = objective.hessian(w, max_rows=_CONDITION_ROWS_PER_PARAM * objective.n_params)
    diagonal = xp.linalg.diagonal(hessian)
    inv_root = 1.0 / xp.sqrt(xp.where(diagonal > 0, diagonal, xp.ones_like(diagonal)))
    try:
        eigenvalues = xp.linalg.eigvalsh(hessian * inv_root[:, None] * inv_root[None, :])
    except (ValueError, RuntimeError):  # NotImplementedError on torch MPS, LinAlgError
        return None
    smallest, largest = host_floats(xp, eigenvalues[0], eigenvalues[-1])
    return largest / smallest if smallest > 0.0 else math.inf


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
    penalty: Any = None,
) -> OptimizeResult:
    """Minimize a smooth objective, or one plus an L1 penalty, from ``w0`` with the chosen method.

    Parameters
    ----------
    objective : object
        Offers ``xp``, ``n_samples``, ``n_params``, ``loss_grad(w)`` and, for
        Newton, ``hessian(w)``; L-BFGS uses ``hessian_diagonal(w)`` where it
        exists (see :mod:`xlogreg.objectives`).
    w0 : array
        Starting point; the iterates keep its namespace, device and dtype.
    method : {"auto", "gd", "lbfgs", "newton", "fista"}
        Solver; ``"auto"`` follows :func:`auto_plan`. With a ``penalty``,
        one of :data:`PROXIMAL_METHODS`: ``"newton"`` is proximal Newton
        (:func:`~xlogreg.solvers.proximal_newton.proximal_newton`),
        ``"fista"`` accelerated proximal gradient
        (:func:`~xlogreg.solvers.fista.fista`), and ``"auto"`` the first up
        to 2048 features, the second above.
    tol : float
        Stop when the gradient's max-norm is at most ``tol``; with a
        ``penalty``, the max-norm of the minimum-norm subgradient
        (:meth:`~xlogreg.objectives._penalty.L1.subgradient`), zero exactly
        at a minimizer.
    max_iter : int
        Most iterations.
    learning_rate, momentum : float
        Gradient descent's step size and heavy-ball momentum.
    callback : callable, optional
        ``callback(n_iter, loss, grad_norm)`` with host floats, as the solver
        checks its stopping rule.
    penalty : L1, optional
        A non-smooth penalty (:class:`~xlogreg.objectives._penalty.L1`)
        added to the objective.

    Returns
    -------
    OptimizeResult

    Raises
    ------
    ValueError
        An unknown ``method``, or one that does not take the ``penalty``.

    Warns
    -----
    ConvergenceWarning
        If the solver stopped before meeting a stopping rule, naming the reason
        and the final gradient (or subgradient) max-norm.

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
    if penalty is not None:
        result, method = _proximal(
            objective,
            w0,
            method=method,
            tol=tol,
            max_iter=max_iter,
            callback=callback,
            penalty=penalty,
        )
    elif method == "fista":
        result = fista(objective, w0, tol=tol, max_iter=max_iter, callback=callback)
    elif method == "auto":
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
        measure = "gradient" if penalty is None else "subgradient"
        warnings.warn(
            f"{method} did not converge: {result.message}; final {measure} max-norm "
            f"{result.grad_norm:.3g} (tol={tol:g}). Increase max_iter, scale the "
            "features, or choose another solver.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return result


def _proximal(
    objective: Any,
    w0: Any,
    *,
    method: str,
    tol: float,
    max_iter: int,
    callback: Callable[[int, float, float], None] | None,
    penalty: Any,
) -> tuple[OptimizeResult, str]:
    """Run a proximal method; return the result and its name."""
    if method not in PROXIMAL_METHODS:
        raise ValueError(
            f"method must be one of {PROXIMAL_METHODS} with an L1 penalty, got {method!r}"
        )
    many = penalty.layout.n_features > _PROXIMAL_NEWTON_MAX_FEATURES
    if method == "fista" or (method == "auto" and many):
        run = fista(objective, w0, tol=tol, max_iter=max_iter, callback=callback, penalty=penalty)
        return run, "fista"
    result = proximal_newton(objective, penalty, w0, tol=tol, max_iter=max_iter, callback=callback)
    return result, "proximal newton"


def _auto(
    objective: Any,
    w0: Any,
    *,
    tol: float,
    max_iter: int,
    callback: Callable[[int, float, float], None] | None,
) -> tuple[OptimizeResult, str]:
    """Run :func:`auto_plan`'s solvers; return the result and what ran."""
    n_samples, n_params = objective.n_samples, objective.n_params
    condition = (
        _equilibrated_condition(objective, w0) if _sampling_pays(n_samples, n_params) else None
    )
    plan = auto_plan(n_samples, n_params, condition)
    if plan == ("lbfgs",):
        return lbfgs(objective, w0, tol=tol, max_iter=max_iter, callback=callback), "lbfgs"
    if plan[0] == "lbfgs":
        first_name = "L-BFGS"
        first = lbfgs(
            objective,
            w0,
            tol=tol,
            max_iter=min(max_iter, _lbfgs_budget(n_samples, n_params)),
            callback=callback,
        )
    else:
        first_name = "subsampled Newton"
        rows = _SAMPLED_ROWS_PER_PARAM * n_params
        first = newton(
            objective,
            w0,
            tol=tol,
            max_iter=min(max_iter, _SUBSAMPLED_MAX_ITER),
            callback=callback,
            hessian_rows=rows,
        )
    done = first.n_iter
    if first.converged or first.status == "non_finite" or done == max_iter:
        return first, f"auto ({first_name})"

    def shifted(n_iter: int, loss: float, grad_norm: float) -> None:
        if n_iter > 0:  # Newton's starting point is the last iterate, reported already
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
        f"{second.message} (Newton after {done} {first_name} iterations)",
        first.loss_history + second.loss_history[1:],
    )
    return combined, f"auto ({first_name}, then Newton)"
