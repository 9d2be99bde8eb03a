"""Feature names: ``fit(..., feature_names=)``, pandas and polars DataFrames, and the
column check at predict time, for every estimator.

DataFrames live on the host, so their tests run on NumPy; the default and given
names run on every backend.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler as SkStandardScaler

from xlogreg import LinearRegression, LogisticRegression, StandardScaler
from xlogreg._backend import split_dataframe
from xlogreg.exceptions import NotFittedError

NAMES = ("area", "perimeter", "extent")
ESTIMATORS = [LogisticRegression, LinearRegression, StandardScaler]


def _data(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) * np.array([1.0, 10.0, 0.1]) + np.array([0.0, 50.0, 1.0])
    y = (X[:, 0] + 0.1 * X[:, 1] - 5.0 + rng.standard_normal(n) > 0).astype(int)
    return X, y


def _fit(estimator, X, y, **kwargs):
    model = estimator()
    return model.fit(X, None if estimator is StandardScaler else y, **kwargs)


def _output(model, X):
    return model.transform(X) if isinstance(model, StandardScaler) else model.predict(X)


def _pandas(X, names=NAMES):
    return pd.DataFrame(X, columns=list(names))


def _polars(X, names=NAMES):
    # Imported here: the GPU check (benchmarks/gpu-check.sh) runs this module's backend
    # rows on a machine without polars.
    import polars as pl

    return pl.DataFrame({name: X[:, i] for i, name in enumerate(names)})


FRAMES = {"pandas": _pandas, "polars": _polars}


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_default_names_are_x0_x1_on_every_backend(backend, estimator):
    X, y = _data()
    model = _fit(estimator, backend.asarray(X), backend.asarray(y))
    assert model.feature_names_in_ == ("x0", "x1", "x2")


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_given_names_are_stored_as_a_tuple_of_str_on_every_backend(backend, estimator):
    X, y = _data()
    names = np.array(NAMES)  # NumPy strings become plain str
    model = _fit(estimator, backend.asarray(X), backend.asarray(y), feature_names=names)
    assert model.feature_names_in_ == NAMES
    assert all(type(name) is str for name in model.feature_names_in_)


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_a_dataframe_names_the_features_and_fits_as_its_array(estimator, frame):
    X, y = _data()
    model = _fit(estimator, FRAMES[frame](X), y)
    reference = _fit(estimator, X, y)
    assert model.feature_names_in_ == NAMES
    np.testing.assert_array_equal(_output(model, FRAMES[frame](X)), _output(reference, X))
    # A plain array carries no names and is accepted as it is.
    np.testing.assert_array_equal(_output(model, X), _output(reference, X))


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_predicting_on_other_columns_raises(estimator, frame):
    X, y = _data()
    model = _fit(estimator, FRAMES[frame](X), y)
    reordered = FRAMES[frame](X[:, [1, 0, 2]], names=("perimeter", "area", "extent"))
    with pytest.raises(ValueError, match="another order"):
        _output(model, reordered)
    renamed = FRAMES[frame](X, names=("area", "perimeter", "solidity"))
    with pytest.raises(ValueError, match=r"missing \['extent'\], unexpected \['solidity'\]"):
        _output(model, renamed)


def test_a_reordered_dataframe_is_accepted_once_its_columns_are_selected():
    X, y = _data()
    model = LogisticRegression().fit(_pandas(X), y)
    reordered = _pandas(X[:, [2, 0, 1]], names=("extent", "area", "perimeter"))
    np.testing.assert_array_equal(
        model.predict_proba(reordered[list(model.feature_names_in_)]), model.predict_proba(X)
    )


def test_a_model_fitted_on_arrays_refuses_a_named_dataframe():
    """Default names x0, x1, ... are names too: columns named otherwise may be in any order."""
    X, y = _data()
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="differ from the feature names seen in fit"):
        model.predict(_pandas(X))
    np.testing.assert_array_equal(
        model.predict(_pandas(X, names=("x0", "x1", "x2"))), model.predict(X)
    )


def test_columns_that_are_not_strings_name_nothing():
    """As in scikit-learn: pandas' default column labels 0, 1, 2 are not feature names."""
    X, y = _data()
    unnamed = pd.DataFrame(X)
    model = LogisticRegression().fit(unnamed, y)
    assert model.feature_names_in_ == ("x0", "x1", "x2")
    shuffled = X[:, [1, 0, 2]]  # nothing to check it against: taken as an array
    np.testing.assert_array_equal(model.predict(pd.DataFrame(shuffled)), model.predict(shuffled))
    with pytest.raises(TypeError, match="mix strings with other types"):
        LogisticRegression().fit(pd.DataFrame(X, columns=["a", 1, "c"]), y)


