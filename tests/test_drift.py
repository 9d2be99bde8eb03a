"""Training profile and drift: the profile matches NumPy's statistics on every backend,
the training data has no drift, a shifted copy has exactly its shift, and constant
features stay finite.

References are NumPy float64 computations by hand: ``X.mean(0)``, ``X.std(0)``,
``(mean(X_new) − mean(X)) / std(X)``.
"""

import math

import numpy as np
import pytest

from xlogreg import LinearRegression, LogisticRegression, drift
from xlogreg._backend import to_numpy
from xlogreg.drift import DRIFT_THRESHOLD, DriftReport, TrainingProfile, _training_profile
from xlogreg.exceptions import NotFittedError

from backends import assert_close, assert_on_backend, rtol_for

ESTIMATORS = [LogisticRegression, LinearRegression]


def _data(n=400, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.logspace(-1, 2, d) + np.linspace(-5.0, 300.0, d)
    y = (X[:, 0] + 0.01 * X[:, -1] + rng.standard_normal(n) > -2.0).astype(int)
    return X, y


def _fit(estimator, X, y, **kwargs):
    return estimator(**kwargs).fit(X, y)


def _assert_profile(profile, X, backend, *, rtol):
    assert isinstance(profile, TrainingProfile)
    assert_close(profile.mean, X.mean(axis=0), backend, rtol=rtol)
    assert_close(profile.std, X.std(axis=0), backend, rtol=rtol)
    # Extremes are elements of X: exact in X's dtype.
    dtype = np.float64 if backend.has_float64 else np.float32
    assert_close(profile.min, X.astype(dtype).min(axis=0), backend, rtol=0.0)
    assert_close(profile.max, X.astype(dtype).max(axis=0), backend, rtol=0.0)
    assert type(profile.count) is int and profile.count == X.shape[0]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_training_profile_matches_numpy_on_every_backend(backend, estimator):
    X, y = _data()
    model = _fit(estimator, backend.asarray(X), backend.asarray(y))
    # float32 data rounded once more before the float64 accumulation.
    _assert_profile(
        model.training_profile_, X, backend, rtol=rtol_for(backend, float64=1e-13, float32=1e-6)
    )


@pytest.mark.parametrize("n", [1, 17, 8193, 20_000])
@pytest.mark.parametrize("ratio", [0.0, 1e3, 1e7])
def test_blocked_profile_is_accurate(backend64, n, ratio):
    """NumPy and array-api-strict read 8192-row blocks of 64 features, torch 16 blocks.
    The merged mean is within a few roundings (of the data's magnitude) of the exact
    one (``math.fsum``); the
    variance within ``eps·|mean|/std``, the blocks' mean errors reaching it through the
    merge (documented in ``_training_profile``)."""
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 64)) + ratio
    Xb = backend64.asarray(X)
    profile = _training_profile(Xb, xp=backend64.xp, device=backend64.device)
    exact_mean = np.array([math.fsum(column) for column in X.T]) / n
    eps = np.finfo(np.float64).eps
    assert_close(profile.mean, exact_mean, backend64, rtol=0.0, atol=32 * eps * (1 + ratio))
    exact_std = np.sqrt(
        np.array([math.fsum((column - m) ** 2) for column, m in zip(X.T, exact_mean, strict=True)])
        / n
    )
    assert_close(profile.std, exact_std, backend64, rtol=eps * (32 + ratio), atol=1e-300)
    assert_close(profile.min, X.min(axis=0), backend64, rtol=0.0)
    assert_close(profile.max, X.max(axis=0), backend64, rtol=0.0)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_profile_is_unweighted_and_reuses_the_standardization(estimator):
    X, y = _data()
    weight = np.random.default_rng(1).uniform(0.0, 3.0, len(y))
    plain = _fit(estimator, X, y).training_profile_
    for model in (
        estimator(standardize=True).fit(X, y),
        estimator(standardize=True).fit(X, y, sample_weight=weight),
        estimator(standardize=True, fit_intercept=False).fit(X, y),
        estimator().fit(X, y, sample_weight=weight),
    ):
        profile = model.training_profile_
        for field in ("mean", "std"):
            np.testing.assert_allclose(getattr(profile, field), getattr(plain, field), rtol=1e-13)
        for field in ("min", "max"):
            np.testing.assert_array_equal(getattr(profile, field), getattr(plain, field))
        assert profile.count == plain.count


