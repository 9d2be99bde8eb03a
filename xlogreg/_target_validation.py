"""Checks of a fit's target ``y`` and its ``sample_weight``, before any work starts.

Every message names the argument and the problem; checks that must look at the
data (label counts, weight signs and totals) read one scalar back each. The
checks of parameters, feature names and ``X`` are in :mod:`xlogreg._validation`.
"""

from __future__ import annotations

import math
import numbers
import warnings
from types import ModuleType
from typing import Any

from array_api_compat import device as device_of

from xlogreg._backend import (
    as_array,
    as_numeric,
    compute_dtype,
    count_missing,
    host_bool,
    host_floats,
    host_list,
    integer_dtype,
    native_bincount,
    quiet_overflow,
)
from xlogreg._validation import check_magnitude
from xlogreg.exceptions import DataConversionWarning

__all__ = [
    "check_class_target",
    "check_finite_labels",
    "check_regression_target",
    "check_sample_weight",
    "check_two_classes",
    "check_vector",
    "check_weight_range",
    "check_weight_total",
    "check_y_given",
    "sorted_labels",
]


def check_vector(
    v: Any, name: str, *, xp: ModuleType, device: Any, n_samples: int, reference: str = "X"
) -> Any:
    """Return ``v`` as a 1-D array of length ``n_samples`` (the length of ``reference``).

    Raises
    ------
    ValueError
        If ``v`` is not 1-D or its length differs.
    """
    v = as_array(v, xp=xp, device=device, name=name)
    if v.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,), got shape {tuple(v.shape)}")
    if v.shape[0] != n_samples:
        raise ValueError(f"{name} has {v.shape[0]} entries but {reference} has {n_samples} samples")
    return v


def check_class_target(y: Any, *, xp: ModuleType, device: Any, n_samples: int) -> tuple[Any, Any]:
    """Check a classification target and return it with its sorted class labels.

    Returns
    -------
    y : array of shape (n_samples,)
        The target as given (labels, not yet encoded).
    classes : array of shape (n_classes,)
        The distinct labels, sorted; at least two.

    Raises
    ------
    ValueError
        If ``y`` is ``None``, is complex, is neither 1-D nor a column vector,
        its length differs from ``n_samples``, it contains NaN, infinity or
        (as objects) ``None`` or pandas' ``NA``, it holds floats that are not
        whole numbers (a continuous target, as scikit-learn's
        ``type_of_target`` calls it), labels that cannot be sorted together
        (numbers and strings), or a single class.

    Warns
    -----
    DataConversionWarning
        ``y`` of shape (n_samples, 1) is flattened, as scikit-learn does.
    """
    check_y_given(y)
    y = as_array(y, xp=xp, device=device, name="y")
    if xp.isdtype(y.dtype, "complex floating"):
        raise ValueError(
            f"y must hold real numbers, got dtype {y.dtype}: Complex data not supported"
        )
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            DataConversionWarning(
                "A column-vector y was passed when a 1d array was expected. Please change "
                "the shape of y to (n_samples,), for example using ravel()."
            ),
            stacklevel=3,
        )
        y = xp.reshape(y, (-1,))
    y = check_vector(y, "y", xp=xp, device=device, n_samples=n_samples)
    check_finite_labels(y, xp=xp)
    missing = count_missing(y)
    if missing:
        raise ValueError(
            f"y holds {missing} missing label(s) (None, NaN or NA) in {n_samples} samples; "
            "every sample needs a class label: drop those samples or give them one"
        )
    if xp.isdtype(y.dtype, "real floating") and host_bool(xp.any(y != xp.round(y))):
        raise ValueError(
            "Unknown label type: continuous. y holds floats that are not whole numbers; "
            "a classifier needs class labels (for a real-valued target use LinearRegression)"
        )
    classes = sorted_labels(y, xp=xp)
    check_two_classes(classes)
    return y, classes


