"""Argument checks that turn bad input into clear errors before any work starts.

Every message names the argument and the problem. Checks that must look at the
data (finiteness, label counts, weight signs) read one scalar back each.
"""

from __future__ import annotations

import numbers
import warnings
from collections import Counter
from collections.abc import Collection, Iterable
from types import ModuleType
from typing import Any

from xlogreg._backend import (
    as_array,
    as_numeric,
    compute_dtype,
    host_bool,
    host_floats,
    host_list,
    quiet_overflow,
)
from xlogreg.exceptions import DataConversionWarning

__all__ = [
    "check_bool",
    "check_class_target",
    "check_choice",
    "check_feature_names",
    "check_features",
    "check_finite_labels",
    "check_matrix_shape",
    "check_number",
    "check_regression_target",
    "check_sample_weight",
    "check_two_classes",
    "check_weight_range",
    "check_vector",
    "check_weight_total",
    "check_y_given",
    "column_names",
    "sorted_labels",
]


def check_number(
    value: Any,
    name: str,
    *,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Check that a hyper-parameter is a real (or integer) number in a range.

    Raises
    ------
    TypeError
        If ``value`` is not a number of the right kind (``bool`` never counts).
    ValueError
        If it is NaN or outside the range.
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if value != value:
        raise ValueError(f"{name} must not be NaN")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value!r}")


