"""Separation in unpenalized logistic fits: when the maximum-likelihood estimate does not exist.

If a hyperplane puts the samples of one class on one side and every other
sample on the other (complete separation, possibly of one class from the
rest), pushing the coefficients along its normal lowers the log loss
forever: there is no minimizer, the coefficients grow until the gradient is
below ``tol``, and standard errors at that point are meaningless. A fit with
``C=inf`` checks the fitted logits for such a hyperplane (a certificate:
never a false alarm) and warns; ``inference=True`` refuses. Quasi-complete
separation (samples of both classes tied on the hyperplane) leaves no such
certificate in the logits; ``inference=True`` recognizes it by its
curvature weights ``p(1 − p)`` vanishing on a design that is well
conditioned (:func:`well_conditioned_design`).
"""

from __future__ import annotations

import math
import warnings
from types import ModuleType
from typing import Any

from xlogreg._backend import host_list
from xlogreg.exceptions import ConvergenceWarning
from xlogreg.objectives._gram import augmented_gram
from xlogreg.objectives._layout import OutputLayout
from xlogreg.solvers.least_squares import equilibrated_condition

__all__ = ["separation", "warn_if_separated", "well_conditioned_design"]


def _logits(X: Any, w: Any, n_outputs: int, *, fit_intercept: bool, xp: ModuleType) -> Any:
    """``X`` times the coefficients in the solver's layout (each output's coefficients,
    then its intercept): shape ``(n_samples, n_outputs)``."""
    layout = OutputLayout(
        n_features=X.shape[1], n_outputs=n_outputs, fit_intercept=fit_intercept, xp=xp
    )
    return layout.outputs(X, *layout.split(w))


def separation(
    X: Any,
    target: Any,
    sample_weight: Any,
    w: Any,
    *,
    fit_intercept: bool,
    classes: Any,
    xp: ModuleType,
) -> str | None:
    """What separates the classes at the fitted ``w``, in words; ``None`` if nothing does.

    Two certificates, read from the fitted logits ``z`` (samples of zero
    weight do not count), each proving that the unpenalized log-likelihood
    has no maximum:

    - every sample is classified correctly (complete separation);
    - some class ``k`` is separated from the others by the linear score
      ``z_k − mean_j z_j`` (the logit for two classes): its smallest value
      on class ``k`` exceeds its largest on the rest. (Iris: setosa.)

    ``target`` is the positive class's indicator (two classes) or the
    one-hot matrix, as the solvers take it. One host transfer.
    """
    binary = target.ndim == 1
    labels = target[:, None] if binary else target
    n_outputs = labels.shape[1]
    logits = _logits(X, w, n_outputs, fit_intercept=fit_intercept, xp=xp)
    counted = (sample_weight > 0)[:, None]
    if binary:
        scores, members = logits, labels > 0
        correct = (2.0 * labels[:, 0] - 1.0) * logits[:, 0] > 0
    else:
        scores = logits - xp.mean(logits, axis=1, keepdims=True)
        members = labels > 0
        others = xp.where(members, xp.full_like(logits, -math.inf), logits)
        correct = xp.sum(labels * logits, axis=1) > xp.max(others, axis=1)
    inside = xp.min(xp.where(members & counted, scores, xp.full_like(scores, math.inf)), axis=0)
    outside = xp.max(xp.where(~members & counted, scores, xp.full_like(scores, -math.inf)), axis=0)
    apart = xp.isfinite(inside) & xp.isfinite(outside) & (inside > outside)
    everything = xp.all(correct | (sample_weight == 0))
    flags = host_list(xp.concat([xp.reshape(everything, (1,)), apart]))
    if flags[0]:
        return "the fitted coefficients classify every training sample correctly"
    names = host_list(classes)
    if binary:
        if not flags[1]:
            return None
        return (
            f"the fitted logit is larger on every sample of class {names[1]!r} than on any "
            f"sample of class {names[0]!r}"
        )
    separated = [name for name, flag in zip(names, flags[1:], strict=True) if flag]
    if not separated:
        return None
    which = ", ".join(repr(name) for name in separated)
    return (
        f"class {which} {'is' if len(separated) == 1 else 'are each'} linearly separable "
        "from the other classes: its fitted logit minus the mean logit is larger on each "
        "of its samples than on any other sample"
    )


def warn_if_separated(*args: Any, **kwargs: Any) -> None:
    """Warn (:class:`~xlogreg.exceptions.ConvergenceWarning`) when an unpenalized fit's
    classes are separated at ``w``: its coefficients diverge. Arguments as for
    :func:`separation`."""
    reason = separation(*args, **kwargs)
    if reason is not None:
        warnings.warn(
            f"C=inf: the classes are separable ({reason}), so the unpenalized "
            "maximum-likelihood estimate does not exist: the coefficients grow without "
            "bound along the separating direction, and the solver stopped where the loss "
            "had flattened to tol (converged_ reports only that), not at an optimum. Fit "
            "with a finite C for finite coefficients",
            ConvergenceWarning,
            stacklevel=3,
        )


def well_conditioned_design(
    X: Any, sample_weight: Any, *, fit_intercept: bool, xp: ModuleType
) -> float | None:
    """The condition number of ``[X, 1]ᵀ diag(s) [X, 1]`` with a unit diagonal when it
    is at most ``eps^(-1/4)`` (8e3 in float64), else ``None``.

    A logistic Hessian is that Gram matrix with the curvature weights
    ``c = p(1 − p)`` (per class for the softmax) inside: when it is too
    ill-conditioned to invert (condition number above ``eps^(-1/2)``) on a
    well-conditioned design, the weights vanish on the samples that span some
    direction (their fitted probabilities are 0 or 1 to working precision),
    the signature of (quasi-)complete separation rather than of collinear
    columns.
    """
    gram = augmented_gram(X, sample_weight, fit_intercept=fit_intercept, l2=0.0, xp=xp)
    condition = equilibrated_condition(gram, xp=xp)
    return condition if condition <= xp.finfo(X.dtype).eps ** -0.25 else None
