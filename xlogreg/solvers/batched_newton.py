"""Newton and proximal Newton for many models at once, each stopping on its own.

The models of a penalty grid over cross-validation folds share ``X``: the
objective (:class:`~xlogreg.objectives.BatchedLogistic`) evaluates all the
unfinished ones in one pass over it, and this solver advances them together.
Each model keeps its own step, line search and stopping rule, exactly those
of :func:`~xlogreg.solvers.newton.newton` and
:func:`~xlogreg.solvers.proximal_newton.proximal_newton`; a model that
stops is frozen and leaves the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import array_api_compat

from xlogreg._backend import compiles_per_shape, host_bool, host_list, integer_dtype
from xlogreg.objectives._penalty import min_norm_subgradient, penalized_coordinates
from xlogreg.solvers._batched_quadratic_lasso import batched_quadratic_lasso
from xlogreg.solvers._result import stall_outcome

__all__ = ["BatchedResult", "batched_newton"]

# Ridges tried in turn on the equilibrated Hessians (unit diagonal) until a system
# can be solved and gives a descent direction, as single-model Newton does.
_DAMPING = (0.0, 1e-12, 1e-8, 1e-4)

# Rows per parameter of the sampled Hessian estimates, and the progress below
# which a model switches to exact Hessians (as proximal Newton does).
_SAMPLED_ROWS_PER_PARAM = 256
_SLOW_PROGRESS = 0.5


@dataclass(frozen=True)
class BatchedResult:
    """Outcome of :func:`batched_newton`, one entry per model.

    Attributes
    ----------
    x : array of shape (n_models, n_params)
        The solutions, rows in model order, on the device and in the dtype of the start.
    fun : tuple of float
        Each objective (with its L1 part) at its solution.
    grad_norm : tuple of float
        Each optimality measure: the gradient's max-norm, or with an L1 part
        the minimum-norm subgradient's.
    n_iter : tuple of int
        Iterations of each model.
    status : tuple of str
        ``"converged"``, ``"max_iter"``, ``"non_finite"`` or ``"stalled"``.
    message : tuple of str
        Why each model stopped.
    """

    x: Any
    fun: tuple[float, ...]
    grad_norm: tuple[float, ...]
    n_iter: tuple[int, ...]
    status: tuple[str, ...]
    message: tuple[str, ...]

    @property
    def converged(self) -> tuple[bool, ...]:
        """Whether each model met its stopping rule (see ``OptimizeResult``)."""
        return tuple(status == "converged" for status in self.status)


class _Models:
    """The per-model state: iterate, objective value, gradient and measure, on device and host."""

    def __init__(self, objective: Any, W0: Any, l1: Sequence[float] | None) -> None:
        xp = self.xp = objective.xp
        self.objective = objective
        n_models = W0.shape[0]
        self.device = array_api_compat.device(W0)
        self.l1 = l1
        self.eps = float(xp.finfo(W0.dtype).eps)
        self.penalized = penalized_coordinates(objective.layout, dtype=W0.dtype, device=self.device)
        self.n_models = n_models
        # Every model's iterate and smooth gradient, rows of (n_models, n_params) matrices.
        self.W = W0
        self.G = xp.zeros_like(W0)
        self.value = [0.0] * n_models
        self.measure = [0.0] * n_models
        self.best = [float("inf")] * n_models
        self.stagnant = [0] * n_models
        self.n_iter = [0] * n_models
        self.sampling = [True] * n_models
        # Where every new shape compiles (JAX), each iteration evaluates every model.
        self.fixed_shapes = compiles_per_shape(xp)
        self.status = ["running"] * n_models
        self.message = [""] * n_models
        models = tuple(range(n_models))
        _, grad, values, measures = self.evaluate(W0, models)
        self.accept(models, W0, grad, values, measures, steps=0)
        for m in models:
            if not _finite(self.value[m], self.measure[m]):
                self.stop(m, "non_finite", "the loss or gradient is not finite at the start")

    def thresholds(self, models: Sequence[int]) -> Any:
        """The L1 thresholds (n_batch, n_params) of ``models``, zero on the intercepts."""
        strengths = self.objective.averaged(self.l1, models)
        return strengths[:, None] * self.penalized[None, :]

    def evaluate(self, W: Any, models: Sequence[int]) -> tuple[Any, Any, list, list]:
        """Objective values and smooth gradients of the rows ``W``, and their values and
        measures read back in one transfer."""
        xp = self.xp
        loss, grad = self.objective.loss_grad(W, models=models)
        measured = grad
        if self.l1 is not None:
            thresholds = self.thresholds(models)
            loss = loss + xp.sum(thresholds * xp.abs(W), axis=1)
            measured = min_norm_subgradient(W, grad, thresholds, xp=xp)
        n = len(models)
        read = host_list(xp.concat([loss, xp.max(xp.abs(measured), axis=1)]))
        return loss, grad, read[:n], read[n:]

    def index(self, positions: Sequence[int]) -> Any:
        """``positions`` as an index array on the device."""
        return self.xp.asarray(
            list(positions), dtype=integer_dtype(self.xp, self.device), device=self.device
        )

    def rows(self, matrix: Any, models: Sequence[int]) -> Any:
        """The rows ``models`` of a per-model matrix."""
        if len(models) == self.n_models:
            return matrix
        return self.xp.take(matrix, self.index(models), axis=0)

    def rows_of(self, batch: Any, positions: Sequence[int]) -> Any:
        """The rows ``positions`` of a batch's matrix (all of them: the matrix itself)."""
        if len(positions) == batch.shape[0]:
            return batch
        return self.xp.take(batch, self.index(positions), axis=0)

    def accept(
        self,
        models: Sequence[int],
        W: Any,
        grad: Any,
        values: list,
        measures: list,
        *,
        positions: Sequence[int] | None = None,
        steps: int = 1,
    ) -> None:
        """Move ``models`` to new iterates: rows ``positions`` of the evaluated batch ``W``.

        Two operations per matrix whatever the number of models (a gather of
        the batch's rows to every model's place, then a select), so an
        accelerator or JAX sees few, reused shapes."""
        xp = self.xp
        positions = list(range(len(models))) if positions is None else list(positions)
        if not models:
            return
        place = [0] * self.n_models
        for m, k in zip(models, positions, strict=True):
            place[m] = k
        chosen = set(models)
        moved = xp.asarray([m in chosen for m in range(self.n_models)], device=self.device)[:, None]
        self.W = xp.where(moved, xp.take(W, self.index(place), axis=0), self.W)
        self.G = xp.where(moved, xp.take(grad, self.index(place), axis=0), self.G)
        for m, k in zip(models, positions, strict=True):
            self.value[m], self.measure[m] = values[k], measures[k]
            self.n_iter[m] += steps
            if measures[k] < 0.9 * self.best[m]:
                self.best[m], self.stagnant[m] = measures[k], 0
            else:
                self.stagnant[m] += 1

    def stop(self, m: int, status: str, message: str) -> None:
        self.status[m], self.message[m] = status, message

    def stall(self, m: int, slope: float) -> None:
        measure = "gradient max-norm" if self.l1 is None else "subgradient max-norm"
        self.stop(
            m,
            *stall_outcome(
                self.value[m], self.measure[m], self.eps, remaining=-slope / 2, measure=measure
            ),
        )


