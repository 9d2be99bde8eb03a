"""The epoch loop of mini-batch training: steps, step-size halving, stopping, early stopping."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xlogreg._backend import host_floats
from xlogreg.exceptions import ConvergenceWarning
from xlogreg.objectives._penalty import L2
from xlogreg.solvers._stochastic._optimizers import make_optimizer

__all__ = ["STOCHASTIC_METHODS", "MinibatchResult", "minibatch"]

STOCHASTIC_METHODS = ("sgd", "adam")

# The step halves after this many epochs in a row without an improvement of the
# training loss by more than tol: past the start, SGD's iterates wander in a
# noise ball whose size is proportional to the step, and only a smaller step
# brings them closer to the minimizer.
PLATEAU_EPOCHS = 2

# An epoch whose loss is not finite is undone and retried with half the step,
# at most this many times in a row.
MAX_RETRIES = 20


@dataclass(frozen=True)
class MinibatchResult:
    """Outcome of :func:`minibatch`.

    Attributes
    ----------
    x : array
        The solution: the best iterate on the validation split with early
        stopping, the last one otherwise.
    n_iter : int
        Epochs run (passes over the training rows), undone ones included.
    n_steps : int
        Parameter updates made.
    status : str
        ``"converged"``, ``"max_iter"`` or ``"non_finite"``.
    message : str
        A sentence saying why the loop stopped.
    loss_history : tuple of float
        Each epoch's mean training objective, averaged over its batches (not
        finite for an epoch that was undone).
    validation_loss_history : tuple of float or None
        Each epoch's validation log loss (without the penalty) with early
        stopping, ``None`` without.
    learning_rate : float
        The step size at the end.
    """

    x: Any
    n_iter: int
    n_steps: int
    status: str
    message: str
    loss_history: tuple[float, ...]
    validation_loss_history: tuple[float, ...] | None
    learning_rate: float

    @property
    def converged(self) -> bool:
        """Whether the stopping rule was met before ``max_iter`` epochs."""
        return self.status == "converged"


class _Monitor:
    """Best value of a loss, and the epochs in a row that did not improve it by more than ``tol``.

    With ``or_previous``, an epoch also counts as an improvement when it beats
    the previous epoch by more than ``tol``: an epoch's mean training loss is
    measured along a moving trajectory, and one early epoch can set a best
    that the following ones, still descending at a smaller step, take a while
    to beat.
    """

    def __init__(self, tol: float, *, or_previous: bool):
        self.tol, self.or_previous = tol, or_previous
        self.best = self.previous = math.inf
        self.stale = 0

    def update(self, value: float) -> bool:
        """Record an epoch's value; return whether it is a new best (by any amount)."""
        improved = value < self.best - self.tol or (
            self.or_previous and value < self.previous - self.tol
        )
        self.stale = 0 if improved else self.stale + 1
        self.previous = value
        if value < self.best:
            self.best = value
            return True
        return False


class _BatchObjective:
    """The training objective estimated on one batch, unbiased and with the exact penalty.

    The full objective is ``Σ s_i ℓ_i / S + λ‖β‖² / (2S)`` over the ``n``
    training rows of total weight ``S``. A batch ``B`` of nominal size ``b``
    contributes ``(n / (b S)) Σ_B s_i ℓ_i`` plus ``|B|/b`` of the penalty: a
    full batch is an unbiased estimate, and the contributions of one epoch sum
    to ``n/b`` times the full objective exactly (the last, shorter batch too).
    ``make_objective`` builds the weighted mean loss of a batch; it is scaled
    by the batch's weight sum here, which also copes with a batch of zero
    weight (its loss part is then zero).
    """

    def __init__(
        self,
        make_objective: Callable[[Any, Any, Any], Any],
        *,
        n_train: int,
        batch_size: int,
        weight_sum: float,
        l2: float,
        penalty_mask: Any,
        xp: Any,
    ):
        self.make_objective, self.xp = make_objective, xp
        self.batch_size = batch_size
        self.data_scale = n_train / (batch_size * weight_sum)
        self.penalty = L2(l2, xp=xp).averaged(weight_sum)
        self.mask = penalty_mask

    def loss_grad(self, w: Any, X: Any, target: Any, weight: Any) -> tuple[Any, Any]:
        """The batch's share of the objective and its gradient at ``w``, on the device."""
        batch, weight_sum = batch_objective(self.make_objective, X, target, weight, xp=self.xp)
        loss, grad = batch.loss_grad(w)
        scale = weight_sum * self.data_scale
        loss, grad = loss * scale, grad * scale
        if self.penalty.strength != 0.0:
            share = self.penalty.scaled(X.shape[0] / self.batch_size)
            coef = self.mask * w
            loss = loss + share.value(coef)
            grad = grad + share.gradient(coef)
        return loss, grad


