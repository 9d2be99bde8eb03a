"""Scoring for cross-validation: scikit-learn's scorer names, computed by :mod:`xlogreg.metrics`.

A name is checked once, before any fit (:func:`check_scoring`), and against the
problem once its classes are known (:meth:`Scorer.check_problem`); each fold's
score is then one metric call on the device (:meth:`Scorer.score`), on the
output of the fitted model that scikit-learn's scorer of that name reads:

- ``accuracy``, ``balanced_accuracy``, ``matthews_corrcoef``: the predicted
  labels, by :func:`~xlogreg.metrics.accuracy_score`,
  ``balanced_accuracy_score``, ``matthews_corrcoef``;
- ``f1``, ``precision``, ``recall`` (``average="binary"``, two classes only)
  and the same with ``_micro``, ``_macro``, ``_weighted`` (``average=`` the
  suffix): the predicted labels, by ``f1_score``, ``precision_score``,
  ``recall_score``;
- ``top_k_accuracy`` (``k=2``), ``roc_auc`` (two classes only),
  ``average_precision`` (``pos_label=1``): the decision function, by
  ``top_k_accuracy_score``, ``roc_auc_score``, ``average_precision_score``;
- ``roc_auc_ovr``, ``roc_auc_ovo`` and their ``_weighted`` forms
  (``average="weighted"``): the probabilities, by ``roc_auc_score``;
- ``neg_log_loss``, ``neg_brier_score``: the probabilities, by −``log_loss``
  and −``brier_score_loss``;
- for regressors, ``r2``, ``neg_mean_squared_error``,
  ``neg_root_mean_squared_error`` (−√ of the mean squared error),
  ``neg_mean_absolute_error``: the predictions, by ``r2_score``,
  ``mean_squared_error``, ``mean_absolute_error``.

With two classes, scikit-learn's scorers read the positive class's column of
``predict_proba`` and the decision function as it is; the positive class is the
last of the classes, except for ``average_precision``, whose positive label is
1 (the decision function is negated when 1 is the first class, and labels
without 1 are refused). Given the classes, a score is the one scikit-learn 1.9's
``LogisticRegressionCV`` computes per fold: it passes ``labels=classes`` to the
metrics that take them (so a fold missing a class is scored over all of them)
and, with two classes, ``pos_label=classes[-1]``, so ``"f1"`` counts the last
class as positive whatever the labels are.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from array_api_compat import array_namespace

from xlogreg._backend import host_list, is_array
from xlogreg.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    matthews_corrcoef,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    top_k_accuracy_score,
)

__all__ = ["Scorer", "check_scoring"]

RESPONSES = ("predict", "predict_proba", "decision_function")


@dataclass(frozen=True)
class _Definition:
    """How scikit-learn's scorer of one name scores: which metric, on which response."""

    metric: Callable
    response: str = "predict"
    greater_is_better: bool = True
    kwargs: tuple[tuple[str, Any], ...] = ()
    classifier: bool = True
    labels: bool = False  # the metric takes labels=: LogisticRegressionCV passes the classes
    positive: str | None = None  # binary: "last" class or label "one" is positive
    binary_only: bool = False
    root: bool = False


