"""Explanations: ``model.explain(X)`` adds up to the model's output on every backend, and
``contribution_table`` turns one row into a sorted, named table (seed 004's
``feature_contrib_logit``).

Reference: ``X * coef_`` and the model's own ``decision_function``/``predict`` in
NumPy. The sum over features is a different summation order than the matrix
product, so the two agree to a few roundings of the largest term, not bitwise.
"""

import json

import numpy as np
import pandas as pd
import pytest

from tests.backends import RAISIN_CSV, assert_close, assert_on_backend
from xlogreg import LinearRegression, LogisticRegression
from xlogreg._backend import to_numpy
from xlogreg.exceptions import NotFittedError
from xlogreg.explain import ContributionTable, Explanation, contribution_table

NAMES = ("area", "perimeter", "extent", "eccentricity")


def _data(n=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)) * np.array([100.0, 1.0, 0.1, 3.0]) + np.array(
        [500.0, 0.0, 1.0, -2.0]
    )
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    logits = np.c_[Z[:, 0] - Z[:, 1], Z[:, 2] + 0.5 * Z[:, 3], np.zeros(n)]
    classes = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)
    target = Z @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * rng.standard_normal(n)
    return X, classes, target


# (id, estimator, keyword arguments, target kind, output method)
MODELS = [
    ("binary", LogisticRegression, {}, "binary", "decision_function"),
    ("binary-standardized", LogisticRegression, {"standardize": True}, "binary", None),
    ("multinomial", LogisticRegression, {}, "multinomial", "decision_function"),
    ("multinomial-standardized", LogisticRegression, {"standardize": True}, "multinomial", None),
    ("linear", LinearRegression, {}, "1-D", "predict"),
    ("linear-standardized", LinearRegression, {"standardize": True}, "1-D", None),
    ("linear-2-targets", LinearRegression, {}, "2-D", "predict"),
]


def _target(kind, classes, target):
    return {
        "binary": (classes == 0).astype(int),
        "multinomial": classes,
        "1-D": target,
        "2-D": np.c_[target, 1.0 - 2.0 * target],
    }[kind]


def _output_method(estimator):
    return "decision_function" if estimator is LogisticRegression else "predict"


@pytest.mark.parametrize(
    ("estimator", "params", "kind"),
    [pytest.param(e, p, k, id=i) for i, e, p, k, _ in MODELS],
)
def test_contributions_add_up_to_the_output_on_every_backend(backend, estimator, params, kind):
    X, classes, target = _data()
    Xb = backend.asarray(X)
    model = estimator(**params).fit(Xb, backend.asarray(_target(kind, classes, target)))
    explanation = model.explain(Xb)
    assert isinstance(explanation, Explanation)
    contributions, intercept = explanation
    output = getattr(model, _output_method(estimator))(Xb)
    coef = to_numpy(model.coef_)
    if coef.ndim == 2 and coef.shape[0] == 1:  # binary: the positive class's logit
        coef = coef[0]
    expected = X * coef if coef.ndim == 1 else X[:, None, :] * coef[None, :, :]
    assert contributions.shape == expected.shape
    # Elementwise products: the NumPy reference rounds the same way.
    rtol = 1e-15 if backend.has_float64 else 1e-6
    assert_close(contributions, expected, backend, rtol=rtol)
    assert_on_backend(intercept, backend)
    assert intercept.shape == output.shape[1:]
    total = backend.xp.sum(contributions, axis=-1) + intercept
    # A few roundings of the largest term (|X·coef| reaches ~10 here, the output ~1).
    eps = np.finfo(np.float64 if backend.has_float64 else np.float32).eps
    scale = np.max(np.abs(expected)) + np.max(np.abs(to_numpy(intercept)))
    assert_close(total, to_numpy(output), backend, rtol=0.0, atol=8 * eps * scale)


def test_standardized_models_explain_on_the_raw_features():
    """With standardize=True coef_ is on the input scale: contributions take raw X."""
    X, classes, _ = _data()
    y = (classes == 0).astype(int)
    model = LogisticRegression(standardize=True, tol=1e-10).fit(X, y)
    contributions, intercept = model.explain(X)
    np.testing.assert_allclose(contributions, X * model.coef_[0], rtol=1e-15)
    np.testing.assert_allclose(intercept, model.intercept_[0], rtol=0.0)
    np.testing.assert_allclose(
        contributions.sum(axis=1) + intercept, model.decision_function(X), rtol=0, atol=1e-12
    )


