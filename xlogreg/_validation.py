"""Argument checks that turn bad input into clear errors before any work starts.

Every message names the argument and the problem. Checks that must look at the
data (finiteness, label counts, weight signs) read one scalar back each.
"""

from __future__ import annotations

import math
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
    count_missing,
    host_bool,
    host_floats,
    host_list,
    quiet_overflow,
    sum_of_squares,
)
from xlogreg.exceptions import DataConversionWarning

__all__ = [
    "check_bool",
    "check_class_target",
    "check_choice",
    "check_feature_names",
    "check_features",
    "check_finite_labels",
    "check_finite_solution",
    "check_magnitude",
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
    finite: bool = False,
) -> None:
    """Check that a hyper-parameter is a real (or integer) number in a range.

    With ``finite=True`` infinity is refused too (a tolerance, a step size or
    a weight; ``C=inf`` means no penalty, so it is not refused by default).

    Raises
    ------
    TypeError
        If ``value`` is not a number of the right kind (``bool`` never counts).
    ValueError
        If it is NaN, infinite while ``finite``, or outside the range.
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if value != value:
        raise ValueError(f"{name} must not be NaN")
    if finite and math.isinf(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
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


#: What a fit computes from its data, and so the largest magnitude it needs:
#: squares (Gram and Hessian matrices, squared errors) or differences (centring).
_OVERFLOW_LIMITS = {"squares": math.sqrt, "differences": lambda largest: largest / 2}


def check_features(
    X: Any, *, xp: ModuleType, device: Any, name: str = "X", overflow: str | None = None
) -> Any:
    """Return ``X`` as a finite, non-empty 2-D array in its compute dtype.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    xp : module
        Its namespace (see :func:`~xlogreg._backend.resolve`).
    device : object
        Its device.
    name : str
        The argument's name, for messages.
    overflow : {None, "squares", "differences"}
        For a fit, what it computes from ``X``: with ``"squares"`` every
        square ``x²`` must be finite in the compute dtype (``|x| <=
        sqrt(max)``, 1.3e154 in float64 and 1.8e19 in float32), with
        ``"differences"`` every difference (``|x| <= max / 2``). The check
        is fused with the finiteness check: one read of ``X`` (the sum of
        the squares, a BLAS dot on NumPy) while that sum is finite, which
        proves both; only larger data pays for finding its largest value.

    Raises
    ------
    TypeError
        If ``X`` is not numeric (a NumPy ``object`` array of numbers is
        converted to float64), or is float64 on a device without float64.
    ValueError
        If ``X`` is complex, not 2-D, empty, not rectangular, contains NaN or
        infinity, or values too large for ``overflow``.
    """
    X = as_numeric(as_array(X, xp=xp, device=device, name=name), name=name)
    check_matrix_shape(X, name=name)
    dtype = compute_dtype(xp, device, X.dtype, name=name)
    X = xp.astype(X, dtype, copy=False)
    if overflow is not None:
        check_magnitude(X, name=name, overflow=overflow, xp=xp)
    elif not _all_finite(X, xp=xp):
        raise ValueError(f"{name} contains NaN or infinity")
    return X


def check_magnitude(
    A: Any, *, name: str, overflow: str, xp: ModuleType, in_dtype: bool = False
) -> None:
    """Check that a 1-D or 2-D array is finite and small enough for what a fit computes.

    See ``overflow`` in :func:`check_features`. The sum of the squares, read
    back as one scalar, decides in the common case: when it is finite, so is
    every element and every square. ``in_dtype`` names the dtype in the
    message about NaN or infinity (for data converted to it, where an
    infinity may come from the conversion).

    Raises
    ------
    ValueError
        If ``A`` contains NaN or infinity, or an element beyond the limit of
        ``overflow``, naming the column (for 2-D ``A``) and its largest value.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg._validation import check_magnitude
    >>> check_magnitude(xp.asarray([[1.0, 1e150]]), name="X", overflow="squares", xp=xp)
    >>> check_magnitude(
    ...     xp.asarray([[1.0, 1e160]]), name="X", overflow="squares", xp=xp
    ... )  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: X's values are too large for float64: column 1 reaches 1e+160, beyond the ...
    """
    largest = float(xp.finfo(A.dtype).max)
    with quiet_overflow(xp):
        (total,) = host_floats(xp, sum_of_squares(A, xp=xp))
    if total <= largest:
        return
    dtype = str(A.dtype).rsplit(".", 1)[-1]
    if not host_bool(xp.all(xp.isfinite(A))):
        raise ValueError(
            f"{name} contains NaN or infinity" + (f" (in {dtype})" if in_dtype else "")
        )
    limit = _OVERFLOW_LIMITS[overflow](largest)
    magnitudes = xp.max(xp.abs(A), axis=0) if A.ndim == 2 else xp.reshape(xp.max(xp.abs(A)), (1,))
    column = xp.argmax(magnitudes)
    value, index = host_floats(xp, xp.max(magnitudes), xp.astype(column, A.dtype))
    if value <= limit:
        return
    where = f"column {int(index)} reaches" if A.ndim == 2 else "it reaches"
    if overflow == "squares":
        why = f"beyond the {limit:.3g} whose square is the largest {dtype}"
        advice = " (or fit with standardize=True)" if name == "X" else ""
    else:
        why = f"beyond {limit:.3g}, half the largest {dtype} (differences would overflow)"
        advice = ""
    raise ValueError(
        f"{name}'s values are too large for {dtype}: {where} {value:.3g}, {why}; "
        f"divide {name} by a power of ten{advice}"
    )


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


def check_finite_solution(*arrays: Any, xp: ModuleType, estimator: str) -> None:
    """Check a fit's solution before it is stored: a model of NaN is never fitted state.

    The checks of the data before the fit rule out the known overflows; this
    one catches what they cannot foresee (a penalty or weights so extreme that
    the solver's arithmetic overflows). One scalar read.

    Raises
    ------
    ValueError
        If an element of ``arrays`` is NaN or infinite.
    """
    finite = [xp.all(xp.isfinite(a)) for a in arrays]
    if not host_bool(xp.all(xp.stack(finite))):
        raise ValueError(
            f"{estimator}'s solution is not finite: its computation overflowed on these "
            "data; rescale X (divide it by a power of ten, or standardize=True), y or "
            "sample_weight. The earlier fitted state, if any, is kept"
        )


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


def sorted_labels(y: Any, *, xp: ModuleType, name: str = "y") -> Any:
    """The distinct values of ``y``, sorted, as an array of ``y``'s namespace.

    Numeric labels, at most two of them (the common case), are recognized by
    their minimum, maximum and one comparison pass, with no sort or hash table
    (0.5 ms against ``unique_values``' 13 ms on a million labels); anything
    else goes to ``unique_values``.

    Raises
    ------
    TypeError
        If the labels (NumPy objects) cannot be compared with each other,
        such as numbers and strings, naming ``y`` as ``name``.
    """
    if xp.isdtype(y.dtype, ("integral", "real floating")):
        low, high = xp.min(y), xp.max(y)
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
