"""Tail probabilities of the normal and Student t distributions, on the arrays' device.

The array API has no special functions: the normal tail comes from
:func:`~xlogreg._math.erfc`, the t tail from the regularized incomplete beta
function, evaluated by its continued fraction with ``xp`` alone. Quantiles are
host scalars (a confidence level is a hyper-parameter, not data).
"""

from __future__ import annotations

import math
import statistics
from types import ModuleType
from typing import Any

from xlogreg._backend import host_floats, resolve
from xlogreg._math import erfc

__all__ = [
    "normal_quantile",
    "normal_two_sided",
    "student_t_quantile",
    "student_t_two_sided",
]

_SQRT_HALF = math.sqrt(0.5)

# Terms of the continued fraction for I_x(a, 1/2): it converges to float64
# round-off in at most 45 (for a from 0.005 to 5e3 and every x; the slowest
# near the mean of Beta(a, 1/2), where the branches meet).
_CONTINUED_FRACTION_TERMS = 64


def normal_two_sided(z: Any, *, xp: ModuleType) -> Any:
    """Two-sided tail probability ``P(|Z| >= |z|) = erfc(|z|/√2)`` of a standard normal.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.inference._distributions import normal_two_sided
    >>> normal_two_sided(xp.asarray([0.0, 1.959963984540054, -10.0]), xp=xp)
    Array([1.00000000e+00, 5.00000000e-02, 1.52397060e-23], dtype=array_api_strict.float64)
    """
    return erfc(xp.abs(z) * _SQRT_HALF, xp=xp)


def normal_quantile(probability: float) -> float:
    """The standard normal's ``probability`` quantile, a host float.

    Examples
    --------
    >>> from xlogreg.inference._distributions import normal_quantile
    >>> round(normal_quantile(0.975), 6)
    1.959964
    """
    return statistics.NormalDist().inv_cdf(probability)


def _log_beta_half(a: float) -> float:
    """``log B(a, 1/2)``, accurate where ``lgamma(a) - lgamma(a + 1/2)`` cancels.

    For ``a >= 20`` the asymptotic series of ``lgamma(a + 1/2) - lgamma(a)``,
    truncated after its sixth term, is exact to 1e-17 relative.
    """
    if a < 20.0:
        return math.lgamma(a) + math.lgamma(0.5) - math.lgamma(a + 0.5)
    inv = 1.0 / a
    inv2 = inv * inv
    ratio = 0.5 * math.log(a) - inv * (
        1 / 8 - inv2 * (1 / 192 - inv2 * (1 / 640 - inv2 * (17 / 14336 - inv2 * 31 / 18432)))
    )
    return 0.5 * math.log(math.pi) - ratio


def _continued_fraction(a: float, b: float, x: Any, *, xp: ModuleType) -> Any:
    """The continued fraction of ``I_x(a, b)`` by the modified Lentz method
    (Numerical Recipes, ``betacf``), a fixed number of terms for every element."""
    tiny = xp.finfo(x.dtype).smallest_normal

    def nonzero(v: Any) -> Any:
        return xp.where(xp.abs(v) < tiny, xp.full_like(v, tiny), v)

    c = xp.ones_like(x)
    d = 1.0 / nonzero(1.0 - (a + b) * x / (a + 1.0))
    h = d
    for m in range(1, _CONTINUED_FRACTION_TERMS + 1):
        for numerator in (
            m * (b - m) * x / ((a - 1.0 + 2 * m) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1.0 + 2 * m)),
        ):
            d = 1.0 / nonzero(1.0 + numerator * d)
            c = nonzero(1.0 + numerator / c)
            h = h * d * c
    return h


def _hill_deviate(t: Any, df: float, *, xp: ModuleType) -> Any:
    """The normal deviate with the two-sided tail of ``|t|`` under ``df`` degrees of freedom.

    G. W. Hill's asymptotic expansion (Algorithm 395, Comm. ACM 13 (1970)
    617-619), exact to its truncation error, which falls like ``df^-4.5``.
    """
    a = df - 0.5
    b = 48.0 * a * a
    z = a * xp.log1p(t * t / df)
    correction = (((-0.4 * z - 3.3) * z - 24.0) * z - 85.5) / (0.8 * z * z + 100.0 + b)
    return ((correction + z + 3.0) / b + 1.0) * xp.sqrt(z)


