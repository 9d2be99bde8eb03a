"""The flat parameter vector of a linear model with one or several outputs."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

__all__ = ["OutputLayout", "block_diagonal"]


class OutputLayout:
    """View a flat ``w`` as one row ``(coef_k, intercept_k)`` per output ``k``.

    Solvers see a flat vector; objectives with several outputs (classes of a
    softmax, targets of a regression) read it as a matrix of shape
    ``(n_outputs, n_features + fit_intercept)``. With one output the layout is
    ``(coef, intercept)``, as for :class:`~xlogreg.objectives.Binomial`.

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
    """

    def __init__(self, *, n_features: int, n_outputs: int, fit_intercept: bool, xp: ModuleType):
        self.xp = xp
        self.n_features, self.n_outputs, self.fit_intercept = n_features, n_outputs, fit_intercept
        self.width = n_features + int(fit_intercept)
        self.n_params = n_outputs * self.width

    def split(self, w: Any) -> tuple[Any, Any]:
        """``coef`` of shape (n_outputs, n_features) and ``intercept`` (n_outputs,) or None."""
        rows = self.xp.reshape(w, (self.n_outputs, self.width))
        coef = rows[:, : self.n_features]
        return coef, (rows[:, self.n_features] if self.fit_intercept else None)

    def join(self, coef_part: Any, intercept_part: Any) -> Any:
        """The flat vector of a coefficient part and an intercept part, read back by ``split``."""
        xp = self.xp
        if self.fit_intercept:
            coef_part = xp.concat([coef_part, intercept_part[:, None]], axis=1)
        return xp.reshape(coef_part, (self.n_params,))

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
