"""metrics/_report.py: classification_report gives scikit-learn 1.9's text and dict."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from tests.metrics.label_cases import labeled_cases
from tests.metrics.strategies import PROPERTY
from xlogreg import metrics as xm

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _tokens(report: str) -> list[list[str]]:
    """The report's words, line by line, unweighted supports as integers: scikit-learn
    prints them as floats ("1.0") on some paths (string labels, say), as integers on others."""
    return [
        [re.sub(r"^(\d+)\.0$", r"\1", word) for word in line.split()]
        for line in report.splitlines()
    ]


@PROPERTY
@given(case=labeled_cases(), digits=st.integers(0, 5), subset=st.booleans())
def test_text_report_equals_scikit_learns(case, digits, subset) -> None:
    """Unweighted: supports are then exact integers."""
    labels = case.classes[::-1][: max(1, len(case.classes) - 1)] if subset else None
    kwargs = {"labels": labels, "digits": digits, "zero_division": 0}
    actual = xm.classification_report(case.y_true, case.y_pred, **kwargs)
    expected = skm.classification_report(case.y_true, case.y_pred, **kwargs)
    assert _tokens(actual) == _tokens(expected)
    assert len(actual.splitlines()) == len(expected.splitlines())


@PROPERTY
@given(case=labeled_cases(), zero_division=st.sampled_from([0, 1, float("nan")]))
def test_dict_report_equals_scikit_learns(case, zero_division) -> None:
    kwargs = {"sample_weight": case.weight, "output_dict": True, "zero_division": zero_division}
    actual = xm.classification_report(case.y_true, case.y_pred, **kwargs)
    expected = skm.classification_report(case.y_true, case.y_pred, **kwargs)
    assert list(actual) == list(expected)
    for key, want in expected.items():
        got = actual[key]
        if isinstance(want, dict):
            assert list(got) == list(want)
            assert all(isinstance(v, float) for v in got.values())
            np.testing.assert_allclose(list(got.values()), list(want.values()), rtol=1e-12)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-12)


def test_target_names_name_the_rows() -> None:
    y_true, y_pred = np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1])
    names = ["setosa", "versicolor", "virginica"]
    expected = skm.classification_report(y_true, y_pred, target_names=names)
    assert xm.classification_report(y_true, y_pred, target_names=names) == expected
    with pytest.raises(ValueError, match="target_names has 2 names but 3 classes"):
        xm.classification_report(y_true, y_pred, target_names=names[:2])
