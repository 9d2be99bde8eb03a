"""check_scoring and Scorer: every supported name scores as scikit-learn's scorer of that name
(response method, sign, arguments), with and without sample weights, on two and three classes
and on regression; as LogisticRegressionCV's per-fold scorer when the classes are given; on every
backend, in the input's namespace and device; and every bad ``scoring`` refused before any fit.

References: scikit-learn 1.9's ``get_scorer(name)`` on a fitted ``LogisticRegression`` /
``LinearRegression`` (sample weights routed through metadata routing), and the scorer that
``sklearn.linear_model._logistic._log_reg_scoring_path`` rebuilds with ``labels=classes`` and,
for two classes, ``pos_label=classes[-1]``."""

import inspect
import warnings

import array_api_compat
import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import get_scorer, get_scorer_names, make_scorer
from sklearn.utils._response import _check_response_method

from tests.backends import BACKEND_PARAMS, backend_row, rtol_for
from xlogreg._backend import to_numpy
from xlogreg.model_selection import Scorer, check_scoring
from xlogreg.model_selection._scoring import CLASSIFIER_NAMES, REGRESSOR_NAMES

BINARY_ONLY = {"roc_auc", "f1", "precision", "recall"}


def _halves(X, y):
    """Fit on the even rows, score on the odd ones: scores that are not perfect."""
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X[::2], y[::2], X[1::2], y[1::2]


def _classification(load, n_features, labels=None):
    X, y = load(return_X_y=True)
    if labels is not None:
        y = np.asarray(labels)[y]
    X_fit, y_fit, X_test, y_test = _halves(X[:, :n_features], y)
    est = LogisticRegression(C=0.5, max_iter=10_000, tol=1e-10).fit(X_fit, y_fit)
    return est, X_test, y_test


PROBLEMS = {
    "binary": lambda: _classification(load_breast_cancer, 4),
    "three_classes": lambda: _classification(load_wine, 3),
}


@pytest.fixture(scope="module", params=list(PROBLEMS))
def problem(request):
    return request.param, *PROBLEMS[request.param]()


def _weights(n, seed=0):
    return np.random.default_rng(seed).uniform(0.1, 3.0, n)


