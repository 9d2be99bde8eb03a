"""Warnings and errors raised by xlogreg."""

from __future__ import annotations

__all__ = ["ConvergenceWarning", "NotFittedError"]


class ConvergenceWarning(UserWarning):
    """A solver stopped before meeting its stopping rule.

    The message names the solver, why it stopped and the final gradient
    max-norm; the fitted model keeps the last finite iterate.
    """


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit``.

    Subclasses both ``ValueError`` and ``AttributeError``, as scikit-learn's
    ``NotFittedError`` does, so existing ``except`` clauses keep working.
    """
