"""scikit-learn's text (or dict) report of precision, recall, F1 and support per class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlogreg._backend import host_list
from xlogreg._validation import check_bool, check_number
from xlogreg.metrics._base import check_zero_division
from xlogreg.metrics._classification import checked_confusion
from xlogreg.metrics._fscores import fscores
from xlogreg.metrics._labels import given_classes

__all__ = ["classification_report"]

_HEADERS = ("precision", "recall", "f1-score", "support")


def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence | None = None,
    target_names: Sequence[str] | None = None,
    sample_weight: Any = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: float = 0.0,
) -> str | dict:
    """Precision, recall, F1 and support of each class, with their averages.

    The same text (or dict) as scikit-learn's ``classification_report``. The
    K × K confusion matrix is counted once on the device; the report, made
    for people, is then read back to the host.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (n_samples,)
        True and predicted labels.
    labels : sequence of labels, optional
        The classes to report, in order (as in
        :func:`precision_recall_fscore_support`); by default those present.
    target_names : sequence of str, optional
        Display names of the classes reported.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights.
    digits : int, default 2
        Decimals of the text report.
    output_dict : bool, default False
        Return a dict (Python floats) instead of text.
    zero_division : {0, 1, nan}, default 0
        The value of a ratio whose denominator is 0.

    Returns
    -------
    report : str or dict
        Rows per class, then ``accuracy`` (the micro average, when every
        label present is reported), ``macro avg`` and ``weighted avg``.

    Raises
    ------
    ValueError
        If ``target_names`` does not name every class reported, besides the
        checks of :func:`precision_recall_fscore_support`.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.metrics import classification_report
    >>> print(classification_report(np.array([0, 1, 2, 2]), np.array([0, 2, 2, 2])))
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       1.00      1.00      1.00         1
               1       0.00      0.00      0.00         1
               2       0.67      1.00      0.80         2
    <BLANKLINE>
        accuracy                           0.75         4
       macro avg       0.56      0.67      0.60         4
    weighted avg       0.58      0.75      0.65         4
    <BLANKLINE>
    """
    check_number(digits, "digits", integer=True, low=0)
    check_bool(output_dict, "output_dict")
    zero_division = check_zero_division(zero_division)
    order = given_classes(labels)
    data, counted, counts = checked_confusion(
        y_true,
        y_pred,
        sample_weight=sample_weight,
        classes=lambda found: (
            found if order is None else [*order, *(v for v in found if v not in order)]
        ),
        float_counts=False,
    )
    reported = counted if order is None else order
    if target_names is None:
        target_names = [str(label) for label in reported]
    elif len(target_names) != len(reported):
        raise ValueError(
            f"target_names has {len(target_names)} names but {len(reported)} classes are "
            f"reported ({reported}); pass labels= to choose them"
        )
    settings = {"beta": 1.0, "zero_division": zero_division}
    per_class = fscores(data, counts, len(reported), average=None, **settings)
    columns = [host_list(values) for values in per_class]
    total = sum(columns[3])
    rows = {name: list(row) for name, *row in zip(target_names, *columns, strict=True)}
    micro_is_accuracy = order is None or set(order) >= set(data.labels)
    for average in ("micro", "macro", "weighted"):
        scores = fscores(data, counts, len(reported), average=average, **settings)[:3]
        name = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        rows[name] = [*(float(host_list(s)) for s in scores), total]
    if output_dict:
        report = {
            name: dict(zip(_HEADERS, map(float, row), strict=True)) for name, row in rows.items()
        }
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    return _text(rows, list(target_names), digits)


def _text(rows: dict, names: list, digits: int) -> str:
    """scikit-learn's layout of the report's rows."""
    width = max(max(len(name) for name in names), len("weighted avg"), digits)
    head = "{:>{width}s} " + " {:>9}" * len(_HEADERS)
    line = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    report = head.format("", *_HEADERS, width=width) + "\n\n"
    for name in names:
        report += line.format(name, *rows[name], width=width, digits=digits)
    report += "\n"
    for name, row in rows.items():
        if name in names:
            continue
        if name == "accuracy":
            accuracy = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            report += accuracy.format(name, "", "", *row[2:], width=width, digits=digits)
        else:
            report += line.format(name, *row, width=width, digits=digits)
    return report