def test_profile_of_float32_data_is_float32():
    X, y = _data()
    profile = LogisticRegression().fit(X.astype(np.float32), y).training_profile_
    assert {getattr(profile, f).dtype for f in ("mean", "std", "min", "max")} == {
        np.dtype(np.float32)
    }
    np.testing.assert_allclose(profile.mean, X.astype(np.float32).mean(axis=0, dtype=np.float64))


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_training_data_has_no_drift_on_every_backend(backend, estimator):
    X, y = _data()
    Xb = backend.asarray(X)
    model = _fit(estimator, Xb, backend.asarray(y))
    report = model.drift(Xb)
    assert isinstance(report, DriftReport)
    assert_on_backend(report.z_shift, backend)
    assert_on_backend(report.score, backend)
    assert_on_backend(report.drifted, backend, dtype=backend.xp.bool)
    assert report.z_shift.shape == (4,) and report.score.shape == ()
    # Rounding only: float64 means agree to ~1e-16·|mean|/std; float32 ones are
    # stored rounded to float32 (|mean|/std reaches 300 here).
    atol = rtol_for(backend, float64=1e-12, float32=1e-4)
    assert_close(report.z_shift, np.zeros(4), backend, rtol=0.0, atol=atol)
    assert not bool(to_numpy(report.drifted))
    assert report.threshold == DRIFT_THRESHOLD
    assert report.feature_names == ("x0", "x1", "x2", "x3")


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_a_shifted_copy_has_its_shift_and_is_flagged_on_every_backend(backend, estimator):
    X, y = _data()
    shift = np.array([1.0, 0.0, -1.0, 0.0]) * X.std(axis=0)  # +1 and -1 std on two features
    X_new = X[:100] + shift
    expected = (X_new.mean(axis=0) - X.mean(axis=0)) / X.std(axis=0)
    model = _fit(estimator, backend.asarray(X), backend.asarray(y))
    report = model.drift(backend.asarray(X_new))
    rtol = rtol_for(backend, float64=1e-12, float32=1e-4)
    assert_close(report.z_shift, expected, backend, rtol=rtol, atol=rtol)
    assert_close(report.score, np.mean(np.abs(expected)), backend, rtol=rtol)
    assert bool(to_numpy(report.drifted))
    # The same batch unshifted is not flagged; with a high threshold, neither is the shift.
    assert not bool(to_numpy(model.drift(backend.asarray(X[:100])).drifted))
    assert not bool(to_numpy(model.drift(backend.asarray(X_new), threshold=2.0).drifted))


def test_zero_variance_features_are_measured_in_their_own_units(backend):
    """As the scaler does, a constant training feature is divided by 1: finite z."""
    X, y = _data()
    X[:, 1] = 7.5
    model = LogisticRegression().fit(backend.asarray(X), backend.asarray(y))
    assert_close(model.training_profile_.std[1:2], np.zeros(1), backend, rtol=0.0)
    X_new = X[:50].copy()
    X_new[:, 1] = 8.0
    report = model.drift(backend.asarray(X_new))
    expected = (X_new.mean(axis=0) - X.mean(axis=0)) / np.where(
        np.arange(4) == 1, 1.0, X.std(axis=0)
    )
    rtol = rtol_for(backend, float64=1e-12, float32=1e-4)
    assert_close(report.z_shift, expected, backend, rtol=rtol, atol=rtol)
    assert np.isclose(to_numpy(report.z_shift)[1], 0.5, rtol=rtol)
    unchanged = model.drift(backend.asarray(X[:50]))
    assert to_numpy(unchanged.z_shift)[1] == 0.0


def test_a_column_constant_up_to_round_off_counts_as_constant():
    """The scaler's round-off bound: 0.1 summed 1000 times has a tiny nonzero variance."""
    X, y = _data(n=1000)
    X[:, 2] = 0.1
    model = LinearRegression().fit(X, y)
    X_new = X.copy()
    X_new[:, 2] = 0.2
    z = model.drift(X_new).z_shift
    assert z[2] == pytest.approx(0.1, rel=1e-12)


def test_drift_uses_the_feature_names():
    X, y = _data()
    names = ("area", "perimeter", "extent", "solidity")
    report = LinearRegression().fit(X, y, feature_names=names).drift(X)
    assert report.feature_names == names