def batch_objective(
    make_objective: Callable[[Any, Any, Any], Any], X: Any, target: Any, weight: Any, *, xp: Any
) -> tuple[Any, Any]:
    """The weighted mean loss of a batch, and the batch's weight sum (a 0-d array).

    A batch whose weights are all zero has no weighted mean: it gets unit
    weights instead, for the caller to multiply by the zero weight sum, so
    that no scalar is read back to the host to find out.
    """
    weight_sum = xp.sum(weight)
    empty = xp.astype(weight_sum <= 0.0, weight.dtype)
    return make_objective(X, target, weight + empty), weight_sum


def minibatch(
    batches: Any,
    make_objective: Callable[[Any, Any, Any], Any],
    w0: Any,
    *,
    xp: Any,
    method: str,
    l2: float,
    penalty_mask: Any,
    learning_rate: float,
    momentum: float,
    tol: float,
    max_iter: int,
    n_iter_no_change: int,
    early_stopping: bool,
    callback: Callable[[int, float, float | None, float], None] | None = None,
) -> MinibatchResult:
    """Minimize an L2-penalized weighted mean loss by SGD or Adam over mini-batches.

    Each epoch makes one step per batch of ``batches.epoch()`` with the
    batch's estimate of the objective (see :class:`_BatchObjective`), then
    reads back one or two scalars: the epoch's mean training objective and,
    with early stopping, the validation log loss at the epoch's last iterate.

    Step size: ``learning_rate`` to start with, halved after every ``2``
    epochs in a row in which the training objective improved by no more than
    ``tol`` on its best or on the previous epoch. An epoch whose loss is not
    finite is undone and retried with half the step (up to 20 times in a row).

    Stopping: after ``n_iter_no_change`` such epochs in a row; with
    ``early_stopping``, after ``n_iter_no_change`` epochs in a row in which
    the validation loss did not improve on its best by more than ``tol``
    (scikit-learn's rule), returning the iterate with the lowest validation
    loss.

    Parameters
    ----------
    batches : DeviceBatches or HostBatches
        The batches of every epoch, and the validation split.
    make_objective : callable
        ``make_objective(X, target, sample_weight)`` returns an objective with
        ``loss_grad(w)``: the weighted mean loss of those rows, without penalty.
    w0 : array
        Starting point, on the compute device.
    xp : module
        Namespace of the compute device.
    method : {"sgd", "adam"}
        The optimizer.
    l2 : float
        Penalty strength ``λ``: the objective adds ``λ‖mask·w‖² / (2S)``
        (:class:`~xlogreg.objectives._penalty.L2`).
    penalty_mask : array
        Ones on the penalized coordinates of ``w``, zeros on the intercepts
        (:func:`~xlogreg.objectives._penalty.penalized_coordinates`).
    learning_rate, momentum : float
        Initial step size; SGD's heavy-ball momentum (Adam ignores it).
    tol : float
        Smallest improvement of a loss that counts.
    max_iter : int
        Most epochs.
    n_iter_no_change : int
        Epochs without improvement before stopping.
    early_stopping : bool
        Monitor the validation split, and keep the best iterate on it.
    callback : callable, optional
        ``callback(epoch, train_loss, validation_loss, step)`` after every
        epoch, with host floats (``validation_loss`` is ``None`` without early
        stopping).

    Returns
    -------
    MinibatchResult

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` epochs ran out before the stopping rule was met, or
        the loss stayed non-finite.
    """
    train_weight, validation_weight = batches.weight_sums()
    if not train_weight > 0.0:
        raise ValueError("the training rows have a total sample_weight of zero")
    if early_stopping and not validation_weight > 0.0:
        raise ValueError(
            "the validation split has a total sample_weight of zero; "
            "change random_state or validation_fraction"
        )
    objective = _BatchObjective(
        make_objective,
        n_train=batches.n_train,
        batch_size=batches.batch_size,
        weight_sum=train_weight,
        l2=l2,
        penalty_mask=penalty_mask,
        xp=xp,
    )
    optimizer = make_optimizer(method, momentum=momentum, xp=xp)
    epoch_share = batches.batch_size / batches.n_train
    w, state, step = w0, optimizer.init(w0), learning_rate
    training, validation = _Monitor(tol, or_previous=True), _Monitor(tol, or_previous=False)
    best_w = w0
    history: list[float] = []
    validation_history: list[float] = []
    status, n_steps, retries, epoch = "max_iter", 0, 0, 0
    while epoch < max_iter:
        epoch += 1
        start = (w, state, n_steps)
        total = None
        for X, target, weight in batches.epoch():
            loss, grad = objective.loss_grad(w, X, target, weight)
            w, state = optimizer.update(w, grad, state, step)
            total = loss if total is None else total + loss
            n_steps += 1
        if early_stopping:
            train_sum, validation_sum = host_floats(
                xp, total, validation_loss_sum(batches, make_objective, w, xp=xp)
            )
            validation_loss = validation_sum / validation_weight
        else:
            (train_sum,) = host_floats(xp, total)
            validation_loss = None
        train_loss = train_sum * epoch_share
        history.append(train_loss)
        if validation_loss is not None:
            validation_history.append(validation_loss)
        if callback is not None:
            callback(epoch, train_loss, validation_loss, step)
        if not (math.isfinite(train_loss) and math.isfinite(validation_loss or 0.0)):
            retries += 1
            if retries > MAX_RETRIES:
                status = "non_finite"
                break
            (w, state, n_steps), step = start, 0.5 * step
            continue
        retries = 0
        training.update(train_loss)
        if training.stale and training.stale % PLATEAU_EPOCHS == 0:
            step *= 0.5
        if early_stopping:
            if validation.update(validation_loss):
                best_w = w
            stale = validation.stale
        else:
            best_w, stale = w, training.stale
        if stale >= n_iter_no_change:
            status = "converged"
            break
    message = _message(status, method, epoch, max_iter, n_iter_no_change, tol, learning_rate)
    if status != "converged":
        warnings.warn(message, ConvergenceWarning, stacklevel=3)
    return MinibatchResult(
        best_w,
        epoch,
        n_steps,
        status,
        message,
        tuple(history),
        tuple(validation_history) if early_stopping else None,
        step,
    )


def validation_loss_sum(batches: Any, make_objective: Callable, w: Any, *, xp: Any) -> Any:
    """``Σ s_i ℓ_i`` over the validation split at ``w``, a 0-d array on the device."""
    total = None
    for X, target, weight in batches.validation():
        batch, weight_sum = batch_objective(make_objective, X, target, weight, xp=xp)
        part = batch.loss(w) * weight_sum
        total = part if total is None else total + part
    return total


def _message(
    status: str,
    method: str,
    epoch: int,
    max_iter: int,
    n_iter_no_change: int,
    tol: float,
    learning_rate: float,
) -> str:
    if status == "converged":
        return f"no improvement by more than tol={tol:g} in {n_iter_no_change} epochs"
    if status == "max_iter":
        return (
            f"{method} did not converge: reached max_iter={max_iter} epochs while the loss "
            f"still improved by more than tol={tol:g} within {n_iter_no_change} epochs. "
            "Increase max_iter or tol, or scale the features."
        )
    return (
        f"{method} did not converge: the loss stayed non-finite after halving the step "
        f"{MAX_RETRIES} times in a row by epoch {epoch} (learning_rate {learning_rate:g} "
        "too large, or unscaled features?); kept the last finite iterate."
    )