def test_explain_checks_its_input_like_predict():
    X, _, target = _data()
    with pytest.raises(NotFittedError):
        LinearRegression().explain(X)
    model = LinearRegression().fit(pd.DataFrame(X, columns=list(NAMES)), target)
    with pytest.raises(ValueError, match="X has 3 features"):
        model.explain(X[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        model.explain(np.where(X > 600.0, np.nan, X))
    with pytest.raises(ValueError, match="another order"):
        model.explain(pd.DataFrame(X[:, ::-1], columns=list(NAMES[::-1])))
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="mix array libraries"):
        model.explain(torch.asarray(X))


def test_a_model_streamed_to_torch_explains_host_and_device_rows_alike():
    torch = pytest.importorskip("torch")
    X, classes, _ = _data()
    y = (classes == 0).astype(int)
    model = LogisticRegression(
        solver="adam", device="torch:cpu", batch_size=32, random_state=0, tol=1e-4
    ).fit(X, y)
    on_host = model.explain(X)
    on_device = model.explain(torch.asarray(X))
    assert isinstance(on_host.contributions, np.ndarray)
    assert isinstance(on_device.contributions, torch.Tensor)
    np.testing.assert_allclose(on_host.contributions, to_numpy(on_device.contributions), rtol=0)
    np.testing.assert_allclose(
        on_host.contributions.sum(axis=1) + on_host.intercept,
        model.decision_function(X),
        atol=1e-12,
    )


def _table_model(kind="binary", **params):
    X, classes, target = _data()
    estimator = LinearRegression if kind in ("1-D", "2-D") else LogisticRegression
    model = estimator(**params).fit(X, _target(kind, classes, target), feature_names=NAMES)
    return model, X


def test_table_rows_are_sorted_named_and_add_up_to_the_logit():
    model, X = _table_model()
    row = X[7]
    table = contribution_table(model, row)
    assert isinstance(table, ContributionTable)
    expected = dict(zip(NAMES, row * model.coef_[0], strict=True))
    assert [r.feature for r in table.rows] == sorted(NAMES, key=lambda n: -abs(expected[n]))
    for r in table.rows:
        assert r.contribution == pytest.approx(expected[r.feature], rel=1e-15)
        assert r.value == row[NAMES.index(r.feature)]
    assert table.label == 1 and table.others == 0.0
    assert table.intercept == model.intercept_[0]
    assert table.output == model.decision_function(row[None, :])[0]
    assert table.probability == model.predict_proba(row[None, :])[0, 1]
    total = table.intercept + sum(r.contribution for r in table.rows)
    assert total == pytest.approx(table.output, abs=1e-12)


def test_table_top_keeps_the_largest_and_sums_the_others():
    model, X = _table_model()
    full = contribution_table(model, X[3])
    top = contribution_table(model, X[3], top=2)
    assert top.rows == full.rows[:2]
    assert top.others == pytest.approx(sum(r.contribution for r in full.rows[2:]), rel=1e-15)
    assert top.output == full.output
    assert "others" in str(top) and "others" not in str(full)
    with pytest.raises(ValueError, match="top must be >= 1"):
        contribution_table(model, X[3], top=0)


def test_table_of_the_negative_class_flips_every_sign():
    model, X = _table_model()
    positive = contribution_table(model, X[0])
    negative = contribution_table(model, X[0], label=0)
    assert negative.label == 0
    assert [r.contribution for r in negative.rows] == [-r.contribution for r in positive.rows]
    assert (negative.intercept, negative.output) == (-positive.intercept, -positive.output)
    assert negative.probability == model.predict_proba(X[:1])[0, 0]


def test_multinomial_tables_explain_the_requested_class():
    model, X = _table_model("multinomial")
    with pytest.raises(ValueError, match=r"label is required for a model with 3 classes"):
        contribution_table(model, X[0])
    with pytest.raises(ValueError, match="label=7 is not one of the model's classes"):
        contribution_table(model, X[0], label=7)
    table = contribution_table(model, X[0], label=2)
    expected = dict(zip(NAMES, X[0] * model.coef_[2], strict=True))
    assert {r.feature: r.contribution for r in table.rows} == pytest.approx(expected, rel=1e-15)
    assert table.output == model.decision_function(X[:1])[0, 2]
    assert table.probability == model.predict_proba(X[:1])[0, 2]
    assert table.intercept == model.intercept_[2]


def test_linear_regression_tables_explain_the_prediction():
    model, X = _table_model("1-D")
    table = contribution_table(model, X[5])
    assert table.probability is None and table.label is None
    assert table.output == model.predict(X[5:6])[0]
    assert table.intercept + sum(r.contribution for r in table.rows) == pytest.approx(
        table.output, abs=1e-12
    )
    assert "prediction" in str(table) and "probability" not in str(table)
    with pytest.raises(ValueError, match="applies to classifiers"):
        contribution_table(model, X[5], label=1)
    two, X = _table_model("2-D")
    with pytest.raises(ValueError, match="has 2 targets"):
        contribution_table(two, X[5])


def test_tables_take_a_row_as_1d_2d_or_a_named_dataframe():
    model, X = _table_model()
    expected = contribution_table(model, X[2])
    assert contribution_table(model, X[2:3]) == expected
    assert contribution_table(model, X[2].tolist()) == expected
    frame = pd.DataFrame(X[2:3], columns=list(NAMES))
    assert contribution_table(model, frame) == expected
    with pytest.raises(ValueError, match="another order"):
        contribution_table(model, frame[list(NAMES[::-1])])
    with pytest.raises(ValueError, match=r"x must be one row.*got shape \(2, 4\)"):
        contribution_table(model, X[:2])
    with pytest.raises(NotFittedError):
        contribution_table(LogisticRegression(), X[2])


def test_tables_stay_on_the_model_backend(backend):
    X, classes, _ = _data()
    y = (classes == 0).astype(int)
    model = LogisticRegression().fit(backend.asarray(X), backend.asarray(y), feature_names=NAMES)
    table = contribution_table(model, backend.asarray(X[4]))
    reference = contribution_table(LogisticRegression().fit(X, y, feature_names=NAMES), X[4])
    assert [r.feature for r in table.rows] == [r.feature for r in reference.rows]
    rtol = 1e-9 if backend.has_float64 else 1e-4
    assert table.output == pytest.approx(reference.output, rel=rtol, abs=rtol)
    assert table.probability == pytest.approx(reference.probability, rel=rtol)
    assert all(isinstance(r.contribution, float) for r in table.rows)


def test_to_dict_is_json_ready_and_ordered():
    model, X = _table_model()
    table = contribution_table(model, X[1], top=3)
    decoded = json.loads(json.dumps(table.to_dict()))
    assert decoded["label"] == 1
    assert decoded["output"] == table.output
    assert decoded["probability"] == table.probability
    assert [row["feature"] for row in decoded["contributions"]] == [r.feature for r in table.rows]
    assert decoded["others"] == table.others


def test_seed_004_raisin_response_from_a_dataframe():
    """Seed 004's /predict response, from the raisin CSV read with pandas: the logit,
    the probability of class 1 and the named contributions of the largest features."""
    data = pd.read_csv(RAISIN_CSV)
    X, y = data.drop(columns="Class"), (data["Class"] == "Kecimen").astype(int)
    model = LogisticRegression(standardize=True).fit(X, y)
    assert model.feature_names_in_ == tuple(X.columns)
    table = contribution_table(model, X.iloc[[0]], top=2)
    response = {
        "pred": int(model.predict(X.iloc[[0]])[0]),
        "p_class1": table.probability,
        "logit": table.output,
        "feature_contrib_logit": {r.feature: r.contribution for r in table.rows},
    }
    row = X.iloc[0].to_numpy()
    contributions = row * model.coef_[0]
    largest = np.argsort(-np.abs(contributions))[:2]
    assert list(response["feature_contrib_logit"]) == [X.columns[i] for i in largest]
    assert response["logit"] == model.decision_function(row[None, :])[0]
    assert response["pred"] == int(response["p_class1"] > 0.5)
    assert table.intercept + sum(contributions) == pytest.approx(response["logit"], abs=1e-9)
