"""Training profile and drift: the profile matches NumPy's statistics on every backend,
the training data has no drift, a shifted copy has exactly its shift, each feature is
flagged on its own (one drifted feature of eight is flagged and named, on real data),
the documented false-alarm rates hold, and constant features stay finite.

References are NumPy float64 computations by hand: ``X.mean(0)``, ``X.std(0)``,
``(mean(X_new) − mean(X)) / std(X)``.
"""

import math

import numpy as np
import pytest

from tests.backends import RAISIN_CSV, assert_close, assert_on_backend, rtol_for
from xlogreg import LinearRegression, LogisticRegression, _profile
from xlogreg._backend import to_numpy
from xlogreg._profile import TrainingProfile, tiled_profile
from xlogreg.drift import DRIFT_THRESHOLD, DriftReport
from xlogreg.exceptions import NotFittedError

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
def test_tiled_profile_is_accurate(backend64, n, ratio):
    """NumPy and array-api-strict read 8192-row tiles of 64 features, torch 16 tiles.
    The merged mean is within a few roundings (of the data's magnitude) of the exact
    one (``math.fsum``); the
    variance within ``eps·|mean|/std``, the tiles' mean errors reaching it through the
    merge (documented in ``tiled_profile``)."""
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, 64)) + ratio
    Xb = backend64.asarray(X)
    profile = tiled_profile(Xb, xp=backend64.xp, device=backend64.device)
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
    assert_on_backend(report.feature_drifted, backend, dtype=backend.xp.bool)
    assert report.z_shift.shape == report.feature_drifted.shape == (4,)
    assert report.score.shape == ()
    # Rounding only: float64 means agree to ~1e-16·|mean|/std; float32 ones are
    # stored rounded to float32 (|mean|/std reaches 300 here).
    atol = rtol_for(backend, float64=1e-12, float32=1e-4)
    assert_close(report.z_shift, np.zeros(4), backend, rtol=0.0, atol=atol)
    assert not bool(to_numpy(report.drifted))
    assert not to_numpy(report.feature_drifted).any() and report.drifted_features() == ()
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
    assert_close(report.score, np.max(np.abs(expected)), backend, rtol=rtol)
    assert bool(to_numpy(report.drifted))
    assert_close(
        report.feature_drifted, [True, False, True, False], backend, rtol=0, dtype=backend.xp.bool
    )
    assert report.drifted_features() == ("x0", "x2")
    # The same batch unshifted is not flagged; with a high threshold, neither is the shift.
    assert not bool(to_numpy(model.drift(backend.asarray(X[:100])).drifted))
    assert not bool(to_numpy(model.drift(backend.asarray(X_new), threshold=2.0).drifted))


def _real(dataset):
    """A real table (features, target, names): scikit-learn's diabetes data (its first 8
    features) or seed 004's Raisin CSV (7 features, Kecimen as 1)."""
    if dataset == "diabetes":
        datasets = pytest.importorskip("sklearn.datasets")
        bunch = datasets.load_diabetes()
        return bunch.data[:, :8], bunch.target, tuple(bunch.feature_names[:8])
    if not RAISIN_CSV.is_file():
        pytest.skip(f"{RAISIN_CSV} is not here")
    names = tuple(RAISIN_CSV.read_text().splitlines()[0].split(",")[:-1])
    X = np.loadtxt(RAISIN_CSV, delimiter=",", skiprows=1, usecols=range(len(names)))
    labels = np.loadtxt(RAISIN_CSV, delimiter=",", skiprows=1, usecols=len(names), dtype=str)
    return X, (labels == "Kecimen").astype(np.float64), names


