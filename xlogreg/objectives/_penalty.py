"""The penalties of a linear model's coefficients, written once for every loss and solver.

A loss (the datafit) and a penalty compose, as in skglm. The smooth
:class:`L2` is part of the objective: it adds its value, gradient,
Hessian-vector product and Hessian diagonal to the loss's own, on the
coefficients only, never on the intercepts. The non-smooth :class:`L1` is
handed to the proximal solvers beside the objective: its value, its proximal
operator and its optimality measure (the distance of the subdifferential to
zero). The elastic net is the two together, :func:`elastic_net_strengths`
splitting one strength between them.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg.objectives._layout import OutputLayout

__all__ = [
    "L1",
    "L2",
    "elastic_net_strengths",
    "min_norm_subgradient",
    "penalized_coordinates",
    "soft_threshold",
]


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


def elastic_net_strengths(strength: Any, l1_ratio: float) -> tuple[Any, Any]:
    """``(l2, l1)``: the parts ``(1 − l1_ratio)·strength`` and ``l1_ratio·strength`` of an
    elastic net ``strength·(l1_ratio·‖β‖₁ + (1 − l1_ratio)/2·‖β‖²)``.

    Examples
    --------
    >>> from xlogreg.objectives._penalty import elastic_net_strengths
    >>> elastic_net_strengths(2.0, 0.25)
    (1.5, 0.5)
    """
    return (1.0 - l1_ratio) * strength, l1_ratio * strength


class L1:
    r"""The lasso penalty ``λ·‖coef‖₁`` of the coefficients in a flat parameter vector.

    The intercepts are never penalized. As :class:`L2`, an objective that is
    a weighted mean carries it :meth:`averaged` over the weight sum:
    ``λ‖β‖₁ / Σ_i s_i``, which with ``λ = l1_ratio / C`` has the minimizer
    of scikit-learn's ``C·Σ_i s_i ℓ_i + l1_ratio·‖β‖₁ + …``.

    Parameters
    ----------
    strength : float or 0-d array
        ``λ >= 0``.
    layout : OutputLayout
        How the flat vector holds coefficients and intercepts.
    dtype, device
        Of the parameter vectors.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._layout import OutputLayout
    >>> from xlogreg.objectives._penalty import L1
    >>> layout = OutputLayout(n_features=2, n_outputs=None, fit_intercept=True, xp=xp)
    >>> penalty = L1(1.0, layout=layout, dtype=xp.float64, device=None)
    >>> w = xp.asarray([0.5, 0.0, 3.0])  # two coefficients, then the intercept
    >>> penalty.value(w)
    Array(0.5, dtype=array_api_strict.float64)
    >>> penalty.prox(w, 0.25)  # soft-thresholds the coefficients only
    Array([0.25, 0.  , 3.  ], dtype=array_api_strict.float64)
    >>> penalty.subgradient(w, xp.asarray([-2.0, 0.5, 0.1]))  # zero is optimal for coef 2
    Array([-1. ,  0. ,  0.1], dtype=array_api_strict.float64)
    """

    def __init__(self, strength: Any, *, layout: OutputLayout, dtype: Any, device: Any) -> None:
        self.strength = strength
        self.layout = layout
        self.xp = layout.xp
        self.dtype, self.device = dtype, device
        self.mask = penalized_coordinates(layout, dtype=dtype, device=device)
        #: Each coordinate's threshold ``λ`` (zero on the intercepts).
        self.thresholds = strength * self.mask

    def averaged(self, weight_sum: Any) -> L1:
        """The penalty of an objective that is a weighted mean over ``weight_sum``:
        strength ``λ / weight_sum``."""
        return L1(
            self.strength / weight_sum, layout=self.layout, dtype=self.dtype, device=self.device
        )

    def value(self, w: Any) -> Any:
        """``λ·‖coef‖₁``, a 0-d array."""
        return self.xp.sum(self.thresholds * self.xp.abs(w))

    def prox(self, w: Any, step: Any) -> Any:
        """``argmin_u ‖u − w‖²/(2·step) + λ‖u‖₁``: the coefficients soft-thresholded
        by ``step·λ``, the intercepts unchanged; exact zeros where ``|w| <= step·λ``."""
        return soft_threshold(w, step * self.thresholds, xp=self.xp)

    def subgradient(self, w: Any, grad: Any) -> Any:
        """The minimum-norm element of ``grad + ∂(λ‖coef‖₁)`` at ``w``.

        Its max-norm is the optimality measure of the proximal solvers: zero
        exactly at a minimizer of ``f + λ‖coef‖₁`` (``grad`` being ``f``'s
        gradient), and the gradient's max-norm when ``λ = 0``. On a zero
        coefficient the subdifferential is ``[g − λ, g + λ]``, whose closest
        point to zero is ``sign(g)·max(|g| − λ, 0)``; elsewhere it is the one
        value ``g + λ·sign(w)``.
        """
        return min_norm_subgradient(w, grad, self.thresholds, xp=self.xp)


def min_norm_subgradient(w: Any, grad: Any, thresholds: Any, *, xp: ModuleType) -> Any:
    """The minimum-norm element of ``grad + ∂(Σ_j λ_j |w_j|)``, elementwise
    (see :meth:`L1.subgradient`).

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._penalty import min_norm_subgradient
    >>> min_norm_subgradient(xp.asarray([0.0, 0.0, 2.0]), xp.asarray([0.5, -3.0, 0.5]), 1.0, xp=xp)
    Array([ 0. , -2. ,  1.5], dtype=array_api_strict.float64)
    """
    on_zero = soft_threshold(grad, thresholds, xp=xp)
    return xp.where(w == 0.0, on_zero, grad + thresholds * xp.sign(w))


def soft_threshold(w: Any, threshold: Any, *, xp: Any) -> Any:
    """``sign(w)·max(|w| − threshold, 0)``, elementwise.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._penalty import soft_threshold
    >>> soft_threshold(xp.asarray([-2.0, 0.5, 3.0]), 1.0, xp=xp)
    Array([-1.,  0.,  2.], dtype=array_api_strict.float64)
    """
    # w − clip(w, −t, t): four elementwise operations (the coordinate descent
    # runs this on 0-d arrays, where each operation's overhead dominates), and
    # exactly +0.0, never −0.0, where |w| <= t.
    if not hasattr(threshold, "dtype"):
        threshold = xp.asarray(threshold, dtype=w.dtype, device=w.device)
    return w - xp.minimum(xp.maximum(w, -threshold), threshold)
