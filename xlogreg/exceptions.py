"""Warnings and errors raised by xlogreg."""

from __future__ import annotations

__all__ = ["ConvergenceWarning", "LinAlgWarning", "NotFittedError"]


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


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit``.

    Subclasses both ``ValueError`` and ``AttributeError``, as scikit-learn's
    ``NotFittedError`` does, so existing ``except`` clauses keep working.
    """