def _finite(*values: float) -> bool:
    return all(v == v and abs(v) != float("inf") for v in values)


def batched_newton(
    objective: Any,
    W0: Any,
    *,
    tol: float,
    max_iter: int,
    l1: Sequence[float] | None = None,
    max_halvings: int = 40,
    patience: int = 5,
    sampled_rows: int | None = _SAMPLED_ROWS_PER_PARAM,
) -> BatchedResult:
    """Minimize every model of a batched objective, plus its L1 penalty if given.

    Each iteration, for the models still running: their Hessians (estimated
    from ``sampled_rows`` evenly spaced rows per parameter until a step
    fails to halve a model's measure, then exact), their directions
    (Newton's equilibrated system, or with ``l1`` the lasso-penalized
    quadratic model on a working set of features, by coordinate descent
    over the whole batch at once), and an Armijo backtracking search for
    each, all trial points of a round evaluated in one pass over ``X``.

    Parameters
    ----------
    objective : BatchedLogistic
        Offers ``xp``, ``layout``, ``n_params``, ``loss_grad(W, models=)``,
        ``hessians(W, models=, max_rows=, features=)`` and ``averaged``.
    W0 : array of shape (n_models, n_params)
        Starting points.
    tol : float
        A model stops when its measure (gradient max-norm; with ``l1`` the
        minimum-norm subgradient's) is at most ``tol``.
    max_iter : int
        Most iterations of each model.
    l1 : sequence of float, optional
        Each model's L1 strength (before averaging over its weight sum).
    max_halvings : int
        Most step halvings in one line search.
    patience : int
        Iterations without a new best measure (below 0.9 of it) before a model stops.
    sampled_rows : int or None
        Rows per parameter of the Hessian estimates; ``None``: exact Hessians.

    Returns
    -------
    BatchedResult
        The stopping rules are single-model Newton's
        (:func:`~xlogreg.solvers.newton.newton`): also converged when a full
        step's predicted decrease is within one rounding of the objective;
        a model that cannot decrease it is converged only within its
        round-off, and ``"stalled"`` otherwise.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives import BatchedLogistic
    >>> from xlogreg.solvers.batched_newton import batched_newton
    >>> X = xp.asarray([[0.0], [1.0], [2.0], [3.0], [4.0]])
    >>> y = xp.asarray([0.0, 1.0, 0.0, 1.0, 1.0])
    >>> f = BatchedLogistic(X, y, xp.ones((5, 1)), folds=[0, 0], l2=[1.0, 100.0],
    ...                     fit_intercept=True, xp=xp)
    >>> result = batched_newton(f, xp.zeros((2, 2)), tol=1e-10, max_iter=20)
    >>> result.converged
    (True, True)
    >>> bool(abs(result.x[1, 0]) < abs(result.x[0, 0]))  # the stronger penalty shrinks more
    True
    """
    state = _Models(objective, W0, l1)
    n_samples = objective.n_samples
    while True:
        running = []
        for m in range(W0.shape[0]):
            if state.status[m] != "running":
                continue
            if state.measure[m] <= tol:
                state.stop(m, "converged", f"{_name(l1)} {state.measure[m]:.3g} <= tol")
            elif state.n_iter[m] >= max_iter:
                state.stop(m, "max_iter", f"reached max_iter={max_iter}")
            else:
                running.append(m)
        if not running:
            break
        sampling = sampled_rows is not None and 2 * sampled_rows * objective.n_params <= n_samples
        _iterate(state, running, sampled_rows if sampling else None, tol, max_halvings, patience)
    return BatchedResult(
        state.W,
        tuple(state.value),
        tuple(state.measure),
        tuple(state.n_iter),
        tuple(state.status),
        tuple(state.message),
    )


