"""Every bad input raises the documented exception, naming the argument, before any work:
the checks of the features in xlogreg/_validation.py (finiteness, overflowing squares and
differences, ragged rows, a solution that is not finite), and the input checks of fit and
predict across modules (X, y and sample_weight together, unfitted models and the width at
predict, mixed array libraries and devices, meta tensors, DataFrame columns). The target and
the weights: tests/test_target_validation.py; the hyper-parameters and class weights:
tests/linear_model/test_params.py and test_class_weight.py."""

import numpy as np
import pytest

from tests.backends import assert_on_backend
from tests.validation_inputs import X, Y, changed
from xlogreg import LogisticRegression, NotFittedError
from xlogreg._backend import resolve
from xlogreg._validation import check_features, check_finite_solution


@pytest.mark.parametrize(
    ("X_bad", "y_bad", "weight", "error", "match"),
    [
        (changed(X, (1, 1), np.nan), Y, None, ValueError, "X contains NaN or infinity"),
        (changed(X, (2, 0), np.inf), Y, None, ValueError, "X contains NaN or infinity"),
        (X, changed(Y, 3, np.nan), None, ValueError, "y contains NaN or infinity"),
        (X, Y, changed(np.ones(6), 0, np.nan), ValueError, "sample_weight contains NaN"),
        (X, Y, changed(np.ones(6), 0, np.inf), ValueError, "sample_weight contains NaN"),
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
        LogisticRegression().fit(backend.asarray(changed(X, (0, 0), np.nan)), backend.asarray(Y))
    with pytest.raises(ValueError, match="sample_weight contains NaN"):
        LogisticRegression().fit(
            backend.asarray(X), backend.asarray(Y), backend.asarray(changed(np.ones(6), 1, np.inf))
        )


def test_finite_data_whose_sum_overflows_is_accepted(backend):
    # The finiteness check sums X first; a sum that overflows must not be taken for infinity.
    huge = np.finfo(np.float32).max / 2
    X_huge = np.c_[np.full(6, huge), np.full(6, huge), np.arange(6.0)]
    checked = check_features(backend.asarray(X_huge), xp=backend.xp, device=backend.device)
    assert_on_backend(checked, backend)
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        check_features(
            backend.asarray(changed(X_huge, (5, 2), -np.inf)), xp=backend.xp, device=backend.device
        )


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


# --- issue 17: overflowing statistics, non-finite parameters, messages that name ----------


def test_ragged_rows_are_named():
    with pytest.raises(ValueError, match=r"X is not rectangular: its rows have different lengths"):
        LogisticRegression().fit([[1.0, 2.0], [3.0]], [0, 1])
    with pytest.raises(ValueError, match=r"y is not rectangular"):
        LogisticRegression().fit(X[:2], [[0], [1, 0]])
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=r"X is not rectangular: .*\(1, 2 values\)"):
        check_features([[1.0, 2.0], [3.0]], xp=resolve(X=torch.zeros(1))[0], device="cpu")


def test_meta_tensors_are_refused_by_name():
    torch = pytest.importorskip("torch")
    meta = torch.empty(6, 2, device="meta")
    with pytest.raises(ValueError, match="X is a torch tensor on the meta device, which holds no"):
        LogisticRegression().fit(meta, torch.zeros(6, device="meta"))
    with pytest.raises(ValueError, match="y is a torch tensor on the meta device"):
        LogisticRegression().fit(torch.tensor(X), torch.empty(6, device="meta"))
    model = LogisticRegression().fit(torch.tensor(X), torch.tensor(Y))
    with pytest.raises(ValueError, match="X is a torch tensor on the meta device"):
        model.predict(meta)


def _too_large(backend):
    """A value whose square overflows the backend's dtype, and one whose square does not."""
    largest = float(backend.xp.finfo(backend.dtype).max)
    return 4 * largest**0.5, largest**0.5 / 8


def test_values_whose_squares_overflow_are_named_on_every_backend(backend):
    too_large, fine = _too_large(backend)
    data = np.c_[X, X[:, 0]]
    data[3, 2] = -too_large
    with pytest.raises(ValueError, match=r"X's values are too large for float(32|64): column 2"):
        check_features(
            backend.asarray(data), xp=backend.xp, device=backend.device, overflow="squares"
        )
    data[3, 2] = fine
    checked = check_features(
        backend.asarray(data), xp=backend.xp, device=backend.device, overflow="squares"
    )
    assert_on_backend(checked, backend)
    # Without overflow (predict), only finiteness counts.
    data[3, 2] = too_large
    check_features(backend.asarray(data), xp=backend.xp, device=backend.device)
    data[3, 2] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        check_features(
            backend.asarray(data), xp=backend.xp, device=backend.device, overflow="squares"
        )


def test_differences_allow_up_to_half_the_largest_float():
    largest = float(np.finfo(np.float64).max)
    data = np.c_[X, np.full(6, largest / 3)]
    check_features(data, xp=resolve(X=data)[0], device="cpu", overflow="differences")
    data[0, 2] = -largest * 0.75
    with pytest.raises(ValueError, match=r"column 2 reaches -?1.35e\+308, beyond 8.99e\+307, half"):
        check_features(data, xp=resolve(X=data)[0], device="cpu", overflow="differences")


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_sum_of_squares_fast_paths_equal_the_generic_path(layout):
    from xlogreg._backend import sum_of_squares

    rng = np.random.default_rng(0)
    base = rng.standard_normal((200, 7))
    data = {"C": base, "F": np.asfortranarray(base), "strided": base[::3, ::2]}[layout]
    xp = resolve(X=data)[0]
    generic = float(xp.linalg.vector_norm(data) ** 2)
    np.testing.assert_allclose(float(sum_of_squares(data, xp=xp)), generic, rtol=1e-13)
    torch = pytest.importorskip("torch")
    tensor = torch.from_numpy(np.array(data))
    if layout == "F":
        tensor = torch.from_numpy(base).T.contiguous().T  # column-major: no fast path
    np.testing.assert_allclose(float(sum_of_squares(tensor, xp=resolve(X=tensor)[0])), generic)
    with np.errstate(over="ignore"):
        assert float(sum_of_squares(data * 1e200, xp=xp)) == np.inf


def test_check_finite_solution_refuses_nan():
    xp = resolve(X=X)[0]
    check_finite_solution(np.ones(3), np.zeros(1), xp=xp, estimator="Model")
    with pytest.raises(ValueError, match="Model's solution is not finite"):
        check_finite_solution(np.ones(3), np.array([np.nan]), xp=xp, estimator="Model")


# --- DataFrames ---------------------------------------------------------------------------


def _frame(pd, **columns):
    return pd.DataFrame({"a": X[:, 0], **columns})


def _with_flags(flags):
    """The array a frame of X's first column and boolean ``flags`` stands for."""
    return np.c_[X[:, 0], flags.astype(float)]


def test_dataframes_with_bool_and_nullable_columns_fit_as_numbers():
    pd = pytest.importorskip("pandas")
    flags = X[:, 1] > 0.5
    reference = LogisticRegression().fit(_with_flags(flags), Y)
    for column in [
        flags,
        pd.array(flags, dtype="boolean"),
        pd.array(flags.astype(int), dtype="Int64"),
        pd.array(flags.astype(float), dtype="Float64"),
    ]:
        model = LogisticRegression().fit(_frame(pd, b=column), Y)
        np.testing.assert_array_equal(model.coef_, reference.coef_)
        assert model.feature_names_in_ == ("a", "b")
        np.testing.assert_array_equal(
            model.predict_proba(_frame(pd, b=column)), reference.predict_proba(_with_flags(flags))
        )


@pytest.mark.parametrize(
    ("column", "error", "match"),
    [
        ("Int64-NA", ValueError, r"X's column 'b' holds 1 missing value\(s\) .* in 6 rows"),
        ("boolean-NA", ValueError, r"X's column 'b' holds 2 missing value"),
        ("object-None", ValueError, r"X's column 'b' holds 1 missing value"),
        ("category", TypeError, r"X's column 'b' \(dtype category\) must hold real numbers"),
        ("datetime", TypeError, r"X's column 'b' holds datetime64\[.*\] values, not numbers"),
    ],
)
def test_dataframe_columns_that_do_not_convert_are_named(column, error, match):
    pd = pytest.importorskip("pandas")
    values = {
        "Int64-NA": pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
        "boolean-NA": pd.array([True, None, False, None, True, True], dtype="boolean"),
        "object-None": np.array([1.0, None, 2.0, 3.0, 4.0, 5.0], dtype=object),
        "category": pd.Categorical(list("uvuvuv")),
        "datetime": pd.to_datetime(["2024-01-0" + str(i) for i in range(1, 7)]),
    }[column]
    frame = pd.DataFrame({"a": X[:, 0], "b": values})
    with pytest.raises(error, match=match):
        LogisticRegression().fit(frame, Y)
    model = LogisticRegression().fit(pd.DataFrame({"a": X[:, 0], "b": X[:, 1]}), Y)
    with pytest.raises(error, match=match):
        model.predict(frame)


def test_polars_nulls_and_strings_are_named():
    pl = pytest.importorskip("polars")
    with pytest.raises(ValueError, match=r"X's column 'b' holds 1 missing value"):
        LogisticRegression().fit(pl.DataFrame({"a": X[:, 0], "b": [None, *X[1:, 1]]}), Y)
    with pytest.raises(TypeError, match=r"X's column 'b' \(dtype String\) must hold real numbers"):
        LogisticRegression().fit(pl.DataFrame({"a": X[:, 0], "b": list("uvuvuv")}), Y)
    model = LogisticRegression().fit(pl.DataFrame({"a": X[:, 0], "b": X[:, 1] > 0.5}), Y)
    reference = LogisticRegression().fit(_with_flags(X[:, 1] > 0.5), Y)
    np.testing.assert_array_equal(model.coef_, reference.coef_)
