"""``LogisticRegression(threshold=)``: the model's own operating point for ``predict``."""

import numpy as np
import pytest
from sklearn.base import clone

from tests.backends import assert_on_backend
from xlogreg import LogisticRegression
from xlogreg._backend import to_numpy


def _data(n_classes=2, n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    logits = X @ rng.standard_normal((3, n_classes))
    return X, np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)


def test_predict_uses_the_model_threshold_on_every_backend(backend):
    X, y = _data()
    Xb = backend.asarray(X)
    model = LogisticRegression(threshold=0.3).fit(Xb, backend.asarray(y))
    labels = model.predict(Xb)
    assert_on_backend(labels, backend, dtype=model.classes_.dtype)
    expected = (to_numpy(model.predict_proba(Xb))[:, 1] >= 0.3).astype(int)
    np.testing.assert_array_equal(to_numpy(labels), expected)
    assert 0 < expected.sum() - (to_numpy(model.decision_function(Xb)) > 0).sum()


def test_a_call_threshold_overrides_the_model_threshold():
    X, y = _data()
    model = LogisticRegression(threshold=0.9).fit(X, y)
    default = LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(
        model.predict(X, threshold=0.2), default.predict(X, threshold=0.2)
    )
    np.testing.assert_array_equal(model.predict(X), model.predict_proba(X)[:, 1] >= 0.9)


def test_without_a_threshold_predict_keeps_the_logit_rule():
    X, y = _data()
    model = LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(model.predict(X), model.decision_function(X) > 0)


def test_threshold_is_a_parameter():
    model = LogisticRegression(threshold=0.4)
    assert model.get_params()["threshold"] == 0.4
    assert clone(model).threshold == 0.4
    assert "threshold=0.4" in repr(model)
    X, y = _data()
    model.set_params(threshold=0.6).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), model.predict_proba(X)[:, 1] >= 0.6)


@pytest.mark.parametrize(
    ("threshold", "error", "message"),
    [
        (1.5, ValueError, "threshold must be <= 1"),
        (-0.1, ValueError, "threshold must be >= 0"),
        (float("nan"), ValueError, "threshold must not be NaN"),
        ("0.5", TypeError, "threshold must be a real number"),
        (True, TypeError, "threshold must be a real number"),
    ],
)
def test_bad_thresholds_raise_before_the_fit(threshold, error, message):
    X, y = _data()
    with pytest.raises(error, match=message):
        LogisticRegression(threshold=threshold).fit(X, y)


def test_a_threshold_on_three_classes_raises_at_fit_and_keeps_the_earlier_model():
    X, y = _data()
    model = LogisticRegression(threshold=0.3).fit(X, y)
    coef = model.coef_.copy()
    X3, y3 = _data(n_classes=3)
    with pytest.raises(ValueError, match=r"threshold=0.3 applies to two classes, but y holds 3"):
        model.fit(X3, y3)
    with pytest.raises(ValueError, match="applies to two classes"):
        LogisticRegression(threshold=0.3, solver="sgd", random_state=0).fit(X3, y3)
    np.testing.assert_array_equal(model.coef_, coef)


def test_a_threshold_set_after_a_multinomial_fit_raises_at_predict():
    X3, y3 = _data(n_classes=3)
    model = LogisticRegression().fit(X3, y3).set_params(threshold=0.3)
    with pytest.raises(ValueError, match="threshold applies to two classes only"):
        model.predict(X3)
