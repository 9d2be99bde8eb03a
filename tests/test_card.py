"""xlogreg.card.model_card: JSON-ready, equal to the model's own state, on every backend."""

import json

import numpy as np
import pytest

from xlogreg import LinearRegression, LogisticRegression
from xlogreg._backend import to_numpy
from xlogreg.card import model_card
from xlogreg.exceptions import NotFittedError


def _data():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((80, 3)) * [1.0, 10.0, 0.1]
    return X, (X[:, 0] + rng.standard_normal(80) > 0).astype(np.int64)


@pytest.mark.parametrize("estimator", [LogisticRegression(threshold=0.4), LinearRegression()])
def test_card_describes_the_fitted_model(backend, estimator):
    X, y = _data()
    model = estimator.fit(
        backend.asarray(X, dtype=backend.dtype), backend.asarray(y), feature_names=["a", "b", "c"]
    )
    card = json.loads(json.dumps(model_card(model, data="toy.csv")))  # JSON-ready
    assert card["estimator"] == type(estimator).__name__ and card["data"] == "toy.csv"
    assert card["features"] == ["a", "b", "c"]
    assert card["threshold"] == getattr(estimator, "threshold", None)
    np.testing.assert_array_equal(card["coefficients"]["coef"], to_numpy(model.coef_))
    profile = card["training_profile"]
    assert profile["count"] == profile["rows"] == 80
    for stat in ("mean", "std", "min", "max"):
        expected = to_numpy(getattr(model.training_profile_, stat))
        got = [profile["features"][name][stat] for name in ("a", "b", "c")]
        np.testing.assert_array_equal(got, expected)
    if isinstance(model, LogisticRegression):
        assert card["classes"] == [0, 1]


def test_card_of_an_unfitted_model_is_refused():
    with pytest.raises(NotFittedError, match="not fitted"):
        model_card(LogisticRegression())
