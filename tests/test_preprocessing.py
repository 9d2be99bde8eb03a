"""StandardScaler: parity with scikit-learn on every backend, dtype policy, estimator behaviour."""

import inspect

import array_api_compat
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler as SkStandardScaler

from tests.backends import assert_close, assert_on_backend, rtol_for
from xlogreg._backend import has_float64, to_numpy
from xlogreg._moments import is_constant_feature
from xlogreg.exceptions import NotFittedError
from xlogreg.preprocessing import StandardScaler

N_SAMPLES, N_FEATURES = 50, 4


def _data(seed=0):
    """Columns of different spread and offset (offset/spread at most 2, so float32 stays tight)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES)) * [1.0, 10.0, 0.5, 3.0] + [0.0, 5.0, -1.0, 2.0]
    return X, rng.uniform(0.0, 3.0, N_SAMPLES)


def _host_dtype(backend):
    return np.float64 if backend.has_float64 else np.float32


def _tolerances(backend):
    tol = rtol_for(backend, float64=1e-12, float32=1e-6)
    return {"rtol": tol, "atol": tol}


def _assert_matches(scaler, reference, backend, **tolerances):
    """Compare every fitted statistic with a fitted scikit-learn scaler."""
    for name in ("mean_", "var_", "scale_"):
        expected = getattr(reference, name)
        if expected is None:
            assert getattr(scaler, name) is None, name
        else:
            assert_close(getattr(scaler, name), expected, backend, **tolerances)
    expected = float(reference.n_samples_seen_)  # a float32 device sums weights in float32
    assert scaler.n_samples_seen_ == pytest.approx(expected, rel=tolerances["rtol"])
    assert scaler.n_features_in_ == reference.n_features_in_


CASES = {
    "plain": ({}, False),
    "sample-weight": ({}, True),
    "no-mean": ({"with_mean": False}, False),
    "no-mean-weighted": ({"with_mean": False}, True),
    "no-std": ({"with_std": False}, False),
    "no-std-weighted": ({"with_std": False}, True),
    "neither": ({"with_mean": False, "with_std": False}, False),
}


@pytest.mark.parametrize("case", CASES)
def test_matches_sklearn(backend, case):
    params, weighted = CASES[case]
    X, w = _data()
    X, w = X.astype(_host_dtype(backend)), w.astype(_host_dtype(backend))
    weight = w if weighted else None
    reference = SkStandardScaler(**params).fit(X, sample_weight=weight)
    tolerances = _tolerances(backend)

    Xb = backend.asarray(X)
    scaler = StandardScaler(**params)
    assert scaler.fit(Xb, sample_weight=None if weight is None else backend.asarray(w)) is scaler
    _assert_matches(scaler, reference, backend, **tolerances)
    assert isinstance(scaler.n_samples_seen_, float if weighted else int)

    X_new = _data(seed=1)[0].astype(_host_dtype(backend))
    for method in ("transform", "inverse_transform"):
        expected = getattr(reference, method)(X_new)
        assert_close(
            getattr(scaler, method)(backend.asarray(X_new)), expected, backend, **tolerances
        )


def test_fit_transform_equals_fit_then_transform(backend):
    X, w = _data()
    Xb, wb = backend.asarray(X), backend.asarray(w)
    once = StandardScaler().fit_transform(Xb, sample_weight=wb)
    twice = StandardScaler().fit(Xb, sample_weight=wb).transform(Xb)
    assert_on_backend(once, backend)
    np.testing.assert_array_equal(to_numpy(once), to_numpy(twice))


def test_round_trip(backend64):
    X, w = _data()
    scaler = StandardScaler().fit(backend64.asarray(X), sample_weight=backend64.asarray(w))
    Z = scaler.transform(backend64.asarray(X))
    assert_close(scaler.inverse_transform(Z), X, backend64, rtol=1e-12, atol=1e-12)


def test_transformed_data_has_zero_mean_and_unit_variance(backend64):
    X, w = _data()
    Z = to_numpy(
        StandardScaler().fit_transform(backend64.asarray(X), sample_weight=backend64.asarray(w))
    )
    np.testing.assert_allclose(np.average(Z, axis=0, weights=w), 0.0, atol=1e-13)
    np.testing.assert_allclose(np.average(Z**2, axis=0, weights=w), 1.0, rtol=1e-12)


def test_integer_weights_repeat_rows(backend):
    X, _ = _data()
    counts = np.arange(N_SAMPLES) % 3  # zeros drop rows, twos repeat them
    weighted = StandardScaler().fit(backend.asarray(X), sample_weight=backend.asarray(counts))
    repeated = StandardScaler().fit(backend.asarray(np.repeat(X, counts, axis=0)))
    tolerances = _tolerances(backend)
    for name in ("mean_", "var_", "scale_"):
        expected = to_numpy(getattr(repeated, name))
        assert_close(getattr(weighted, name), expected, backend, **tolerances)
    assert weighted.n_samples_seen_ == repeated.n_samples_seen_ == counts.sum()


def test_scalar_sample_weight_matches_sklearn(backend):
    X, _ = _data()
    X = X.astype(_host_dtype(backend))
    scaler = StandardScaler().fit(backend.asarray(X), sample_weight=2.0)
    reference = SkStandardScaler().fit(X, sample_weight=2.0)
    _assert_matches(scaler, reference, backend, **_tolerances(backend))
    assert scaler.n_samples_seen_ == 2.0 * N_SAMPLES


def _constant_columns():
    """An exactly constant column, constants that sums round (0.1, 1e6 + round-off), a normal one.

    Column 2 is 1e6 plus steps below half an ulp of 1e6 (and at float32 it is exactly 1e6);
    column 4 varies by 1e-3 around 1e6: tiny but real at float64.
    """
    n = 7
    steps = np.arange(n)
    columns = [
        np.full(n, 3.0),
        1e6 + 1e-11 * steps,
        np.full(n, 0.1),
        np.linspace(-1.0, 2.0, n),
        1e6 + 1e-3 * steps,
    ]
    return np.column_stack(columns)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_constant_features_get_unit_scale(backend, weighted):
    X = _constant_columns().astype(_host_dtype(backend))
    w = np.linspace(0.5, 2.0, X.shape[0]).astype(_host_dtype(backend)) if weighted else None
    reference = SkStandardScaler().fit(X, sample_weight=w)
    scaler = StandardScaler().fit(
        backend.asarray(X), sample_weight=None if w is None else backend.asarray(w)
    )
    scale = to_numpy(scaler.scale_)
    np.testing.assert_array_equal(scale[:3], 1.0)
    np.testing.assert_array_equal(scale == 1.0, reference.scale_ == 1.0)
    tol = rtol_for(backend, float64=1e-12, float32=1e-6)
    # Round-off variances of the constant columns are ~1e-20 and may differ in summation order.
    assert_close(scaler.var_, reference.var_, backend, rtol=tol, atol=1e-15)
    assert_close(scaler.scale_, reference.scale_, backend, rtol=tol)
    assert_close(scaler.mean_, reference.mean_, backend, rtol=tol)
    Z = scaler.transform(backend.asarray(X))
    assert_close(Z, reference.transform(X), backend, rtol=tol, atol=tol)
    # Only centred: round-off (column 1's steps, a rounded mean) stays ulp-sized instead of O(1).
    assert np.all(np.abs(to_numpy(Z)[:, :3]) <= 4 * np.spacing(np.abs(X[:, :3])))


def test_constant_rule_is_sklearns_at_its_boundary():
    from sklearn.preprocessing._data import _is_constant_feature as sk_is_constant_feature

    xp = array_api_compat.array_namespace(np.ones(1))
    eps = np.finfo(np.float64).eps
    mean = np.array([1.0, -3.0, 0.1, 1e6, -3e8])
    seen = set()
    for n_samples in (1, 7, 3.5, 1e4):
        # var == n·eps·var + (n·mean·eps)² solved for var, then nudged to either side.
        boundary = (n_samples * mean * eps) ** 2 / (1 - n_samples * eps)
        for var in (0.0 * mean, boundary * (1 - 1e-9), boundary * (1 + 1e-9), 2 * boundary):
            expected = sk_is_constant_feature(var, mean, n_samples)
            ours = is_constant_feature(var, mean, n_samples, xp=xp)
            np.testing.assert_array_equal(ours, expected)
            seen.update(expected.tolist())
    assert seen == {False, True}


def test_barely_varying_feature_is_not_constant_at_float64():
    X = _constant_columns()[:, 4:]
    scaler = StandardScaler().fit(X)
    assert scaler.scale_[0] == pytest.approx(2e-3, rel=1e-6)
    np.testing.assert_allclose(
        scaler.transform(X)[:, 0], np.linspace(-1.5, 1.5, 7), rtol=1e-6, atol=1e-7
    )


def test_integer_input_computes_in_the_default_float(backend):
    X = np.arange(40).reshape(10, 4) % 7 * [1, 2, 3, 0]
    scaler = StandardScaler().fit(backend.asarray(X))
    dtype = backend.xp.float64 if has_float64(backend.xp, backend.device) else backend.xp.float32
    tol = 1e-12 if dtype == backend.xp.float64 else 1e-6
    reference = SkStandardScaler().fit(X.astype(float))
    for name in ("mean_", "var_", "scale_"):
        assert_close(
            getattr(scaler, name), getattr(reference, name), backend, rtol=tol, dtype=dtype
        )
    for method in ("transform", "inverse_transform"):
        out = getattr(scaler, method)(backend.asarray(X))
        expected = getattr(reference, method)(X.astype(float))
        assert_close(out, expected, backend, rtol=tol, atol=tol, dtype=dtype)


def test_outputs_follow_the_dtype_of_the_transformed_input(backend64):
    X, _ = _data()
    scaler = StandardScaler().fit(backend64.asarray(X))
    f32 = backend64.xp.float32
    for method in ("transform", "inverse_transform"):
        out = getattr(scaler, method)(backend64.asarray(X, dtype=f32))
        assert_on_backend(out, backend64, dtype=f32)
    assert scaler.mean_.dtype == backend64.xp.float64


def test_n_samples_seen_without_statistics():
    X, w = _data()
    neither = {"with_mean": False, "with_std": False}
    assert StandardScaler(**neither).fit(X).n_samples_seen_ == N_SAMPLES
    # scikit-learn 1.9 documents the weight sum but reports the row count in this one case;
    # we follow the documentation.
    assert StandardScaler(**neither).fit(X, sample_weight=w).n_samples_seen_ == pytest.approx(
        w.sum(), rel=1e-12
    )


def test_identity_transform_copies_only_when_asked():
    X, _ = _data()
    copying = StandardScaler(with_mean=False, with_std=False).fit(X)
    out = copying.transform(X)
    np.testing.assert_array_equal(out, X)
    assert not np.shares_memory(out, X)
    assert StandardScaler(copy=False, with_mean=False, with_std=False).fit(X).transform(X) is X


def test_inputs_are_not_modified(backend):
    X, w = _data()
    Xb = backend.asarray(X)
    scaler = StandardScaler().fit(Xb, sample_weight=backend.asarray(w))
    scaler.transform(Xb)
    scaler.inverse_transform(Xb)
    np.testing.assert_array_equal(to_numpy(Xb), X.astype(_host_dtype(backend)))


def test_torch_inputs_that_require_grad_give_plain_results():
    torch = pytest.importorskip("torch")
    X = torch.tensor(_data()[0], requires_grad=True)
    scaler = StandardScaler().fit(X)
    assert not scaler.mean_.requires_grad
    assert not scaler.transform(X).requires_grad


def test_refit_replaces_the_state():
    X, w = _data()
    scaler = StandardScaler().fit(X[:, :3], sample_weight=w)
    scaler.fit(X)
    np.testing.assert_allclose(scaler.mean_, X.mean(axis=0), rtol=1e-12)
    assert scaler.n_features_in_ == N_FEATURES
    assert scaler.n_samples_seen_ == N_SAMPLES


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["copy", "with_mean", "with_std"])
@pytest.mark.parametrize("value", [1, "yes", None])
def test_bad_hyper_parameters(name, value):
    # A 1-D X would fail too: the parameter is checked first.
    with pytest.raises(TypeError, match=f"{name} must be True or False, got {value!r}"):
        StandardScaler(**{name: value}).fit(np.ones(3))


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.ones(5), ValueError, r"X must be 2-D .* got shape \(5,\); Reshape your data"),
        (np.ones((2, 2, 2)), ValueError, r"X must be 2-D"),
        (np.ones((0, 3)), ValueError, r"X is empty: 0 sample\(s\) \(shape=\(0, 3\)\)"),
        (np.ones((3, 0)), ValueError, r"X is empty"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), ValueError, "X contains NaN or infinity"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), ValueError, "X contains NaN or infinity"),
        (np.ones((2, 2), dtype=complex), ValueError, "Complex data not supported"),
    ],
    ids=["1-D", "3-D", "no-rows", "no-columns", "nan", "inf", "complex"],
)
def test_bad_X(backend, X, error, match):
    Xb = backend.asarray(X) if X.dtype.kind != "c" else _complex(backend, X)
    with pytest.raises(error, match=match):
        StandardScaler().fit(Xb)
    with pytest.raises(error, match=match):
        StandardScaler().fit_transform(Xb)
    with pytest.raises(error, match=match):
        StandardScaler().fit(backend.asarray(np.ones((2, 2)))).transform(Xb)


def test_string_X_is_refused():
    # Only NumPy holds strings, so this case has no other backend rows.
    strings = np.array([["a", "b"]])
    with pytest.raises(TypeError, match="X must hold real numbers"):
        StandardScaler().fit(strings)
    with pytest.raises(TypeError, match="X must hold real numbers"):
        StandardScaler().fit(np.ones((2, 2))).transform(strings)


def _complex(backend, X):
    return backend.xp.asarray(X.astype(np.complex64), device=backend.device)


@pytest.mark.parametrize(
    ("weight", "error", "match"),
    [
        (-np.ones(N_SAMPLES), ValueError, "sample_weight must be non-negative"),
        (np.zeros(N_SAMPLES), ValueError, "sample_weight sums to zero"),
        (np.ones(3), ValueError, "sample_weight has 3 entries but X has 50 samples"),
        (np.ones((N_SAMPLES, 1)), ValueError, r"sample_weight must be 1-D"),
        (np.full(N_SAMPLES, np.nan), ValueError, "sample_weight contains NaN or infinity"),
    ],
    ids=["negative", "zero-sum", "length", "2-D", "nan"],
)
def test_bad_sample_weight(backend, weight, error, match):
    X, _ = _data()
    with pytest.raises(error, match=match):
        StandardScaler().fit(backend.asarray(X), sample_weight=backend.asarray(weight))


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_wrong_width(backend, method):
    X, _ = _data()
    scaler = StandardScaler().fit(backend.asarray(X))
    with pytest.raises(
        ValueError, match="X has 3 features, but StandardScaler is expecting 4 features"
    ):
        getattr(scaler, method)(backend.asarray(X[:, :3]))


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_not_fitted(method):
    with pytest.raises(NotFittedError, match="This StandardScaler instance is not fitted yet"):
        getattr(StandardScaler(), method)(np.ones((2, 2)))


def test_other_library_at_transform():
    torch = pytest.importorskip("torch")
    X, _ = _data()
    scaler = StandardScaler().fit(X)
    with pytest.raises(TypeError, match="inputs mix array libraries"):
        scaler.transform(torch.asarray(X))
    with pytest.raises(TypeError, match="inputs mix array libraries"):
        StandardScaler().fit(X, sample_weight=torch.ones(N_SAMPLES, dtype=torch.float64))


def test_other_device_at_transform():
    xp = pytest.importorskip("array_api_strict")
    X, _ = _data()
    scaler = StandardScaler().fit(xp.asarray(X))
    with pytest.raises(ValueError, match="inputs live on different devices"):
        scaler.transform(xp.asarray(X, device=xp.Device("device1")))


def test_failed_fit_keeps_the_earlier_state():
    X, w = _data()
    scaler = StandardScaler().fit(X, sample_weight=w)
    before = dict(vars(scaler))
    with pytest.raises(ValueError, match="X contains NaN"):
        scaler.fit(np.full_like(X, np.nan))
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        scaler.fit(X[:, :2], sample_weight=-w)
    with pytest.raises(ValueError, match="the variance of column 0 overflows float64"):
        scaler.fit(np.where(X > 0, 1e200, -1e200))
    assert all(getattr(scaler, name) is value for name, value in before.items())


def test_statistics_that_overflow_are_refused_naming_the_column(backend):
    """±1e200 is finite, but its variance (1e400) is not: scikit-learn stores a NaN scale_.

    In float32, ±1e30 has a variance of 1e60: accumulated in float64 where the
    device has it, but stored as var_ in float32, which cannot hold it.
    """
    X, _ = _data()
    sign = np.where(X[:, 2] > -1.0, 1.0, -1.0)
    big = 1e200 if backend.has_float64 else 1e30
    huge = np.c_[X[:, :2], big * sign, X[:, 3]]
    for kwargs in ({}, {"sample_weight": backend.asarray(np.ones(N_SAMPLES))}):
        with pytest.raises(ValueError, match=r"the variance of column 2 overflows float(32|64)"):
            StandardScaler().fit(backend.asarray(huge), **kwargs)
    if backend.widest_float == backend.dtype:
        # Summed in the data's dtype, the mean of values near its largest float overflows.
        near = np.c_[X, np.full(N_SAMPLES, float(backend.xp.finfo(backend.dtype).max) / 2)]
        with pytest.raises(ValueError, match=r"the mean of column 4 overflows"):
            StandardScaler().fit(backend.asarray(near))
    # A tenth of the square root of the largest float is fine: its variance is held.
    fine = float(backend.xp.finfo(backend.dtype).max) ** 0.5 / 10
    scaler = StandardScaler().fit(backend.asarray(np.c_[X[:, :2], fine * sign, X[:, 3]]))
    rtol = rtol_for(backend, float64=1e-12, float32=1e-5)
    assert_close(scaler.scale_[2], float(np.std(fine * sign)), backend, rtol=rtol)


def test_overflow_message_names_the_feature():
    pd = pytest.importorskip("pandas")
    X, _ = _data()
    frame = pd.DataFrame(X, columns=["area", "perimeter", "income", "age"])
    frame["income"] = np.where(X[:, 2] > -1.0, 1e200, -1e200)
    with pytest.raises(ValueError, match=r"variance of column 2 \('income'\) overflows float64"):
        StandardScaler().fit(frame)
    # Finite statistics of the same magnitude's square root are fine.
    frame["income"] = np.where(X[:, 2] > -1.0, 1e100, -1e100)
    expected = np.std(frame["income"].to_numpy())
    assert StandardScaler().fit(frame).scale_[2] == pytest.approx(expected, rel=1e-12)


def test_statistics_switched_on_after_fit_need_a_refit():
    X, _ = _data()
    scaler = StandardScaler(with_mean=False, with_std=False).fit(X)
    scaler.set_params(with_std=True)
    with pytest.raises(ValueError, match="with_std=True but scale_ is None"):
        scaler.transform(X)


# --- estimator protocol -------------------------------------------------------------------


def test_parameters_repr_and_clone():
    scaler = StandardScaler(with_mean=False)
    assert scaler.get_params() == {"copy": True, "with_mean": False, "with_std": True}
    assert repr(scaler) == "StandardScaler(with_mean=False)"
    assert scaler.set_params(copy=False) is scaler and scaler.copy is False
    with pytest.raises(ValueError, match="'center' is not a parameter of StandardScaler"):
        scaler.set_params(center=True)
    fitted = StandardScaler().fit(_data()[0])
    assert not hasattr(clone(fitted), "mean_")


def test_docstring_lists_every_parameter():
    doc = inspect.getdoc(StandardScaler)
    for name in inspect.signature(StandardScaler.__init__).parameters:
        if name != "self":
            assert f"{name} :" in doc, name
    for section in ("Parameters", "Attributes", "Examples"):
        assert f"{section}\n--" in doc


def test_works_in_a_sklearn_pipeline():
    X, _ = _data()
    y = (X[:, 0] > 0).astype(int)
    ours = make_pipeline(StandardScaler(), SkLogisticRegression()).fit(X, y)
    theirs = make_pipeline(SkStandardScaler(), SkLogisticRegression()).fit(X, y)
    np.testing.assert_allclose(ours[-1].coef_, theirs[-1].coef_, rtol=1e-8)


def test_module_exports_only_the_scaler():
    import xlogreg.preprocessing as module

    assert module.__all__ == ["StandardScaler"]
    assert array_api_compat.is_numpy_array(StandardScaler().fit_transform(_data()[0]))


@pytest.mark.parametrize("shape", [(1, 3), (7, 2), (1000, 16), (1025, 1), (300, 600), (97, 33)])
@pytest.mark.parametrize("name", ["sum", "min", "max"])
def test_column_reduce_equals_the_plain_reduction(backend, shape, name):
    """Narrow arrays are folded into wider rows before reducing: same result."""
    from xlogreg._moments import column_reduce

    X = np.random.default_rng(3).standard_normal(shape)
    result = column_reduce(getattr(backend.xp, name), backend.asarray(X), xp=backend.xp)
    rtol = rtol_for(backend, float64=1e-13, float32=1e-5)
    assert_close(result, getattr(np, name)(X, axis=0), backend, rtol=rtol, atol=rtol)
