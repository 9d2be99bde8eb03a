"""Numerically stable elementwise pieces, written once against the array API.

Every function takes arrays and their namespace ``xp`` and never leaves it:
no exponential is evaluated on a positive argument, so nothing overflows at
logits of any size.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

__all__ = [
    "erfc",
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


# W. J. Cody, "Rational Chebyshev approximations for the error function",
# Math. Comp. 23 (1969) 631-637, as in his CALERF (netlib specfun): erf on
# |x| <= 0.46875, erfc on 0.46875 < |x| <= 4 and, through 1/x², beyond.
_ERF_NUMERATOR = (
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
)
_ERF_DENOMINATOR = (
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
_ERFC_MIDDLE_NUMERATOR = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
)
_ERFC_MIDDLE_DENOMINATOR = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_ERFC_TAIL_NUMERATOR = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
)
_ERFC_TAIL_DENOMINATOR = (
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_INV_SQRT_PI = 5.6418958354775628695e-1
# erfc(x) underflows to zero beyond about 27.3 in float64 and 10 in float32.
_TAIL_CAP = 32.0


def _cody_ratio(y: Any, numerator: tuple, denominator: tuple) -> Any:
    """Cody's nested evaluation of ``P(y) / Q(y)``: the last numerator coefficient
    leads, the denominator is monic, and the second-to-last numerator
    coefficient is added last."""
    top, bottom = numerator[-1] * y, y
    for a, b in zip(numerator[:-2], denominator[:-1], strict=True):
        top, bottom = (top + a) * y, (bottom + b) * y
    return (top + numerator[-2]) / (bottom + denominator[-1])


def _exp_minus_square(y: Any, *, xp: ModuleType) -> Any:
    """``exp(-y²)`` without the relative error ``2y²·eps`` of rounding ``y²`` first.

    ``y = h + r`` with ``h`` a multiple of 1/16: ``h²`` is exact, and
    ``y² - h² = (y - h)(y + h)`` is small and exact to a rounding.
    """
    head = xp.trunc(y * 16.0) / 16.0
    return xp.exp(-head * head) * xp.exp(-(y - head) * (y + head))


def erfc(x: Any, *, xp: ModuleType) -> Any:
    """Complementary error function ``1 - erf(x)``, accurate in the tails.

    The array API has no error function; this is W. J. Cody's rational
    Chebyshev approximation (netlib ``CALERF``), written with ``xp`` alone so
    that it runs on the array's device, in its dtype. Its relative error is
    within a few units of ``eps`` wherever ``erfc(x)`` is a normal number
    (``x`` up to about 26.5 in float64, 9 in float32); it underflows to zero
    beyond, is 2 for ``x → -∞`` and NaN for NaN.

    Parameters
    ----------
    x : array
        Real floating input.
    xp : module
        Its namespace.

    Returns
    -------
    array
        Same shape, dtype and device as ``x``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._math import erfc
    >>> erfc(xp.asarray([-1.0, 0.0, 1.0, 10.0, 26.0]), xp=xp)
    Array([1.84270079e+000, 1.00000000e+000,
           1.57299207e-001, 2.08848758e-045,
           5.66319241e-296], dtype=array_api_strict.float64)
    """
    y = xp.abs(x)
    # Each branch sees its own interval only (clipped), so infinities never
    # meet in a branch that is then discarded.
    near = xp.clip(y, max=0.46875)
    # erfc = 1 - erf there, with erf <= 0.49: no digit is lost.
    small = 1.0 - near * _cody_ratio(near * near, _ERF_NUMERATOR, _ERF_DENOMINATOR)
    mid = xp.clip(y, min=0.46875, max=4.0)
    middle = _exp_minus_square(mid, xp=xp) * _cody_ratio(
        mid, _ERFC_MIDDLE_NUMERATOR, _ERFC_MIDDLE_DENOMINATOR
    )
    far = xp.clip(y, min=4.0, max=_TAIL_CAP)
    inv_square = 1.0 / (far * far)
    correction = inv_square * _cody_ratio(inv_square, _ERFC_TAIL_NUMERATOR, _ERFC_TAIL_DENOMINATOR)
    tail = _exp_minus_square(far, xp=xp) * ((_INV_SQRT_PI - correction) / far)
    positive = xp.where(y <= 0.46875, small, xp.where(y <= 4.0, middle, tail))
    return xp.where(x < 0, 2.0 - positive, positive)