def _name(l1: Any) -> str:
    return "gradient max-norm" if l1 is None else "subgradient max-norm"


def _iterate(
    state: _Models,
    running: list[int],
    rows_per_param: int | None,
    tol: float,
    max_halvings: int,
    patience: int,
) -> None:
    """One iteration of the ``running`` models: their directions, line searches and checks.

    The batch is the running models; where the backend compiles every new shape
    (:func:`~xlogreg._backend.compiles_per_shape`), every model, the finished ones
    evaluated at their frozen iterates and never moved, so that each shape is
    compiled once.
    """
    xp = state.xp
    batch = list(range(state.n_models)) if state.fixed_shapes else running
    live = set(running)
    W = state.rows(state.W, batch)
    G = state.rows(state.G, batch)
    if state.l1 is None:
        D = _newton_directions(_hessians(state, batch, W, rows_per_param), G, xp=xp)
        slopes = host_list(xp.sum(G * D, axis=1))
    else:
        D, slopes = _proximal_directions(state, batch, W, G, rows_per_param, tol)
    previous = [state.measure[m] for m in batch]
    for k, m in enumerate(batch):
        if m in live and not slopes[k] < 0.0:
            state.stall(m, slopes[k])
    searching = [k for k, m in enumerate(batch) if m in live and state.status[m] == "running"]
    steps = {k: 1.0 for k in searching}  # the step each searching model tries next
    taken: dict[int, float] = {}  # the step each model accepted
    for _ in range(max_halvings):
        if not searching:
            break
        trial = list(range(len(batch))) if state.fixed_shapes else searching
        pending = set(searching)
        scale = [steps[k] if k in pending else 0.0 for k in trial]
        scale = xp.asarray(scale, dtype=W.dtype, device=state.device)
        W_try = state.rows_of(W, trial) + scale[:, None] * state.rows_of(D, trial)
        _, grad, values, measures = state.evaluate(W_try, [batch[k] for k in trial])
        accepted, rejected = [], []
        for position, k in enumerate(trial):
            if k not in pending:
                continue
            m = batch[k]
            slack = 16.0 * state.eps * abs(state.value[m])
            bound = state.value[m] + 1e-4 * steps[k] * slopes[k] + slack
            if _finite(values[position], measures[position]) and values[position] <= bound:
                accepted.append(position)
                taken[k] = steps[k]
            else:
                rejected.append(k)
                steps[k] *= 0.5
        chosen = [batch[trial[p]] for p in accepted]
        state.accept(chosen, W_try, grad, values, measures, positions=accepted)
        searching = rejected
    for k in searching:  # no step decreased the objective
        state.stall(batch[k], slopes[k])
    for k, m in enumerate(batch):
        if m not in live or state.status[m] != "running" or k in searching:
            continue
        progress = state.measure[m] / previous[k] if previous[k] > 0.0 else 0.0
        state.sampling[m] = state.sampling[m] and progress <= _SLOW_PROGRESS
        if state.measure[m] <= tol:
            continue
        if taken[k] == 1.0 and -slopes[k] / 2 <= state.eps * max(1.0, abs(state.value[m])):
            state.stop(
                m, "converged", f"the Newton decrement {-slopes[k]:.2g} is at the loss's round-off"
            )
        elif state.stagnant[m] == patience:
            state.stall(m, slopes[k])


