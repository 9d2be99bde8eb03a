"""Argument checks that turn bad input into clear errors before any work starts:
parameters, feature names and ``X`` (``y`` and weights: :mod:`xlogreg._target_validation`).

Every message names the argument and the problem. Checks that must look at the
data (finiteness, label counts, weight signs) read one scalar back each.
"""

from __future__ import annotations

import math
import numbers
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
    quiet_overflow,
    sum_of_squares,
)

__all__ = [
    "check_bool",
    "check_choice",
    "check_feature_names",
    "check_features",
    "check_finite_solution",
    "check_magnitude",
    "check_matrix_shape",
    "check_number",
    "column_names",
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


def check_choice(value: Any, name: str, choices: Collection[str | None]) -> None:
    """Check that a string hyper-parameter is one of ``choices`` (None too, if listed).

    Raises
    ------
    ValueError
        If it is not.
    """
    if value is None and None in choices:
        return
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