def test_dataframe_and_feature_names_must_agree():
    X, y = _data()
    model = LogisticRegression().fit(_pandas(X), y, feature_names=list(NAMES))
    assert model.feature_names_in_ == NAMES
    with pytest.raises(ValueError, match="differ from the DataFrame's columns"):
        LogisticRegression().fit(_pandas(X), y, feature_names=["a", "b", "c"])


@pytest.mark.parametrize(
    ("names", "error", "message"),
    [
        (["a", "b"], ValueError, "has 2 names but X has 3 features"),
        (["a", "b", "a"], ValueError, r"must be unique; repeated: \['a'\]"),
        (["a", "b", 3], TypeError, r"must be strings, got \[3\]"),
        ("abc", TypeError, "a list or tuple of strings"),
        (3, TypeError, "a list or tuple of strings"),
    ],
)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_bad_names_raise_and_leave_the_fitted_model_untouched(estimator, names, error, message):
    X, y = _data()
    model = _fit(estimator, X, y, feature_names=NAMES)
    before = _output(model, X)
    with pytest.raises(error, match=message):
        model.fit(X, None if estimator is StandardScaler else y, feature_names=names)
    assert model.feature_names_in_ == NAMES
    np.testing.assert_array_equal(_output(model, X), before)


def test_repeated_dataframe_columns_raise():
    X, y = _data()
    with pytest.raises(ValueError, match=r"X's columns must be unique; repeated: \['a'\]"):
        LinearRegression().fit(pd.DataFrame(X, columns=["a", "b", "a"]), y)


def test_a_non_2d_x_is_refused_before_its_names_are_checked():
    _, y = _data()
    with pytest.raises(ValueError, match="X must be 2-D"):
        LogisticRegression().fit(np.zeros(80), y, feature_names=NAMES)


def test_array_likes_keep_following_the_other_inputs_library():
    """A list X with torch labels is converted to torch, as before names existed."""
    torch = pytest.importorskip("torch")
    X, y = _data()
    model = LogisticRegression().fit(X.tolist(), torch.asarray(y), feature_names=NAMES)
    assert isinstance(model.coef_, torch.Tensor)
    assert model.feature_names_in_ == NAMES


def test_minibatch_fits_take_names_from_a_dataframe():
    X, y = _data()
    model = LogisticRegression(solver="adam", batch_size=16, random_state=0, tol=1e-4)
    model.fit(_polars(X), y)
    assert model.feature_names_in_ == NAMES
    with pytest.raises(ValueError, match="another order"):
        model.predict(_polars(X[:, [1, 0, 2]], names=("perimeter", "area", "extent")))


def test_scaler_feature_names_out_and_dataframes_match_scikit_learn():
    X, _ = _data()
    scaler = StandardScaler()
    transformed = scaler.fit_transform(_pandas(X))
    reference = SkStandardScaler().fit(_pandas(X))
    assert scaler.get_feature_names_out() == tuple(reference.get_feature_names_out())
    assert scaler.feature_names_in_ == tuple(reference.feature_names_in_)
    np.testing.assert_allclose(transformed, reference.transform(_pandas(X)), rtol=1e-12)
    assert scaler.get_feature_names_out(list(NAMES)) == NAMES
    with pytest.raises(ValueError, match="input_features"):
        scaler.get_feature_names_out(["a", "b", "c"])
    with pytest.raises(NotFittedError):
        StandardScaler().get_feature_names_out()


def test_scaler_fit_transform_takes_names():
    X, _ = _data()
    scaler = StandardScaler()
    scaler.fit_transform(X, feature_names=NAMES)
    assert scaler.get_feature_names_out() == NAMES


@pytest.mark.parametrize("frame", FRAMES)
def test_dataframes_become_c_ordered_numpy_arrays(frame):
    X, _ = _data()
    array, columns = split_dataframe(FRAMES[frame](X))
    assert isinstance(array, np.ndarray) and array.flags.c_contiguous
    np.testing.assert_array_equal(array, X)
    assert columns == list(NAMES)


def test_importing_xlogreg_imports_no_dataframe_library():
    code = "import sys, xlogreg; print(sorted({'pandas', 'polars'} & set(sys.modules)))"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
