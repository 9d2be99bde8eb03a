"""What every solver returns, and the scalar reads they share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from xlogreg._backend import host_floats

__all__ = [
    "OptimizeResult",
    "is_finite",
    "read_loss_and_grad_norm",
    "relative_reduction",
]


@dataclass(frozen=True)
class OptimizeResult:
    """Outcome of :func:`xlogreg.solvers.minimize`.

    Attributes
    ----------
    x : array
        The solution, on the device and in the dtype of the starting point.
    fun : float
        Objective value at ``x``.
    grad_norm : float
        Max-norm of the gradient at ``x``.
    n_iter : int
        Iterations (parameter updates) performed.
    status : str
        ``"converged"``, ``"max_iter"``, ``"non_finite"`` or ``"stalled"``.
    message : str
        A sentence saying why the solver stopped.
    loss_history : tuple of float
        Objective value at the start and after every iteration.
    """

    x: Any
    fun: float
    grad_norm: float
    n_iter: int
    status: str
    message: str
    loss_history: tuple[float, ...]

    @property
    def converged(self) -> bool:
        """Whether the returned iterate meets the stopping rule: its gradient
        max-norm is ``<= tol``, or (Newton only) its predicted remaining
        decrease is within the loss's round-off (see :func:`stall_outcome`).
        """
        return self.status == "converged"


def read_loss_and_grad_norm(xp: ModuleType, loss: Any, grad: Any) -> tuple[float, float]:
    """Read the loss and the gradient's max-norm back to the host in one transfer."""
    loss_value, grad_norm = host_floats(xp, loss, xp.max(xp.abs(grad)))
    return loss_value, grad_norm


def relative_reduction(old: float, new: float) -> float:
    """``(old - new) / max(|old|, |new|, 1)``, SciPy's L-BFGS-B ``ftol`` measure."""
    return (old - new) / max(abs(old), abs(new), 1.0)


def is_finite(*values: float) -> bool:
    """Whether every host scalar is finite."""
    return all(math.isfinite(v) for v in values)


# Relative round-off of a loss value: f is a difference of sums over the
# samples, so its error scales with those sums rather than with f (measured
# about 250·eps on a 300-row problem).
LOSS_ROUNDOFF = 1e3


def stall_outcome(
    loss: float,
    grad_norm: float,
    eps: float,
    *,
    remaining: float | None = None,
    measure: str = "gradient max-norm",
) -> tuple[str, str]:
    """Status and message when the objective stops decreasing before ``tol``.

    Converged only with a second-order certificate: the predicted remaining
    decrease ``remaining`` (half Newton's decrement ``−gᵀH⁻¹g``) is within the
    loss's round-off ``LOSS_ROUNDOFF·eps·max(1, |f|)``, so no iterate could be
    told apart from this one by its objective. A small gradient alone is no
    such proof (on ill-conditioned data a first-order method stalls far from
    the optimum with a gradient near the dtype's precision), so without
    ``remaining`` (L-BFGS, gradient descent) a stall is a failure to report,
    with the final gradient (or the ``measure`` a solver stops on).
    """
    scale = max(1.0, abs(loss))
    if remaining is not None and remaining <= LOSS_ROUNDOFF * eps * scale:
        return "converged", (
            f"the remaining decrease {remaining:.2g} is within the loss's round-off"
        )
    return "stalled", (
        f"no decrease left at this precision while the {measure} "
        f"{grad_norm:.3g} is above tol (ill-conditioned in this dtype: standardize "
        "the features, use float64, or solver='newton')"
    )
