"""The fitted model that the hardening tests of xlogreg serve (test_guard.py, test_protocol.py)
serve: one per module."""

import numpy as np
import pytest

from tests.serve.hardening import FEATURES
from xlogreg import LogisticRegression


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    return LogisticRegression().fit(X, (X[:, 0] + X[:, 1] > 0).astype(int), feature_names=FEATURES)
