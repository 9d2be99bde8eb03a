"""The L2 penalty of a linear model's coefficients, written once for every loss and solver.

A loss (the datafit) and a penalty compose, as in skglm: an objective adds the
penalty's value, gradient, Hessian-vector product and Hessian diagonal to its
own, on the coefficients only, never on the intercepts. A penalty is a small
object with those four methods; other penalties (L1, elastic net) are written
beside :class:`L2`, with the same methods where they are smooth.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg.objectives._layout import OutputLayout

__all__ = ["L2", "penalized_coordinates"]


class L2:
    r"""The ridge penalty ``(λ/2)·‖coef‖²`` of the coefficients; intercepts are never penalized.

    The objectives are weighted means ``Σ_i s_i ℓ_i / Σ_i s_i``, so they carry
    the penalty :meth:`averaged` over the weight sum: ``λ‖β‖² / (2 Σ_i s_i)``,
    which with ``λ = 1/C`` has the minimizer of scikit-learn's
    ``C·Σ_i s_i ℓ_i + ‖β‖²/2``. A Dask chunk and a mini-batch carry a share of
    it (:meth:`scaled`).

    Parameters
    ----------
    strength : float or 0-d array
        ``λ >= 0``; ``0`` means no penalty.
    xp : module
        Array namespace of the coefficients.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._penalty import L2
    >>> penalty = L2(2.0, xp=xp).averaged(4.0)  # λ / Σ s_i = 0.5
    >>> coef = xp.asarray([1.0, -2.0])
    >>> penalty.value(coef)
    Array(1.25, dtype=array_api_strict.float64)
    >>> penalty.gradient(coef)
    Array([ 0.5, -1. ], dtype=array_api_strict.float64)
    >>> penalty.hessian_diagonal()
    0.5
    """

    def __init__(self, strength: Any, *, xp: ModuleType) -> None:
        self.strength = strength
        self.xp = xp

    def averaged(self, weight_sum: Any) -> L2:
        """The penalty of an objective that is a weighted mean over ``weight_sum``:
        strength ``λ / weight_sum``."""
        return L2(self.strength / weight_sum, xp=self.xp)

    def scaled(self, factor: Any) -> L2:
        """``factor`` times the penalty: the share that a part of the rows carries."""
        return L2(self.strength * factor, xp=self.xp)

    def value(self, coef: Any) -> Any:
        """``(λ/2)·‖coef‖²``, a 0-d array.

        ``coef`` holds the coefficients in any shape, or a flat ``w`` times
        :func:`penalized_coordinates` (its zeros add nothing).
        """
        return 0.5 * self.strength * self.xp.sum(coef * coef)

    def gradient(self, coef: Any) -> Any:
        """``λ·coef``, the gradient of :meth:`value`, in the shape of ``coef``."""
        return self.strength * coef

    def hessp(self, v_coef: Any) -> Any:
        """The Hessian ``λ·I`` times the coefficients' part ``v_coef`` of a vector."""
        return self.strength * v_coef

    def hessian_diagonal(self) -> Any:
        """``λ``: every coefficient's entry of the Hessian's diagonal (the intercepts' are zero)."""
        return self.strength


def penalized_coordinates(layout: OutputLayout, *, dtype: Any, device: Any) -> Any:
    """Ones on the coefficients of a flat ``w`` in ``layout``, zeros on its intercepts.

    A solver that sees only the flat vector penalizes ``penalized_coordinates(...) * w``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._layout import OutputLayout
    >>> from xlogreg.objectives._penalty import penalized_coordinates
    >>> layout = OutputLayout(n_features=2, n_outputs=2, fit_intercept=True, xp=xp)
    >>> penalized_coordinates(layout, dtype=xp.float64, device=None)
    Array([1., 1., 0., 1., 1., 0.], dtype=array_api_strict.float64)
    """
    xp = layout.xp
    coef, intercept = layout.split(xp.ones(layout.n_params, dtype=dtype, device=device))
    return layout.join(coef, None if intercept is None else xp.zeros_like(intercept))