@pytest.mark.parametrize(
    ("threshold", "error", "message"),
    [
        (-0.1, ValueError, "threshold must be >= 0"),
        (float("nan"), ValueError, "threshold must not be NaN"),
        ("high", TypeError, "threshold must be a real number"),
    ],
)
def test_bad_thresholds_raise(threshold, error, message):
    X, y = _data()
    model = LogisticRegression().fit(X, y)
    with pytest.raises(error, match=message):
        model.drift(X, threshold=threshold)


def test_drift_checks_its_input_like_predict():
    X, y = _data()
    with pytest.raises(NotFittedError):
        LogisticRegression().drift(X)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features"):
        model.drift(X[:, :3])
    with pytest.raises(ValueError, match="NaN or infinity"):
        model.drift(np.where(X > 100.0, np.inf, X))
    with pytest.raises(ValueError, match="X must be 2-D"):
        model.drift(X[0])
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"mix array libraries.*training_profile_"):
        model.drift(torch.asarray(X))


def test_a_failed_fit_keeps_the_earlier_profile():
    X, y = _data()
    model = LogisticRegression().fit(X, y)
    profile = model.training_profile_
    with pytest.raises(ValueError, match="single class"):
        model.fit(X + 1.0, np.zeros(len(y)))
    assert model.training_profile_ is profile


def test_minibatch_profile_is_computed_on_the_host_and_stored_on_the_device(tmp_path):
    torch = pytest.importorskip("torch")
    X, y = _data(n=3000)
    path = tmp_path / "X.npy"
    np.save(path, X)
    params = {"solver": "adam", "batch_size": 256, "random_state": 0, "tol": 1e-3}
    model = LogisticRegression(device="torch:cpu", **params)
    model.fit(np.load(path, mmap_mode="r"), y)
    profile = model.training_profile_
    assert isinstance(profile.mean, torch.Tensor) and profile.mean.dtype == torch.float64
    reference = LogisticRegression(**params).fit(X, y).training_profile_
    for field in ("mean", "std", "min", "max"):
        np.testing.assert_array_equal(to_numpy(getattr(profile, field)), getattr(reference, field))
    shifted = X[:500] + X.std(axis=0)
    on_host = model.drift(shifted)
    on_device = model.drift(torch.asarray(shifted))
    assert isinstance(on_host.z_shift, np.ndarray)
    assert isinstance(on_device.z_shift, torch.Tensor)
    expected = (shifted.mean(axis=0) - X.mean(axis=0)) / X.std(axis=0)
    np.testing.assert_allclose(on_host.z_shift, expected, rtol=1e-12)
    np.testing.assert_allclose(to_numpy(on_device.z_shift), expected, rtol=1e-12)


def test_profile_of_large_data_summarizes_evenly_spaced_rows(backend, monkeypatch):
    """Beyond a budget of numbers the statistics are those of every k-th row (here the
    budget is shrunk to 300 numbers, at least 50 rows: 100 rows of 3 features): the same
    cost whatever the size of the data, means within a few tenths of a std."""
    monkeypatch.setattr(drift, "_PROFILE_ELEMENTS", 300)
    monkeypatch.setattr(drift, "_PROFILE_MIN_ROWS", 50)
    rng = np.random.default_rng(31)
    X = rng.standard_normal((1003, 3)) * [1.0, 5.0, 0.1] + [0.0, 3.0, -2.0]
    y = (X[:, 0] > 0).astype(np.int64)
    profile = LogisticRegression().fit(backend.asarray(X, dtype=backend.dtype), backend.asarray(y))
    profile = profile.training_profile_
    sample = X[::11]  # ceil(1003 / 100) = 11
    assert (profile.count, profile.rows) == (1003, sample.shape[0])
    rtol = rtol_for(backend, float64=1e-12, float32=1e-5)
    for field, expected in {
        "mean": sample.mean(axis=0),
        "std": sample.std(axis=0),
        "min": sample.min(axis=0),
        "max": sample.max(axis=0),
    }.items():
        assert_close(getattr(profile, field), expected, backend, rtol=rtol, atol=rtol)
    full_std = X.std(axis=0)
    assert np.all(np.abs(to_numpy(profile.mean) - X.mean(axis=0)) < 0.3 * full_std)