def _definitions() -> dict[str, _Definition]:
    table = {
        "accuracy": _Definition(accuracy_score),
        "balanced_accuracy": _Definition(balanced_accuracy_score),
        "matthews_corrcoef": _Definition(matthews_corrcoef),
        "top_k_accuracy": _Definition(
            top_k_accuracy_score, "decision_function", kwargs=(("k", 2),), labels=True
        ),
        "roc_auc": _Definition(
            roc_auc_score,
            "decision_function",
            labels=True,
            positive="last",
            binary_only=True,
        ),
        "average_precision": _Definition(
            average_precision_score, "decision_function", positive="one"
        ),
        "neg_log_loss": _Definition(log_loss, "predict_proba", False, labels=True, positive="last"),
        "neg_brier_score": _Definition(
            brier_score_loss, "predict_proba", False, labels=True, positive="last"
        ),
        "r2": _Definition(r2_score, classifier=False),
        "neg_mean_squared_error": _Definition(mean_squared_error, classifier=False),
        "neg_root_mean_squared_error": _Definition(mean_squared_error, classifier=False, root=True),
        "neg_mean_absolute_error": _Definition(mean_absolute_error, classifier=False),
    }
    for name in (
        "neg_mean_squared_error",
        "neg_root_mean_squared_error",
        "neg_mean_absolute_error",
    ):
        table[name] = _with(table[name], greater_is_better=False)
    for multi_class in ("ovr", "ovo"):
        for average in ("macro", "weighted"):
            suffix = "" if average == "macro" else "_weighted"
            table[f"roc_auc_{multi_class}{suffix}"] = _Definition(
                roc_auc_score,
                "predict_proba",
                kwargs=(("multi_class", multi_class), ("average", average)),
                labels=True,
                positive="last",
            )
    for stem, metric in (
        ("f1", f1_score),
        ("precision", precision_score),
        ("recall", recall_score),
    ):
        table[stem] = _Definition(
            metric, kwargs=(("average", "binary"),), labels=True, positive="last", binary_only=True
        )
        for average in ("micro", "macro", "weighted"):
            table[f"{stem}_{average}"] = _Definition(
                metric, kwargs=(("average", average), ("pos_label", None)), labels=True
            )
    return table


def _with(definition: _Definition, **changes: Any) -> _Definition:
    fields = {name: getattr(definition, name) for name in definition.__dataclass_fields__}
    return _Definition(**{**fields, **changes})


_DEFINITIONS = _definitions()
CLASSIFIER_NAMES = tuple(sorted(n for n, d in _DEFINITIONS.items() if d.classifier))
REGRESSOR_NAMES = tuple(sorted(n for n, d in _DEFINITIONS.items() if not d.classifier))


