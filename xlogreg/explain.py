"""Per-feature explanations of a linear model's outputs.

A linear model's output is a sum over features: the logit of logistic
regression, ``z = Σᵢ wᵢ·xᵢ + b``, and the prediction of linear regression. The
contribution of feature ``i`` to it is ``wᵢ·xᵢ``, on the model's input scale
(``coef_`` is on the raw features, also with ``standardize=True``), seed 004's
``feature_contrib_logit``. ``model.explain(X)`` returns them for many rows on
the device (an :class:`Explanation`); :func:`contribution_table` turns one row
into a sorted, named table on the host, for people and JSON responses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

from xlogreg._backend import as_array, host_list, resolve, split_dataframe, to_numpy
from xlogreg._validation import check_number

__all__ = ["ContributionTable", "Explanation", "FeatureContribution", "contribution_table"]


class Explanation(NamedTuple):
    """What ``model.explain(X)`` returns: the terms of each output, in ``X``'s library.

    ``sum(contributions, axis=-1) + intercept`` is the model's output
    (``decision_function`` of a classifier, ``predict`` of a regressor) up
    to float rounding.

    Attributes
    ----------
    contributions : array
        ``X[i, j] * coef[j]``: shape (n_samples, n_features) for binary
        logistic regression (the positive class's logit) and a 1-D linear
        regression; (n_samples, n_outputs, n_features) for the multinomial
        (one logit per class) and several regression targets.
    intercept : array
        0-d, or of shape (n_outputs,): broadcasts against the sum over features.
    """

    contributions: Any
    intercept: Any


class FeatureContribution(NamedTuple):
    """One line of a :class:`ContributionTable`."""

    feature: str
    value: float
    contribution: float


@dataclass(frozen=True)
class ContributionTable:
    """One row's output, decomposed feature by feature; host Python values.

    ``intercept + Σ contribution + others == output`` up to float rounding.

    Attributes
    ----------
    rows : tuple of FeatureContribution
        Feature name, its value in the row and ``coef·value``, sorted by
        decreasing ``|contribution|`` (the first ``top`` of them).
    intercept : float
    others : float
        The sum of the contributions left out by ``top`` (0.0 without it).
    output : float
        The logit explained (logistic regression: ``log P(label) / P(other)``
        for two classes, the class's logit of the softmax for more), or the
        prediction (linear regression).
    probability : float or None
        ``P(label)`` for a classifier; ``None`` for a regressor.
    label : object or None
        The class whose logit is explained; ``None`` for a regressor.
    """

    rows: tuple[FeatureContribution, ...]
    intercept: float
    others: float
    output: float
    probability: float | None
    label: Any

    def to_dict(self) -> dict[str, Any]:
        """The table as JSON-ready Python values, rows kept in their order."""
        return {
            "label": self.label,
            "output": self.output,
            "probability": self.probability,
            "intercept": self.intercept,
            "contributions": [row._asdict() for row in self.rows],
            "others": self.others,
        }

    def __str__(self) -> str:
        summary = [("others", self.others)] if self.others != 0.0 else []
        summary.append(("intercept", self.intercept))
        if self.probability is None:
            summary.append(("prediction", self.output))
        else:
            summary += [
                (f"logit of {self.label!r}", self.output),
                ("probability", self.probability),
            ]
        names = ["feature", *(row.feature for row in self.rows), *(name for name, _ in summary)]
        width = max(len(name) for name in names)
        lines = [f"{'feature':<{width}}  {'value':>12}  {'contribution':>12}"]
        lines += [
            f"{row.feature:<{width}}  {row.value:>12.6g}  {row.contribution:>12.6g}"
            for row in self.rows
        ]
        lines += [f"{name:<{width}}  {'':>12}  {value:>12.6g}" for name, value in summary]
        return "\n".join(lines)


def linear_contributions(X: Any, coef: Any, intercept: Any, *, xp: ModuleType) -> Explanation:
    """The terms ``X * coef`` of a linear output, for a 1-D or one-row-per-output ``coef``."""
    if coef.ndim == 1:
        return Explanation(xp.multiply(X, coef), intercept)
    return Explanation(xp.multiply(X[:, None, :], coef), intercept)


def contribution_table(
    model: Any, x: Any, *, label: Any = None, top: int | None = None
) -> ContributionTable:
    """Explain one row of a fitted model as a sorted, named table.

    Parameters
    ----------
    model : LogisticRegression or LinearRegression
        A fitted model; a :class:`~xlogreg.LinearRegression` with one target.
    x : array of shape (n_features,) or (1, n_features), or a one-row DataFrame
        The row, in the model's library and on its device (a DataFrame's
        columns must match ``model.feature_names_in_``).
    label : optional
        A classifier's class whose logit to explain: by default the positive
        class ``classes_[1]`` of a binary model (``classes_[0]`` flips every
        sign); required with three or more classes.
    top : int, optional
        Keep the ``top`` largest contributions; the rest add up to ``others``.

    Returns
    -------
    ContributionTable
        Names from ``model.feature_names_in_``; ``str(table)`` prints it.

    Raises
    ------
    NotFittedError
        If the model is not fitted.
    ValueError
        If ``x`` is not one row, ``label`` is missing for a multinomial model
        or is not one of its classes (or is given to a regressor), the
        regressor has several targets, or ``top < 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import LogisticRegression
    >>> from xlogreg.explain import contribution_table
    >>> X = np.array([[1.0, 0.5, 3.0], [2.0, 0.1, 2.0], [3.0, 0.7, 2.5],
    ...               [4.0, 0.2, 1.0], [5.0, 0.9, 2.0], [6.0, 0.3, 1.5]])
    >>> y = np.array([0, 0, 1, 0, 1, 1])
    >>> model = LogisticRegression().fit(X, y, feature_names=["Area", "Perimeter", "Extent"])
    >>> table = contribution_table(model, X[4], top=2)
    >>> print(table)
    feature             value  contribution
    Area                    5       4.25515
    Extent                  2      0.977586
    others                         0.334324
    intercept                      -4.09661
    logit of 1                      1.47045
    probability                    0.813125
    >>> {row.feature: round(row.contribution, 2) for row in table.rows}
    {'Area': 4.26, 'Extent': 0.98}
    >>> round(table.output, 6) == round(float(model.decision_function(X[4:5])[0]), 6)
    True
    """
    if top is not None:
        check_number(top, "top", integer=True, low=1)
    row = _one_row(x)
    explanation = model.explain(row)  # checks that the model is fitted, and the row
    classes = host_list(model.classes_) if hasattr(model, "classes_") else None
    index, sign = _explained_output(model, classes, label)
    contributions = explanation.contributions[0, ...]
    intercept = explanation.intercept
    if classes is None:
        output = model.predict(row)[0, ...]
        probability = None
    else:
        logits = model.decision_function(row)[0, ...]
        output = logits if logits.ndim == 0 else logits[index]
        probability = float(to_numpy(model.predict_proba(row)[0, index]))
    if contributions.ndim == 2:
        contributions, intercept = contributions[index, :], intercept[index]
    values = to_numpy(split_dataframe(row)[0])[0, :].tolist()
    terms = sorted(
        zip(
            model.feature_names_in_,
            values,
            (sign * c for c in host_list(contributions)),
            strict=True,
        ),
        key=lambda term: -abs(term[2]),
    )
    shown = terms if top is None else terms[:top]
    return ContributionTable(
        rows=tuple(FeatureContribution(name, float(v), c) for name, v, c in shown),
        intercept=sign * float(to_numpy(intercept)),
        others=math.fsum(term[2] for term in terms[len(shown) :]),
        output=sign * float(to_numpy(output)),
        probability=probability,
        label=None if classes is None else classes[index],
    )


def _one_row(x: Any) -> Any:
    """``x`` as one row of shape (1, n_features); a DataFrame is kept for its names."""
    if split_dataframe(x)[1] is None and getattr(x, "ndim", 1) == 1:
        xp, device = resolve(x=x)
        x = as_array(x, xp=xp, device=device)
        if x.ndim == 1:
            x = xp.reshape(x, (1, x.shape[0]))
    shape = tuple(x.shape)
    if len(shape) != 2 or shape[0] != 1:
        raise ValueError(
            f"x must be one row, of shape (n_features,) or (1, n_features), got shape {shape}; "
            "use model.explain(X) for many rows"
        )
    return x


def _explained_output(model: Any, classes: list | None, label: Any) -> tuple[int, float]:
    """Which output of the explanation to show, and the sign that turns it into ``label``'s logit.

    For a binary model the explanation is the positive class's logit ``z``;
    the negative class's is ``−z``.
    """
    if classes is None:
        if label is not None:
            raise ValueError(f"label={label!r} applies to classifiers, not {type(model).__name__}")
        if model.coef_.ndim != 1:
            raise ValueError(
                f"contribution_table explains one output, but this {type(model).__name__} has "
                f"{model.coef_.shape[0]} targets; use model.explain(X)"
            )
        return 0, 1.0
    if label is None:
        if len(classes) > 2:
            raise ValueError(
                f"label is required for a model with {len(classes)} classes: one of {classes}"
            )
        label = classes[1]
    if label not in classes:
        raise ValueError(f"label={label!r} is not one of the model's classes {classes}")
    index = classes.index(label)
    if len(classes) == 2:
        return index, 1.0 if index == 1 else -1.0
    return index, 1.0
