"""Every bad input raises the documented exception, naming the argument, before any work."""

import numpy as np
import pytest

from xlogreg import LogisticRegression, NotFittedError
from xlogreg._backend import to_numpy
from xlogreg._validation import check_features

from backends import assert_on_backend

X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 3.0], [1.0, 2.0], [0.5, 0.5]])
Y = np.array([0, 1, 0, 1, 1, 0])


def _with(array, index, value):
    changed = np.array(array, dtype=float)
    changed[index] = value
    return changed


@pytest.mark.parametrize(
    ("X_bad", "y_bad", "weight", "error", "match"),
    [
        (_with(X, (1, 1), np.nan), Y, None, ValueError, "X contains NaN or infinity"),
        (_with(X, (2, 0), np.inf), Y, None, ValueError, "X contains NaN or infinity"),
        (X, _with(Y, 3, np.nan), None, ValueError, "y contains NaN or infinity"),
        (X, Y, _with(np.ones(6), 0, np.nan), ValueError, "sample_weight contains NaN"),
        (X, Y, _with(np.ones(6), 0, np.inf), ValueError, "sample_weight contains NaN"),
        (X[:, 0], Y, None, ValueError, r"X must be 2-D .* X.reshape\(-1, 1\)"),
        (X[None], Y, None, ValueError, "X must be 2-D"),
        (X, np.stack([Y, Y], axis=1), None, ValueError, "y must be 1-D"),
        (X, Y, np.ones((6, 1)), ValueError, "sample_weight must be 1-D"),
        (X, Y[:5], None, ValueError, "y has 5 entries but X has 6 samples"),
        (X, Y, np.ones(7), ValueError, "sample_weight has 7 entries but X has 6 samples"),
        (X, np.zeros(6), None, ValueError, r"y holds a single class \(\[0.0\]\)"),
        (np.empty((0, 2)), np.empty(0), None, ValueError, "X is empty"),
        (np.empty((6, 0)), Y, None, ValueError, "X is empty"),
        (X.astype(str), Y, None, TypeError, "X must hold real numbers"),
        (X.astype(complex), Y, None, ValueError, "Complex data not supported"),
        (X, Y, -np.ones(6), ValueError, "sample_weight must be non-negative"),
        (X, Y, np.zeros(6), ValueError, "sample_weight sums to zero"),
        (X, Y, np.array(["a"] * 6), TypeError, "sample_weight must hold real numbers"),
    ],
)
def test_bad_data_is_refused(X_bad, y_bad, weight, error, match):
    with pytest.raises(error, match=match):
        LogisticRegression().fit(X_bad, y_bad, sample_weight=weight)


def test_non_finite_values_are_caught_on_every_backend(backend):
    with pytest.raises(ValueError, match="X contains NaN"):
        LogisticRegression().fit(backend.asarray(_with(X, (0, 0), np.nan)), backend.asarray(Y))
    with pytest.raises(ValueError, match="sample_weight contains NaN"):
        LogisticRegression().fit(
            backend.asarray(X), backend.asarray(Y), backend.asarray(_with(np.ones(6), 1, np.inf))
        )


def test_finite_data_whose_sum_overflows_is_accepted(backend):
    # The finiteness check sums X first; a sum that overflows must not be taken for infinity.
    huge = np.finfo(np.float32).max / 2
    X_huge = np.c_[np.full(6, huge), np.full(6, huge), np.arange(6.0)]
    checked = check_features(backend.asarray(X_huge), xp=backend.xp, device=backend.device)
    assert_on_backend(checked, backend)
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        check_features(
            backend.asarray(_with(X_huge, (5, 2), -np.inf)), xp=backend.xp, device=backend.device
        )


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"C": 0.0}, ValueError, "C must be > 0"),
        ({"C": -1.0}, ValueError, "C must be > 0"),
        ({"C": float("nan")}, ValueError, "C must not be NaN"),
        ({"C": "big"}, TypeError, "C must be a real number"),
        ({"l1_ratio": 0.5}, ValueError, r"l1_ratio=0.5 is not supported: only 0.0"),
        ({"fit_intercept": "yes"}, TypeError, "fit_intercept must be True or False"),
        (
            {"solver": "sag"},
            ValueError,
            r"solver must be one of \('auto', 'gd', 'lbfgs', 'newton'\)",
        ),
        ({"tol": -1e-3}, ValueError, "tol must be >= 0"),
        ({"max_iter": 0}, ValueError, "max_iter must be >= 1"),
        ({"max_iter": 10.5}, TypeError, "max_iter must be an integer"),
        ({"max_iter": True}, TypeError, "max_iter must be an integer"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0"),
        ({"momentum": 1.0}, ValueError, "momentum must be < 1"),
        ({"class_weight": "auto"}, ValueError, "class_weight must be None, 'balanced' or a dict"),
        (
            {"class_weight": {2: 1.0}},
            ValueError,
            r"class_weight has labels \[2\] that are not in y",
        ),
        ({"class_weight": {1: -1.0}}, ValueError, r"class_weight\[1\] must be >= 0"),
        ({"warm_start": 1}, TypeError, "warm_start must be True or False"),
        ({"verbose": -1}, ValueError, "verbose must be >= 0"),
    ],
)
def test_bad_hyper_parameters_are_refused(params, error, match):
    with pytest.raises(error, match=match):
        LogisticRegression(**params).fit(X, Y)