def _incomplete_beta_tail(t: Any, df: float, *, xp: ModuleType) -> Any:
    """``I_x(df/2, 1/2)`` at ``x = df / (df + t²)``, from its continued fraction on
    the side where it converges (Numerical Recipes' ``betai``): directly below
    the mean of ``Beta(df/2, 1/2)``, as ``1 − I_{1−x}(1/2, df/2)`` above it."""
    a = 0.5 * df
    ratio = t * t / df
    # Clipped away from 0 so that t = 0 takes no logarithm of zero; its
    # element comes from the other branch, where this factor is not used.
    spread = xp.clip(ratio, min=xp.finfo(t.dtype).smallest_normal)
    log_x = -xp.log1p(ratio)
    front = xp.exp(a * log_x + 0.5 * (xp.log(spread) + log_x) - _log_beta_half(a))
    x = 1.0 / (1.0 + ratio)
    below_mean = x < (a + 1.0) / (a + 2.5)
    zero = xp.zeros_like(x)
    # Each fraction is evaluated on its own side of the mean only.
    direct = front * _continued_fraction(a, 0.5, xp.where(below_mean, x, zero), xp=xp) / a
    one_minus_x = xp.where(below_mean, zero, spread / (1.0 + spread))
    other = 1.0 - front * _continued_fraction(0.5, a, one_minus_x, xp=xp) / 0.5
    return xp.where(below_mean, direct, other)


def student_t_two_sided(t: Any, df: float, *, xp: ModuleType) -> Any:
    """Two-sided tail probability ``P(|T| >= |t|)`` of Student's t with ``df`` degrees of freedom.

    Up to ``df = 1e4`` (200 in float32), the regularized incomplete beta
    function ``I_x(df/2, 1/2)`` at ``x = df / (df + t²)`` by its continued
    fraction, with the prefactor formed in logarithms; its round-off grows
    like ``eps·df`` (1e-12 relative at ``df = 1e4`` in float64), from the
    rounding of ``x`` near 1. Beyond, the normal tail of Hill's deviate,
    whose truncation error is below that (3e-13 from ``df = 1e4`` on).

    Parameters
    ----------
    t : array
        Real floating statistics.
    df : float
        Degrees of freedom, ``> 0`` (need not be an integer).
    xp : module
        Namespace of ``t``.

    Returns
    -------
    array
        Same shape, dtype and device as ``t``.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.inference._distributions import student_t_two_sided
    >>> student_t_two_sided(xp.asarray([0.0, 2.0, -12.706204736174698]), 1.0, xp=xp)
    Array([1.        , 0.29516724, 0.05      ], dtype=array_api_strict.float64)
    """
    # Where the continued fraction's round-off (eps·df) meets Hill's
    # truncation error, measured against mpmath.
    hill_from = 1e4 if t.dtype == xp.float64 else 200.0
    if df > hill_from:
        return normal_two_sided(_hill_deviate(t, df, xp=xp), xp=xp)
    return _incomplete_beta_tail(t, df, xp=xp)


def _student_t_log_density(t: float, df: float) -> float:
    return (
        -_log_beta_half(0.5 * df) - 0.5 * math.log(df) - 0.5 * (df + 1.0) * math.log1p(t * t / df)
    )


def student_t_quantile(probability: float, df: float) -> float:
    """The ``probability`` quantile (``> 0.5``) of Student's t with ``df`` degrees of freedom.

    A host float: Newton's method in ``log t`` on :func:`student_t_two_sided`
    evaluated on the host, from the normal quantile (the t quantile is never
    below it); a logarithm makes the heavy tails of small ``df`` nearly linear.

    Examples
    --------
    >>> from xlogreg.inference._distributions import student_t_quantile
    >>> round(student_t_quantile(0.975, 1.0), 6), round(student_t_quantile(0.975, 30.0), 6)
    (12.706205, 2.042272)
    """
    xp, device = resolve()
    target = math.log(2.0 * (1.0 - probability))
    u = math.log(normal_quantile(probability))
    for _ in range(100):
        t = math.exp(u)
        (tail,) = host_floats(
            xp, student_t_two_sided(xp.asarray(t, dtype=xp.float64, device=device), df, xp=xp)
        )
        # d log P / d log t = -2 t f(t) / P for the two-sided tail P.
        slope = -2.0 * math.exp(u + _student_t_log_density(t, df)) / tail
        step = (math.log(tail) - target) / slope
        u -= step
        if abs(step) <= 4.0 * 2.0**-52 * max(1.0, abs(u)):
            break
    return math.exp(u)