@pytest.mark.parametrize("dataset", ["diabetes", "raisin"])
def test_one_drifted_feature_is_flagged_and_named_on_real_data_on_every_backend(backend, dataset):
    """Real data split in random halves: the second half is not flagged; moving any single
    feature of it by one training standard deviation flags that feature alone, and the batch.
    Seed 004's ``mean(|z|)`` stayed below the threshold in every one of these cases (one of
    eight features moved by 1 std scores about 1/8): the score is now ``max(|z|)``."""
    X, y, names = _real(dataset)
    order = np.random.default_rng(0).permutation(X.shape[0])
    train, new = order[: X.shape[0] // 2], order[X.shape[0] // 2 :]
    model = LinearRegression(standardize=True).fit(
        backend.asarray(X[train]), backend.asarray(y[train]), feature_names=names
    )
    std = X[train].std(axis=0)
    calm_z = (X[new].mean(axis=0) - X[train].mean(axis=0)) / std
    rtol = rtol_for(backend, float64=1e-10, float32=1e-4)
    calm = model.drift(backend.asarray(X[new]))
    assert_close(calm.z_shift, calm_z, backend, rtol=rtol, atol=rtol)
    assert_close(calm.score, np.abs(calm_z).max(), backend, rtol=rtol)
    assert_on_backend(calm.feature_drifted, backend, dtype=backend.xp.bool)
    assert calm.feature_drifted.shape == (len(names),)
    assert not bool(to_numpy(calm.drifted)) and calm.drifted_features() == ()
    for j, name in enumerate(names):
        moved = X[new] + np.where(np.arange(len(names)) == j, std, 0.0)
        expected = calm_z + (np.arange(len(names)) == j)
        report = model.drift(backend.asarray(moved))
        assert_close(report.z_shift, expected, backend, rtol=rtol, atol=rtol)
        assert_close(report.score, np.abs(expected).max(), backend, rtol=rtol)
        assert_on_backend(report.feature_drifted, backend, dtype=backend.xp.bool)
        assert_on_backend(report.drifted, backend, dtype=backend.xp.bool)
        assert bool(to_numpy(report.drifted)), name
        assert report.drifted_features() == (name,)
        assert np.abs(expected).mean() < DRIFT_THRESHOLD  # what seed 004's score saw


def test_one_feature_of_eight_shifted_by_one_std_scores_its_shift():
    """The case of the issue: one feature of eight moved by a training standard deviation.
    ``mean(|z|)`` scored 0.162 and was not flagged; the score is now that feature's 0.965."""
    X, y, names = _real("diabetes")
    order = np.random.default_rng(0).permutation(X.shape[0])
    train, new = order[: X.shape[0] // 2], order[X.shape[0] // 2 :]
    model = LinearRegression().fit(X[train], y[train], feature_names=names)
    moved = X[new].copy()
    moved[:, 2] += X[train, 2].std()  # bmi
    report = model.drift(moved)
    assert np.abs(report.z_shift).mean() == pytest.approx(0.162, abs=5e-4)
    assert float(report.score) == pytest.approx(0.965, abs=5e-4)
    assert report.feature_drifted.tolist() == [j == 2 for j in range(8)]
    assert report.drifted_features() == ("bmi",) and bool(report.drifted)


@pytest.mark.parametrize(
    ("rows", "features", "expected", "slack"),
    [(100, 8, 0.095, 0.03), (250, 8, 6e-4, 0.004), (250, 64, 5e-3, 0.006)],
)
def test_false_alarm_rates_are_those_of_the_threshold_note(rows, features, expected, slack):
    """DRIFT_THRESHOLD's note: batches drawn from the training distribution are flagged
    9.5 % of the time with 100 rows of 8 features, 0.06 % with 250 rows, 0.5 % with 250
    rows of 64 features (1000 batches each, about 4 standard errors of slack)."""
    rng = np.random.default_rng(rows + features)
    X = rng.standard_normal((16_384, features))
    model = LinearRegression().fit(X, X[:, 0])
    flagged = [
        bool(model.drift(rng.standard_normal((rows, features))).drifted) for _ in range(1000)
    ]
    assert abs(np.mean(flagged) - expected) < slack


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
    monkeypatch.setattr(_profile, "_PROFILE_ELEMENTS", 300)
    monkeypatch.setattr(_profile, "_PROFILE_MIN_ROWS", 50)
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
