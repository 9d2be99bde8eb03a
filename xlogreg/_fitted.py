"""Checks of fitted attributes that ``fit`` did not write: a loaded model, attributes set by hand.

Each estimator's ``_check_fitted_state`` combines these into the shapes,
dtypes and values that its ``fit`` produces; :func:`xlogreg.save` and
:func:`xlogreg.load` call it. Errors name the attribute and the problem.
"""

from __future__ import annotations

import numbers
from collections import Counter
from typing import Any

import array_api_compat

from xlogreg._backend import host_bool, host_list
from xlogreg._validation import check_feature_names

__all__ = ["check_fitted_array", "check_fitted_classes", "check_fitted_width"]


def check_fitted_array(
    value: Any,
    name: str,
    *,
    shape: tuple[int, ...] | None = None,
    ndim: int | None = None,
    low: float | None = None,
    low_open: bool = False,
) -> Any:
    """Check that a fitted attribute is a finite real floating array; return its namespace.

    Parameters
    ----------
    value : Any
        The attribute.
    name : str
        Its name, for messages.
    shape : tuple of int, optional
        The shape it must have.
    ndim : int, optional
        The number of dimensions it must have, when the shape is not known.
    low : float, optional
        The least value allowed.
    low_open : bool
        Whether ``low`` itself is refused.

    Raises
    ------
    TypeError
        If it is not an array of real floating numbers.
    ValueError
        If its shape differs, it holds NaN or infinity, or a value below ``low``.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg._fitted import check_fitted_array
    >>> check_fitted_array(np.array([1.0, np.nan]), "coef_", shape=(2,))
    Traceback (most recent call last):
    ...
    ValueError: coef_ contains NaN or infinity
    """
    xp = _namespace(value, name)
    if not xp.isdtype(value.dtype, "real floating"):
        raise TypeError(f"{name} must hold real floating numbers, got dtype {value.dtype}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"{name} has shape {tuple(value.shape)}, expected {tuple(shape)}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(value.shape)}")
    if not host_bool(xp.all(xp.isfinite(value))):
        raise ValueError(f"{name} contains NaN or infinity")
    if low is not None and not host_bool(xp.all(value > low if low_open else value >= low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low} everywhere")
    return xp


def check_fitted_classes(classes: Any, name: str = "classes_") -> int:
    """Check class labels as a classifier's ``fit`` stores them; return their number.

    A 1-D array of at least two distinct labels: numbers (finite, for
    floating ones), booleans, or NumPy strings or objects.

    Raises
    ------
    TypeError
        If it is not an array of labels.
    ValueError
        If it has another shape, fewer than two labels, a repeated label, or
        NaN or infinity.
    """
    xp = _namespace(classes, name)
    if classes.ndim != 1:
        raise ValueError(f"{name} must have 1 dimension, got shape {tuple(classes.shape)}")
    labels = host_list(classes)
    if len(labels) < 2:
        raise ValueError(f"{name} must hold at least two classes, got {labels}")
    if xp.isdtype(classes.dtype, "real floating") and not host_bool(xp.all(xp.isfinite(classes))):
        raise ValueError(f"{name} contains NaN or infinity")
    # Equal labels of different types (1 and 1.0 and True) are one class to NumPy too.
    repeated = [label for label, count in Counter(labels).items() if count > 1]
    if repeated:
        raise ValueError(f"{name} must not repeat a class; repeated: {_cut(repeated[:5])}")
    return len(labels)


def check_fitted_width(estimator: Any) -> int:
    """Check ``n_features_in_`` and ``feature_names_in_`` against each other; return the width.

    Raises
    ------
    TypeError
        If ``n_features_in_`` is not an integer, or the names are not a
        tuple of strings.
    ValueError
        If ``n_features_in_`` is below 1, or the names repeat or are not
        ``n_features_in_`` of them.
    """
    width = estimator.n_features_in_
    if not isinstance(width, numbers.Integral) or isinstance(width, bool):
        raise TypeError(f"n_features_in_ must be an integer, got {width!r}")
    if width < 1:
        raise ValueError(f"n_features_in_ must be >= 1, got {width!r}")
    names = estimator.feature_names_in_
    if not (isinstance(names, tuple) and all(type(name) is str for name in names)):
        raise TypeError(f"feature_names_in_ must be a tuple of strings, got {_cut(names)}")
    if len(names) != width:
        raise ValueError(
            f"feature_names_in_ holds {len(names)} names, but n_features_in_ is {width}"
        )
    try:
        check_feature_names(names, n_features=width)
    except ValueError as error:
        raise ValueError(f"feature_names_in_: {error}") from None
    return int(width)


def _namespace(value: Any, name: str) -> Any:
    if isinstance(value, (bool, numbers.Number)) or not array_api_compat.is_array_api_obj(value):
        raise TypeError(f"{name} must be an array, got {_cut(value)}")
    return array_api_compat.array_namespace(value)


def _cut(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."
