"""Synthetic data, the same numbers on every array library and device."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from xlogreg._backend import compute_dtype, compute_target, host_generator, to_device
from xlogreg._validation import check_number

__all__ = ["Classification", "make_classification"]


class Classification(NamedTuple):
    """What :func:`make_classification` returns.

    Attributes
    ----------
    X : array of shape (n_samples, n_features)
    y : int64 array of shape (n_samples,)
        Labels 0 and 1.
    coef : array of shape (n_features,)
        The true coefficients of the logistic model the labels were drawn from.
    intercept : float
        Its intercept.
    """

    X: Any
    y: Any
    coef: Any
    intercept: float


def make_classification(
    n_samples: int = 1000,
    n_features: int = 20,
    *,
    signal: float = 2.0,
    intercept: float = 0.0,
    random_state: int = 0,
    device: str = "numpy",
    dtype: str = "float64",
) -> Classification:
    """A binary problem drawn from a logistic model, placed on ``device``.

    ``X`` is standard normal; the coefficients are normal, scaled so that the
    logits ``X @ coef + intercept`` have standard deviation ``signal``; each
    label is 1 with probability ``sigmoid(logit)`` (the logit plus logistic
    noise is positive). The numbers are drawn on
    the host from ``random_state`` and then copied to the device, so the data
    are identical on every library and device.

    Parameters
    ----------
    n_samples, n_features : int
        The shape of ``X``.
    signal : float, default 2.0
        Standard deviation of the true logits: larger is easier to separate.
    intercept : float, default 0.0
        True intercept (negative for a rare positive class).
    random_state : int, default 0
        Seed of the host generator.
    device : str, default "numpy"
        Where to put the data: ``"numpy"``, ``"torch:cpu"``, ``"torch:cuda"``,
        ``"torch:mps"``, ``"cupy"``, ``"jax:cpu"``, ``"jax:gpu"`` (see
        :func:`xlogreg._backend.parse_device`).
    dtype : {"float64", "float32"}
        Of ``X`` and ``coef``; float64 becomes float32 on devices without it.

    Returns
    -------
    Classification
        ``(X, y, coef, intercept)``.

    Examples
    --------
    >>> from xlogreg.datasets import make_classification
    >>> X, y, coef, intercept = make_classification(5, 3, random_state=1)
    >>> X.shape, y.tolist()
    ((5, 3), [0, 0, 1, 0, 1])
    """
    check_number(n_samples, "n_samples", integer=True, low=1)
    check_number(n_features, "n_features", integer=True, low=1)
    check_number(signal, "signal", low=0.0)
    check_number(intercept, "intercept")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    xp, where = compute_target(device)
    rng = host_generator(random_state)
    coef = rng.standard_normal(n_features)
    coef *= signal / math.sqrt(float(coef @ coef))
    X = rng.standard_normal((n_samples, n_features))
    # P(logit + logistic noise > 0) = sigmoid(logit): the labels of a logistic model.
    y = (X @ coef + intercept + rng.logistic(size=n_samples) > 0).astype("int64")
    wanted = compute_dtype(xp, where, getattr(xp, dtype))
    return Classification(
        xp.astype(to_device(X, xp, where), wanted),
        to_device(y, xp, where),
        xp.astype(to_device(coef, xp, where), wanted),
        float(intercept),
    )
