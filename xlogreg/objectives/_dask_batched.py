"""Many logistic models on the row chunks of a Dask array, each chunk evaluated where it lives."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import array_api_compat

from xlogreg._backend import RowChunks
from xlogreg.objectives._batched import BatchedLogistic
from xlogreg.objectives._layout import OutputLayout

__all__ = ["ChunkedBatchedLogistic"]


def _evaluate(
    X: Any,
    target: Any,
    fold_weights: Any,
    *rest: Any,
) -> Any:
    """A chunk's share of the batch's ``method``: its :class:`BatchedLogistic`, normalized by
    the folds' totals, with its share of the penalty."""
    *_, max_rows, method, W, models, folds, l2, fold_sums, fit_intercept, features = rest
    xp = array_api_compat.array_namespace(X)
    objective = BatchedLogistic(
        X,
        target,
        fold_weights,
        folds=folds,
        l2=l2,
        fit_intercept=fit_intercept,
        xp=xp,
        fold_sums=fold_sums,
    )
    if method == "loss_grad":
        return objective.loss_grad(W, models=models)
    return objective.hessians(W, models=models, max_rows=max_rows, features=features)


class ChunkedBatchedLogistic:
    r""":class:`~xlogreg.objectives.BatchedLogistic` over the row chunks of a Dask array.

    Each chunk holds its rows of the design, the targets and the folds'
    weights (an ``(n_rows, n_folds)`` matrix built where the chunk lives);
    every evaluation ships ``W`` to the chunks, each chunk evaluates all the
    models of the batch on its rows (normalized by the folds' weight sums
    over every row, with ``1/K`` of each L2 strength for ``K`` chunks), and
    the parts are summed in a tree of tasks: one scheduler round trip per
    evaluation for the whole batch, and only ``O(n_batch · n_params)``
    numbers (``n_params²`` per model for Hessians) come back.

    Parameters
    ----------
    chunks : RowChunks
        Per chunk: the design (standardized if the fit is), the targets
        (binary indicators or one-hot rows) and the folds' weights, first
        among its items.
    fold_sums : sequence of float
        Each fold's weight sum over every row.
    folds, l2, fit_intercept
        As :class:`~xlogreg.objectives.BatchedLogistic`.
    n_features, n_outputs : int
        The design's columns; the outputs per model (1 for binary targets,
        else the number of classes).
    dtype : dtype
        The chunks' compute dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from xlogreg._backend import RowChunks
    >>> from xlogreg.objectives import BatchedLogistic, ChunkedBatchedLogistic
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0.0, 1.0, 0.0, 1.0])
    >>> weights = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 1.0]])
    >>> chunks = RowChunks.of(da.from_array(X, chunks=(3, 1)), y, weights)
    >>> f = ChunkedBatchedLogistic(chunks, [3.0, 3.0], folds=[0, 1], l2=[1.0, 0.5],
    ...     fit_intercept=True, n_features=1, n_outputs=1, dtype=np.float64)
    >>> whole = BatchedLogistic(X, y, weights, folds=[0, 1], l2=[1.0, 0.5],
    ...     fit_intercept=True, xp=np)
    >>> W = np.array([[0.5, -0.2], [0.1, 0.3]])
    >>> bool(np.allclose(f.loss_grad(W, models=(0, 1))[1], whole.loss_grad(W, models=(0, 1))[1]))
    True
    """

    def __init__(
        self,
        chunks: RowChunks,
        fold_sums: Sequence[float],
        *,
        folds: Sequence[int],
        l2: Sequence[float],
        fit_intercept: bool,
        n_features: int,
        n_outputs: int,
        dtype: Any,
    ) -> None:
        xp = self.xp = chunks.xp
        self.device, self.dtype = chunks.device, dtype
        self.n_samples = sum(chunks.rows)
        self.n_features = n_features
        self.multinomial = n_outputs > 1
        self.layout = OutputLayout(
            n_features=n_features,
            n_outputs=n_outputs if self.multinomial else None,
            fit_intercept=fit_intercept,
            xp=xp,
        )
        self.n_params = self.layout.n_params
        self.fit_intercept = fit_intercept
        self.folds, self.l2 = tuple(folds), tuple(float(v) for v in l2)
        self._chunks = chunks
        self._fold_sum_list = [float(v) for v in fold_sums]
        self.fold_sums = xp.asarray(self._fold_sum_list, dtype=dtype, device=self.device)
        self._l2_shares = tuple(v / len(chunks.rows) for v in self.l2)

    def averaged(self, strengths: Sequence[float], models: Sequence[int]) -> Any:
        """``strengths[m] / Σ_i s_{i,f_m}`` for the batch ``models``, as
        :meth:`BatchedLogistic.averaged <xlogreg.objectives.BatchedLogistic.averaged>`."""
        values = [strengths[m] / self._fold_sum_list[self.folds[m]] for m in models]
        return self.xp.asarray(values, dtype=self.dtype, device=self.device)

    def penalty_strengths(self, models: Sequence[int]) -> Any:
        """``λ_m / Σ_i s_{i,f_m}`` of the batch ``models``: each model's averaged L2 strength."""
        return self.averaged(self.l2, models)

    def _sum(self, method: str, W: Any, models: Sequence[int], **options: Any) -> Any:
        max_rows, features = options.get("max_rows"), options.get("features")
        if max_rows is None:
            per_chunk = [(None,)] * len(self._chunks.rows)
        else:
            per_chunk = [
                (max(1, math.ceil(max_rows * n / self.n_samples)),) for n in self._chunks.rows
            ]
        return self._chunks.reduce(
            _evaluate,
            method,
            W,
            tuple(models),
            self.folds,
            self._l2_shares,
            self._fold_sum_list,
            self.fit_intercept,
            features,
            per_chunk=per_chunk,
        )

    def loss_grad(self, W: Any, *, models: Sequence[int]) -> tuple[Any, Any]:
        """Objective values (n_batch,) and gradients (n_batch, n_params) of the batch
        ``models``: one pass over the chunks."""
        return self._sum("loss_grad", W, models)

    def hessians(
        self,
        W: Any,
        *,
        models: Sequence[int],
        max_rows: int | None = None,
        features: Any = None,
    ) -> Any:
        """Each model's Hessian (n_batch, size, size), as
        :meth:`BatchedLogistic.hessians <xlogreg.objectives.BatchedLogistic.hessians>`;
        sampled, each chunk takes its share of ``max_rows``."""
        return self._sum("hessians", W, models, max_rows=max_rows, features=features)
