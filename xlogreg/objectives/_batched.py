"""Many logistic models on one design: a grid of penalties over cross-validation folds.

The models share ``X`` and differ in their sample weights (a fold's training
rows: weights, never copies of ``X``) and their L2 strengths. Their
parameters are the rows of one matrix ``W`` of shape (n_models, n_params),
each laid out as a single model's (:class:`~xlogreg.objectives._layout.OutputLayout`),
so every evaluation reads ``X`` once for all of them: ``X @ Wᵀ`` and
``Rᵀ X`` are matrix products where a single model's are matrix-vector ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import host_bool, integer_dtype, tile_rows
from xlogreg._math import logsumexp, sigmoid
from xlogreg._tiles import accumulate, row_tiles
from xlogreg.objectives._gram import columns
from xlogreg.objectives._layout import OutputLayout

__all__ = ["BatchedLogistic"]

# Where the rows are not cache-tiled (accelerators), the logits of a tile hold at
# most this fraction of X's numbers (but as many as a host tile: small data is taken
# whole): the batch's temporaries stay a small part of X.
_ACCELERATOR_TILE_FRACTION = 16
_ACCELERATOR_MIN_TILE_ELEMENTS = 2**15

# On the host: the most numbers in one tile's logits, and the fewest rows of a tile.
# Small products stay on one BLAS thread: on the 2-core machine with another process
# busy, a 10 Cs x 5 folds search of 200k x 64 took 13 s in tiles of 2^13 numbers and
# 31-39 s in tiles of 2^15 (OpenBLAS's two threads waiting on each other); idle, both 5 s.
_HOST_TILE_ELEMENTS = 2**13
_MIN_HOST_ROWS = 256

# The most numbers in one row tile's per-model scaled copies of the rows when forming
# the Hessians: 1/16 of X's, between 2**16 and 2**20 (8 MB in float64).
_HESSIAN_TILE_FRACTION = 16
_HESSIAN_TILE_ELEMENTS = (2**16, 2**20)


class BatchedLogistic:
    r"""Weighted logistic losses of ``n_models`` linear models on one ``X``, evaluated together.

    Model ``m`` is :class:`~xlogreg.objectives.Binomial` (one output) or
    :class:`~xlogreg.objectives.Multinomial` (one-hot targets) with the
    sample weights of its fold, column ``folds[m]`` of ``fold_weights``, and
    the L2 strength ``l2[m]``:

    .. math::

        f_m(w_m) = \frac{\sum_i s_{i,f_m}\,\ell_i(w_m)}{\sum_i s_{i,f_m}}
                 + \frac{\lambda_m \lVert \beta_m \rVert^2}{2 \sum_i s_{i,f_m}}.

    Every method takes the parameters of some of the models, the rows of
    ``W``, and those models' indices ``models``: finished models are left
    out of the batch and cost nothing.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Design matrix, in the compute dtype.
    target : array of shape (n_samples,) or (n_samples, n_classes)
        Binary targets in {0, 1}, or one-hot targets for three or more classes.
    fold_weights : array of shape (n_samples, n_folds)
        Each fold's sample weights: zero on the rows it leaves out.
    folds : sequence of int
        The fold of each model.
    l2 : sequence of float
        The L2 strength ``λ_m >= 0`` of each model (``1/C`` for scikit-learn's ``C``).
    fit_intercept : bool
        Whether each model has (unpenalized) intercepts.
    xp : module
        Array namespace of the arrays.
    fold_sums : sequence of float, optional
        Each fold's weight sum over all the rows, when ``X`` holds only some
        of them (a chunk of a Dask array's rows): each model is then
        normalized by its fold's total, and a sum of the chunks' objectives,
        each with its share of ``l2``, is the objective over every row.
        Default: the sums of ``fold_weights``' columns.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives import BatchedLogistic, Binomial
    >>> X = xp.asarray([[0.0], [1.0], [2.0], [3.0]])
    >>> y = xp.asarray([0.0, 1.0, 0.0, 1.0])
    >>> weights = xp.asarray([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 1.0]])
    >>> f = BatchedLogistic(X, y, weights, folds=[0, 1], l2=[1.0, 0.5],
    ...                     fit_intercept=True, xp=xp)
    >>> W = xp.asarray([[0.5, -0.2], [0.1, 0.3]])
    >>> loss, grad = f.loss_grad(W, models=(0, 1))
    >>> one = Binomial(X, y, weights[:, 1], l2=0.5, fit_intercept=True, xp=xp)
    >>> bool(xp.abs(loss[1] - one.loss(W[1, :])) < 1e-15)
    True
    """

    def __init__(
        self,
        X: Any,
        target: Any,
        fold_weights: Any,
        *,
        folds: Sequence[int],
        l2: Sequence[float],
        fit_intercept: bool,
        xp: ModuleType,
        fold_sums: Sequence[float] | None = None,
    ) -> None:
        self.xp = xp
        self.n_samples, self.n_features = X.shape
        self.n_models = len(folds)
        self.multinomial = target.ndim == 2
        n_outputs = target.shape[1] if self.multinomial else None
        self.layout = OutputLayout(
            n_features=self.n_features, n_outputs=n_outputs, fit_intercept=fit_intercept, xp=xp
        )
        self.n_params = self.layout.n_params
        self.fit_intercept = fit_intercept
        self._X, self._target, self._fold_weights = X, target, fold_weights
        # Binary targets as the signs 1 − 2y of the logits in the loss softplus((1 − 2y)·z).
        self._signs = None if self.multinomial else 1.0 - 2.0 * target
        self._device = array_api_compat.device(X)
        self._row_sums = xp.sum(fold_weights, axis=0)  # each fold's weight in these rows
        #: Each fold's weight sum, over which its models' objectives are weighted means.
        self.fold_sums = self._row_sums
        if fold_sums is not None:
            self.fold_sums = xp.asarray(fold_sums, dtype=X.dtype, device=self._device)
        self.folds, self.l2 = tuple(folds), tuple(float(v) for v in l2)

    def _per_model(self, models: Sequence[int], values: Sequence[Any], dtype: Any) -> Any:
        """The host ``values`` of the batch ``models``, as an array of ``dtype`` on the device."""
        return self.xp.asarray([values[m] for m in models], dtype=dtype, device=self._device)

    def _model_folds(self, models: Sequence[int]) -> Any:
        dtype = integer_dtype(self.xp, self._device)
        return self._per_model(models, self.folds, dtype)

    def averaged(self, strengths: Sequence[float], models: Sequence[int]) -> Any:
        """``strengths[m] / Σ_i s_{i,f_m}`` for the batch ``models``: a penalty of model
        ``m`` over its objective's weighted mean (an L1 strength, say)."""
        values = self._per_model(models, strengths, self._X.dtype)
        return values / self.xp.take(self.fold_sums, self._model_folds(models))

    def penalty_strengths(self, models: Sequence[int]) -> Any:
        """``λ_m / Σ_i s_{i,f_m}`` of the batch ``models``: each model's averaged L2 strength."""
        return self.averaged(self.l2, models)

    def _rows_per_tile(self, n_columns: int) -> int:
        """Rows per tile where each tile's logits have ``n_columns`` columns (models × outputs).

        On the host, the tile's temporaries (rows × n_columns) stay within
        ``_HOST_TILE_ELEMENTS``, so the chain of elementwise steps runs in cache
        and the products stay on one BLAS thread, and never below
        ``_MIN_HOST_ROWS`` rows.
        """
        rows = tile_rows(self.xp, self._device, self.n_features)
        if rows is None:
            per_tile = self.n_samples * self.n_features // _ACCELERATOR_TILE_FRACTION
            return max(1, max(per_tile, _ACCELERATOR_MIN_TILE_ELEMENTS) // max(1, n_columns))
        return min(rows, max(_MIN_HOST_ROWS, _HOST_TILE_ELEMENTS // max(1, n_columns)))

    def _coef_rows(self, W: Any) -> tuple[Any, Any]:
        """Each model's coefficients as rows ``(m·K, d)`` and intercepts ``(m·K,)`` or None."""
        xp, layout = self.xp, self.layout
        rows = xp.reshape(W, (W.shape[0] * layout.n_outputs, layout.width))
        coef = rows[:, : self.n_features]
        return coef, (rows[:, self.n_features] if self.fit_intercept else None)

    def loss_grad(self, W: Any, *, models: Sequence[int]) -> tuple[Any, Any]:
        """Objective values (n_batch,) and gradients (n_batch, n_params) of the batch ``models``.

        Row tile by row tile, the logits of every model in the batch, then,
        with the tile still in cache, its share of every gradient: one read
        of ``X`` for the whole batch.
        """
        return self._evaluate(W, models, gradient=True)

    def loss(self, W: Any, *, models: Sequence[int]) -> Any:
        """Objective values (n_batch,) of the batch ``models``."""
        return self._evaluate(W, models, gradient=False)[0]

    def _evaluate(self, W: Any, models: Sequence[int], *, gradient: bool) -> tuple[Any, Any]:
        xp = self.xp
        n_batch, n_outputs = W.shape[0], self.layout.n_outputs
        coef, intercept = self._coef_rows(W)
        fold_index = self._model_folds(models)
        sums = xp.take(self.fold_sums, fold_index)
        loss = grad_coef = grad_intercept = None
        for rows in row_tiles(self.n_samples, self._rows_per_tile(n_batch * n_outputs)):
            X = self._X[rows, :]
            z = X @ coef.T
            if intercept is not None:
                z = z + intercept
            # Each model's weights over its fold's sum, a tile at a time (no n × n_folds copy).
            s = xp.take(self._fold_weights[rows, :], fold_index, axis=1) / sums
            target = self._target[rows, :] if self.multinomial else self._signs[rows]
            part, residual = self._tile_loss(z, target, s, n_batch, gradient)
            loss = accumulate(loss, part)
            if gradient:
                grad_coef = accumulate(grad_coef, residual.T @ X)
                grad_intercept = accumulate(grad_intercept, xp.sum(residual, axis=0))
        strength = self.penalty_strengths(models)
        squares = xp.sum(xp.reshape(coef * coef, (n_batch, -1)), axis=1)
        loss = loss + 0.5 * strength * squares
        if not gradient:
            return loss, None
        strength_rows = xp.reshape(
            xp.broadcast_to(strength[:, None], (n_batch, n_outputs)), (n_batch * n_outputs, 1)
        )
        grad_coef = grad_coef + strength_rows * coef
        if intercept is not None:
            grad_coef = xp.concat([grad_coef, grad_intercept[:, None]], axis=1)
        return loss, xp.reshape(grad_coef, (n_batch, self.n_params))

    def _tile_loss(
        self, z: Any, target: Any, s: Any, n_batch: int, gradient: bool
    ) -> tuple[Any, Any]:
        """A tile's loss sums (n_batch,) and residuals ``s·(p − y)`` (rows, n_batch·K)."""
        xp = self.xp
        if not self.multinomial:
            # With m = (1 − 2y)·z, the loss is softplus(m) and p − y = (1 − 2y)·σ(m),
            # σ(m) = exp(m − softplus(m)): one logarithm and two exponentials per
            # entry, no division or select (the costly steps at n × n_models).
            m = z * target[:, None]
            loss_terms = xp.maximum(m, 0.0) + xp.log1p(xp.exp(-xp.abs(m)))
            loss = xp.sum(s * loss_terms, axis=0)
            if not gradient:
                return loss, None
            return loss, (s * target[:, None]) * xp.exp(m - loss_terms)
        n_rows, n_classes = z.shape[0], target.shape[1]
        z = xp.reshape(z, (n_rows, n_batch, n_classes))
        log_normalizer = logsumexp(z, axis=2, xp=xp)
        own = xp.sum(z * target[:, None, :], axis=2)
        loss = xp.sum(s * (log_normalizer - own), axis=0)
        if not gradient:
            return loss, None
        p = xp.exp(z - log_normalizer[:, :, None])
        residual = s[:, :, None] * (p - target[:, None, :])
        return loss, xp.reshape(residual, (n_rows, n_batch * n_classes))

    def hessians(
        self,
        W: Any,
        *,
        models: Sequence[int],
        max_rows: int | None = None,
        features: Any = None,
    ) -> Any:
        """Each model's Hessian, of shape (n_batch, size, size), penalty included.

        Exactly :meth:`Binomial.hessian <xlogreg.objectives.Binomial.hessian>`
        or :meth:`Multinomial.hessian <xlogreg.objectives.Multinomial.hessian>`
        of each model (estimated from ``max_rows`` evenly spaced rows when
        given; with ``features``, of those coefficients and the intercepts
        only), for the whole batch at once: the rows are taken in tiles, and
        each tile's per-model products are one batched matrix product, so the
        number of operations does not grow with the batch.
        """
        xp = self.xp
        step = 1 if max_rows is None else max(1, -(-self.n_samples // max_rows))
        X, weights = self._X[::step, :], self._fold_weights[::step, :]
        fold_index = self._model_folds(models)
        sums = xp.take(self.fold_sums, fold_index)
        if step > 1:
            # The sample's weighted mean, scaled by these rows' share of the fold's weight.
            present = xp.take(self._row_sums, fold_index)
            sampled = xp.take(xp.sum(weights, axis=0), fold_index)
            if host_bool(xp.all((sampled > 0.0) | (present == 0.0))):
                share = sums / xp.where(present > 0.0, present, xp.ones_like(present))
                sums = xp.where(present > 0.0, sampled * share, sums)
            else:  # a fold absent from the sample
                X, weights = self._X, self._fold_weights
        coef, intercept = self._coef_rows(W)
        n_batch, n_outputs = W.shape[0], self.layout.n_outputs
        width = (self.n_features if features is None else len(features)) + self.fit_intercept
        low, high = _HESSIAN_TILE_ELEMENTS
        budget = min(high, max(low, self.n_samples * self.n_features // _HESSIAN_TILE_FRACTION))
        rows = max(1, budget // (n_batch * n_outputs * width))
        total = None
        for tile in row_tiles(X.shape[0], rows):
            X_tile = X[tile, :]
            z = X_tile @ coef.T
            if intercept is not None:
                z = z + intercept
            design = columns(X_tile, features, xp=xp)
            if self.fit_intercept:
                ones = xp.ones((design.shape[0], 1), dtype=design.dtype, device=self._device)
                design = xp.concat([design, ones], axis=1)
            s = xp.take(weights[tile, :], fold_index, axis=1) / sums
            part = self._tile_hessians(z, s, design, n_batch)
            total = accumulate(total, part)
        size = n_outputs * width
        total = xp.reshape(total, (n_batch, size, size))
        ridge = xp.ones(width, dtype=total.dtype, device=self._device)
        if self.fit_intercept:
            ridge = xp.concat([ridge[1:], xp.zeros(1, dtype=total.dtype, device=self._device)])
        ridge = xp.concat([ridge] * n_outputs)
        eye = xp.eye(size, dtype=total.dtype, device=self._device) * ridge
        strengths = self.penalty_strengths(models)
        total = total + strengths[:, None, None] * eye[None, :, :]
        if not self.multinomial or features is not None:
            return total
        return total + self._gauge(total, width)

    def _tile_hessians(self, z: Any, s: Any, design: Any, n_batch: int) -> Any:
        """One row tile's share of every model's loss Hessian: (n_batch, K, q, K, q).

        ``design`` is the tile's ``x̃ = (x, 1)`` (q columns); binary:
        ``Σ s p(1−p) x̃x̃ᵀ``; multinomial: ``Σ s (diag(p) − ppᵀ) ⊗ x̃x̃ᵀ``.
        """
        xp = self.xp
        n_rows, width = design.shape
        if not self.multinomial:
            p = sigmoid(z, xp=xp)
            root = xp.sqrt(s * p * (1.0 - p))  # (rows, n_batch)
            scaled = design[None, :, :] * xp.permute_dims(root, (1, 0))[:, :, None]
            return xp.matmul(xp.matrix_transpose(scaled), scaled)
        n_classes = self.layout.n_outputs
        z = xp.reshape(z, (n_rows, n_batch, n_classes))
        p = xp.exp(z - logsumexp(z, axis=2, xp=xp)[:, :, None])
        # Per class: Σ s p_k x̃x̃ᵀ, as (n_batch, K, q, q).
        root = xp.permute_dims(xp.sqrt(s[:, :, None] * p), (1, 2, 0))  # (n_batch, K, rows)
        scaled = root[:, :, :, None] * design[None, None, :, :]
        grams = xp.matmul(xp.matrix_transpose(scaled), scaled)
        # The rank term Σ s (p ⊗ x̃)(p ⊗ x̃)ᵀ, as (n_batch, K·q, K·q).
        outer = (xp.sqrt(s)[:, :, None] * p)[:, :, :, None] * design[:, None, None, :]
        outer = xp.reshape(xp.permute_dims(outer, (1, 0, 2, 3)), (n_batch, n_rows, -1))
        rank = xp.reshape(
            xp.matmul(xp.matrix_transpose(outer), outer),
            (n_batch, n_classes, width, n_classes, width),
        )
        same_class = xp.eye(n_classes, dtype=z.dtype, device=self._device)[:, None, :, None]
        return same_class[None, ...] * grams[:, :, :, None, :] - rank

    def _gauge(self, hessians: Any, width: int) -> Any:
        """The curvature :meth:`Multinomial.hessian <xlogreg.objectives.Multinomial.hessian>`
        adds along the shifts common to every class, for each model."""
        xp = self.xp
        n_batch, n_classes = hessians.shape[0], self.layout.n_outputs
        diagonal = xp.reshape(xp.linalg.diagonal(hessians), (n_batch, n_classes, width))
        curvature = xp.mean(diagonal, axis=1) / n_classes
        eye = xp.eye(width, dtype=hessians.dtype, device=self._device)
        gauge = eye[None, :, :] * curvature[:, None, :]
        every = xp.ones((1, n_classes, 1, n_classes, 1), dtype=hessians.dtype, device=self._device)
        size = n_classes * width
        return xp.reshape(every * gauge[:, None, :, None, :], (n_batch, size, size))