def check_y_given(y: Any) -> None:
    """Check that a supervised estimator was given a target.

    Raises
    ------
    ValueError
        If ``y`` is ``None``, with scikit-learn's wording.
    """
    if y is None:
        raise ValueError("this estimator requires y to be passed, but the target y is None")


def check_finite_labels(y: Any, *, xp: ModuleType) -> None:
    """Check that floating labels hold no NaN or infinity.

    Raises
    ------
    ValueError
        If they do.
    """
    if xp.isdtype(y.dtype, "real floating") and not host_bool(xp.all(xp.isfinite(y))):
        raise ValueError("y contains NaN or infinity")


def check_two_classes(classes: Any) -> None:
    """Check that there are at least two class labels.

    Raises
    ------
    ValueError
        If there is one.
    """
    if classes.shape[0] < 2:
        raise ValueError(
            f"y holds a single class ({host_list(classes)}); a classifier "
            "needs samples of at least two classes, got 1 class"
        )


# Integer labels spanning fewer values than this are counted per value (see sorted_labels).
_COUNTED_SPAN = 1 << 16


def sorted_labels(y: Any, *, xp: ModuleType, name: str = "y") -> Any:
    """The distinct values of ``y``, sorted, as an array of ``y``'s namespace.

    Numeric labels, at most two of them (the common case), are recognized by
    their minimum, maximum and one comparison pass, with no sort or hash table
    (0.5 ms against ``unique_values``' 13 ms on a million labels). Integer
    labels spanning fewer than 65536 values are counted per value by the
    library's own ``bincount`` where it has one (one pass, no sort: 8 ms
    against ``unique_values``' 38 ms on 2 million labels of 10 classes);
    anything else goes to ``unique_values``.

    Raises
    ------
    TypeError
        If the labels (NumPy objects) cannot be compared with each other,
        such as numbers and strings, naming ``y`` as ``name``.
    """
    if xp.isdtype(y.dtype, ("integral", "real floating")):
        low, high = xp.min(y), xp.max(y)
        bincount = native_bincount(xp)
        if xp.isdtype(y.dtype, "integral") and bincount is not None and y.shape[0] > 0:
            first, last = host_list(xp.stack([low, high]))
            if last - first < _COUNTED_SPAN:
                offsets = xp.astype(y, integer_dtype(xp, device_of(y)), copy=False)
                if first != 0:
                    offsets = offsets - first
                counts = bincount(offsets, None, last - first + 1)
                return xp.astype(xp.nonzero(counts)[0] + first, y.dtype)
        if host_bool(xp.all((y == low) | (y == high))):
            return xp.unique_values(xp.stack([low, high]))
    try:
        return xp.unique_values(y)
    except TypeError as error:
        kinds = sorted({type(label).__name__ for label in host_list(y)})
        raise TypeError(
            f"{name} mixes labels that cannot be sorted together ({', '.join(kinds)}): {error}; "
            "make them all numbers or all strings"
        ) from None


def check_sample_weight(
    sample_weight: Any,
    *,
    xp: ModuleType,
    device: Any,
    n_samples: int,
    dtype: Any,
    reference: str = "X",
    positive_sum: bool = True,
    scan: bool = True,
) -> Any:
    """Return sample weights as a 1-D array of ``dtype``, ones when ``None``.

    A Python number gives every sample that weight. ``positive_sum=False``
    accepts weights that sum to zero (one Dask chunk of the data, whose total
    the caller checks). With ``scan=False`` only the checks that need no pass
    over the weights are made, and the weights come back as given: the caller
    checks their values with :func:`check_weight_range`, from a summary of
    the data it reads anyway.

    Raises
    ------
    TypeError
        If the weights are not numeric.
    ValueError
        If their shape is wrong, or they contain NaN, infinity or negative
        values, or sum to zero, or their sum overflows ``dtype``.
    """
    if sample_weight is None:
        return xp.ones(n_samples, dtype=dtype, device=device)
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        sample_weight = xp.full(n_samples, float(sample_weight), dtype=dtype, device=device)
    w = check_vector(
        sample_weight,
        "sample_weight",
        xp=xp,
        device=device,
        n_samples=n_samples,
        reference=reference,
    )
    compute_dtype(xp, device, w.dtype, name="sample_weight")
    if not scan:
        return w
    w = xp.astype(w, dtype, copy=False)
    with quiet_overflow(xp):
        lowest, highest, total = host_floats(xp, xp.min(w), xp.max(w), xp.sum(w))
    check_weight_range(lowest, total, positive_sum=positive_sum, highest=highest, dtype=dtype)
    return w