def check_choice(value: Any, name: str, choices: Collection[str]) -> None:
    """Check that a string hyper-parameter is one of ``choices``.

    Raises
    ------
    ValueError
        If it is not.
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")


def check_bool(value: Any, name: str) -> None:
    """Check that a hyper-parameter is ``True`` or ``False`` (not merely truthy).

    Raises
    ------
    TypeError
        If it is not a bool.
    """
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def check_feature_names(
    feature_names: Any, *, n_features: int, columns: list | None = None
) -> tuple[str, ...]:
    """The names of the ``n_features`` columns of ``X``, as a tuple of strings.

    Parameters
    ----------
    feature_names : iterable of str or None
        The names given by the caller.
    n_features : int
        The width of ``X``.
    columns : list or None
        The column labels of a DataFrame ``X`` (see
        :func:`~xlogreg._backend.split_dataframe`): strings name the features,
        labels that are not strings (pandas' default ``0, 1, …``) name none.

    Returns
    -------
    tuple of str
        ``feature_names``, else the string columns, else ``("x0", "x1", …)``.

    Raises
    ------
    TypeError
        If ``feature_names`` is a string or holds non-strings, or the columns
        mix strings with other labels.
    ValueError
        If the names are not unique, their number is not ``n_features``, or
        they differ from the DataFrame's columns.

    Examples
    --------
    >>> from xlogreg._validation import check_feature_names
    >>> check_feature_names(None, n_features=2)
    ('x0', 'x1')
    >>> check_feature_names(["area", "perimeter"], n_features=2)
    ('area', 'perimeter')
    """
    named = column_names(columns)
    if feature_names is None:
        return named or tuple(f"x{i}" for i in range(n_features))
    if isinstance(feature_names, str) or not isinstance(feature_names, Iterable):
        raise TypeError(f"feature_names must be a list or tuple of strings, got {feature_names!r}")
    names = tuple(feature_names)
    others = [name for name in names if not isinstance(name, str)]
    if others:
        raise TypeError(f"feature_names must be strings, got {others[:3]!r}")
    # NumPy's str_ (names from an array) becomes a plain str.
    names = tuple(str(name) for name in names)
    _check_unique(names, "feature_names")
    if len(names) != n_features:
        raise ValueError(f"feature_names has {len(names)} names but X has {n_features} features")
    if named is not None and names != named:
        raise ValueError(
            f"feature_names {list(names)} differ from the DataFrame's columns {list(named)}; "
            "pass one or the other"
        )
    return names


def column_names(columns: list | None) -> tuple[str, ...] | None:
    """Feature names from DataFrame column labels: all strings, or ``None`` when none are.

    As in scikit-learn, labels that are not strings (pandas' default range)
    name no features, and a mix of both is refused.

    Raises
    ------
    TypeError
        If the labels mix strings with other types.
    ValueError
        If the string labels repeat.
    """
    if columns is None:
        return None
    strings = [isinstance(label, str) for label in columns]
    if not any(strings):
        return None
    if not all(strings):
        raise TypeError(
            f"X's column labels mix strings with other types ({columns[:5]!r}); "
            "make them all strings to name the features"
        )
    names = tuple(str(label) for label in columns)
    _check_unique(names, "X's columns")
    return names


def _check_unique(names: tuple[str, ...], what: str) -> None:
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise ValueError(f"{what} must be unique; repeated: {repeated}")


def check_features(X: Any, *, xp: ModuleType, device: Any, name: str = "X") -> Any:
    """Return ``X`` as a finite, non-empty 2-D array in its compute dtype.

    Raises
    ------
    TypeError
        If ``X`` is not numeric (a NumPy ``object`` array of numbers is
        converted to float64), or is float64 on a device without float64.
    ValueError
        If ``X`` is complex, not 2-D, empty, or contains NaN or infinity.
    """
    X = as_numeric(as_array(X, xp=xp, device=device), name=name)
    check_matrix_shape(X, name=name)
    dtype = compute_dtype(xp, device, X.dtype, name=name)
    X = xp.astype(X, dtype, copy=False)
    if not _all_finite(X, xp=xp):
        raise ValueError(f"{name} contains NaN or infinity")
    return X


def check_matrix_shape(X: Any, *, name: str = "X") -> None:
    """Check that an array is 2-D with at least one row and one column.

    Raises
    ------
    ValueError
        If it is not.
    """
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features), got shape {tuple(X.shape)}"
            + (
                "; Reshape your data either using X.reshape(-1, 1) if it has a single "
                "feature or X.reshape(1, -1) if it is a single sample"
                if X.ndim == 1
                else ""
            )
        )
    for count, what in zip(X.shape, ("sample", "feature"), strict=True):
        if count == 0:
            # scikit-learn's wording, which its estimator checks look for.
            raise ValueError(
                f"{name} is empty: 0 {what}(s) (shape={tuple(X.shape)}) while a minimum "
                "of 1 is required."
            )


def _all_finite(X: Any, *, xp: ModuleType) -> bool:
    """Whether every element is finite, in one pass and without an array of flags.

    A NaN or an infinity makes the sum NaN or infinite; a finite sum therefore
    proves every element finite. Only a sum that overflowed (or a true NaN or
    infinity) pays for the elementwise check.
    """
    with quiet_overflow(xp):
        if host_bool(xp.isfinite(xp.sum(X))):
            return True
    return host_bool(xp.all(xp.isfinite(X)))


def check_vector(
    v: Any, name: str, *, xp: ModuleType, device: Any, n_samples: int, reference: str = "X"
) -> Any:
    """Return ``v`` as a 1-D array of length ``n_samples`` (the length of ``reference``).

    Raises
    ------
    ValueError
        If ``v`` is not 1-D or its length differs.
    """
    v = as_array(v, xp=xp, device=device)
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
        If ``y`` is ``None``, is neither 1-D nor a column vector, its length
        differs from ``n_samples``, it contains NaN or infinity, it holds
        floats that are not whole numbers (a continuous target, as
        scikit-learn's ``type_of_target`` calls it), or a single class.

    Warns
    -----
    DataConversionWarning
        ``y`` of shape (n_samples, 1) is flattened, as scikit-learn does.
    """
    check_y_given(y)
    y = as_array(y, xp=xp, device=device)
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


def sorted_labels(y: Any, *, xp: ModuleType) -> Any:
    """The distinct values of ``y``, sorted, as an array of ``y``'s namespace.

    Numeric labels, at most two of them (the common case), are recognized by
    their minimum, maximum and one comparison pass, with no sort or hash table
    (0.5 ms against ``unique_values``' 13 ms on a million labels); anything
    else goes to ``unique_values``.
    """
    if xp.isdtype(y.dtype, ("integral", "real floating")):
        low, high = xp.min(y), xp.max(y)
        if host_bool(xp.all((y == low) | (y == high))):
            return xp.unique_values(xp.stack([low, high]))
    return xp.unique_values(y)


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
    accepts weights that sum to zero (one row block of the data, whose total
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
        values, or sum to zero.
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
    lowest, total = host_floats(xp, xp.min(w), xp.sum(w))
    check_weight_range(lowest, total, positive_sum=positive_sum)
    return w


def check_weight_range(lowest: float, total: float, *, positive_sum: bool = True) -> None:
    """Check sample weights from their minimum and their sum.

    Raises
    ------
    ValueError
        If the weights contain NaN, infinity or negative values, or (with
        ``positive_sum``) sum to zero.
    """
    if not (lowest == lowest and abs(total) < float("inf")):
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
    y: Any, *, xp: ModuleType, device: Any, n_samples: int, dtype: Any
) -> Any:
    """Return a regression target as a finite 1-D or 2-D array of ``dtype``.

    A 1-D ``y`` is one target; a 2-D ``y`` of shape (n_samples, n_targets) holds
    one column per target. Integers and booleans are accepted and converted.

    Raises
    ------
    TypeError
        If ``y`` is not numeric, or is float64 on a device without float64.
    ValueError
        If ``y`` is not 1-D or 2-D, its length differs from ``n_samples``, it
        has no columns, or it contains NaN or infinity (also after conversion
        to ``dtype``), or is ``None``.
    """
    check_y_given(y)
    y = as_numeric(as_array(y, xp=xp, device=device), name="y")
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
    if not host_bool(xp.all(xp.isfinite(y))):
        raise ValueError(f"y contains NaN or infinity (in {dtype})")
    return y
