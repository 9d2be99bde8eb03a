"""LogisticRegressionCV: the search of scikit-learn's LogisticRegressionCV, fold for fold;
L1 and elastic-net grids against the same search fitted one model at a time; the batched
grid equal to each model fitted alone on every backend row; bad input refused before any
fit; one warning naming the unconverged models; scikit-learn's estimator protocol.

References: scikit-learn 1.9's ``LogisticRegressionCV(use_legacy_attributes=False,
solver="newton-cholesky", tol=1e-12)`` (converged: no warning, fewer iterations than
``max_iter``) on standardized breast cancer and wine; for L1 grids, where scikit-learn's
saga stops short of the optimum, glum (``gradient_tol=1e-12``) and xlogreg's
``LogisticRegression`` (``tol=1e-12``, tested against glum and saga in
test_logistic_l1.py) fitted on each fold's training rows alone, scored by scikit-learn's
metrics; scikit-learn's ``LogisticRegression`` holding the fitted coefficients."""

import functools
import warnings

import numpy as np
import pytest
from glum import GeneralizedLinearRegressor
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
from sklearn.metrics import accuracy_score, balanced_accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import xlogreg.linear_model._logistic_cv as logistic_cv_module
import xlogreg.linear_model._logistic_grid as logistic_grid_module
from tests.backends import assert_on_backend, rtol_for
from xlogreg import ConvergenceWarning, LogisticRegression, LogisticRegressionCV
from xlogreg._backend import to_numpy
from xlogreg.linear_model._cv_scores import best_candidate, numpy_sum
from xlogreg.linear_model._logistic_cv import check_Cs

CS = [0.01, 0.1, 1.0, 10.0]


@functools.cache
def _standardized(name):
    loader = {"breast_cancer": load_breast_cancer, "wine": load_wine}[name]
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _weights(y):
    return np.random.default_rng(0).uniform(0.2, 3.0, len(y))


def _pairs(X, y):
    return list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))