def check_weight_range(
    lowest: float,
    total: float,
    *,
    positive_sum: bool = True,
    highest: float | None = None,
    dtype: Any = None,
) -> None:
    """Check sample weights from their minimum and their sum (and maximum, when known).

    Given the maximum, finite weights whose sum overflows are told apart from
    weights that contain infinity.

    Raises
    ------
    ValueError
        If the weights contain NaN, infinity or negative values, sum to more
        than ``dtype`` holds, or (with ``positive_sum``) sum to zero.
    """
    finite_values = highest is not None and highest == highest and abs(highest) < math.inf
    if finite_values and lowest == lowest and not abs(total) < math.inf:
        held = str(dtype).rsplit(".", 1)[-1] if dtype is not None else "the dtype"
        raise ValueError(
            f"sample_weight sums to more than {held} holds (its largest weight is "
            f"{highest:.3g}): divide the weights by a common factor (only their ratios and the "
            "penalty's strength relative to them matter)"
        )
    if not (lowest == lowest and abs(total) < math.inf):
        raise ValueError("sample_weight contains NaN or infinity")
    if lowest < 0:
        raise ValueError(f"sample_weight must be non-negative, got a minimum of {lowest:g}")
    if positive_sum:
        check_weight_total(total)


def check_weight_total(total: float) -> None:
    """Check that the sample weights sum to a positive number.

    Raises
    ------
    ValueError
        If they do not.
    """
    if total <= 0:
        raise ValueError("sample_weight sums to zero: at least one sample needs a positive weight")


def check_regression_target(
    y: Any, *, xp: ModuleType, device: Any, n_samples: int, dtype: Any, overflow: str | None = None
) -> Any:
    """Return a regression target as a finite 1-D or 2-D array of ``dtype``.

    A 1-D ``y`` is one target; a 2-D ``y`` of shape (n_samples, n_targets) holds
    one column per target. Integers and booleans are accepted and converted.
    ``overflow`` is what the fit computes from ``y``, as in :func:`check_features`.

    Raises
    ------
    TypeError
        If ``y`` is not numeric, or is float64 on a device without float64.
    ValueError
        If ``y`` is not 1-D or 2-D, its length differs from ``n_samples``, it
        has no columns, or it contains NaN or infinity (also after conversion
        to ``dtype``) or values too large for ``overflow``, or is ``None``.
    """
    check_y_given(y)
    y = as_numeric(as_array(y, xp=xp, device=device, name="y"), name="y")
    if y.ndim not in (1, 2):
        raise ValueError(
            "y must be 1-D of shape (n_samples,) or 2-D of shape (n_samples, n_targets), "
            f"got shape {tuple(y.shape)}"
        )
    if y.shape[0] != n_samples:
        raise ValueError(f"y has {y.shape[0]} samples but X has {n_samples}")
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError(f"y has no targets: shape {tuple(y.shape)}")
    compute_dtype(xp, device, y.dtype, name="y")
    y = xp.astype(y, dtype, copy=False)
    if overflow is not None:
        check_magnitude(y, name="y", overflow=overflow, xp=xp, in_dtype=True)
    elif not host_bool(xp.all(xp.isfinite(y))):
        raise ValueError(f"y contains NaN or infinity (in {dtype})")
    return y
