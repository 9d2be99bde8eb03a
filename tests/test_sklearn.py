"""scikit-learn's protocol: its estimator checks, and its tools around our estimators.

``parametrize_with_checks`` runs scikit-learn 1.9's checks on every exported
estimator, NumPy inputs, plus its array-API checks on array-api-strict and
torch CPU (``SCIPY_ARRAY_API=1``, set in ``conftest.py``). The checks that
need a GPU library or device (CuPy, dpnp, torch CUDA/XPU/MPS) are marked
``gpu``. Each expected failure states a deliberate difference, in one line.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from _pytest.mark.structures import ParameterSet
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import DataConversionWarning as SklearnDataConversionWarning
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler as SklearnStandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from xlogreg import (
    CalibratedClassifier,
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    LinearRegression,
    LogisticRegression,
    LogisticRegressionCV,
    NotFittedError,
    RidgeCV,
    StandardScaler,
)

MIXED = (
    "by design, inputs from different libraries or devices are refused with a TypeError "
    "naming each one (scikit-learn 1.9 moves y and sample_weight to X's library)"
)
SAME_NAMESPACE = (
    "by design, predicting on another library than fit's is a TypeError naming both "
    "libraries, as for every xlogreg input (scikit-learn asks for a ValueError)"
)
EXPECTED_FAILURES = {
    "check_array_api_mixed_inputs": MIXED,
    "check_array_api_same_namespace": SAME_NAMESPACE,
}
ESTIMATORS = [
    LogisticRegression(),
    LinearRegression(),
    ElasticNet(),
    Lasso(),
    StandardScaler(),
    CalibratedClassifier(LogisticRegression()),
    # Small grids: the checks fit many times on tiny data.
    LogisticRegressionCV(Cs=3, cv=3),
    LassoCV(alphas=5, cv=3),
    ElasticNetCV(alphas=5, cv=3),
    RidgeCV(),
]


def _expected_failures(estimator) -> dict[str, str]:
    failures = dict(EXPECTED_FAILURES)
    if isinstance(estimator, LinearRegression):
        failures["check_non_transformer_estimators_n_iter"] = (
            "the direct solvers (SVD, Cholesky) take no iterations: n_iter_ is None, "
            "as for scikit-learn's Ridge(solver='cholesky')"
        )
    if isinstance(estimator, LassoCV):
        failures["check_sample_weight_equivalence_on_dense_data"] = (
            "the folds split rows, so a repeated row may land in another fold than its "
            "copy while a doubled weight cannot"
        )
    if isinstance(estimator, CalibratedClassifier):
        failures["check_sample_weight_equivalence_on_dense_data"] = (
            "the held-out split is random, so repeating a row is not the same as "
            "doubling its weight (scikit-learn's CalibratedClassifierCV has the same entry)"
        )
    return failures


_GPU_LIBRARIES = {"cupy", "dpnp"}
_GPU_DEVICES = {"cuda", "xpu", "mps", "gpu"}


def _needs_gpu(check: functools.partial) -> bool:
    places = [
        (getattr(value, "xp", value), getattr(value, "device", None))
        for value in check.keywords.values()
    ]
    places.append((check.keywords.get("array_namespace"), check.keywords.get("device_name")))
    return any(library in _GPU_LIBRARIES or device in _GPU_DEVICES for library, device in places)


def _gpu_marked(decorator: pytest.MarkDecorator) -> pytest.MarkDecorator:
    """scikit-learn's parametrization, with the checks that need a GPU marked ``gpu``."""
    names, params = decorator.mark.args
    marked = []
    for param in params:
        if not isinstance(param, ParameterSet):
            param = pytest.param(*param)
        gpu = [pytest.mark.gpu] if _needs_gpu(param.values[1]) else []
        marked.append(pytest.param(*param.values, marks=[*param.marks, *gpu], id=param.id))
    return pytest.mark.parametrize(names, marked, **decorator.mark.kwargs)


with warnings.catch_warnings():
    # "does not inherit from sklearn.base.BaseEstimator": deliberate, scikit-learn is optional.
    warnings.simplefilter("ignore", UserWarning)
    _CHECKS = _gpu_marked(
        parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
    )


@_CHECKS
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)


def _breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return X, y


def test_tags_make_our_estimators_classifiers_and_regressors():
    assert is_classifier(LogisticRegression())
    assert is_classifier(CalibratedClassifier(LogisticRegression()))
    assert is_regressor(LinearRegression())
    assert not is_classifier(StandardScaler()) and not is_regressor(StandardScaler())


def test_grid_search_picks_the_best_c_by_accuracy():
    X, y = _breast_cancer()
    grid = {"C": [1e-4, 1.0]}
    ours = GridSearchCV(LogisticRegression(standardize=True), grid, cv=3).fit(X, y)
    theirs = GridSearchCV(
        make_pipeline(SklearnStandardScaler(), SklearnLogisticRegression()),
        {"logisticregression__C": grid["C"]},
        cv=3,
    ).fit(X, y)
    assert ours.best_params_ == {"C": 1.0}
    assert np.all(np.isfinite(ours.cv_results_["mean_test_score"]))
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], atol=0.02
    )