def _sklearn(X, y, sample_weight=None, **params):
    """scikit-learn's search, run to convergence (its ConvergenceWarning is an error)."""
    params = {"Cs": CS, "cv": 5, "l1_ratios": (0.0,), **params}
    model = SkLogisticRegressionCV(
        use_legacy_attributes=False, solver="newton-cholesky", tol=1e-12, max_iter=1000, **params
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", SkConvergenceWarning)
        model.fit(X, y, sample_weight=sample_weight)
    assert model.n_iter_.max() < 1000
    return model


def _with_intercept(coef, intercept):
    return np.concatenate([np.atleast_2d(coef), np.atleast_1d(intercept)[:, None]], axis=1)


def _relative_error(actual, expected):
    """The largest difference relative to the largest reference entry."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    return np.abs(actual - expected).max() / np.abs(expected).max()


def _assert_same_search(ours, reference, *, scoring, weighted=False, paths=None, coef=None):
    """The grid, the scores, the choice, every model of the grid and the final model."""
    assert ours.C_ == reference.C_
    assert ours.l1_ratio_ == reference.l1_ratio_
    np.testing.assert_array_equal(ours.Cs_, reference.Cs_)
    np.testing.assert_array_equal(ours.l1_ratios_, reference.l1_ratios_)
    np.testing.assert_array_equal(ours.classes_, reference.classes_)
    assert ours.n_iter_.shape == reference.n_iter_.shape
    if scoring in ("accuracy", "f1", "f1_macro"):  # the same predictions
        if weighted:  # sums of weights, added in another order
            np.testing.assert_allclose(ours.scores_, reference.scores_, rtol=1e-14, atol=0.0)
        else:  # counts
            np.testing.assert_array_equal(ours.scores_, reference.scores_)
    else:
        np.testing.assert_allclose(ours.scores_, reference.scores_, rtol=1e-6, atol=0.0)
    paths = reference.coefs_paths_ if paths is None else paths
    assert _relative_error(ours.coefs_paths_, paths) <= 1e-6
    coef = _with_intercept(reference.coef_, reference.intercept_) if coef is None else coef
    assert _relative_error(_with_intercept(ours.coef_, ours.intercept_), coef) <= 1e-6


BINARY_SCORINGS = ["accuracy", "neg_log_loss", "roc_auc", "neg_brier_score", "f1"]
MULTICLASS_SCORINGS = ["accuracy", "neg_log_loss", "roc_auc_ovr", "neg_brier_score", "f1_macro"]


@pytest.mark.parametrize(
    ("name", "scoring"),
    [("breast_cancer", s) for s in BINARY_SCORINGS] + [("wine", s) for s in MULTICLASS_SCORINGS],
)
def test_matches_scikit_learn_for_each_scoring(name, scoring):
    X, y = _standardized(name)
    ours = LogisticRegressionCV(Cs=CS, cv=5, scoring=scoring, tol=1e-10).fit(X, y)
    assert ours.converged_
    assert ours.scores_.shape == (5, 1, len(CS))
    _assert_same_search(ours, _sklearn(X, y, scoring=scoring), scoring=scoring)


# name -> (data, scoring, LogisticRegressionCV's parameters, weighted)
CASES = {
    "shuffled splitter": ("breast_cancer", "neg_log_loss", {"cv": "splitter"}, False),
    "shuffled splitter, 3 classes": ("wine", "neg_log_loss", {"cv": "splitter"}, False),
    "pairs": ("breast_cancer", "accuracy", {"cv": "pairs"}, False),
    "pairs, 3 classes": ("wine", "roc_auc_ovr", {"cv": "pairs"}, False),
    "weighted, balanced": ("breast_cancer", "neg_log_loss", {"class_weight": "balanced"}, True),
    "weighted f1, balanced": ("breast_cancer", "f1", {"class_weight": "balanced"}, True),
    "weighted, balanced, 3 classes": ("wine", "neg_log_loss", {"class_weight": "balanced"}, True),
    "weighted accuracy, 3 classes": ("wine", "accuracy", {}, True),
    "class weight dict, 3 classes": (
        "wine",
        "neg_brier_score",
        {"class_weight": {0: 1, 2: 3}},
        False,
    ),
    "refit=False": ("breast_cancer", "neg_log_loss", {"refit": False}, False),
    "refit=False weighted, 3 classes": ("wine", "accuracy", {"refit": False}, True),
    "unsorted Cs": ("breast_cancer", "neg_log_loss", {"Cs": [1.0, 0.01, 10.0, 0.1]}, False),
    "unsorted Cs, 3 classes": ("wine", "neg_log_loss", {"Cs": [10.0, 0.01, 1.0, 0.1]}, False),
    "no intercept": ("breast_cancer", "neg_log_loss", {"fit_intercept": False}, False),
    "no intercept, 3 classes": ("wine", "neg_log_loss", {"fit_intercept": False}, False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_matches_scikit_learn(case):
    name, scoring, params, weighted = CASES[case]
    X, y = _standardized(name)
    weight = _weights(y) if weighted else None
    if params.get("cv") == "splitter":
        params = {**params, "cv": StratifiedKFold(5, shuffle=True, random_state=0)}
    elif params.get("cv") == "pairs":
        params = {**params, "cv": _pairs(X, y)}
    ours = LogisticRegressionCV(**{"Cs": CS, "scoring": scoring, "tol": 1e-10, **params})
    ours.fit(X, y, sample_weight=weight)
    reference = _sklearn(X, y, weight, scoring=scoring, **params)
    _assert_same_search(ours, reference, scoring=scoring, weighted=weighted)


def test_integer_cs_is_scikit_learns_grid():
    """Cs=5 is logspace(-4, 4, 5): at C=1e4 the folds are (nearly) separable and the
    curvature ~1e-6, so tol=1e-12 is what bounds the coefficients to 1e-6. (Not wine:
    there, at C=1e4, a gradient of 1e-12 leaves the log loss uncertain at 1e-6.)"""
    X, y = _standardized("breast_cancer")
    ours = LogisticRegressionCV(Cs=5, scoring="neg_log_loss", tol=1e-12).fit(X, y)
    _assert_same_search(ours, _sklearn(X, y, Cs=5, scoring="neg_log_loss"), scoring="")


@pytest.mark.parametrize("n_cs", [6, 10, 11])
def test_integer_cs_within_one_rounding_of_numpys_logspace(n_cs):
    """NumPy's vectorized power is not correctly rounded: logspace(-4, 4, 6)[2] is one
    rounding below 10**-0.8 (0.15848931924611143, what Python's ``**`` gives), so a grid
    of 6 or 11 Cs differs from scikit-learn's in one value by one rounding."""
    Cs = np.asarray(check_Cs(n_cs))
    expected = np.logspace(-4, 4, n_cs)
    np.testing.assert_allclose(Cs, expected, rtol=np.finfo(float).eps, atol=0.0)
    np.testing.assert_array_equal(Cs, [10.0 ** float(e) for e in np.linspace(-4, 4, n_cs)])


@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
def test_string_labels(name):
    """With two classes, "f1" counts the last class as positive, as scikit-learn's CV does."""
    X, y = _standardized(name)
    labels = np.array(["zeta", "alpha", "mu"])[y]
    scoring = "f1" if name == "breast_cancer" else "f1_macro"
    ours = LogisticRegressionCV(Cs=CS, scoring=scoring, tol=1e-10).fit(X, labels)
    _assert_same_search(ours, _sklearn(X, labels, scoring=scoring), scoring=scoring)


@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
def test_standardize_equals_scikit_learn_on_standardized_data(name):
    """standardize=True on the raw columns: scikit-learn's search on StandardScaler's
    columns, its coefficients mapped back to the original scale."""
    X, y = (load_breast_cancer if name == "breast_cancer" else load_wine)(return_X_y=True)
    scaler = StandardScaler().fit(X)
    reference = _sklearn(scaler.transform(X), y, scoring="neg_log_loss")
    ours = LogisticRegressionCV(Cs=CS, scoring="neg_log_loss", standardize=True, tol=1e-10)
    ours.fit(X, y)

    def original(rows):
        coef = rows[..., :-1] / scaler.scale_
        return np.concatenate([coef, rows[..., -1:] - coef @ scaler.mean_[:, None]], axis=-1)

    paths = original(reference.coefs_paths_)
    coef = original(_with_intercept(reference.coef_, reference.intercept_))
    _assert_same_search(ours, reference, scoring="neg_log_loss", paths=paths, coef=coef)


def test_callable_scoring_gets_each_fold_model_and_the_test_weights():
    X, y = _standardized("breast_cancer")
    weight = _weights(y)

    def scoring(estimator, X, y, sample_weight=None):
        return balanced_accuracy_score(y, estimator.predict(X), sample_weight=sample_weight)

    ours = LogisticRegressionCV(Cs=CS, scoring=scoring, tol=1e-10).fit(X, y, sample_weight=weight)
    reference = _sklearn(X, y, weight, scoring=scoring)
    np.testing.assert_allclose(ours.scores_, reference.scores_, rtol=1e-12)
    _assert_same_search(ours, reference, scoring="")


def test_exact_ties_are_broken_as_scikit_learns_rounded_sums():
    """Iris (petal length and width, sepal width), shuffled folds: the fold accuracies at
    C=3.48, (1, 29/30, 27/30, 29/30, 29/30), and at C=61.9, (1, 29/30, 28/30, 29/30,
    28/30), both total 4.8; added in fold order as NumPy adds them, the second rounds one
    unit higher, and scikit-learn chooses C=61.9."""
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:, [2, 3, 1]]
    params = {
        "Cs": [3.480700588428413, 61.8965818891261],
        "cv": StratifiedKFold(5, shuffle=True, random_state=0),
        "scoring": "accuracy",
    }
    ours = LogisticRegressionCV(**params, tol=1e-10).fit(X, y)
    _assert_same_search(ours, _sklearn(X, y, **params), scoring="accuracy")
    assert ours.C_ == params["Cs"][1]


def test_refit_false_averages_the_folds_cs_as_numpy():
    """Each fold's best C averaged as scikit-learn's np.mean rounds it (pairwise), not
    exactly: (0.01, 0.01, 0.01, 0.1, 1) gives 0.22599999999999998 (math.fsum: ...03)."""
    Cs, best = [0.01, 0.1, 1.0, 10.0], [0, 0, 0, 1, 2]
    scores = np.zeros((5, 1, len(Cs)))
    scores[np.arange(5), 0, best] = 1.0
    choice = best_candidate(scores, Cs, [0.0], refit=False)
    assert choice.C == np.mean(np.asarray(Cs)[best]) == 0.22599999999999998
    assert choice.l1_ratio == 0.0
    assert choice.rows == [(f, 0, c) for f, c in enumerate(best)]
    l1_ratios = [0.1, 0.7, 0.2]
    scores = np.zeros((10, len(l1_ratios), 1))
    picks = [0, 1, 2, 1, 1, 0, 2, 2, 1, 0]
    scores[np.arange(10), picks, 0] = 1.0
    choice = best_candidate(scores, [1.0], l1_ratios, refit=False)
    assert choice.l1_ratio == np.mean(np.asarray(l1_ratios)[picks])
    assert choice.C == 1.0


@pytest.mark.parametrize("n", [1, 5, 8, 13, 100, 129, 300])
def test_numpy_sum_rounds_as_numpy(n):
    values = np.random.default_rng(n).standard_normal(n) * np.logspace(-8, 8, n)
    assert numpy_sum(list(values)) == np.sum(values)


# ---------------------------------------------------------------- L1 and elastic-net grids


def _search_choice(scores):
    """scikit-learn's choice from scores (n_folds, n_l1_ratios, n_cs): the largest sum over
    the folds, the first in C-major order on ties."""
    totals = np.swapaxes(scores, 1, 2).sum(axis=0)  # (n_cs, n_l1_ratios)
    return np.unravel_index(np.argmax(totals), totals.shape)


def _glum(X, y, *, C, l1_ratio):
    model = GeneralizedLinearRegressor(
        family="binomial",
        alpha=1.0 / (C * len(y)),
        l1_ratio=l1_ratio,
        gradient_tol=1e-12,
        max_iter=1000,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # line searches that cannot improve near the optimum
        model.fit(X, y)
    return np.r_[model.coef_, model.intercept_][None, :]


def _xlogreg_alone(X, y, *, C, l1_ratio):
    model = LogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-12).fit(X, y)
    assert model.converged_
    return _with_intercept(model.coef_, model.intercept_)


def _probabilities(rows, X):
    z = X @ rows[:, :-1].T + rows[:, -1]
    if rows.shape[0] == 1:
        p = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return np.c_[1.0 - p, p]
    z = z - z.max(axis=1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def _one_at_a_time(X, y, folds, Cs, l1_ratios, fit):
    """The search fitted model by model: each fold's paths and neg_log_loss scores."""
    classes = np.unique(y)
    n_outputs = 1 if len(classes) == 2 else len(classes)
    paths = np.empty((len(folds), len(l1_ratios), len(Cs), n_outputs, X.shape[1] + 1))
    scores = np.empty(paths.shape[:3])
    for f, (train, test) in enumerate(folds):
        for r, l1_ratio in enumerate(l1_ratios):
            for c, C in enumerate(Cs):
                rows = fit(X[train], y[train], C=C, l1_ratio=l1_ratio)
                paths[f, r, c] = rows
                p = _probabilities(rows, X[test])
                scores[f, r, c] = -log_loss(y[test], p, labels=classes)
    return paths, scores


def _assert_l1_search(ours, Cs, l1_ratios, paths, scores, refit):
    c, r = _search_choice(scores)
    assert (ours.C_, ours.l1_ratio_) == (Cs[c], l1_ratios[r])
    np.testing.assert_allclose(ours.scores_, scores, rtol=1e-6, atol=0.0)
    assert _relative_error(ours.coefs_paths_, paths) <= 1e-6
    np.testing.assert_array_equal(ours.coefs_paths_ == 0.0, np.abs(paths) <= 1e-10)
    coef = _with_intercept(ours.coef_, ours.intercept_)
    assert _relative_error(coef, refit) <= 1e-6
    np.testing.assert_array_equal(coef == 0.0, np.abs(refit) <= 1e-10)
    assert 0 < np.count_nonzero(ours.coefs_paths_[..., :-1] == 0.0)  # the grid selects features


def test_l1_grid_equals_the_search_fitted_one_model_at_a_time_with_glum():
    X, y = _standardized("breast_cancer")
    Cs, l1_ratios = [0.01, 0.1, 1.0], [0.5, 1.0]
    ours = LogisticRegressionCV(
        Cs=Cs, l1_ratios=l1_ratios, cv=3, scoring="neg_log_loss", tol=1e-10
    ).fit(X, y)
    assert ours.converged_
    folds = list(StratifiedKFold(3).split(X, y))
    paths, scores = _one_at_a_time(X, y, folds, Cs, l1_ratios, _glum)
    c, r = _search_choice(scores)
    refit = _glum(X, y, C=Cs[c], l1_ratio=l1_ratios[r])
    _assert_l1_search(ours, Cs, l1_ratios, paths, scores, refit)


def test_elastic_net_grid_with_three_classes_equals_single_fits():
    """Multinomial with an L1 part: the coefficients are not centred over the classes."""
    X, y = _standardized("wine")
    Cs, l1_ratios = [0.1, 1.0], [0.5, 1.0]
    ours = LogisticRegressionCV(
        Cs=Cs, l1_ratios=l1_ratios, cv=3, scoring="neg_log_loss", tol=1e-10
    ).fit(X, y)
    folds = list(StratifiedKFold(3).split(X, y))
    paths, scores = _one_at_a_time(X, y, folds, Cs, l1_ratios, _xlogreg_alone)
    c, r = _search_choice(scores)
    refit = _xlogreg_alone(X, y, C=Cs[c], l1_ratio=l1_ratios[r])
    _assert_l1_search(ours, Cs, l1_ratios, paths, scores, refit)


# ---------------------------------------------------------------- every backend row


def _tiny(problem):
    """A few dozen rows of real data: every class, few features (JAX compiles per shape)."""
    if problem == "binary":
        X, y = load_breast_cancer(return_X_y=True)
        X, y = X[::10, :3], y[::10]
    else:
        X, y = load_iris(return_X_y=True)
        X, y = X[::2, 1:3], y[::2]
    return StandardScaler().fit_transform(X), y, np.linspace(0.5, 2.0, len(y))


TINY_CS, TINY_L1_RATIOS = [0.1, 1.0], [0.0, 1.0]


@functools.cache
def _tiny_alone(problem):
    """Each (fold, l1_ratio, C) model fitted alone on its fold's weighted training rows."""
    X, y, weight = _tiny(problem)
    folds = list(StratifiedKFold(2).split(X, y))
    rows = []
    for train, _ in folds:
        for l1_ratio in TINY_L1_RATIOS:
            for C in TINY_CS:
                model = LogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-12)
                model.fit(X[train], y[train], sample_weight=weight[train])
                assert model.converged_
                rows.append(_with_intercept(model.coef_, model.intercept_))
    return np.reshape(rows, (len(folds), len(TINY_L1_RATIOS), len(TINY_CS), *rows[0].shape))


@pytest.mark.parametrize("problem", ["binary", "three classes"])
def test_batched_grid_equals_models_fitted_alone_on_every_backend(backend, problem):
    X, y, weight = _tiny(problem)
    tol = 1e-12 if backend.has_float64 else 1e-6
    # No refit (tested above): on JAX each new shape compiles, and a refit is a fit more.
    model = LogisticRegressionCV(
        Cs=TINY_CS, l1_ratios=TINY_L1_RATIOS, cv=2, scoring="neg_log_loss", tol=tol, refit=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(
            backend.asarray(X),
            backend.asarray(y, dtype=backend.integer_dtype),
            sample_weight=backend.asarray(weight),
        )
    expected = _tiny_alone(problem)
    for name in ("coefs_paths_", "scores_", "Cs_", "l1_ratios_", "coef_", "intercept_"):
        assert_on_backend(getattr(model, name), backend)
    assert_on_backend(model.n_iter_, backend, dtype=backend.integer_dtype)
    paths = to_numpy(model.coefs_paths_)
    rtol = rtol_for(backend, float64=1e-10, float32=1e-4)
    assert _relative_error(paths, expected) <= rtol
    lasso = expected[:, 1, :, :, :-1]
    if backend.has_float64:
        np.testing.assert_array_equal(paths[:, 1, :, :, :-1] == 0.0, lasso == 0.0)
    assert np.all(paths[:, 0, :, :, :-1] != 0.0)
    probabilities = model.predict_proba(backend.asarray(X))
    assert_on_backend(probabilities, backend)


# ---------------------------------------------------------------- bad input


@pytest.fixture
def no_fit(monkeypatch):
    """Any fit of the grid or of a LogisticRegression fails the test."""

    def fitting(*args, **kwargs):
        raise AssertionError("a model was fitted before the input was refused")

    monkeypatch.setattr(logistic_cv_module, "fit_grid", fitting)
    monkeypatch.setattr(logistic_grid_module, "fit_grid", fitting)
    monkeypatch.setattr(LogisticRegression, "fit", fitting)


def _leaving_class_2_out():
    _, y = _standardized("wine")
    rows = np.arange(len(y))
    return [(rows[y != 2], rows[y == 2]), (rows[::2], rows[1::2])]


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("wine", {"Cs": []}, "Cs"),
        ("wine", {"Cs": [0.1, -1.0]}, "Cs"),
        ("wine", {"Cs": 0}, "Cs"),
        ("wine", {"Cs": [0.0]}, "Cs"),
        ("wine", {"Cs": [float("nan")]}, "Cs"),
        ("wine", {"l1_ratios": []}, "l1_ratios"),
        ("wine", {"l1_ratios": [1.5]}, "l1_ratios"),
        ("wine", {"l1_ratios": [0.5, -0.1]}, "l1_ratios"),
        ("wine", {"cv": 1}, "cv"),
        ("wine", {"cv": 49}, "cv=49 is larger than the 48 samples of class 2"),
        (
            "wine",
            {"cv": "leave class 2 out"},
            "cv: fold 0's training rows have no sample of class 2",
        ),
        ("wine", {"scoring": "nonsense"}, "scoring='nonsense' is not a known scorer"),
        ("wine", {"scoring": "r2"}, "scoring='r2'"),
        ("wine", {"scoring": "roc_auc"}, "scoring='roc_auc' scores two classes"),
        ("wine", {"scoring": "f1"}, "scoring='f1' scores two classes"),
        ("breast_cancer", {"tol": -1.0}, "tol"),
        ("breast_cancer", {"max_iter": 0}, "max_iter"),
        ("breast_cancer", {"max_batch_memory": 0.0}, "max_batch_memory"),
        ("breast_cancer", {"class_weight": "unbalanced"}, "class_weight"),
    ],
)
def test_bad_input_is_refused_before_any_fit(no_fit, name, params, match):
    X, y = _standardized(name)
    if params.get("cv") == "leave class 2 out":
        params = {"cv": _leaving_class_2_out()}
    with pytest.raises(ValueError, match=match):
        LogisticRegressionCV(**params).fit(X, y)


