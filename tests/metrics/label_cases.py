"""Hypothesis strategy of true and predicted labels of K classes, shared by the property tests
of the label metrics (tests/metrics/test_classification.py, test_fscores.py, test_report.py).

Cases draw K from 1 to 5 classes named by integers (not always from 0) or strings, predictions
that are right, random, constant or miss some classes, and weights with zeros.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from hypothesis import strategies as st

from tests.metrics.strategies import weight_vectors

NAMES = {
    "small": [0, 1, 2, 3, 4],
    "signed": [-3, -1, 2, 7, 11],
    "strings": ["ant", "bee", "cat", "dog", "eel"],
}


class Labeled(NamedTuple):
    """True and predicted labels of K classes, with the class names they were drawn from."""

    y_true: np.ndarray
    y_pred: np.ndarray
    classes: list
    weight: np.ndarray | None


@st.composite
def labeled_cases(draw: Any, *, min_n: int = 1, max_n: int = 40, min_classes: int = 1) -> Labeled:
    names = NAMES[draw(st.sampled_from(sorted(NAMES)))]
    k = draw(st.integers(min_classes, 5))
    classes = names[:k]
    n = draw(st.integers(max(min_n, min_classes), max_n))
    true = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    true[: min(n, min_classes)] = np.arange(min(n, min_classes))  # the classes needed
    kind = draw(st.sampled_from(["random", "right", "constant", "missing"]))
    if kind == "right":
        pred = true.copy()
    elif kind == "constant":
        pred = np.full(n, draw(st.integers(0, k - 1)))
    else:
        top = max(0, k - 2) if kind == "missing" else k - 1
        pred = np.array(draw(st.lists(st.integers(0, top), min_size=n, max_size=n)))
    weight = draw(weight_vectors(n))
    values = np.array(classes)
    return Labeled(values[true], values[pred], classes, weight)