def _hessians(state: _Models, models: list[int], W: Any, rows_per_param: int | None) -> Any:
    """The Hessians of ``models`` at ``W``: estimated from ``rows_per_param`` rows per
    parameter for the models still sampling, exact for the others (with fixed shapes,
    exact for all once one needs it: one shape)."""
    xp = state.xp
    if state.fixed_shapes:
        sampled = rows_per_param and all(state.sampling[m] for m in models)
        max_rows = rows_per_param * W.shape[1] if sampled else None
        return state.objective.hessians(W, models=models, max_rows=max_rows)
    parts, order = [], []
    for sampled in (True, False):
        group = [k for k, m in enumerate(models) if state.sampling[m] == sampled]
        if not group:
            continue
        max_rows = rows_per_param * W.shape[1] if sampled and rows_per_param else None
        parts.append(
            state.objective.hessians(
                state.rows_of(W, group), models=[models[k] for k in group], max_rows=max_rows
            )
        )
        order += group
    if len(parts) == 1:
        return parts[0]
    place = [0] * len(models)
    for position, k in enumerate(order):
        place[k] = position
    return xp.take(xp.concat(parts), state.index(place), axis=0)


def _newton_directions(H: Any, G: Any, *, xp: Any) -> Any:
    """Solve each ``H_m d_m = −g_m``, equilibrated as single-model Newton does, with the
    smallest ridge of ``_DAMPING`` that gives a descent direction, else ``−g_m``.

    Usually one batched solve; a stack with a singular matrix fails as a whole,
    and the models whose step does not descend try the next ridge."""
    diagonal = xp.linalg.diagonal(H)
    inv_root = 1.0 / xp.sqrt(xp.where(diagonal > 0, diagonal, xp.ones_like(diagonal)))
    scaled = H * inv_root[:, :, None] * inv_root[:, None, :]
    eye = xp.eye(H.shape[1], dtype=H.dtype, device=array_api_compat.device(H))
    directions = -G
    pending = None  # the models still without a descent direction; None: all
    for damping in _DAMPING:
        try:
            solved = xp.linalg.solve(scaled + damping * eye, (inv_root * G)[:, :, None])
        except (ValueError, RuntimeError):  # NumPy's / torch's LinAlgError
            continue
        candidate = -inv_root * solved[:, :, 0]
        slope = xp.sum(G * candidate, axis=1)
        descends = xp.isfinite(slope) & (slope < 0.0)
        take = descends if pending is None else descends & pending
        directions = xp.where(take[:, None], candidate, directions)
        pending = ~descends if pending is None else pending & ~descends
        if not host_bool(xp.any(pending)):
            break
    return directions


