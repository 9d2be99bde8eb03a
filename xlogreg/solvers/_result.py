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
        """Whether a stopping rule was met: gradient max-norm ``<= tol``, or no
        further decrease possible at the dtype's precision (see :func:`stall_outcome`).
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
    loss: float, grad_norm: float, eps: float, *, remaining: float | None = None
) -> tuple[str, str]:
    """Status and message when the objective stops decreasing before ``tol``.

    Converged at the dtype's precision if the predicted remaining decrease
    ``remaining`` (half the Newton decrement, when known) is within the loss's
    round-off ``LOSS_ROUNDOFF·eps·max(1, |f|)``, or if the gradient max-norm is
    within ``sqrt(eps)·max(1, |f|)`` (a minimizer is determined to about
    ``sqrt(eps)``, Nocedal & Wright sec. 3.5). Otherwise a failure to report.
    """
    scale = max(1.0, abs(loss))
    if remaining is not None and remaining <= LOSS_ROUNDOFF * eps * scale:
        return "converged", (
            f"the remaining decrease {remaining:.2g} is within the loss's round-off"
        )
    floor = math.sqrt(eps) * scale
    if grad_norm <= floor:
        return "converged", (
            f"no decrease left at this precision; gradient max-norm {grad_norm:.3g} "
            f"is within its floor {floor:.2g}"
        )
    return "stalled", (
        f"no decrease left at this precision while the gradient max-norm "
        f"{grad_norm:.3g} is above its floor {floor:.2g} (ill-conditioned in this "
        "dtype: standardize the features or use float64)"
    )