def test_a_failed_fit_leaves_the_fitted_model_untouched():
    X, y = _standardized("breast_cancer")
    model = LogisticRegressionCV(Cs=[0.1, 1.0], cv=3, scoring="neg_log_loss").fit(X, y)
    before = dict(vars(model))

    def failing(estimator, X, y):
        raise RuntimeError("the scorer fails")

    with pytest.raises(RuntimeError, match="the scorer fails"):  # after the grid is fitted
        model.set_params(scoring=failing).fit(X[:300], y[:300])
    model.set_params(scoring="neg_log_loss")
    with pytest.raises(ValueError, match="cv"):
        model.set_params(cv=1).fit(X, y)
    model.set_params(cv=3)
    assert vars(model).keys() == before.keys()
    for name, value in before.items():
        assert vars(model)[name] is value, name


# ---------------------------------------------------------------- convergence warnings


def _grid_warnings(caught):
    return [str(w.message) for w in caught if "models of the grid" in str(w.message)]


def test_one_warning_names_exactly_the_unconverged_models():
    """All models in one batch, from zero: each model's iterations do not depend on
    max_iter, so the unconverged ones are those that need more than max_iter."""
    X, y = _standardized("breast_cancer")
    params = {"Cs": [0.001, 1.0, 100.0], "cv": 3, "max_batch_memory": 100.0, "tol": 1e-10}
    needed = LogisticRegressionCV(**params).fit(X, y).n_iter_
    max_iter = int(np.median(needed))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LogisticRegressionCV(**params, max_iter=max_iter).fit(X, y)
    (message,) = _grid_warnings(caught)
    unconverged = [
        f"C={C:.4g}, l1_ratio=0, fold {f} (max_iter"
        for f in range(3)
        for c, C in enumerate(params["Cs"])
        if needed[f, 0, c] > max_iter
    ]
    assert 0 < len(unconverged) < needed.size
    assert message.startswith(f"{len(unconverged)} of the {needed.size} models of the grid")
    assert all(name in message for name in unconverged)
    assert message.count("(max_iter") == len(unconverged)
    np.testing.assert_array_equal(model.n_iter_, np.minimum(needed, max_iter))
    assert np.all(np.isfinite(model.scores_))  # scored as they stopped
    assert all(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert len(caught) == 1 + (not model.converged_)  # the refit warns apart


def test_max_iter_one_warns_once_for_the_grid_and_once_for_the_refit():
    X, y = _standardized("breast_cancer")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LogisticRegressionCV(Cs=[0.01, 1.0], cv=3, max_iter=1, tol=1e-10).fit(X, y)
    assert [w.category for w in caught] == [ConvergenceWarning, ConvergenceWarning]
    grid, refit = (str(w.message) for w in caught)
    assert grid.startswith("6 of the 6 models of the grid did not converge")
    assert all(f"C={C:.4g}, l1_ratio=0, fold {f}" in grid for C in (0.01, 1.0) for f in range(3))
    assert "did not converge" in refit and "models of the grid" not in refit
    assert not model.converged_
    np.testing.assert_array_equal(model.n_iter_, np.ones((3, 1, 2)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.set_params(refit=False).fit(X, y)
    assert len(_grid_warnings(caught)) == 1 and len(caught) == 1  # no refit, no second warning
    assert not model.converged_


# ---------------------------------------------------------------- scikit-learn's protocol


def test_clone_get_params_and_set_params():
    model = LogisticRegressionCV(Cs=[0.1, 1.0], l1_ratios=(0.0, 0.5), cv=3, scoring="roc_auc")
    params = model.get_params()
    assert params["Cs"] == [0.1, 1.0] and params["l1_ratios"] == (0.0, 0.5)
    assert params["cv"] == 3 and params["scoring"] == "roc_auc" and params["refit"] is True
    copy = clone(model)
    assert copy is not model and copy.get_params() == params
    assert model.set_params(Cs=4, tol=1e-8) is model
    assert model.get_params()["Cs"] == 4 and model.get_params()["tol"] == 1e-8
    with pytest.raises(ValueError, match="nonsense"):
        model.set_params(nonsense=1)
    X, y = _standardized("breast_cancer")
    fitted = LogisticRegressionCV(Cs=[0.1, 1.0], cv=3).fit(X, y)
    assert not hasattr(clone(fitted), "coef_")


def test_pipeline_and_cross_val_score():
    """In a pipeline, scored by cross_val_score with and without its own scoring: the
    estimator's score is its ``scoring`` (here the negative log loss), as scikit-learn's."""
    X, y = load_breast_cancer(return_X_y=True)
    ours = make_pipeline(
        StandardScaler(), LogisticRegressionCV(Cs=CS, cv=3, scoring="neg_log_loss", tol=1e-10)
    )
    reference = make_pipeline(
        StandardScaler(),
        SkLogisticRegressionCV(
            Cs=CS,
            cv=3,
            scoring="neg_log_loss",
            l1_ratios=(0.0,),
            solver="newton-cholesky",
            tol=1e-12,
            use_legacy_attributes=False,
        ),
    )
    accuracy = cross_val_score(ours, X, y, cv=3, scoring="accuracy")
    np.testing.assert_array_equal(
        accuracy, cross_val_score(reference, X, y, cv=3, scoring="accuracy")
    )
    assert accuracy.mean() > 0.95
    own_score = cross_val_score(ours, X, y, cv=3)
    np.testing.assert_allclose(own_score, cross_val_score(reference, X, y, cv=3), rtol=1e-6)
    assert np.all(own_score < 0.0)


@pytest.mark.parametrize(
    ("scoring", "metric"),
    [
        (None, lambda y, p, w: accuracy_score(y, np.argmax(p, axis=1), sample_weight=w)),
        ("neg_log_loss", lambda y, p, w: -log_loss(y, p, sample_weight=w)),
        ("roc_auc", lambda y, p, w: roc_auc_score(y, p[:, 1], sample_weight=w)),
    ],
)
def test_score_is_the_scoring_on_the_data(scoring, metric):
    X, y = _standardized("breast_cancer")
    weight = _weights(y)
    model = LogisticRegressionCV(Cs=[0.1, 1.0], cv=3, scoring=scoring).fit(X, y)
    probabilities = model.predict_proba(X)
    for w in (None, weight):
        score = model.score(X, y, sample_weight=w)
        assert isinstance(score, float)
        np.testing.assert_allclose(score, metric(y, probabilities, w), rtol=1e-12)


@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
def test_predictions_are_those_of_a_logistic_regression_with_the_same_coefficients(name):
    """scikit-learn's LogisticRegression holding the same coefficients; the probabilities
    against softmax in float64 (scikit-learn's 1 - p of a binary class loses the small
    probabilities' digits: 1e-8 relative at p ~ 1e-8)."""
    X, y = _standardized(name)
    model = LogisticRegressionCV(Cs=CS, cv=3, scoring="neg_log_loss").fit(X, y)
    same = SkLogisticRegression()
    same.coef_, same.intercept_, same.classes_ = model.coef_, model.intercept_, model.classes_
    np.testing.assert_allclose(model.decision_function(X), same.decision_function(X), rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), same.predict(X))
    rows = _with_intercept(model.coef_, model.intercept_)
    if rows.shape[0] == 1:
        rows = np.vstack([np.zeros_like(rows), rows])
    expected = softmax(X @ rows[:, :-1].T + rows[:, -1], axis=1)
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-12)
    np.testing.assert_allclose(
        model.predict_proba(X), same.predict_proba(X), rtol=1e-14, atol=1e-15
    )
