"""The squared error of a linear regression with one or several targets."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._tiles import sampled_rows
from xlogreg.objectives._gram import augmented_gram, weighted_squares
from xlogreg.objectives._layout import OutputLayout, block_diagonal
from xlogreg.objectives._penalty import L2

__all__ = ["SquaredError"]


class SquaredError:
    r"""Weighted mean squared error of a linear model with an L2 (ridge) penalty.

    .. math::

        f(w) = \frac{\sum_i s_i \lVert B x_i + b - y_i \rVert^2
                     + \alpha \lVert B \rVert^2}{\sum_i s_i},

    with one row of ``B`` and one entry of ``b`` per target: twice the half
    squared error plus the :class:`~xlogreg.objectives._penalty.L2` penalty
    of strength ``α``. Its minimizer is
    scikit-learn's ``Ridge(alpha)`` (``LinearRegression`` for ``alpha = 0``);
    its gradient at ``alpha = 0`` is seed 003's ``(2/n)·Xᵀ(Xw − y)``. The
    flat ``w`` holds ``(coef_k, intercept_k)`` for each target ``k`` in turn
    (see :class:`~xlogreg.objectives._layout.OutputLayout`).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Design matrix, in the compute dtype.
    y : array of shape (n_samples,) or (n_samples, n_targets)
        Targets, same dtype as ``X``.
    sample_weight : array of shape (n_samples,)
        Non-negative weights with a positive sum, same dtype as ``X``.
    alpha : float
        Penalty strength ``α >= 0``; the intercept is never penalized.
    fit_intercept : bool
        Whether each target has an intercept.
    xp : module
        Array namespace of the arrays.

    Examples
    --------
    Seed 003's first gradient step, from ``w = 0``:

    >>> import array_api_strict as xp
    >>> from xlogreg.objectives import SquaredError
    >>> X = xp.asarray([[1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> y = xp.asarray([118.0, 141.0, 162.0, 181.0, 198.0])
    >>> f = SquaredError(X, y, xp.ones(5), alpha=0.0, fit_intercept=True, xp=xp)
    >>> loss, grad = f.loss_grad(xp.zeros(2))
    >>> loss
    Array(26402.8, dtype=array_api_strict.float64)
    >>> grad  # (slope, intercept)
    Array([-1040.,  -320.], dtype=array_api_strict.float64)
    """

    def __init__(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        *,
        alpha: float,
        fit_intercept: bool,
        xp: ModuleType,
    ) -> None:
        self.xp = xp
        self.n_samples, self.n_features = X.shape
        self._Y = y if y.ndim == 2 else y[:, None]
        self.layout = OutputLayout(
            n_features=self.n_features,
            n_outputs=self._Y.shape[1],
            fit_intercept=fit_intercept,
            xp=xp,
        )
        self.n_params = self.layout.n_params
        self.fit_intercept = fit_intercept
        self._X = X
        #: ``Σ_i s_i``, over which the objective is a weighted mean (a 0-d array).
        self.weight_sum = weight_sum = xp.sum(sample_weight)
        self._s = sample_weight / weight_sum
        self.penalty = L2(alpha, xp=xp).averaged(weight_sum)

    def _residuals(self, w: Any) -> tuple[Any, Any]:
        coef, intercept = self.layout.split(w)
        return self.layout.outputs(self._X, coef, intercept) - self._Y, coef

    def loss(self, w: Any) -> Any:
        """Objective value at ``w``, a 0-d array."""
        r, coef = self._residuals(w)
        return self.xp.sum(self._s[:, None] * r * r) + 2.0 * self.penalty.value(coef)

    def loss_grad(self, w: Any) -> tuple[Any, Any]:
        """Objective value and gradient at ``w``, from one evaluation of the residuals."""
        r, coef = self._residuals(w)
        xp = self.xp
        weighted = self._s[:, None] * r
        loss = xp.sum(weighted * r) + 2.0 * self.penalty.value(coef)
        grad_coef = 2.0 * (weighted.T @ self._X + self.penalty.gradient(coef))
        return loss, self.layout.join(grad_coef, 2.0 * xp.sum(weighted, axis=0))

    def hessp(self, w: Any, v: Any) -> Any:
        """Hessian times the vector ``v`` (the Hessian does not depend on ``w``)."""
        v_coef, v_intercept = self.layout.split(v)
        weighted = self._s[:, None] * self.layout.outputs(self._X, v_coef, v_intercept)
        grad_coef = 2.0 * (weighted.T @ self._X + self.penalty.hessp(v_coef))
        return self.layout.join(grad_coef, 2.0 * self.xp.sum(weighted, axis=0))

    def hessian_diagonal(self, w: Any, *, max_rows: int | None = None) -> Any:
        """Diagonal of :meth:`hessian`, without forming it.

        With ``max_rows``, an estimate from that many evenly spaced rows
        (:func:`~xlogreg._tiles.sampled_rows`).
        """
        xp = self.xp
        X, s = sampled_rows(self._X, self._s, max_rows, xp=xp)
        coef_part = 2.0 * (weighted_squares(X, s, xp=xp) + self.penalty.hessian_diagonal())
        n_outputs = self.layout.n_outputs
        coef_part = xp.broadcast_to(coef_part[None, :], (n_outputs, self.n_features))
        intercept_part = xp.full(
            n_outputs, 2.0, dtype=coef_part.dtype, device=array_api_compat.device(coef_part)
        )
        return self.layout.join(coef_part, intercept_part)

    def hessian(self, w: Any, *, max_rows: int | None = None, features: Any = None) -> Any:
        """``2·([X, 1]ᵀ diag(s) [X, 1] + α)`` for each target, of shape (n_params, n_params).

        With ``max_rows``, an estimate from that many evenly spaced rows
        (:func:`~xlogreg._tiles.sampled_rows`); with ``features`` (a sequence
        of column indices), the Hessian of those coefficients and the
        intercepts only.
        """
        X, s = sampled_rows(self._X, self._s, max_rows, xp=self.xp)
        ridge = self.penalty.hessian_diagonal()
        gram = augmented_gram(
            X, s, fit_intercept=self.fit_intercept, l2=ridge, xp=self.xp, features=features
        )
        return block_diagonal(2.0 * gram, self.layout.n_outputs, xp=self.xp)
