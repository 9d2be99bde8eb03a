"""The multinomial (softmax cross-entropy) loss of a linear classifier with 3+ classes."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import tile_rows
from xlogreg._math import log_softmax, logsumexp
from xlogreg._tiles import accumulate, bounded_tiles, row_tiles, sampled_rows
from xlogreg.objectives._gram import augmented_gram, columns, weighted_squares
from xlogreg.objectives._layout import OutputLayout
from xlogreg.objectives._penalty import L2

__all__ = ["Multinomial"]

_TILES = 16


class Multinomial:
    r"""Weighted softmax cross-entropy of a linear model with an L2 penalty.

    .. math::

        f(w) = \frac{\sum_i s_i\,[\operatorname{logsumexp}(z_i) - z_{i, y_i}]}{\sum_i s_i}
             + \frac{\lambda\,\lVert W \rVert^2}{2 \sum_i s_i},
        \qquad z_i = W x_i + b,

    with one row of ``W`` and one entry of ``b`` per class, laid out in the
    flat ``w`` as ``(coef_k, intercept_k)`` for each class ``k`` in turn. With
    ``l2 = 1 / C`` this is scikit-learn's multinomial ``LogisticRegression(C=C)``.

    Adding the same vector to every class's row leaves the softmax unchanged,
    so the loss alone does not determine ``w``: the penalty centres the
    coefficients, and the gradient never leaves the centred subspace, so
    solvers started there (at zero) end with intercepts summing to zero, as
    scikit-learn's do. :meth:`hessian` adds curvature along exactly those
    directions of no change, where the gradient is zero, so Newton's system
    is regular and its step the same as with the pseudo-inverse.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Design matrix, in the compute dtype.
    Y : array of shape (n_samples, n_classes)
        One-hot targets, same dtype as ``X``.
    sample_weight : array of shape (n_samples,)
        Non-negative weights with a positive sum, same dtype as ``X``.
    l2 : float
        Strength ``λ >= 0`` of the :class:`~xlogreg.objectives._penalty.L2`
        penalty; intercepts are never penalized.
    fit_intercept : bool
        Whether each class has an intercept.
    xp : module
        Array namespace of the arrays.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives import Multinomial
    >>> X = xp.asarray([[0.0], [1.0], [2.0]])
    >>> Y = xp.eye(3)  # one sample of each class
    >>> f = Multinomial(X, Y, xp.ones(3), l2=1.0, fit_intercept=True, xp=xp)
    >>> f.loss(xp.zeros(6))  # log(3) at w = 0
    Array(1.09861229, dtype=array_api_strict.float64)
    """

    def __init__(
        self,
        X: Any,
        Y: Any,
        sample_weight: Any,
        *,
        l2: float,
        fit_intercept: bool,
        xp: ModuleType,
    ) -> None:
        self.xp = xp
        self.n_samples, self.n_features = X.shape
        self.layout = OutputLayout(
            n_features=self.n_features, n_outputs=Y.shape[1], fit_intercept=fit_intercept, xp=xp
        )
        self.n_params = self.layout.n_params
        self.fit_intercept = fit_intercept
        self._X = X
        #: ``Σ_i s_i``, over which the objective is a weighted mean (a 0-d array).
        self.weight_sum = weight_sum = xp.sum(sample_weight)
        self._s = sample_weight / weight_sum
        self._sY = self._s[:, None] * Y
        self.penalty = L2(l2, xp=xp).averaged(weight_sum)
        self._cache_rows = tile_rows(xp, array_api_compat.device(X), self.n_features)
        self._tiles = row_tiles(self.n_samples, self._cache_rows)

    def _tile_logits(self, w: Any) -> Iterator[tuple[Any, Any, Any, Any, Any]]:
        """Per row tile: its rows of ``X``, logits, log-normalizers, weights and ``s·Y``."""
        coef, intercept = self.layout.split(w)
        for rows in self._tiles:
            X = self._X[rows, :]
            z = self.layout.outputs(X, coef, intercept)
            yield X, z, logsumexp(z, axis=1, xp=self.xp), self._s[rows], self._sY[rows, :]

    def loss(self, w: Any) -> Any:
        """Objective value at ``w``, a 0-d array, over the row tiles of :meth:`loss_grad`."""
        loss = None
        for _, z, log_normalizer, s, sY in self._tile_logits(w):
            loss = accumulate(loss, s @ log_normalizer - self.xp.sum(sY * z))
        return loss + self.penalty.value(self.layout.split(w)[0])

    def _gradient(self, weighted: Any, penalty_part: Any) -> Any:
        grad_coef = weighted.T @ self._X + penalty_part
        return self.layout.join(grad_coef, self.xp.sum(weighted, axis=0))

    def loss_grad(self, w: Any) -> tuple[Any, Any]:
        """Objective value and gradient at ``w``, from one evaluation of the logits.

        On the host the rows are taken in cache-sized tiles, each used for its
        logits and, still in cache, for its share of ``Xᵀ R``: one read of
        ``X`` per evaluation, and temporaries of one tile's logits rather than
        of all (n × K numbers each).
        """
        xp = self.xp
        coef, _ = self.layout.split(w)
        loss = grad_coef = grad_intercept = None
        for X, z, log_normalizer, s, sY in self._tile_logits(w):
            loss = accumulate(loss, s @ log_normalizer - xp.sum(sY * z))
            weighted = s[:, None] * xp.exp(z - log_normalizer[:, None]) - sY
            grad_coef = accumulate(grad_coef, weighted.T @ X)
            grad_intercept = accumulate(grad_intercept, xp.sum(weighted, axis=0))
        loss = loss + self.penalty.value(coef)
        grad_coef = grad_coef + self.penalty.gradient(coef)
        return loss, self.layout.join(grad_coef, grad_intercept)

    def hessp(self, w: Any, v: Any) -> Any:
        """Hessian at ``w`` times the vector ``v``, without forming the Hessian."""
        xp = self.xp
        _, _, p = self._sampled_probabilities(w, None)
        v_coef, v_intercept = self.layout.split(v)
        pz = p * self.layout.outputs(self._X, v_coef, v_intercept)
        weighted = self._s[:, None] * (pz - p * xp.sum(pz, axis=1, keepdims=True))
        return self._gradient(weighted, self.penalty.hessp(v_coef))

    def _sampled_probabilities(self, w: Any, max_rows: int | None) -> tuple[Any, Any, Any]:
        """At most ``max_rows`` evenly spaced rows, their weights and their class probabilities."""
        xp = self.xp
        X, s = sampled_rows(self._X, self._s, max_rows, xp=xp)
        coef, intercept = self.layout.split(w)
        # Tile by tile: a product with evenly spaced rows (a strided view) copies
        # them first, and this copy stays one tile's.
        tiles = bounded_tiles(X.shape[0], self._cache_rows, self.n_features)
        logits = xp.concat([self.layout.outputs(X[rows, :], coef, intercept) for rows in tiles])
        return X, s, xp.exp(log_softmax(logits, axis=1, xp=xp))

    def hessian_diagonal(self, w: Any, *, max_rows: int | None = None) -> Any:
        """Diagonal of the loss's Hessian at ``w``, without forming the Hessian.

        With ``max_rows``, an estimate from that many evenly spaced rows
        (:func:`~xlogreg._tiles.sampled_rows`).
        """
        xp = self.xp
        X, s, p = self._sampled_probabilities(w, max_rows)
        d = s[:, None] * p * (1.0 - p)
        coef_part = weighted_squares(X, d, xp=xp) + self.penalty.hessian_diagonal()
        return self.layout.join(coef_part, xp.sum(d, axis=0))

    def hessian(self, w: Any, *, max_rows: int | None = None, features: Any = None) -> Any:
        """Hessian at ``w``, made regular along the directions that leave the softmax unchanged.

        ``Σ_i s_i (diag(p_i) − p_i p_iᵀ) ⊗ x̃_i x̃_iᵀ`` plus the penalty, with
        ``x̃_i = (x_i, 1)``; the rank term is summed over row tiles that hold
        at most 1/16 as many numbers as ``X``. Along each direction ``(1, …, 1) ⊗ e_j``
        it then adds the mean curvature of coordinate ``j`` over the classes.
        With ``max_rows``, an estimate from that many evenly spaced rows
        (:func:`~xlogreg._tiles.sampled_rows`), for subsampled
        Newton steps. With ``features`` (a sequence of column indices), the
        Hessian of those coefficients and the intercepts only, in the layout
        of that many features: a proximal solver's working set. It is then
        the loss's exact, singular Hessian, without the added curvature along
        the shifts: an L1 penalty is not unchanged by them, and its
        coordinate descent needs no regular matrix (with the added curvature,
        proximal Newton's model is wrong along them, and it converges
        linearly: 25-120 iterations on iris and wine, against 5-9).
        """
        xp = self.xp
        X, s, p = self._sampled_probabilities(w, max_rows)
        n_classes = self.layout.n_outputs
        width = self.layout.width if features is None else len(features) + self.fit_intercept
        ridge = self.penalty.hessian_diagonal()
        grams = xp.stack(
            [
                augmented_gram(
                    X,
                    s * p[:, k],
                    fit_intercept=self.fit_intercept,
                    l2=ridge,
                    xp=xp,
                    features=features,
                )
                for k in range(n_classes)
            ]
        )
        device = array_api_compat.device(p)
        same_class = xp.eye(n_classes, dtype=p.dtype, device=device)[:, None, :, None]
        size = n_classes * width
        rank = self._rank_term(X, s, p, features, width)
        h = xp.reshape(same_class * grams[:, :, None, :] - rank, (size, size))
        if features is not None:
            return h
        curvature = xp.mean(xp.reshape(xp.linalg.diagonal(h), (n_classes, width)), axis=0)
        gauge = xp.eye(width, dtype=p.dtype, device=device) * curvature[None, :] / n_classes
        every_class = xp.ones((n_classes, 1, n_classes, 1), dtype=p.dtype, device=device)
        return h + xp.reshape(every_class * gauge[None, :, None, :], (size, size))

    def _rank_term(self, X: Any, s: Any, p: Any, features: Any, width: int) -> Any:
        """``Σ_i s_i (p_i ⊗ x̃_i)(p_i ⊗ x̃_i)ᵀ`` over the rows ``X`` (their columns
        ``features``), as an array of shape (K, width, K, width), summed over row tiles
        whose ``p_i ⊗ x̃_i`` hold at most 1/16 as many numbers as ``X``."""
        xp = self.xp
        n_classes = self.layout.n_outputs
        n_samples = X.shape[0]
        root_p = xp.sqrt(s)[:, None] * p
        # Tiles of at most 1/16 of X's numbers: the fit's extra memory stays within X/2.
        rows = max(1, (n_samples * self.n_features) // (_TILES * n_classes * width))
        total = None
        device = array_api_compat.device(p)
        for tile in row_tiles(n_samples, rows):
            X_tile = columns(X[tile, :], features, xp=xp)
            if self.fit_intercept:
                ones = xp.ones((X_tile.shape[0], 1), dtype=X.dtype, device=device)
                X_tile = xp.concat([X_tile, ones], axis=1)
            g = xp.reshape(root_p[tile, :, None] * X_tile[:, None, :], (X_tile.shape[0], -1))
            total = accumulate(total, g.T @ g)
        return xp.reshape(total, (n_classes, width, n_classes, width))