def _sklearn_score(name, est, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # top_k_accuracy's k >= n_classes
        if sample_weight is None:
            return get_scorer(name)(est, X, y)
        with sklearn.config_context(enable_metadata_routing=True):
            scorer = get_scorer(name).set_score_request(sample_weight=True)
            return scorer(est, X, y, sample_weight=sample_weight)


def _ours(name, est, X, y, sample_weight=None, *, classes=True):
    scorer = check_scoring(name)
    response = getattr(est, scorer.response)(X)
    return scorer.score(y, response, sample_weight, classes=est.classes_ if classes else None)


def test_every_name_is_scikit_learns_with_its_response_and_sign():
    est, _, _ = PROBLEMS["three_classes"]()
    assert set(CLASSIFIER_NAMES) | set(REGRESSOR_NAMES) <= set(get_scorer_names())
    for name in CLASSIFIER_NAMES + REGRESSOR_NAMES:
        reference = get_scorer(name)
        scorer = check_scoring(name, classifier=name in CLASSIFIER_NAMES)
        assert scorer.name == name
        assert scorer.greater_is_better == (reference._sign == 1), name
        assert scorer.response == _check_response_method(est, reference._response_method).__name__
        assert not scorer.is_callable


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", CLASSIFIER_NAMES)
def test_a_name_scores_as_scikit_learns_scorer(problem, name, weighted):
    kind, est, X, y = problem
    weight = _weights(len(y)) if weighted else None
    if kind == "three_classes" and name in BINARY_ONLY:
        with pytest.raises(ValueError, match=rf"scoring='{name}' scores two classes, and y has 3"):
            _ours(name, est, X, y, weight)
        with pytest.raises(ValueError):
            _sklearn_score(name, est, X, y, weight)
        return
    if kind == "three_classes" and weighted and name.startswith("roc_auc_ovo"):
        with pytest.raises(ValueError, match="sample_weight is not supported"):
            _ours(name, est, X, y, weight)
        with pytest.raises(ValueError, match="sample_weight is not supported"):
            _sklearn_score(name, est, X, y, weight)
        return
    expected = _sklearn_score(name, est, X, y, weight)
    for classes in (True, False):
        if classes or check_scoring(name).response == "predict":
            actual = _ours(name, est, X, y, weight, classes=classes)
            np.testing.assert_allclose(to_numpy(actual), expected, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("name", CLASSIFIER_NAMES)
def test_calling_the_scorer_on_an_estimator_is_scikit_learns(problem, name):
    kind, est, X, y = problem
    if kind == "three_classes" and name in BINARY_ONLY:
        return
    actual = check_scoring(name)(est, X, y)
    np.testing.assert_allclose(to_numpy(actual), _sklearn_score(name, est, X, y), rtol=1e-12)


def _lrcv_scorer(name, classes):
    """The scorer LogisticRegressionCV scores each fold with in scikit-learn 1.9 (its
    ``_log_reg_scoring_path``), for the names whose metric takes ``labels``."""
    scorer = get_scorer(name)
    takes_pos_label = "pos_label" in inspect.signature(scorer._score_func).parameters
    pos_label = {"pos_label": classes[-1]} if len(classes) == 2 and takes_pos_label else {}
    return make_scorer(
        scorer._score_func,
        greater_is_better=scorer._sign == 1,
        response_method=scorer._response_method,
        labels=classes,
        **pos_label,
        **scorer._kwargs,
    )


@pytest.mark.parametrize("name", ["f1", "precision", "recall", "neg_brier_score", "roc_auc"])
@pytest.mark.parametrize("labels", [("benign", "malignant"), (1, 2)], ids=["strings", "1-2"])
def test_with_classes_two_classes_score_as_logistic_regression_cv_does(name, labels):
    """Given the classes, the last class is positive whatever the labels (scikit-learn's plain
    scorer counts 1 as positive in the F-scores, and refuses string labels)."""
    est, X, y = _classification(load_breast_cancer, 4, labels)
    expected = _lrcv_scorer(name, est.classes_)(est, X, y)
    np.testing.assert_allclose(to_numpy(_ours(name, est, X, y)), expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["f1", "precision", "recall"])
def test_without_classes_the_f_scores_count_1_as_positive_as_get_scorer_does(name):
    est, X, y = _classification(load_breast_cancer, 4, (1, 2))
    actual = _ours(name, est, X, y, classes=False)
    np.testing.assert_allclose(to_numpy(actual), get_scorer(name)(est, X, y), rtol=1e-12)
    est, X, y = _classification(load_breast_cancer, 4, ("benign", "malignant"))
    with pytest.raises(ValueError, match="pos_label=1"):
        _ours(name, est, X, y, classes=False)
    with pytest.raises(ValueError, match="pos_label=1"):
        get_scorer(name)(est, X, y)


@pytest.mark.parametrize(
    "name",
    ["neg_log_loss", "neg_brier_score", "top_k_accuracy", "f1_macro", "recall_weighted"],
)
def test_a_fold_missing_a_class_is_scored_over_all_classes(name):
    """LogisticRegressionCV passes labels=classes: a test fold without class 2 still scores."""
    est, X, y = PROBLEMS["three_classes"]()
    keep = y != est.classes_[2]
    X, y, weight = X[keep], y[keep], _weights(int(keep.sum()), seed=3)
    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # recall of the absent class
        reference = _lrcv_scorer(name, est.classes_).set_score_request(sample_weight=True)
        expected = reference(est, X, y, sample_weight=weight)
    np.testing.assert_allclose(to_numpy(_ours(name, est, X, y, weight)), expected, rtol=1e-12)


def test_average_precision_counts_1_as_positive():
    """scikit-learn negates the decision function when 1 is the first class, and refuses two
    classes without 1."""
    est, X, y = _classification(load_breast_cancer, 4, (1, 2))
    expected = get_scorer("average_precision")(est, X, y)
    np.testing.assert_allclose(to_numpy(_ours("average_precision", est, X, y)), expected)
    est, X, y = _classification(load_breast_cancer, 4, ("benign", "malignant"))
    with pytest.raises(ValueError, match=r"scoring='average_precision' counts the label 1"):
        _ours("average_precision", est, X, y)
    with pytest.raises(ValueError, match="pos_label=1 is not a valid label"):
        get_scorer("average_precision")(est, X, y)


@pytest.fixture(scope="module")
def regression():
    X, y = load_diabetes(return_X_y=True)
    X_fit, y_fit, X_test, y_test = _halves(X, y)
    return LinearRegression().fit(X_fit, y_fit), X_test, y_test


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", REGRESSOR_NAMES)
def test_a_regression_name_scores_as_scikit_learns_scorer(regression, name, weighted):
    est, X, y = regression
    weight = _weights(len(y)) if weighted else None
    scorer = check_scoring(name, classifier=False)
    actual = scorer.score(y, est.predict(X), weight)
    expected = _sklearn_score(name, est, X, y, weight)
    np.testing.assert_allclose(to_numpy(actual), expected, rtol=1e-12)
    np.testing.assert_allclose(to_numpy(scorer(est, X, y, weight)), expected, rtol=1e-12)


@pytest.mark.parametrize("name", REGRESSOR_NAMES)
def test_two_targets_score_as_scikit_learns_scorer(regression, name):
    """Each target's error, then their mean: for the root mean squared error, the mean of
    the roots (scikit-learn's), not the root of the mean."""
    _, X, y = regression
    targets = np.stack([y, 3.0 * y[::-1]], axis=1)
    est = LinearRegression().fit(X, targets)
    scorer = check_scoring(name, classifier=False)
    expected = get_scorer(name)(est, X, targets)
    np.testing.assert_allclose(
        to_numpy(scorer.score(targets, est.predict(X))), expected, rtol=1e-12
    )


def _small(problem_name, n_rows):
    est, X, y = PROBLEMS[problem_name]()
    rows = np.random.default_rng(5).choice(len(y), n_rows, replace=False)
    return est, X[rows], y[rows]


def _assert_on(result, backend):
    assert array_api_compat.array_namespace(result) is backend.xp
    assert array_api_compat.device(result) == backend.device
    assert result.shape == ()


# JAX compiles every kernel of every metric afresh (about 10 s a problem): its float64 row, the
# float64 path that NumPy, torch and array-api-strict check here too, is left out to keep the
# module fast; its float32 row (x64 off, as most JAX users run it: int32 labels) stays.
SCORE_ROWS = [p for p in BACKEND_PARAMS if p.id != "jax-cpu-float64"]


@pytest.mark.parametrize("row", SCORE_ROWS)
@pytest.mark.parametrize("problem_name", list(PROBLEMS))
def test_every_name_scores_on_every_backend(row, problem_name):
    """On the device: the result in the inputs' namespace and device, equal to NumPy float64's
    (itself checked against scikit-learn above)."""
    with backend_row(row) as backend:
        _check_every_name(backend, problem_name)


def _check_every_name(backend, problem_name):
    est, X, y = _small(problem_name, 40)
    weight = _weights(len(y), seed=7)
    y_row = backend.asarray(y, dtype=backend.integer_dtype)
    weight_row = backend.asarray(weight)
    rtol = rtol_for(backend, float64=1e-12, float32=2e-5)
    for name in CLASSIFIER_NAMES:
        if problem_name == "three_classes" and name in BINARY_ONLY:
            continue
        scorer = check_scoring(name)
        ovo = name.startswith("roc_auc_ovo") and problem_name == "three_classes"
        w, w_row = (None, None) if ovo else (weight, weight_row)  # no weights, as scikit-learn
        response = getattr(est, scorer.response)(X)
        expected = to_numpy(scorer.score(y, response, w, classes=est.classes_))
        labels = scorer.response == "predict"
        on_row = backend.asarray(response, dtype=backend.integer_dtype if labels else None)
        classes = backend.asarray(est.classes_, dtype=backend.integer_dtype)
        actual = scorer.score(y_row, on_row, w_row, classes=classes)
        _assert_on(actual, backend)
        np.testing.assert_allclose(to_numpy(actual), expected, rtol=rtol, err_msg=name)


def test_regression_names_score_on_every_backend(backend, regression):
    est, X, y = regression
    X, y = X[:40], y[:40]
    weight = _weights(len(y), seed=8)
    rtol = rtol_for(backend, float64=1e-12, float32=2e-5)
    for name in REGRESSOR_NAMES:
        scorer = check_scoring(name, classifier=False)
        expected = to_numpy(scorer.score(y, est.predict(X), weight))
        actual = scorer.score(
            backend.asarray(y), backend.asarray(est.predict(X)), backend.asarray(weight)
        )
        _assert_on(actual, backend)
        np.testing.assert_allclose(to_numpy(actual), expected, rtol=rtol, err_msg=name)


def test_none_is_accuracy_for_a_classifier_and_r2_for_a_regressor():
    assert check_scoring(None) == Scorer("accuracy", True, "predict")
    assert check_scoring(None, classifier=False) == Scorer("r2", True, "predict", classifier=False)


def test_a_callable_is_wrapped_and_called_on_the_estimator():
    calls = []

    def scoring(estimator, X, y, sample_weight=None):
        calls.append((estimator, X, y, sample_weight))
        return 0.25

    scorer = check_scoring(scoring)
    assert scorer.is_callable and scorer.name is None and scorer.response is None
    assert scorer.func is scoring and scorer.greater_is_better
    assert scorer("est", "X", "y") == 0.25
    assert scorer("est", "X", "y", sample_weight="w") == 0.25
    assert calls == [("est", "X", "y", None), ("est", "X", "y", "w")]
    with pytest.raises(TypeError, match=r"call scorer\(estimator, X, y\)"):
        scorer.score(np.zeros(2), np.zeros(2))


@pytest.mark.parametrize(
    "fields",
    [("jaccard", True, "predict"), ("accuracy", False, "predict"), ("roc_auc", True, "predict")],
)
def test_a_scorer_made_by_hand_must_match_its_name(fields):
    with pytest.raises(ValueError, match="make a Scorer with check_scoring"):
        Scorer(*fields)


def test_a_scorer_passes_through_check_scoring():
    scorer = check_scoring("roc_auc_ovr")
    assert check_scoring(scorer) is scorer
    with pytest.raises(ValueError, match="scoring='roc_auc_ovr' is a classifier's score"):
        check_scoring(scorer, classifier=False)


@pytest.mark.parametrize(
    ("scoring", "classifier", "message"),
    [
        ("accuracy_score", True, r"scoring='accuracy_score' is not a known scorer; a classifier"),
        ("jaccard", True, r"scoring='jaccard' is not a known scorer"),
        ("f1_samples", True, r"scoring='f1_samples' is not a known scorer"),
        ("neg_median_absolute_error", False, r"is not a known scorer; a regressor takes one of"),
        ("r2", True, r"scoring='r2' is a regressor's score; a classifier takes one of accuracy"),
        ("neg_log_loss", False, r"scoring='neg_log_loss' is a classifier's score; a regressor"),
    ],
)
def test_an_unknown_or_misplaced_name_is_refused_listing_the_names(scoring, classifier, message):
    with pytest.raises(ValueError, match=message) as caught:
        check_scoring(scoring, classifier=classifier)
    names = CLASSIFIER_NAMES if classifier else REGRESSOR_NAMES
    assert all(name in str(caught.value) for name in names)


@pytest.mark.parametrize("scoring", [3, 0.5, ["accuracy"]], ids=repr)
def test_scoring_of_another_type_is_a_type_error(scoring):
    with pytest.raises(TypeError, match="scoring must be a scorer name, a callable"):
        check_scoring(scoring)


@pytest.mark.parametrize(
    ("name", "classes", "message"),
    [
        ("roc_auc", 3, r"scoring='roc_auc' scores two classes, .* use 'roc_auc_ovr' or"),
        ("f1", ["a", "b", "c"], r"scoring='f1' scores two classes, .* use 'f1_macro'"),
        ("recall", np.arange(4), r"scoring='recall' scores two classes, and y has 4"),
        ("average_precision", ["no", "yes"], r"counts the label 1 .* \['no', 'yes'\]"),
        ("accuracy", 1, r"scoring='accuracy' needs two classes at least, got 1"),
    ],
)
def test_a_name_that_does_not_fit_the_problem_is_refused(name, classes, message):
    with pytest.raises(ValueError, match=message):
        check_scoring(name).check_problem(classes)


def test_average_precision_takes_more_classes_without_1():
    check_scoring("average_precision").check_problem(["x", "y", "z"])
    check_scoring("r2", classifier=False).check_problem(3)


def test_missing_classes_and_wrong_responses_are_refused():
    est, X, y = PROBLEMS["three_classes"]()
    with pytest.raises(ValueError, match=r"scoring='neg_log_loss' reads the predict_proba"):
        check_scoring("neg_log_loss").score(y, est.predict_proba(X))
    with pytest.raises(ValueError, match=r"predict_proba's \(n_samples, 3\) probabilities"):
        check_scoring("neg_log_loss").score(y, est.predict_proba(X)[:, :2], classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"decision function's \(n_samples, 3\) scores"):
        check_scoring("top_k_accuracy").score(y, est.predict_proba(X)[:, 0], classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"decision function's \(n_samples,\) scores"):
        check_scoring("roc_auc").score(y[:4] % 2, np.zeros((4, 2)), classes=[0, 1])