@dataclass(frozen=True)
class Scorer:
    """A cross-validation score: one of scikit-learn's scorer names, or a callable.

    Made by :func:`check_scoring`. Scores come with scikit-learn's sign: the
    greater, the better (``"neg_log_loss"`` scores −log loss).

    Attributes
    ----------
    name : str or None
        The scorer's name; ``None`` for a callable.
    greater_is_better : bool
        Whether the metric behind the name grows with quality (``False`` for
        the losses and errors, whose scores are negated).
    response : {"predict", "predict_proba", "decision_function"} or None
        The output of a fitted model that :meth:`score` reads, as scikit-learn's
        scorer of that name does: predicted labels (or values), the (n_samples,
        n_classes) probabilities, or the decision function ((n_samples,) for two
        classes, (n_samples, n_classes) for more). ``None`` for a callable.
    classifier : bool
        Whether the scorer scores a classifier or a regressor.
    func : callable or None
        The callable ``func(estimator, X, y)`` (scikit-learn's scorer protocol)
        that was given; ``None`` for a name.
    """

    name: str | None
    greater_is_better: bool
    response: str | None
    classifier: bool = True
    func: Callable | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if (self.name is None) == (self.func is None):
            raise ValueError("a Scorer has either a name or a func, not both nor neither")
        if self.name is None:
            return
        definition = _DEFINITIONS.get(self.name)
        fields = (self.greater_is_better, self.response, self.classifier)
        if definition is None or fields != (
            definition.greater_is_better,
            definition.response,
            definition.classifier,
        ):
            raise ValueError(
                f"scoring={self.name!r}: make a Scorer with check_scoring, which knows the names"
            )

    @property
    def is_callable(self) -> bool:
        """Whether the scorer is a callable, which scores a fitted estimator itself."""
        return self.func is not None

    def check_problem(self, classes: int | Sequence | Any) -> None:
        """Check that the name fits a classification problem, before any fit.

        Parameters
        ----------
        classes : int, sequence or array
            The number of classes, or the sorted class labels (which also lets
            ``"average_precision"`` check that its positive label 1 is one of
            two classes).

        Raises
        ------
        ValueError
            Naming ``scoring``: fewer than two classes; a binary-only name
            (``"roc_auc"``, ``"f1"``, ``"precision"``, ``"recall"``) with more
            than two classes; ``"average_precision"`` with two classes of
            which none is 1.
        """
        if self.name is None or not self.classifier:
            return
        labels = None if isinstance(classes, numbers.Integral) else _host_classes(classes)
        n_classes = classes if labels is None else len(labels)
        if n_classes < 2:
            raise ValueError(f"scoring={self.name!r} needs two classes at least, got {n_classes}")
        definition = _DEFINITIONS[self.name]
        if definition.binary_only and n_classes > 2:
            advice = (
                "'roc_auc_ovr' or 'roc_auc_ovo'"
                if self.name == "roc_auc"
                else f"'{self.name}_macro', '{self.name}_micro' or '{self.name}_weighted'"
            )
            raise ValueError(
                f"scoring={self.name!r} scores two classes, and y has {n_classes}; "
                f"use {advice} (as scikit-learn refuses it too)"
            )
        if definition.positive == "one" and labels is not None and n_classes == 2:
            if 1 not in labels:
                raise ValueError(
                    f"scoring={self.name!r} counts the label 1 as positive (scikit-learn's "
                    f"pos_label=1) and it is not one of the classes {labels!r}"
                )

    def score(
        self, y_true: Any, response: Any, sample_weight: Any = None, *, classes: Any = None
    ) -> Any:
        """The score of one fold: the named metric of ``response`` against ``y_true``, signed.

        Parameters
        ----------
        y_true : array
            The true labels (or values) of the fold's test rows, of any supported
            library and device.
        response : array
            The fitted model's :attr:`response` on those rows, in the same
            namespace and device.
        sample_weight : array, optional
            The rows' weights.
        classes : sequence or array, optional
            The fitted classifier's sorted class labels (its ``classes_``).
            Required for the names that read probabilities or the decision
            function. Given, the score is the one scikit-learn 1.9's
            ``LogisticRegressionCV`` computes per fold (``labels=classes`` and,
            with two classes, ``pos_label=classes[-1]``); without it, the
            metrics see ``y_true`` alone, as ``sklearn.metrics.get_scorer(name)``
            does.

        Returns
        -------
        array
            A 0-d array in the namespace and on the device of the inputs.

        Raises
        ------
        ValueError
            From :meth:`check_problem`; ``classes`` missing where needed; a
            ``response`` of the wrong shape; any error of the metric itself.
        TypeError
            For a callable scorer, which scores an estimator (call the scorer).

        Examples
        --------
        >>> import array_api_strict as xp
        >>> scorer = check_scoring("neg_log_loss")
        >>> y = xp.asarray([0, 1, 1, 0])
        >>> proba = xp.asarray([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3]])
        >>> float(scorer.score(y, proba, classes=[0, 1]))
        -0.2990
        """
        if self.func is not None:
            raise TypeError("a callable scoring scores an estimator: call scorer(estimator, X, y)")
        definition = _DEFINITIONS[self.name]
        kwargs = dict(definition.kwargs)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        if self.classifier:
            response = self._classifier_arguments(definition, response, classes, kwargs)
        if definition.root:  # each target's root error, then their mean (scikit-learn's)
            kwargs["multioutput"] = "raw_values"
        value = definition.metric(y_true, response, **kwargs)
        xp = array_namespace(value)
        if definition.root:
            value = xp.mean(xp.sqrt(value))
        return value if definition.greater_is_better else xp.negative(value)

    def _classifier_arguments(
        self, definition: _Definition, response: Any, classes: Any, kwargs: dict
    ) -> Any:
        """The response and the metric's arguments for ``classes``, as scikit-learn's scorer
        (and LogisticRegressionCV around it) would give them."""
        if classes is None:
            if definition.response != "predict":
                raise ValueError(
                    f"scoring={self.name!r} reads the {definition.response} output: pass the "
                    "fitted classifier's classes= to score it"
                )
            return response
        labels = _host_classes(classes)
        self.check_problem(labels)
        binary = len(labels) == 2
        if definition.labels:
            kwargs["labels"] = labels
        if binary and definition.positive == "last":
            kwargs["pos_label"] = labels[-1]
        if definition.response == "predict_proba":
            if len(response.shape) != 2 or response.shape[1] != len(labels):
                raise ValueError(
                    f"scoring={self.name!r} reads predict_proba's (n_samples, {len(labels)}) "
                    f"probabilities, got shape {tuple(response.shape)}"
                )
            return response[:, -1] if binary else response
        if definition.response == "decision_function":
            expected = 1 if binary else 2
            if len(response.shape) != expected or (not binary and response.shape[1] != len(labels)):
                shape = "(n_samples,)" if binary else f"(n_samples, {len(labels)})"
                raise ValueError(
                    f"scoring={self.name!r} reads the decision function's {shape} scores, "
                    f"got shape {tuple(response.shape)}"
                )
            if not binary:
                return response
            xp = array_namespace(response)
            if definition.positive == "one":
                kwargs["pos_label"] = 1
                # scikit-learn negates the decision function when the positive label is
                # the first class (its _process_decision_function).
                return xp.negative(response) if labels[0] == 1 else response
            if definition.metric is top_k_accuracy_score:
                # scikit-learn scores one column of two classes; the metric here takes
                # one score per class, which ranks the classes the same way.
                return xp.stack([xp.negative(response), response], axis=1)
        return response

    def __call__(self, estimator: Any, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Score a fitted estimator on ``(X, y)``: its :attr:`response` on ``X``, then
        :meth:`score` with its ``classes_``; or, for a callable, ``func(estimator, X, y)``
        (with ``sample_weight=`` when given)."""
        if self.func is not None:
            if sample_weight is None:
                return self.func(estimator, X, y)
            return self.func(estimator, X, y, sample_weight=sample_weight)
        response = getattr(estimator, self.response)(X)
        classes = getattr(estimator, "classes_", None) if self.classifier else None
        return self.score(y, response, sample_weight, classes=classes)


def check_scoring(scoring: Any = None, *, classifier: bool = True) -> Scorer:
    """Check ``scoring`` before any fit and return its :class:`Scorer`.

    Parameters
    ----------
    scoring : str, callable, Scorer or None
        ``None`` means ``"accuracy"`` for a classifier (scikit-learn 1.9's
        ``LogisticRegressionCV`` default) and ``"r2"`` for a regressor. A
        string is one of scikit-learn's scorer names that :mod:`xlogreg.metrics`
        can compute (see the module's table). A callable
        ``scoring(estimator, X, y) -> float`` (scikit-learn's scorer protocol)
        is wrapped as it is.
    classifier : bool, default=True
        Whether the scores are a classifier's or a regressor's.

    Returns
    -------
    Scorer

    Raises
    ------
    ValueError
        Naming ``scoring`` and listing the valid names: a name that is not one
        of them, or one for the other kind of model (``"r2"`` for a classifier).
    TypeError
        If ``scoring`` is neither a string, a callable nor ``None``.

    Examples
    --------
    >>> check_scoring(None)
    Scorer(name='accuracy', greater_is_better=True, response='predict', classifier=True)
    >>> check_scoring("roc_auc_ovr").response
    'predict_proba'
    """
    if isinstance(scoring, Scorer):
        if scoring.is_callable or scoring.classifier == classifier:
            return scoring
        scoring = scoring.name
    if scoring is None:
        scoring = "accuracy" if classifier else "r2"
    if isinstance(scoring, str):
        names = CLASSIFIER_NAMES if classifier else REGRESSOR_NAMES
        if scoring not in names:
            other = "a regressor's" if classifier else "a classifier's"
            why = f"is {other} score" if scoring in _DEFINITIONS else "is not a known scorer"
            raise ValueError(
                f"scoring={scoring!r} {why}; a {'classifier' if classifier else 'regressor'} "
                f"takes one of {', '.join(names)}, or a callable scoring(estimator, X, y)"
            )
        definition = _DEFINITIONS[scoring]
        return Scorer(
            scoring, definition.greater_is_better, definition.response, classifier=classifier
        )
    if callable(scoring):
        return Scorer(None, True, None, classifier=classifier, func=scoring)
    raise TypeError(
        f"scoring must be a scorer name, a callable scoring(estimator, X, y) or None, "
        f"got {scoring!r}"
    )


def _host_classes(classes: Any) -> list:
    return host_list(classes) if is_array(classes) else list(classes)
