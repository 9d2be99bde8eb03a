"""Full-batch gradient descent with a fixed learning rate and optional momentum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xlogreg._backend import host_floats
from xlogreg.solvers._result import OptimizeResult, is_finite, read_loss_and_grad_norm

__all__ = ["gd"]


def gd(
    objective: Any,
    w0: Any,
    *,
    tol: float,
    max_iter: int,
    learning_rate: float,
    momentum: float = 0.0,
    check_every: int = 1,
    callback: Callable[[int, float, float], None] | None = None,
) -> OptimizeResult:
    """Minimize by ``v ← momentum·v − learning_rate·∇f(w)``, ``w ← w + v``.

    With ``momentum=0`` this is the plain loop of seed 000: forward, loss,
    backward, update. The stopping rule (gradient max-norm ``<= tol``) and the
    finiteness check read two scalars back every ``check_every`` iterations;
    on a divergence the last checked finite iterate is returned.

    Parameters
    ----------
    objective : object
        Offers ``loss_grad(w) -> (loss, grad)`` and ``xp``.
    w0 : array
        Starting point.
    tol : float
        Stop when the gradient's max-norm is at most ``tol``.
    max_iter : int
        Most updates.
    learning_rate : float
        Step size.
    momentum : float
        Heavy-ball momentum in ``[0, 1)``.
    check_every : int
        Iterations between reads of the stopping rule.
    callback : callable, optional
        ``callback(n_iter, loss, grad_norm)`` at every check.

    Returns
    -------
    OptimizeResult
    """
    xp = objective.xp
    w = w0
    loss, grad = objective.loss_grad(w)
    losses = [loss]
    velocity = None
    checked = None
    status, n_iter = "max_iter", 0
    while True:
        if n_iter % check_every == 0 or n_iter == max_iter:
            loss_value, grad_norm = read_loss_and_grad_norm(xp, loss, grad)
            if not is_finite(loss_value, grad_norm):
                status = "non_finite"
                break
            checked = (w, n_iter, loss_value, grad_norm)
            if callback is not None:
                callback(n_iter, loss_value, grad_norm)
            if grad_norm <= tol:
                status = "converged"
                break
        if n_iter == max_iter:
            break
        step = -learning_rate * grad
        velocity = step if velocity is None or momentum == 0.0 else momentum * velocity + step
        w = w + velocity
        loss, grad = objective.loss_grad(w)
        losses.append(loss)
        n_iter += 1

    if checked is None:
        # The starting point itself is not finite: nothing to fall back on.
        return OptimizeResult(
            w0,
            loss_value,
            grad_norm,
            0,
            status,
            "the loss or gradient is not finite at the starting point",
            (loss_value,),
        )
    w, kept_iter, loss_value, grad_norm = checked
    history = host_floats(xp, *losses[: kept_iter + 1])
    messages = {
        "converged": f"gradient max-norm {grad_norm:.3g} <= tol after {kept_iter} iterations",
        "max_iter": f"reached max_iter={max_iter}",
        "non_finite": (
            f"the loss became non-finite by iteration {n_iter} (learning_rate "
            f"{learning_rate:g} too large?); kept the finite iterate {kept_iter}"
        ),
    }
    return OptimizeResult(
        w,
        loss_value,
        grad_norm,
        kept_iter,
        status,
        messages[status],
        history,
    )