def test_class_weights_that_leave_no_weight_are_refused():
    weight = np.where(Y == 1, 0.0, 1.0)  # the positive class weighs nothing
    with pytest.raises(
        ValueError,
        match=r"'balanced' needs a positive sample_weight sum in every class; classes \[1\]",
    ):
        LogisticRegression(class_weight="balanced").fit(X, Y, sample_weight=weight)
    with pytest.raises(ValueError, match="class_weight gives every sample a weight of zero"):
        LogisticRegression(class_weight={0: 0.0}).fit(X, Y, sample_weight=weight)


def test_threshold_outside_the_unit_interval():
    model = LogisticRegression().fit(X, Y)
    for threshold in (-0.1, 1.5):
        with pytest.raises(ValueError, match="threshold must be"):
            model.predict(X, threshold=threshold)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_using_an_unfitted_model(method):
    with pytest.raises(NotFittedError, match="not fitted yet; call 'fit'"):
        getattr(LogisticRegression(), method)(X)
    with pytest.raises(AttributeError):  # NotFittedError is an AttributeError too, as in sklearn
        getattr(LogisticRegression(), method)(X)


def test_wrong_number_of_features_at_predict(backend):
    model = LogisticRegression().fit(backend.asarray(X), backend.asarray(Y))
    with pytest.raises(
        ValueError, match="X has 3 features, but LogisticRegression is expecting 2 features"
    ):
        model.predict(backend.asarray(np.ones((2, 3))))


def test_mixed_array_libraries_are_refused():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"inputs mix array libraries .*X is a numpy array.*torch"):
        LogisticRegression().fit(X, torch.tensor(Y))
    model = LogisticRegression().fit(X, Y)
    with pytest.raises(TypeError, match="X is a torch tensor on cpu, coef_ is a numpy array"):
        model.predict(torch.tensor(X))


def test_mixed_devices_are_refused():
    xp = pytest.importorskip("array_api_strict")
    on_cpu = xp.asarray(X)
    on_other = xp.asarray(Y, device=xp.Device("device1"))
    with pytest.raises(ValueError, match="inputs live on different devices"):
        LogisticRegression().fit(on_cpu, on_other)


def test_python_lists_are_accepted_like_numpy():
    from_lists = LogisticRegression().fit(X.tolist(), Y.tolist())
    from_arrays = LogisticRegression().fit(X, Y)
    np.testing.assert_array_equal(from_lists.coef_, from_arrays.coef_)
    assert isinstance(from_lists.coef_, np.ndarray)


@pytest.mark.parametrize(
    "labels",
    [
        [1, 0, 1, 1],
        [-3, 7, 7, -3],
        [0.5, 0.25, 0.5, 0.25],
        [2, 2, 2, 2],
        [2, 0, 1, 0],
        [5.0, -1.0, 2.5, 5.0],
        [True, False, True, True],
    ],
)
def test_labels_are_the_sorted_distinct_values_on_every_backend(backend, labels):
    """Binary targets take a min/max fast path; the labels equal ``np.unique`` either way."""
    from xlogreg._validation import sorted_labels

    y = backend.asarray(labels)
    classes = sorted_labels(y, xp=backend.xp)
    assert_on_backend(classes, backend, dtype=y.dtype)
    np.testing.assert_array_equal(to_numpy(classes), np.unique(labels))
