"""Labels: their distinct values, summarized and judged, and the positive label among them.

A label array is summarized (:func:`label_summary`: its smallest distinct
values, their number, whether they are finite) in at most two transfers and
the summary judged (:func:`judge_labels`); summaries of Dask chunks merge
into the summary of the whole array.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any, NamedTuple

from xlogreg._backend import host_bool, host_list
from xlogreg._target_validation import sorted_labels

__all__ = ["LabelSummary", "equals_label", "judge_labels", "label_summary", "resolve_pos_label"]

_MAX_LABELS_SHOWN = 5
# Distinct labels a summary keeps: the merged summaries of Dask chunks name the
# labels of a wrong target exactly, and count them exactly up to this many.
_LABELS_KEPT = 32


class LabelSummary(NamedTuple):
    """The distinct labels of a label array, as far as the checks need them.

    Attributes
    ----------
    shown : tuple
        The smallest distinct labels, sorted, as Python values (at most 32).
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
    return LabelSummary(tuple(host_list(labels[:_LABELS_KEPT])), count, finite)


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
    count = f"at least {summary.count}" if summary.at_least else str(summary.count)
    raise ValueError(
        f"{name} must be binary (two labels at most), got {count} labels: "
        f"{', '.join(map(repr, shown))}{more}"
    )


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