def test_grid_search_over_a_pipeline_scores_every_candidate():
    X, y = _breast_cancer()
    pipeline = make_pipeline(SklearnStandardScaler(), LogisticRegression())
    search = GridSearchCV(pipeline, {"logisticregression__C": [1e-4, 1.0]}, cv=3).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and scores[1] > scores[0] + 0.05
    assert search.best_params_ == {"logisticregression__C": 1.0}


def test_cross_val_score_matches_scikit_learn():
    X, y = _breast_cancer()
    ours = cross_val_score(LogisticRegression(standardize=True), X, y, cv=5)
    reference = make_pipeline(SklearnStandardScaler(), SklearnLogisticRegression())
    theirs = cross_val_score(reference, X, y, cv=5)
    np.testing.assert_allclose(ours, theirs, atol=0.02)
    assert ours.mean() > 0.95


def test_pipelines_mix_our_steps_with_scikit_learn_steps():
    X, y = load_iris(return_X_y=True)
    theirs_first = make_pipeline(SklearnStandardScaler(), LogisticRegression()).fit(X, y)
    ours_first = make_pipeline(StandardScaler(), SklearnLogisticRegression()).fit(X, y)
    reference = make_pipeline(SklearnStandardScaler(), SklearnLogisticRegression()).fit(X, y)
    for pipeline in (theirs_first, ours_first):
        np.testing.assert_allclose(pipeline.predict_proba(X), reference.predict_proba(X), atol=1e-3)
        np.testing.assert_array_equal(pipeline.predict(X), reference.predict(X))
        assert pipeline.score(X, y) == pytest.approx(reference.score(X, y))


def test_calibrated_classifier_cv_wraps_our_model():
    X, y = _breast_cancer()
    calibrated = CalibratedClassifierCV(LogisticRegression(standardize=True), cv=3).fit(X, y)
    probabilities = calibrated.predict_proba(X)
    assert probabilities.shape == (X.shape[0], 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert calibrated.score(X, y) > 0.95


def test_permutation_importance_ranks_the_informative_features():
    X, y = _breast_cancer()
    model = LogisticRegression(standardize=True).fit(X, y)
    ours = permutation_importance(model, X, y, n_repeats=3, random_state=0)
    forest = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    theirs = permutation_importance(forest, X, y, n_repeats=3, random_state=0)
    assert ours.importances_mean.shape == (X.shape[1],)
    assert ours.importances_mean.max() > 0.005
    # The features that matter most to a forest matter to the linear model too.
    assert ours.importances_mean[np.argsort(theirs.importances_mean)[-3:]].max() > 0


def test_clone_keeps_parameters_and_drops_the_fit():
    model = LogisticRegression(C=0.5, standardize=True).fit(*_breast_cancer())
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "coef_")


def test_scikit_learn_not_fitted_error_catches_ours():
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(SklearnNotFittedError):
            getattr(LogisticRegression(), method)(np.ones((2, 3)))
    with pytest.raises(SklearnNotFittedError):
        StandardScaler().transform(np.ones((2, 3)))


def test_our_errors_pickle_as_scikit_learns_too():
    """joblib's workers send exceptions back pickled."""
    import pickle

    error = pickle.loads(pickle.dumps(NotFittedError("not fitted")))
    assert isinstance(error, SklearnNotFittedError) and isinstance(error, NotFittedError)
    assert error.args == ("not fitted",)


def test_grid_search_in_worker_processes():
    X, y = _breast_cancer()
    search = GridSearchCV(LogisticRegression(standardize=True), {"C": [1e-4, 1.0]}, cv=2, n_jobs=2)
    assert search.fit(X, y).best_params_ == {"C": 1.0}


def test_column_vector_y_is_flattened_with_scikit_learn_warning():
    X, y = load_iris(return_X_y=True)
    flat = LogisticRegression().fit(X, y)
    with pytest.warns(SklearnDataConversionWarning, match="A column-vector y was passed"):
        column = LogisticRegression().fit(X, y[:, None])
    np.testing.assert_array_equal(column.coef_, flat.coef_)


@pytest.mark.parametrize(
    ("y", "expected"),
    [
        (load_diabetes().target, None),
        ((load_diabetes().target - 150.0) / 77.0, "Unknown label type: continuous"),
        (load_iris().target.astype(float), None),
    ],
    ids=["whole-floats", "continuous", "iris-floats"],
)
def test_target_types_follow_type_of_target(y, expected):
    from sklearn.utils.multiclass import type_of_target

    X = load_diabetes().data[: len(y)] if len(y) == 442 else load_iris().data
    assert (type_of_target(y) == "continuous") == (expected is not None)
    if expected is None:
        model = LogisticRegression(max_iter=5, solver="gd")
        with pytest.warns(UserWarning):
            model.fit(X, y)
        assert model.classes_.shape[0] == np.unique(y).shape[0]
        return
    with pytest.raises(ValueError, match=expected):
        LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=expected):
        SklearnLogisticRegression().fit(X, y)
