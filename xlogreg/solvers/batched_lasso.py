"""Elastic-net paths of many least-squares problems at once, by coordinate descent on their
Gram matrices: every (l1_ratio, problem) model advances together.

The problems share their features and differ in their rows' weights (the training
rows of cross-validation folds, and the whole data): each is given by its centred
Gram matrix, ``Xᵀy`` and ``yᵀy`` (:func:`~xlogreg.objectives._weighted_grams.weighted_grams`),
all computed in one pass over ``X``. The models are the pairs of an ``l1_ratio`` and
a problem; they follow their descending sequences of ``alpha`` together, each
warm-started from its solution at the previous ``alpha``, as scikit-learn's
``enet_path`` does one model at a time. A coordinate update is one vector operation
over all the models; a sweep visits the coordinates that some unfinished model needs
(those nonzero in it, or whose optimality condition at zero fails: the others would
stay at zero), and after each sweep a few numbers are read back: whether every model
has met scikit-learn's duality-gap criterion, and which coordinates the next sweep
needs. A finished model is frozen (its updates masked) while the others go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import host_list, integer_dtype

__all__ = ["PathResult", "elastic_net_gram_path", "gram_duality_gap"]

# Up to this many features, the exact step on the support solves systems over all of them.
_WHOLE = 64


class PathResult:
    """The models along the path, the duality gaps they stopped at, their sweeps, and
    whether each met the criterion.

    Attributes
    ----------
    coefs : array of shape (n_alphas, n_l1_ratios, n_problems, n_features)
    gaps : array of shape (n_alphas, n_l1_ratios, n_problems)
        Duality gaps of the weighted-mean objective (scikit-learn's ``dual_gap_``).
    n_iter : array of shape (n_alphas, n_l1_ratios, n_problems)
        Sweeps of each model at each ``alpha``, an integer array.
    converged : array of shape (n_alphas, n_l1_ratios, n_problems)
        Booleans: ``gap <= tol · yy``.
    """

    def __init__(self, coefs: Any, gaps: Any, n_iter: Any, converged: Any) -> None:
        self.coefs, self.gaps, self.n_iter, self.converged = coefs, gaps, n_iter, converged


def elastic_net_gram_path(
    gram: Any,
    xy: Any,
    yy: Any,
    alphas: Any,
    l1_ratios: Any,
    *,
    tol: float,
    max_iter: int,
    xp: ModuleType,
    coef_init: Any = None,
) -> PathResult:
    r"""Minimize, for every problem ``p``, ``l1_ratio`` ``r`` and ``alpha`` ``a`` of its row,

    ``½ βᵀG_pβ − c_pᵀβ + ½ yy_p + a·r·‖β‖₁ + ½ a·(1 − r)·‖β‖²``,

    the elastic net's weighted-mean objective (scikit-learn's, written with the Gram
    matrix), by cyclic coordinate descent along each row of ``alphas``.

    Each coordinate moves to its exact minimizer with the others fixed,
    ``S(c_j − (Gβ)_j + G_jj β_j, a·r) / (G_jj + a·(1 − r))`` with the soft
    threshold ``S``, ``Gβ`` kept current by one column of ``G`` per move, for all
    models at once. A model stops when its duality gap (scikit-learn's formulation
    on the Gram matrix, ``enet_coordinate_descent_gram``) is at most ``tol·yy_p``,
    checked before the first sweep (a warm start may already meet it) and after
    every sweep; it is then frozen. A model that does not meet it within
    ``max_iter`` sweeps is kept as it is, flagged in ``converged``.

    Parameters
    ----------
    gram : array of shape (n_problems, n_features, n_features)
        Symmetric positive semi-definite ``G_p``; coordinates with ``G_jj = 0`` stay at zero.
    xy : array of shape (n_problems, n_features)
        ``c_p``.
    yy : array of shape (n_problems,)
        ``yy_p``: the objective's constant, and the scale of ``tol``.
    alphas : array of shape (n_l1_ratios, n_alphas)
        Positive; each row the path of one ``l1_ratio``, best in decreasing order.
    l1_ratios : array of shape (n_l1_ratios,)
        In ``[0, 1]``.
    tol : float
        Stop a model when its gap is at most ``tol·yy_p``.
    max_iter : int
        Most sweeps per model and ``alpha``.
    xp : module
        Array namespace of the arrays.
    coef_init : array of shape (n_l1_ratios, n_problems, n_features), optional
        Start of the first ``alpha``; zeros by default.

    Returns
    -------
    PathResult

    Examples
    --------
    Two problems (the same Gram, two right-hand sides), the lasso and a ridge-heavy
    elastic net, two alphas:

    >>> import array_api_strict as xp
    >>> from xlogreg.solvers.batched_lasso import elastic_net_gram_path
    >>> gram = xp.asarray([[[1.0, 0.0], [0.0, 2.0]]] * 2)
    >>> xy = xp.asarray([[1.0, 1.0], [0.5, -3.0]])
    >>> path = elastic_net_gram_path(gram, xy, xp.asarray([5.0, 5.0]),
    ...     xp.asarray([[0.8, 0.2], [0.8, 0.2]]), xp.asarray([1.0, 0.5]), tol=1e-12,
    ...     max_iter=100, xp=xp)
    >>> path.coefs[1, 0, :, :]  # the lasso at alpha = 0.2: S(c, 0.2) / diag(G)
    Array([[ 0.8,  0.4],
           [ 0.3, -1.4]], dtype=array_api_strict.float64)
    >>> bool(xp.all(path.converged))
    True
    """
    n_problems, n_features = xy.shape
    n_l1_ratios, n_alphas = alphas.shape
    device = array_api_compat.device(xy)
    dtype = xy.dtype
    # Row j of every problem's G (its column, by symmetry), as (n_features, 1, n_problems).
    rows = xp.permute_dims(gram, (1, 2, 0))
    column = [rows[j, :, :][:, None, :] for j in range(n_features)]
    diagonal = xp.linalg.diagonal(gram)  # (n_problems, n_features)
    c = xp.permute_dims(xy, (1, 0))[:, None, :]  # (n_features, 1, n_problems)
    c_j = [xy[:, j] for j in range(n_features)]
    g_jj = [diagonal[:, j] for j in range(n_features)]
    ratio = xp.astype(l1_ratios, dtype)[:, None]
    if coef_init is None:
        coef = [xp.zeros((n_l1_ratios, n_problems), dtype=dtype, device=device)] * n_features
        q = xp.zeros((n_features, n_l1_ratios, n_problems), dtype=dtype, device=device)
    else:
        coef = [coef_init[:, :, j] for j in range(n_features)]
        # q = Gβ, kept current: (n_features, n_l1_ratios, n_problems)
        q = xp.permute_dims(gram @ xp.permute_dims(coef_init, (1, 2, 0)), (1, 2, 0))
    tol_abs = tol * yy
    count_dtype = integer_dtype(xp, device)
    everything = list(range(n_features))
    coefs, gaps, sweeps, met = [], [], [], []
    for a in range(n_alphas):
        alpha = xp.astype(alphas[:, a], dtype)[:, None]
        l1, l2 = alpha * ratio, alpha * (1.0 - ratio)  # (n_l1_ratios, 1)
        denominator = diagonal[None, :, :] + l2[:, :, None]
        movable = (diagonal > 0.0)[None, :, :]
        inverse = xp.where(movable, 1.0 / xp.where(movable, denominator, 1.0), 0.0)
        inverse_j = [inverse[:, :, j] for j in range(n_features)]
        state = _Check(c, q, coef, yy, l1, l2, tol_abs, xp=xp)
        active = ~state.converged
        n_iter = xp.zeros((n_l1_ratios, n_problems), dtype=count_dtype, device=device)
        needed, support = state.needed(active)
        last_support = support
        for _ in range(max_iter):
            if needed is None:
                break
            live = xp.astype(active, dtype)
            n_iter = n_iter + xp.astype(active, count_dtype)
            for j in needed or everything:
                previous = coef[j]
                rho = c_j[j] - q[j, ...] + g_jj[j] * previous
                moved = (rho - xp.minimum(xp.maximum(rho, -l1), l1)) * inverse_j[j]
                step = (moved - previous) * live
                q = q + column[j] * step
                coef[j] = previous + step
            state = _Check(c, q, coef, yy, l1, l2, tol_abs, xp=xp)
            active = active & ~state.converged
            needed, support = state.needed(active)
            if needed is not None and support and support == last_support:
                # Few features: the solve spans them all, one shape for every support
                # (JAX compiles once per shape).
                block = everything if n_features <= _WHOLE else support
                polished = _polished(gram, xy, coef, block, l1, l2, xp=xp)
                if polished is not None:
                    candidate, q_candidate = polished
                    check = _Check(c, q_candidate, candidate, yy, l1, l2, tol_abs, xp=xp)
                    # Kept where it meets the criterion, or at least lowers the objective
                    # (a support that still holds a coordinate bound for zero: the sweeps
                    # go on from the better point).
                    accept = active & (check.converged | (check.primal < state.primal))
                    coef = [
                        xp.where(accept, new, old) for new, old in zip(candidate, coef, strict=True)
                    ]
                    q = xp.where(accept, q_candidate, q)
                    state = _Check(c, q, coef, yy, l1, l2, tol_abs, xp=xp)
                    active = active & ~state.converged
                    needed, support = state.needed(active)
            last_support = support
        coefs.append(xp.permute_dims(xp.stack(coef), (1, 2, 0)))
        gaps.append(state.gap)
        sweeps.append(n_iter)
        met.append(state.converged)
    return PathResult(xp.stack(coefs), xp.stack(gaps), xp.stack(sweeps), xp.stack(met))


class _Check:
    """The duality gaps of every model at the current iterate, and what the next sweep needs."""

    def __init__(
        self,
        c: Any,
        q: Any,
        coef: list,
        yy: Any,
        l1: Any,
        l2: Any,
        tol_abs: Any,
        *,
        xp: ModuleType,
    ) -> None:
        self.xp = xp
        self.coef = xp.stack(coef)  # (n_features, n_l1_ratios, n_problems)
        self.gradient = c - q  # Xᵀ(y − Xβ)
        self.l1 = l1
        self.gap = gram_duality_gap(self.coef, self.gradient, c, yy, l1, l2, xp=xp)
        self.converged = self.gap <= tol_abs
        # The objective, less the constant ½yy: ½βᵀGβ − cᵀβ + l1·‖β‖₁ + ½l2·‖β‖².
        beta = self.coef
        self.primal = xp.sum(
            beta * (0.5 * (c - self.gradient + l2 * beta) - c + l1 * xp.sign(beta)), axis=0
        )

    def needed(self, active: Any) -> tuple[list[int] | None, tuple[int, ...]]:
        """The coordinates the next sweep visits (every one if none is needed; ``None``
        when every model has met the criterion), and those nonzero in an unfinished
        model: one read back of ``1 + 2·n_features`` flags."""
        xp = self.xp
        nonzero = (self.coef != 0.0) & active[None, :, :]
        violated = (xp.abs(self.gradient) > self.l1[None, :, :]) & active[None, :, :]
        flags = host_list(
            xp.concat(
                [
                    xp.any(active)[None],
                    xp.any(nonzero | violated, axis=(1, 2)),
                    xp.any(nonzero, axis=(1, 2)),
                ]
            )
        )
        if not flags[0]:
            return None, ()
        n_features = (len(flags) - 1) // 2
        wanted = [j for j in range(n_features) if flags[1 + j]]
        support = tuple(j for j in range(n_features) if flags[1 + n_features + j])
        return wanted, support


def _polished(
    gram: Any, xy: Any, coef: list, support: Sequence[int], l1: Any, l2: Any, *, xp: ModuleType
) -> tuple[list, Any] | None:
    """Every model's exact minimizer on its support and signs, and its ``Gβ``; ``None``
    where the solve fails.

    On the support ``S`` of ``β`` with its signs, the objective is a quadratic whose
    minimizer solves ``(G_SS + l2·I) β_S = c_S − l1·sign(β_S)``: one small solve per
    model, batched, on the coordinates nonzero in some model (outside its own
    support, a model's system is the identity). Coordinate descent converges
    linearly, at a rate set by ``G``'s conditioning (thousands of sweeps at
    ``tol=1e-12`` on correlated features); this step ends it once the support is
    right. Where it changes a sign, the support was wrong: the step stops where the
    first coordinate reaches zero (the homotopy's step). The caller keeps the result
    where it lowers the objective.
    """
    device = array_api_compat.device(xy)
    index = xp.asarray(support, dtype=integer_dtype(xp, device), device=device)
    size = len(support)
    block = xp.take(xp.take(gram, index, axis=1), index, axis=2)  # (n_problems, s, s)
    inside = xp.permute_dims(xp.stack([coef[j] for j in support]), (1, 2, 0))  # (L, P, s)
    mask = inside != 0.0
    eye = xp.eye(size, dtype=xy.dtype, device=device)
    system = xp.where(
        mask[..., :, None] & mask[..., None, :],
        block[None, ...] + l2[:, :, None, None] * eye,
        eye,
    )
    rhs = xp.where(
        mask, xp.take(xy, index, axis=1)[None, ...] - l1[:, :, None] * xp.sign(inside), 0.0
    )
    try:
        solution = xp.linalg.solve(system, rhs[..., None])[..., 0]
    except (ValueError, RuntimeError, NotImplementedError):  # LinAlgError: singular
        return None
    solution = xp.where(mask, solution, 0.0)
    # Where the solution changes a sign, the support was wrong: go toward it until the
    # first coordinate reaches zero (the objective, a quadratic on the segment within
    # the orthant, decreases all the way), and set that coordinate to zero.
    flips = mask & (solution * inside <= 0.0)
    ratio = xp.where(flips, inside / xp.where(flips, inside - solution, 1.0), xp.inf)
    step = xp.minimum(xp.min(ratio, axis=-1), 1.0)[..., None]
    solution = xp.where(flips & (ratio <= step), 0.0, inside + step * (solution - inside))
    candidate = list(coef)
    for k, j in enumerate(support):
        candidate[j] = solution[:, :, k]
    stacked = xp.permute_dims(xp.stack(candidate), (2, 0, 1))  # (P, d, L)
    q = xp.permute_dims(gram @ stacked, (1, 2, 0))
    return candidate, q


def gram_duality_gap(
    coef: Any, gradient: Any, c: Any, yy: Any, l1: Any, l2: Any, *, xp: ModuleType
) -> Any:
    """scikit-learn's duality gap of the elastic net on the Gram matrix (``gap_enet_gram``),
    for a batch of models, on the weighted-mean scale.

    Formulation A (a rescaled residual as the dual point) with an L1 part,
    formulation B (the ridge dual) without one.

    Parameters
    ----------
    coef : array of shape (n_features, ...)
        ``β`` of each model.
    gradient : array of shape (n_features, ...)
        ``c − Gβ`` of each model.
    c : array of shape (n_features, ...)
        ``Xᵀy``, broadcasting against ``coef``.
    yy : array
        ``yᵀy``, broadcasting against one model's scalars.
    l1, l2 : arrays
        ``alpha·l1_ratio`` and ``alpha·(1 − l1_ratio)``, broadcasting likewise.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    array of the models' shape

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.solvers.batched_lasso import gram_duality_gap
    >>> c, l1, l2 = xp.asarray([[1.0]]), xp.asarray(0.5), xp.asarray(0.0)
    >>> # G = 1 and y'y = 2: the lasso's minimizer at alpha 0.5 is 0.5, where the gap closes
    >>> [float(gram_duality_gap(xp.asarray([[b]]), c - b, c, 2.0, l1, l2, xp=xp)[0])
    ...  for b in (0.5, 0.0)]
    [0.0, 0.25]
    """
    c_dot_w = xp.sum(c * coef, axis=0)
    w_g_w = xp.sum(coef * (c - gradient), axis=0)  # βᵀGβ
    residual2 = yy - 2.0 * c_dot_w + w_g_w
    ry = yy - c_dot_w
    w2 = xp.sum(coef * coef, axis=0)
    w1 = xp.sum(xp.abs(coef), axis=0)
    dual_norm = xp.max(xp.abs(gradient - l2 * coef), axis=0)
    scale = xp.where(dual_norm > l1, l1 / xp.where(dual_norm > 0.0, dual_norm, 1.0), 1.0)
    smooth = residual2 + l2 * w2
    formulation_a = 0.5 * smooth + l1 * w1 + 0.5 * scale * scale * smooth - scale * ry
    positive_l2 = xp.where(l2 > 0.0, l2, 1.0)
    ridge = xp.sum(gradient * gradient, axis=0) / (2.0 * positive_l2)
    formulation_b = residual2 + 0.5 * l2 * w2 - ry + ridge
    return xp.where(l1 > 0.0, formulation_a, formulation_b)
