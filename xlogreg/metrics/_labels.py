"""Labels: their distinct values, summarized and judged, the positive label among them,
and labels as class indices.

A label array is summarized (:func:`label_summary`: its smallest distinct
values, their number, whether they are finite) in at most two transfers and
the summary judged (:func:`judge_labels` for binary labels,
:func:`judge_classes` for any number of classes); summaries of Dask chunks
merge into the summary of the whole array. :func:`class_indices` turns labels
into their positions in a list of classes, on the device.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NamedTuple

from array_api_compat import device as device_of

from xlogreg._backend import host_bool, host_list, integer_dtype
from xlogreg._target_validation import sorted_labels

__all__ = [
    "MAX_CLASSES",
    "LabelSummary",
    "class_indices",
    "classes_of",
    "equals_label",
    "given_classes",
    "judge_classes",
    "judge_labels",
    "label_summary",
    "resolve_pos_label",
]

_MAX_LABELS_SHOWN = 5
# The most classes a metric takes: a K × K confusion matrix of 1024 classes is
# 8 MiB. A summary keeps this many distinct labels, so the merged summaries of
# Dask chunks know every class exactly.
MAX_CLASSES = 1024


class LabelSummary(NamedTuple):
    """The distinct labels of a label array, as far as the checks need them.

    Attributes
    ----------
    shown : tuple
        The smallest distinct labels, sorted, as Python values (at most
        :data:`MAX_CLASSES`).
    count : int
        How many distinct labels there are (a lower bound where ``at_least``).
    finite : bool
        Whether no label is NaN or infinite.
    at_least : bool
        Whether ``count`` is a lower bound: summaries merged from Dask chunks
        of which one held more distinct labels than it kept.
    """

    shown: tuple
    count: int
    finite: bool
    at_least: bool = False


def label_summary(y: Any, *, xp: ModuleType) -> LabelSummary:
    """Summarize the distinct values of ``y``, found by :func:`~xlogreg._validation.sorted_labels`.

    Numeric labels need no sort and no copy of ``y``. A NaN or infinity in
    ``y`` is among the labels, so they are checked rather than ``y``; at
    most two labels are read back in one transfer and checked on the host.
    """
    if y.shape[0] == 0:
        return LabelSummary((), 0, True)
    labels = sorted_labels(y, xp=xp)
    count = labels.shape[0]
    floating = xp.isdtype(y.dtype, "real floating")
    if count <= 2:
        shown = host_list(labels)
        return LabelSummary(
            tuple(shown), count, not floating or all(math.isfinite(v) for v in shown)
        )
    finite = not floating or host_bool(xp.all(xp.isfinite(labels)))
    return LabelSummary(tuple(host_list(labels[: min(count, MAX_CLASSES)])), count, finite)


def judge_labels(summary: LabelSummary, name: str) -> list:
    """The sorted labels of a binary label array ``name``, from its summary.

    Raises
    ------
    ValueError
        If the labels hold NaN or infinity, or more than two distinct values.
    """
    if not summary.finite:
        raise ValueError(f"{name} contains NaN or infinity")
    if summary.count <= 2:
        return list(summary.shown)
    shown = summary.shown[:_MAX_LABELS_SHOWN]
    more = ", ..." if summary.count > _MAX_LABELS_SHOWN else ""
    raise ValueError(
        f"{name} must be binary (two labels at most), got {_count(summary)} labels: "
        f"{', '.join(map(repr, shown))}{more}"
    )


def _count(summary: LabelSummary) -> str:
    return f"at least {summary.count}" if summary.at_least else str(summary.count)


def judge_classes(summary: LabelSummary, name: str) -> list:
    """The sorted labels of a label array ``name`` of any number of classes, from its summary.

    Raises
    ------
    ValueError
        If the labels hold NaN or infinity, or more than :data:`MAX_CLASSES`
        distinct values.
    """
    if not summary.finite:
        raise ValueError(f"{name} contains NaN or infinity")
    if summary.count > MAX_CLASSES:
        raise ValueError(
            f"{name} has {_count(summary)} distinct labels; classification metrics take at "
            f"most {MAX_CLASSES} classes (are these regression targets?)"
        )
    return list(summary.shown)


def given_classes(labels: Any) -> list | None:
    """``labels=`` as a list of distinct labels, checked (None stays None).

    Raises
    ------
    ValueError
        If it is empty or repeats a label.
    """
    if labels is None:
        return None
    values = host_list(labels) if hasattr(labels, "shape") else list(labels)
    if not values:
        raise ValueError("labels is empty: pass the classes to report, or leave it out")
    if len(set(values)) != len(values):
        raise ValueError(f"labels must be distinct, got {values}")
    if len(values) > MAX_CLASSES:
        raise ValueError(f"labels lists {len(values)} classes; metrics take at most {MAX_CLASSES}")
    return values


def classes_of(found: list, labels: list | None, names: str = "y_true or y_pred") -> list:
    """The classes a metric counts: ``labels`` (from :func:`given_classes`) if given, which
    must then hold every label ``found`` in the data (in ``names``), else those found.

    Raises
    ------
    ValueError
        If a label found is not in ``labels``.
    """
    if labels is None:
        return found
    unknown = [v for v in found if v not in labels]
    if unknown:
        raise ValueError(f"{names} holds labels {unknown} that are not in labels={labels}")
    return labels


def resolve_pos_label(labels: list, pos_label: Any, name: str, *, greater: bool = False) -> Any:
    """Return the positive label among ``labels``.

    ``pos_label=None`` means the greater label when ``greater`` (scikit-learn's
    rule for ``roc_auc_score``); otherwise 1, allowed only when the labels are
    0/1 or -1/1 (its rule for curves and probabilities).

    Raises
    ------
    ValueError
        If ``pos_label`` is None and the labels are not 0/1 or -1/1, or if two
        labels are present and ``pos_label`` is neither.
    """
    if pos_label is None:
        if greater:
            return labels[-1]
        if set(labels) <= {0, 1} or set(labels) <= {-1, 1}:
            return 1
        raise ValueError(
            f"{name} has labels {labels}; pass pos_label= to say which one is positive "
            "(it can be left out only for labels 0/1 or -1/1)"
        )
    if len(labels) == 2 and pos_label not in labels:
        raise ValueError(f"pos_label={pos_label!r} is not one of the labels {labels} of {name}")
    return pos_label


def equals_label(xp: ModuleType, y: Any, label: Any) -> Any:
    """``y == label`` as a boolean array, for boolean label arrays too."""
    if y.dtype == xp.bool:
        return y if label else xp.logical_not(y)
    return y == label


def class_indices(xp: ModuleType, y: Any, classes: Sequence) -> Any:
    """The position of each label of ``y`` in ``classes``, as an integer array on ``y``'s device.

    ``classes`` lists distinct labels in any order and holds every label of
    ``y`` (the callers check this on the summary first). Integer labels whose
    sorted classes are consecutive integers (0 to K − 1, say) are shifted, not
    searched; others take one binary search per label in the sorted classes.
    No n × K comparison either way.
    """
    if y.dtype == xp.bool:
        y = xp.astype(y, xp.int8)
        classes = [int(c) for c in classes]
    order = sorted(range(len(classes)), key=lambda k: classes[k])
    values = [classes[k] for k in order]
    device = device_of(y)
    consecutive = all(type(v) is int for v in values) and values == list(
        range(values[0], values[-1] + 1)
    )
    if xp.isdtype(y.dtype, "integral") and consecutive:
        positions = xp.astype(y, integer_dtype(xp, device), copy=False)
        if values[0] != 0:
            positions = positions - values[0]
    else:
        numeric = xp.isdtype(y.dtype, ("integral", "real floating"))
        sorted_classes = xp.asarray(values, dtype=y.dtype if numeric else None, device=device)
        positions = xp.searchsorted(sorted_classes, y)
    if order == list(range(len(classes))):
        return positions
    return xp.take(xp.asarray(order, device=device), positions)
