"""Numerically stable elementwise pieces, written once against the array API.

Every function takes arrays and their namespace ``xp`` and never leaves it:
no exponential is evaluated on a positive argument, so nothing overflows at
logits of any size.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

__all__ = [
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "softplus",
    "softplus_and_sigmoid",
]


def softplus_and_sigmoid(z: Any, *, xp: ModuleType) -> tuple[Any, Any]:
    """Return ``log(1 + exp(z))`` and ``1 / (1 + exp(-z))`` from one exponential.

    Both use ``e = exp(-|z|)``, which lies in ``(0, 1]``:
    ``softplus(z) = max(z, 0) + log1p(e)`` and ``sigmoid(z) = 1 / (1 + e)`` for
    ``z >= 0``, ``e / (1 + e)`` otherwise.
    """
    e = xp.exp(-xp.abs(z))
    return xp.maximum(z, 0.0) + xp.log1p(e), _sigmoid_given_exp(z, e, xp=xp)


def _sigmoid_given_exp(z: Any, e: Any, *, xp: ModuleType) -> Any:
    inv = 1.0 / (1.0 + e)
    return xp.where(z >= 0, inv, e * inv)


def softplus(z: Any, *, xp: ModuleType) -> Any:
    """Stable ``log(1 + exp(z))``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._math import softplus
    >>> softplus(xp.asarray([-1e4, 0.0, 1e4]), xp=xp)
    Array([0.00000000e+00, 6.93147181e-01,
           1.00000000e+04], dtype=array_api_strict.float64)
    """
    return xp.maximum(z, 0.0) + xp.log1p(xp.exp(-xp.abs(z)))


def sigmoid(z: Any, *, xp: ModuleType) -> Any:
    """Stable logistic function ``1 / (1 + exp(-z))``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._math import sigmoid
    >>> sigmoid(xp.asarray([-1e4, 0.0, 1e4]), xp=xp)
    Array([0. , 0.5, 1. ], dtype=array_api_strict.float64)
    """
    return _sigmoid_given_exp(z, xp.exp(-xp.abs(z)), xp=xp)


def log_sigmoid(z: Any, *, xp: ModuleType) -> Any:
    """Stable ``log(sigmoid(z)) = -softplus(-z)``, finite for every finite ``z``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._math import log_sigmoid
    >>> log_sigmoid(xp.asarray([-1e4, 0.0]), xp=xp)
    Array([-1.00000000e+04, -6.93147181e-01], dtype=array_api_strict.float64)
    """
    return -softplus(-z, xp=xp)


def logsumexp(z: Any, *, axis: int, xp: ModuleType) -> Any:
    """Stable ``log(sum(exp(z), axis))``: the maximum is taken out before exponentiating.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._math import logsumexp
    >>> logsumexp(xp.asarray([[1000.0, 1000.0], [0.0, -1e4]]), axis=1, xp=xp)
    Array([1000.69314718,    0.        ], dtype=array_api_strict.float64)
    """
    top = xp.max(z, axis=axis, keepdims=True)
    total = xp.sum(xp.exp(z - top), axis=axis, keepdims=True)
    return xp.squeeze(top + xp.log(total), axis=axis)


def log_softmax(z: Any, *, axis: int, xp: ModuleType) -> Any:
    """Stable ``log(softmax(z))`` along ``axis``: ``z - logsumexp(z)``, finite for finite ``z``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._math import log_softmax
    >>> log_softmax(xp.asarray([[0.0, 1e4]]), axis=1, xp=xp)
    Array([[-10000.,      0.]], dtype=array_api_strict.float64)
    """
    return z - xp.expand_dims(logsumexp(z, axis=axis, xp=xp), axis=axis)
