"""The bookkeeping every descent loop shares: its start, stopping checks and result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xlogreg.solvers._result import OptimizeResult, is_finite, read_loss_and_grad_norm

__all__ = ["Run"]


class Run:
    """State of one minimization: the iterate, its loss and gradient, and why it stopped.

    ``while not run.should_stop(): ...; run.accept(...)`` is the whole loop
    protocol: :meth:`should_stop` calls the callback and applies the gradient
    tolerance and ``max_iter``; a solver calls :meth:`stop` for its own reasons.

    With a non-smooth ``penalty`` (:class:`~xlogreg.objectives._penalty.L1`),
    the loss includes its value, ``grad`` stays the smooth part's gradient and
    ``grad_norm`` is the max-norm of the minimum-norm subgradient
    (:meth:`~xlogreg.objectives._penalty.L1.subgradient`), which is zero
    exactly at a minimizer.
    """

    def __init__(
        self,
        objective: Any,
        w0: Any,
        *,
        tol: float,
        max_iter: int,
        callback: Callable[[int, float, float], None] | None,
        penalty: Any = None,
    ) -> None:
        self.xp = objective.xp
        self.objective, self.penalty = objective, penalty
        self.eps = self.xp.finfo(w0.dtype).eps
        self.tol, self.max_iter, self.callback = tol, max_iter, callback
        self.measure = "gradient max-norm" if penalty is None else "subgradient max-norm"
        self.w = w0
        self.loss, self.grad, self.loss_value, self.grad_norm = self.evaluate(w0)
        self.history = [self.loss_value]
        self.n_iter = 0
        self._reported = -1  # the last iteration the callback saw
        self.best_grad_norm, self.stagnant = self.grad_norm, 0
        self.status, self.message = "running", ""
        if not is_finite(self.loss_value, self.grad_norm):
            self.stop("non_finite", "the loss or gradient is not finite at the start")

    def evaluate(self, w: Any) -> tuple[Any, Any, float, float]:
        """The loss (with the penalty) and smooth gradient at ``w``, on the device, and the
        loss and optimality measure read back to the host in one transfer."""
        loss, grad = self.objective.loss_grad(w)
        measured = grad
        if self.penalty is not None:
            loss = loss + self.penalty.value(w)
            measured = self.penalty.subgradient(w, grad)
        return (loss, grad, *read_loss_and_grad_norm(self.xp, loss, measured))

    def should_stop(self) -> bool:
        """Report progress, then whether the loop must end before another step.

        Every accepted iterate is reported once, also one after which the
        solver has already decided to stop.
        """
        if self.callback is not None and self._reported < self.n_iter:
            self._reported = self.n_iter
            self.callback(self.n_iter, self.loss_value, self.grad_norm)
        if self.status != "running":
            return True
        if self.grad_norm <= self.tol:
            self.stop("converged", f"{self.measure} {self.grad_norm:.3g} <= tol")
        elif self.n_iter == self.max_iter:
            self.stop("max_iter", f"reached max_iter={self.max_iter}")
        return self.status != "running"

    def accept(
        self,
        w: Any,
        loss: Any,
        grad: Any,
        loss_value: float,
        grad_norm: float,
        *,
        stagnating: bool = True,
        steps: int = 1,
    ) -> None:
        """Move to a new iterate, with its loss and gradient on device and host.

        ``stagnant`` counts the accepted iterates since the gradient max-norm
        last fell below 0.9 of its best, among those the solver marks as
        ``stagnating``: at the precision floor the gradient stops improving.
        ``steps`` is the number of iterations that led here (a solver that
        checks its measure every few iterations).
        """
        self.w, self.loss, self.grad = w, loss, grad
        self.loss_value, self.grad_norm = loss_value, grad_norm
        self.history.append(loss_value)
        self.n_iter += steps
        if grad_norm < 0.9 * self.best_grad_norm:
            self.best_grad_norm, self.stagnant = grad_norm, 0
        elif stagnating:
            self.stagnant += 1

    def stop(self, status: str, message: str) -> None:
        """End the loop with a status and a sentence saying why."""
        self.status, self.message = status, message

    def result(self) -> OptimizeResult:
        """The outcome, as :class:`OptimizeResult`."""
        return OptimizeResult(
            self.w,
            self.loss_value,
            self.grad_norm,
            self.n_iter,
            self.status,
            self.message,
            tuple(self.history),
        )
