"""The binomial log loss of a binary linear classifier.

Its parameter vector ``w`` holds the coefficients followed, when
``fit_intercept`` is set, by one unpenalized intercept.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import tile_rows
from xlogreg._math import sigmoid, softplus, softplus_and_sigmoid
from xlogreg._tiles import accumulate, bounded_tiles, row_tiles, sampled_rows
from xlogreg.objectives._gram import augmented_gram
from xlogreg.objectives._layout import OutputLayout
from xlogreg.objectives._penalty import L2

__all__ = ["Binomial"]


class Binomial:
    r"""Weighted binomial log loss of a linear model with an L2 penalty.

    .. math::

        f(w) = \frac{\sum_i s_i\,[\operatorname{softplus}(z_i) - y_i z_i]}{\sum_i s_i}
             + \frac{\lambda\,\lVert \beta \rVert^2}{2 \sum_i s_i},
        \qquad z = X\beta + b,

    where ``w = (β, b)``. With ``l2 = 1 / C`` this has the minimizer of
    scikit-learn's ``LogisticRegression(C=C)``; ``l2 = 0`` means no penalty.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Design matrix, in the compute dtype.
    y : array of shape (n_samples,)
        Targets in {0, 1}, same dtype as ``X``.
    sample_weight : array of shape (n_samples,)
        Non-negative weights with a positive sum, same dtype as ``X``.
    l2 : float
        Strength ``λ >= 0`` of the :class:`~xlogreg.objectives._penalty.L2`
        penalty; the intercept is never penalized.
    fit_intercept : bool
        Whether ``w`` ends with an intercept.
    xp : module
        Array namespace of the arrays.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives import Binomial
    >>> X = xp.asarray([[1.0], [2.0], [3.0]])
    >>> y = xp.asarray([0.0, 1.0, 1.0])
    >>> f = Binomial(X, y, xp.ones(3), l2=0.0, fit_intercept=True, xp=xp)
    >>> f.loss(xp.zeros(2))  # log(2) at w = 0
    Array(0.69314718, dtype=array_api_strict.float64)
    """

    def __init__(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        *,
        l2: float,
        fit_intercept: bool,
        xp: ModuleType,
    ) -> None:
        self.xp = xp
        self.n_samples, self.n_features = X.shape
        self.layout = OutputLayout(
            n_features=self.n_features, n_outputs=None, fit_intercept=fit_intercept, xp=xp
        )
        self.n_params = self.layout.n_params
        self.fit_intercept = fit_intercept
        self._X = X
        #: ``Σ_i s_i``, over which the objective is a weighted mean (a 0-d array).
        self.weight_sum = weight_sum = xp.sum(sample_weight)
        self._s = sample_weight / weight_sum
        self._sy = self._s * y
        self.penalty = L2(l2, xp=xp).averaged(weight_sum)
        self._cache_rows = tile_rows(xp, array_api_compat.device(X), self.n_features)
        self._tiles = row_tiles(self.n_samples, self._cache_rows)

    def _logits(self, coef: Any, intercept: Any) -> Any:
        z = self._X @ coef
        return z if intercept is None else z + intercept

    def loss(self, w: Any) -> Any:
        """Objective value at ``w``, a 0-d array."""
        coef, intercept = self.layout.split(w)
        z = self._logits(coef, intercept)
        return self._s @ softplus(z, xp=self.xp) - self._sy @ z + self.penalty.value(coef)

    def loss_grad(self, w: Any) -> tuple[Any, Any]:
        """Objective value and gradient at ``w``, from one evaluation of the logits.

        On the host the rows are taken in cache-sized tiles, each used for
        its logits and, still in cache, for its share of ``Xᵀ r``: one read
        of ``X`` from memory per evaluation.
        """
        coef, intercept = self.layout.split(w)
        loss = grad_coef = grad_intercept = None
        for rows in self._tiles:
            X = self._X[rows, :]
            z = X @ coef
            if intercept is not None:
                z = z + intercept
            softplus_z, p = softplus_and_sigmoid(z, xp=self.xp)
            s, sy = self._s[rows], self._sy[rows]
            residual = s * p - sy
            loss = accumulate(loss, s @ softplus_z - sy @ z)
            grad_coef = accumulate(grad_coef, residual @ X)
            grad_intercept = accumulate(grad_intercept, self.xp.sum(residual))
        loss = loss + self.penalty.value(coef)
        grad_coef = grad_coef + self.penalty.gradient(coef)
        return loss, self.layout.join(grad_coef, grad_intercept)

    def _curvature(self, w: Any, X: Any, s: Any) -> Any:
        """``s·p(1−p)`` at ``w`` for the rows ``X`` with weights ``s``."""
        coef, intercept = self.layout.split(w)
        z = X @ coef
        p = sigmoid(z if intercept is None else z + intercept, xp=self.xp)
        return s * p * (1.0 - p)

    def hessp(self, w: Any, v: Any) -> Any:
        """Hessian at ``w`` times the vector ``v``, without forming the Hessian."""
        d = self._curvature(w, self._X, self._s)
        v_coef, v_intercept = self.layout.split(v)
        dzv = d * self._logits(v_coef, v_intercept)
        return self.layout.join(dzv @ self._X + self.penalty.hessp(v_coef), self.xp.sum(dzv))

    def hessian_diagonal(self, w: Any, *, max_rows: int | None = None) -> Any:
        """Diagonal of :meth:`hessian` at ``w``, without forming the Hessian.

        L-BFGS scales its steps by its inverse: features of very different
        scales otherwise leave it a curvature model that float32 cannot build.
        One pass over ``X`` in row tiles: each tile's logits, then its
        weighted squares, with a temporary no larger than the tile. With
        ``max_rows``, an estimate from that many evenly spaced rows
        (:func:`~xlogreg._tiles.sampled_rows`).
        """
        coef, intercept = self.layout.split(w)
        X, s = sampled_rows(self._X, self._s, max_rows, xp=self.xp)
        coef_part = intercept_part = None
        for rows in bounded_tiles(X.shape[0], self._cache_rows, self.n_features):
            X_tile = X[rows, :]
            z = X_tile @ coef
            if intercept is not None:
                z = z + intercept
            p = sigmoid(z, xp=self.xp)
            d = s[rows] * p * (1.0 - p)
            coef_part = accumulate(coef_part, d @ (X_tile * X_tile))
            intercept_part = accumulate(intercept_part, self.xp.sum(d))
        return self.layout.join(coef_part + self.penalty.hessian_diagonal(), intercept_part)

    def hessian(self, w: Any, *, max_rows: int | None = None, features: Any = None) -> Any:
        """Hessian ``Xᵀ diag(s·p(1−p)) X`` plus the penalty, of shape (n_params, n_params).

        With ``max_rows``, an estimate from that many evenly spaced rows
        (:func:`~xlogreg._tiles.sampled_rows`), for subsampled
        Newton steps. With ``features`` (a sequence of column indices), the
        Hessian of those coefficients and the intercept only: a proximal
        solver's working set.
        """
        X, s = sampled_rows(self._X, self._s, max_rows, xp=self.xp)
        return augmented_gram(
            X,
            self._curvature(w, X, s),
            fit_intercept=self.fit_intercept,
            l2=self.penalty.hessian_diagonal(),
            xp=self.xp,
            features=features,
        )
