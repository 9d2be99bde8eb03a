"""Warnings and errors raised by xlogreg."""

from __future__ import annotations

import functools
import sys
from typing import Any

__all__ = [
    "ConvergenceWarning",
    "DataConversionWarning",
    "LinAlgWarning",
    "ModelFileError",
    "NotFittedError",
]


class _SklearnCompatible:
    """Makes ``cls(...)`` an instance of scikit-learn's class of the same name too.

    When scikit-learn is already imported (looked up in ``sys.modules``, so
    it is never imported here), the instance belongs to a subclass of both
    classes: a user's ``except sklearn.exceptions.NotFittedError`` catches
    ours, and scikit-learn's checks recognize it. Without scikit-learn the
    instance is of the class itself.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls in _SKLEARN_COMPATIBLE and "sklearn" in sys.modules:
            cls = _with_sklearn(cls)
        return super().__new__(cls, *args, **kwargs)

    def __reduce__(self) -> tuple[type, tuple]:
        # Pickled (by joblib's workers, say) as xlogreg's class, which the
        # unpickling process makes scikit-learn's too if it has scikit-learn.
        public = next(cls for cls in type(self).__mro__ if cls in _SKLEARN_COMPATIBLE)
        return public, self.args


@functools.cache
def _with_sklearn(cls: type) -> type:
    from sklearn import exceptions

    both = (cls, getattr(exceptions, cls.__name__))
    return type(cls.__name__, both, {"__module__": cls.__module__, "__doc__": cls.__doc__})


class ConvergenceWarning(UserWarning):
    """A solver stopped before meeting its stopping rule.

    The message names the solver, why it stopped and the final gradient
    max-norm; the fitted model keeps the last finite iterate.
    """


class LinAlgWarning(UserWarning):
    """A linear system was singular or too ill-conditioned for the requested solve.

    Issued by ``LinearRegression(solver="cholesky")`` when the Gram matrix
    ``XᵀX`` is singular or too ill-conditioned for the normal equations to keep
    the accuracy that the SVD keeps (duplicated or collinear features, a
    polynomial design); the fit then falls back to the SVD, whose ``rank_``
    shows a deficiency. Issued by the SVD (``"lstsq"``) when a full-rank
    design is too ill-conditioned for its dtype to keep half of its digits,
    naming the fix (float64 data).
    """


class ModelFileError(ValueError):
    """A file given to :func:`xlogreg.load` is not a model that this xlogreg can read.

    The message names the file and the problem: not a regular file (a FIFO,
    a device), not a safetensors file (a pickle, a ``.npz`` archive), a
    safetensors file without xlogreg's metadata, a truncated file, bytes
    appended after the data, sizes, dtypes or shapes that the file cannot
    hold or xlogreg never writes, metadata that is not valid JSON or
    disagrees with the stored arrays, a format version newer than this
    xlogreg reads, a class outside the registry of loadable estimators, or
    parameters or a fitted state that ``fit`` would not have produced.
    """


class NotFittedError(_SklearnCompatible, ValueError, AttributeError):
    """An estimator was used before ``fit``.

    Subclasses both ``ValueError`` and ``AttributeError``, as scikit-learn's
    ``NotFittedError`` does, so existing ``except`` clauses keep working;
    where scikit-learn is imported, it is also scikit-learn's
    ``NotFittedError``.

    Examples
    --------
    >>> import sklearn.exceptions
    >>> from xlogreg import LogisticRegression
    >>> try:
    ...     LogisticRegression().predict([[1.0]])
    ... except sklearn.exceptions.NotFittedError:
    ...     print("not fitted")
    not fitted
    """


class DataConversionWarning(_SklearnCompatible, UserWarning):
    """An input was converted to the form the estimator needs.

    Issued when a column-vector target ``y`` of shape (n_samples, 1) is
    flattened for a classifier, with scikit-learn's wording; where
    scikit-learn is imported, it is also scikit-learn's
    ``DataConversionWarning``.
    """


_SKLEARN_COMPATIBLE = (NotFittedError, DataConversionWarning)
