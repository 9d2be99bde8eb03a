"""The log loss of a classifier's logits divided by one temperature: temperature scaling."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._math import logsumexp

__all__ = ["Temperature"]


class Temperature:
    r"""Weighted softmax log loss of logits scaled by an inverse temperature ``β = 1/T``.

    .. math::

        f(β) = \frac{\sum_i s_i\,[\operatorname{logsumexp}(β z_i) - β z_{i, y_i}]}{\sum_i s_i},

    the log loss of the probabilities ``softmax(z_i / T)``. It is convex in
    ``β`` (a log loss of logits linear in ``β``), so Newton's method finds its
    minimizer from any start; the parameter vector ``w`` holds ``β`` alone.
    Binary logits ``f`` enter as the two columns ``(0, f)``, whose softmax is
    ``(σ(−f/T), σ(f/T))``: one code path for two classes and more.

    Parameters
    ----------
    Z : array of shape (n_samples, n_classes)
        The classifier's logits, in the compute dtype.
    Y : array of shape (n_samples, n_classes)
        One-hot targets, same dtype as ``Z``.
    sample_weight : array of shape (n_samples,)
        Non-negative weights with a positive sum, same dtype as ``Z``.
    xp : module
        Array namespace of the arrays.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives import Temperature
    >>> Z = xp.asarray([[0.0, 2.0], [0.0, -1.0]])
    >>> Y = xp.asarray([[0.0, 1.0], [1.0, 0.0]])
    >>> f = Temperature(Z, Y, xp.ones(2), xp=xp)
    >>> f.loss(xp.zeros(1))  # log(2) at β = 0: uniform probabilities
    Array(0.69314718, dtype=array_api_strict.float64)
    """

    n_params = 1

    def __init__(self, Z: Any, Y: Any, sample_weight: Any, *, xp: ModuleType) -> None:
        self.xp = xp
        self.n_samples = Z.shape[0]
        self._Z = Z
        self._s = sample_weight / xp.sum(sample_weight)
        self._zy = xp.sum(Y * Z, axis=1)

    def _evaluate(self, w: Any) -> tuple[Any, Any, Any]:
        """Loss, probabilities and their mean logit per sample at ``w = (β,)``."""
        xp = self.xp
        scaled = w[0] * self._Z
        log_normalizer = logsumexp(scaled, axis=1, xp=xp)
        p = xp.exp(scaled - log_normalizer[:, None])
        mean_logit = xp.sum(p * self._Z, axis=1)
        return self._s @ (log_normalizer - w[0] * self._zy), p, mean_logit

    def loss(self, w: Any) -> Any:
        """Objective value at ``w``, a 0-d array."""
        return self._evaluate(w)[0]

    def loss_grad(self, w: Any) -> tuple[Any, Any]:
        """Objective value and gradient ``Σ s_i (E_p[z_i] − z_{i, y_i}) / Σ s_i`` at ``w``."""
        loss, _, mean_logit = self._evaluate(w)
        return loss, self.xp.reshape(self._s @ (mean_logit - self._zy), (1,))

    def hessian(self, w: Any) -> Any:
        """The 1 × 1 Hessian: the weighted mean variance of the logits under ``p``.

        Written as ``Σ_k p_k (z_k − E_p[z])²``, which cannot come out negative
        as the difference ``E_p[z²] − E_p[z]²`` can in floating point.
        """
        xp = self.xp
        _, p, mean_logit = self._evaluate(w)
        spread = self._Z - mean_logit[:, None]
        return xp.reshape(self._s @ xp.sum(p * spread * spread, axis=1), (1, 1))

    def hessian_diagonal(self, w: Any) -> Any:
        """Diagonal of :meth:`hessian`, for L-BFGS's scaling."""
        return self.xp.reshape(self.hessian(w), (1,))
