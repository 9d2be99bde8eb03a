"""An objective summed over the row chunks of a Dask array, each evaluated where it lives."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xlogreg._backend import RowChunks

__all__ = ["ChunkedObjective"]


class _Share:
    """A chunk's objective times the chunk's share ``c`` of the total sample weight."""

    def __init__(self, objective: Any, share: float) -> None:
        self.objective = objective
        self.share = share

    def evaluate(self, method: str, *args: Any, **kwargs: Any) -> Any:
        value = getattr(self.objective, method)(*args, **kwargs)
        if isinstance(value, tuple):
            return tuple(self.share * v for v in value)
        return self.share * value


def _built(*items: Any) -> _Share:
    """The chunk's objective from ``build(*chunk, penalty_share)``, with its weight share."""
    *chunk, share, penalty_share, build = items
    return _Share(build(*chunk, penalty_share), share)


def _evaluate(part: _Share, method: str, *args: Any) -> Any:
    return part.evaluate(method, *args)


def _evaluate_sampled(
    part: _Share, max_rows: int | None, method: str, w: Any, features: Any = None
) -> Any:
    if features is None:
        return part.evaluate(method, w, max_rows=max_rows)
    return part.evaluate(method, w, max_rows=max_rows, features=features)


class ChunkedObjective:
    r"""A loss over data in row chunks, ``f(w) = Σ_c (W_c / W) f_c(w)``, evaluated chunk by chunk.

    Each ``f_c`` is an ordinary objective (:class:`~xlogreg.objectives.Binomial`,
    say) built on chunk ``c`` where the chunk lives, from its own rows and
    weights; its weighted mean loss times the chunk's share ``W_c / W`` of the
    total sample weight sums to the weighted mean over every row. Each chunk's
    objective carries ``1/K`` of the penalty for ``K`` chunks (an
    :class:`~xlogreg.objectives._penalty.L2` of strength ``λ/K``, averaged
    over ``W_c`` and scaled by ``W_c / W``: ``λ‖β‖² / (2KW)``), which
    therefore appears once in the sum. Values, gradients,
    Hessian-vector products, Hessians and their diagonals are sums of the
    chunks' (linear in the rows), computed next to the chunks: only the
    parameters go out and only ``O(n_params)`` numbers (``O(n_params²)`` for
    a Hessian) come back per evaluation. Sampled Hessians (``max_rows``) take
    each chunk's share of the rows.

    Parameters
    ----------
    chunks : RowChunks
        The training data's row chunks (``X``, targets, weights, ...).
    build : callable
        ``build(*chunk_items, penalty_share)`` returns the objective of one
        chunk with ``penalty_share`` times the penalty; it runs on the workers.
    weight_sums : list of float
        Each chunk's sample-weight sum; chunks that weigh nothing are left out.
    n_params : int
        The length of the parameter vector.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from xlogreg._backend import RowChunks
    >>> from xlogreg.objectives import Binomial, ChunkedObjective
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> y = np.array([0.0, 1.0, 0.0, 1.0])
    >>> def build(X, y, share):
    ...     return Binomial(X, y, np.ones(len(y)), l2=share, fit_intercept=True, xp=np)
    >>> chunks = RowChunks.of(da.from_array(X, chunks=(3, 1)), y)
    >>> f = ChunkedObjective(chunks, build, weight_sums=[3.0, 1.0], n_params=2)
    >>> w = np.array([0.5, -1.0])
    >>> bool(np.isclose(f.loss(w), build(X, y, 1.0).loss(w)))
    True
    """

    def __init__(
        self, chunks: RowChunks, build: Callable, *, weight_sums: list[float], n_params: int
    ) -> None:
        keep = [total > 0.0 for total in weight_sums]
        total = math.fsum(weight_sums)
        kept = [w for w in weight_sums if w > 0.0]
        chunks = chunks.subset(keep)
        self.xp = chunks.xp
        self.n_samples = sum(chunks.rows)
        self.n_params = n_params
        #: The weight sum over all the chunks, over which the objective is a weighted mean.
        self.weight_sum = total
        self._rows = chunks.rows
        self._parts = chunks.map(
            _built, 1.0 / len(kept), build, per_chunk=[(w / total,) for w in kept]
        )

    def _sum(self, method: str, *args: Any) -> Any:
        return self._parts.reduce(_evaluate, method, *args)

    def _sampled_sum(self, method: str, w: Any, max_rows: int | None, features: Any = None) -> Any:
        if max_rows is None:
            per_chunk = [(None,)] * len(self._rows)
        else:
            per_chunk = [(max(1, math.ceil(max_rows * n / self.n_samples)),) for n in self._rows]
        return self._parts.reduce(_evaluate_sampled, method, w, features, per_chunk=per_chunk)

    def loss(self, w: Any) -> Any:
        """Objective value at ``w``, a 0-d array."""
        return self._sum("loss", w)

    def loss_grad(self, w: Any) -> tuple[Any, Any]:
        """Objective value and gradient at ``w``, in one pass over the chunks."""
        return self._sum("loss_grad", w)

    def hessp(self, w: Any, v: Any) -> Any:
        """Hessian at ``w`` times ``v``."""
        return self._sum("hessp", w, v)

    def hessian(self, w: Any, *, max_rows: int | None = None, features: Any = None) -> Any:
        """Hessian at ``w``; with ``max_rows``, estimated from about that many rows; with
        ``features``, of those coefficients and the intercepts only."""
        return self._sampled_sum("hessian", w, max_rows, features)

    def hessian_diagonal(self, w: Any, *, max_rows: int | None = None) -> Any:
        """Diagonal of the Hessian at ``w``; with ``max_rows``, estimated from about that many
        rows."""
        return self._sampled_sum("hessian_diagonal", w, max_rows)
