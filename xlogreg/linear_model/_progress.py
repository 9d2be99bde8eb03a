"""Progress of a fit: what the solvers report, printed with ``verbose`` and passed to
``fit``'s ``callback``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["SolverProgress", "print_epoch", "print_iteration"]


class SolverProgress:
    """The solvers' callback in a fit: verbose printing and the caller's ``callback``.

    A solver reports an iterate as it checks its stopping rule; an iterate it
    stops on without that check (a stall, Newton's decrement at round-off)
    is reported by :meth:`last`, so callers see every loss of ``loss_history_``.

    Examples
    --------
    >>> from xlogreg.linear_model._progress import SolverProgress, print_iteration
    >>> progress = SolverProgress(print_iteration, None)
    >>> progress(0, 0.6931471805599453, 0.25)
    iter     0  loss 0.6931471806  grad max-norm 2.500e-01
    """

    def __init__(self, *targets: Callable[[int, float, float], None] | None) -> None:
        self.targets = [target for target in targets if target is not None]
        self.n_iter = -1

    def __call__(self, n_iter: int, loss: float, grad_norm: float) -> None:
        self.n_iter = n_iter
        for target in self.targets:
            target(n_iter, loss, grad_norm)

    def last(self, result: Any) -> None:
        """Report the solver's final iterate unless it was reported already."""
        if self.n_iter != result.n_iter:
            self(result.n_iter, result.fun, result.grad_norm)


def print_iteration(n_iter: int, loss: float, grad_norm: float) -> None:
    """A full-batch solver's iterate, as ``verbose`` prints it."""
    print(f"iter {n_iter:5d}  loss {loss:.10g}  grad max-norm {grad_norm:.3e}")


def print_epoch(epoch: int, loss: float, validation_loss: float | None, step: float) -> None:
    """A mini-batch epoch, as ``verbose`` prints it."""
    held_out = "" if validation_loss is None else f"  validation loss {validation_loss:.10g}"
    print(f"epoch {epoch:5d}  loss {loss:.10g}{held_out}  step {step:.3g}")