def _working_set(state: _Models, W: Any, G: Any, thresholds: Any) -> tuple[int, ...]:
    """The features that some model of the batch can move: a nonzero coefficient, or
    a zero one violating its optimality condition."""
    xp = state.xp
    moving = (W != 0.0) | (min_norm_subgradient(W, G, thresholds, xp=xp) != 0.0)
    per_param = xp.any(moving, axis=0)
    coef, _ = state.objective.layout.split(xp.astype(per_param, W.dtype))
    if coef.ndim == 2:
        coef = xp.max(coef, axis=0)
    return tuple(int(j) for j in host_list(xp.nonzero(coef > 0.0)[0]))


def _proximal_directions(
    state: _Models,
    models: list[int],
    W: Any,
    G: Any,
    rows_per_param: int | None,
    tol: float,
) -> tuple[Any, list]:
    """Each model's proximal Newton step on the batch's working set, and its slope bound
    ``gᵀΔ + λ(‖u‖₁ − ‖u₀‖₁)``."""
    xp = state.xp
    thresholds = state.thresholds(models)
    features = _working_set(state, W, G, thresholds)
    positions = state.objective.layout.positions(features)
    index = xp.asarray(positions, dtype=integer_dtype(xp, state.device), device=state.device)
    max_rows = None if rows_per_param is None else rows_per_param * len(positions)
    H = state.objective.hessians(W, models=models, max_rows=max_rows, features=features)
    u0 = xp.take(W, index, axis=1)
    g = xp.take(G, index, axis=1)
    cut = xp.take(thresholds, index, axis=1)
    # Each model's inner tolerance: a tenth of the smaller of its measure and its square
    # (not below tol), as single-model proximal Newton's, for superlinear steps.
    inner = [0.1 * min(v, max(tol, v * v)) for v in (state.measure[m] for m in models)]
    u = batched_quadratic_lasso(
        H, g, u0, cut, tol=xp.asarray(inner, dtype=W.dtype, device=state.device), xp=xp
    )
    step = u - u0
    slopes = host_list(xp.sum(g * step, axis=1) + xp.sum(cut * (xp.abs(u) - xp.abs(u0)), axis=1))
    # The step of every parameter: zero outside the working set.
    expand = xp.astype(
        xp.arange(W.shape[1], device=state.device)[None, :] == index[:, None], W.dtype
    )
    return step @ expand, slopes
