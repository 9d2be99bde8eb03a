"""Warnings and errors raised by xlogreg."""

from __future__ import annotations

__all__ = ["ConvergenceWarning", "LinAlgWarning", "ModelFileError", "NotFittedError"]


class ConvergenceWarning(UserWarning):
    """A solver stopped before meeting its stopping rule.

    The message names the solver, why it stopped and the final gradient
    max-norm; the fitted model keeps the last finite iterate.
    """


class LinAlgWarning(UserWarning):
    """A linear system was singular or too ill-conditioned for the requested solve.

    Issued by ``LinearRegression(solver="cholesky")`` when the Gram matrix
    ``XᵀX`` cannot be factored reliably (duplicated or collinear features); the
    fit then falls back to the SVD, whose ``rank_`` shows the deficiency.
    """


class ModelFileError(ValueError):
    """A file given to :func:`xlogreg.load` is not a model that this xlogreg can read.

    The message names the file and the problem: not a safetensors file (a
    pickle, a ``.npz`` archive), a safetensors file without xlogreg's metadata,
    a truncated file, bytes appended after the data, metadata that is not
    valid JSON or disagrees with the stored arrays, a format version newer
    than this xlogreg reads, or a class outside the registry of loadable
    estimators.
    """


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit``.

    Subclasses both ``ValueError`` and ``AttributeError``, as scikit-learn's
    ``NotFittedError`` does, so existing ``except`` clauses keep working.
    """
