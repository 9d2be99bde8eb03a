"""The flat parameter vector of a linear model with one or several outputs."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

__all__ = ["OutputLayout", "block_diagonal"]


class OutputLayout:
    """The one reading of a flat ``w`` as ``(coef_k, intercept_k)`` per output ``k``.

    Solvers see a flat vector; objectives and estimators read it as one row
    per output (class of a softmax, target of a regression), a matrix of
    shape ``(n_outputs, n_features + fit_intercept)``, as scikit-learn's
    ``LinearModelLoss.weight_intercept`` does. With ``n_outputs=None`` there
    is one output and no output axis: ``coef`` of shape (n_features,) and a
    0-d intercept, the layout of :class:`~xlogreg.objectives.Binomial`.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._layout import OutputLayout
    >>> layout = OutputLayout(n_features=2, n_outputs=2, fit_intercept=True, xp=xp)
    >>> coef, intercept = layout.split(xp.asarray([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    >>> coef
    Array([[1., 2.],
           [4., 5.]], dtype=array_api_strict.float64)
    >>> intercept
    Array([3., 6.], dtype=array_api_strict.float64)
    >>> layout.join(coef, intercept)
    Array([1., 2., 3., 4., 5., 6.], dtype=array_api_strict.float64)

    One output without an output axis, and the zero intercepts an estimator
    stores without ``fit_intercept``:

    >>> OutputLayout(n_features=2, n_outputs=None, fit_intercept=True, xp=xp).split(
    ...     xp.asarray([1.0, 2.0, 3.0]))
    (Array([1., 2.], dtype=array_api_strict.float64), Array(3., dtype=array_api_strict.float64))
    >>> layout = OutputLayout(n_features=2, n_outputs=1, fit_intercept=False, xp=xp)
    >>> layout.coef_and_intercept(xp.asarray([1.0, 2.0]))
    (Array([[1., 2.]], dtype=array_api_strict.float64), Array([0.], dtype=array_api_strict.float64))
    """

    def __init__(
        self, *, n_features: int, n_outputs: int | None, fit_intercept: bool, xp: ModuleType
    ):
        self.xp = xp
        self.output_axis = n_outputs is not None
        self.n_features, self.fit_intercept = n_features, fit_intercept
        self.n_outputs = 1 if n_outputs is None else n_outputs
        self.width = n_features + int(fit_intercept)
        self.n_params = self.n_outputs * self.width

    def split(self, w: Any) -> tuple[Any, Any]:
        """``coef`` of shape (n_outputs, n_features) and ``intercept`` (n_outputs,) or None
        (shapes (n_features,) and () without an output axis)."""
        if not self.output_axis:
            coef = w[: self.n_features]
            return coef, (w[self.n_features] if self.fit_intercept else None)
        rows = self.xp.reshape(w, (self.n_outputs, self.width))
        coef = rows[:, : self.n_features]
        return coef, (rows[:, self.n_features] if self.fit_intercept else None)

    def join(self, coef_part: Any, intercept_part: Any) -> Any:
        """The flat vector of a coefficient part and an intercept part, read back by ``split``
        (``intercept_part`` is ignored without ``fit_intercept``)."""
        xp = self.xp
        if not self.output_axis:
            if not self.fit_intercept:
                return coef_part
            return xp.concat([coef_part, xp.reshape(intercept_part, (1,))])
        if self.fit_intercept:
            coef_part = xp.concat([coef_part, intercept_part[:, None]], axis=1)
        return xp.reshape(coef_part, (self.n_params,))

    def positions(self, features: Any) -> tuple[int, ...]:
        """Flat positions of the coefficients of ``features`` (a sequence of column indices)
        and of the intercepts, output by output: the order of an objective's
        ``hessian(w, features=features)``.

        Examples
        --------
        >>> import array_api_strict as xp
        >>> from xlogreg.objectives._layout import OutputLayout
        >>> OutputLayout(n_features=3, n_outputs=2, fit_intercept=True, xp=xp).positions([1])
        (1, 3, 5, 7)
        """
        own = [*features, self.n_features] if self.fit_intercept else list(features)
        return tuple(k * self.width + j for k in range(self.n_outputs) for j in own)

    def coef_and_intercept(self, w: Any) -> tuple[Any, Any]:
        """``split``, with zero intercepts without ``fit_intercept``: what an estimator stores
        as ``coef_`` and ``intercept_``."""
        coef, intercept = self.split(w)
        if intercept is None:
            shape = (self.n_outputs,) if self.output_axis else ()
            intercept = self.xp.zeros(shape, dtype=w.dtype, device=array_api_compat.device(w))
        return coef, intercept

    def outputs(self, X: Any, coef: Any, intercept: Any) -> Any:
        """``X @ coef.T + intercept``, of shape (n_samples, n_outputs)."""
        z = X @ coef.T
        return z if intercept is None else z + intercept


def block_diagonal(block: Any, n_blocks: int, *, xp: ModuleType) -> Any:
    """``n_blocks`` copies of a square ``block`` along the diagonal (``kron(I, block)``).

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._layout import block_diagonal
    >>> block_diagonal(xp.asarray([[2.0]]), 2, xp=xp)
    Array([[2., 0.],
           [0., 2.]], dtype=array_api_strict.float64)
    """
    size = block.shape[0]
    eye = xp.eye(n_blocks, dtype=block.dtype, device=array_api_compat.device(block))
    tiled = eye[:, None, :, None] * block[None, :, None, :]
    return xp.reshape(tiled, (n_blocks * size, n_blocks * size))
