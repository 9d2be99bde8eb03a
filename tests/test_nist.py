"""LinearRegression on NIST's StRD problems: correct digits (LRE) with stated floors, per
solver, dtype and backend row; the data checked against the certified values in exact
arithmetic. ``python tests/nist_data.py`` prints the measured table.

Floors are the fewest correct significant digits over all coefficients (intercept
included) and, with ``inference=True``, over the standard errors, on every CPU row of
the backend matrix. Each was set below the lowest measurement across those rows (and
``standardize``) and at or below what the method should give:

- SVD (``"lstsq"``, and ``"auto"`` for ``alpha=0``): about ``eps·cond`` of the centered
  design with equilibrated columns (Longley 110, Wampler 1632), except where computing
  the intercept from the means cancels digits: Norris' intercept −0.26 beside y near
  430 costs ``log10(430/0.26)`` = 3.2 digits (float32: 3.4 left). float32 solves are
  refined once with a float64 residual where the device has float64; Wampler1's
  floor of 0 is that of the rows without it (JAX without x64, strict's no_float64),
  where the fit warns: elsewhere it keeps 6 digits (tests below).
- Normal equations (``"cholesky"``): ``eps·cond(XᵀX)``, the square; they fall back to the
  SVD (with a ``LinAlgWarning``) above ``eps^(-1/3)``: Wampler1 and 2 (cond(XᵀX) 2.7e6)
  in both dtypes and Longley (1.2e4) in float32.
- Standard errors: a QR of the centered design with unit columns, about ``eps·cond``.
"""

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from tests.backends import BACKEND_PARAMS, backend_row
from tests.nist_data import PROBLEMS, exact_fit, lre, measure, table
from xlogreg import LinAlgWarning, LinearRegression
from xlogreg._backend import has_float64, to_numpy
from xlogreg.solvers.least_squares import normal_equations_bound

# (problem, dtype): floor on the coefficients' LRE (lstsq, auto), on the standard errors'
# (None where the certified ones are 0: Wampler's exact fits).
FLOORS = {
    ("Longley", "float64"): (12.0, 13.0),
    ("Longley", "float32"): (4.0, 5.0),
    ("Norris", "float64"): (11.5, 13.0),
    ("Norris", "float32"): (3.0, 4.5),
    ("Wampler1", "float64"): (8.5, None),
    ("Wampler1", "float32"): (0.0, None),
    ("Wampler2", "float64"): (12.0, None),
    ("Wampler2", "float32"): (4.0, None),
}
# Where the normal equations keep their own result, their floor: eps·cond(XᵀX).
CHOLESKY_FLOORS = {
    ("Longley", "float64"): 11.0,
    ("Norris", "float64"): 11.5,
    ("Norris", "float32"): 3.0,
}


def _dtype(backend):
    return "float64" if backend.has_float64 else "float32"


def test_the_data_give_the_certified_values_in_exact_arithmetic():
    """A transcription error in nist_data.py would move some certified value."""
    for problem in PROBLEMS.values():
        coef, variances, residual_variance = exact_fit(problem)
        for estimate, certified in zip(coef, problem.coef, strict=True):
            assert lre(float(estimate), certified) >= 14.0, problem.name
        for variance, certified in zip(variances, problem.stderr, strict=True):
            assert lre(math.sqrt(variance), certified) >= 14.0, problem.name
        assert lre(math.sqrt(residual_variance), problem.residual_sd) >= 14.0, problem.name


def test_longley_is_the_statsmodels_dataset():
    longley = pytest.importorskip("statsmodels.datasets.longley")
    data = longley.load_pandas().data
    np.testing.assert_array_equal(data["TOTEMP"].to_numpy(), PROBLEMS["Longley"].y)
    np.testing.assert_array_equal(data.iloc[:, 1:].to_numpy(), PROBLEMS["Longley"].X)


def test_lre_follows_nist():
    assert lre(1.0000001, 1.0) == pytest.approx(7.0)
    assert lre(1e-9, 0.0) == pytest.approx(9.0)  # certified 0: absolute error
    assert lre(1.0, 1.0) == 15.0 and lre(3.0, 1.0) == 0.0 and lre(math.nan, 1.0) == 0.0


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("solver", ["auto", "lstsq", "cholesky"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_correct_digits_reach_the_floor(backend, name, solver, standardize):
    problem = PROBLEMS[name]
    coef_floor, stderr_floor = FLOORS[name, _dtype(backend)]
    cholesky_floor = CHOLESKY_FLOORS.get((name, _dtype(backend)))
    result = measure(
        problem,
        solver=solver,
        standardize=standardize,
        inference=stderr_floor is not None,
        asarray=backend.asarray,
    )
    assert result.error is None
    if solver == "cholesky" and cholesky_floor is not None:
        assert result.solver == "cholesky" and result.warned == ()
        assert result.coef >= cholesky_floor
    else:
        # The SVD, chosen or fallen back to: the explicit "cholesky" warns, and so does a
        # float32 exact fit (Wampler's) that a device without float64 cannot refine.
        unrefined = not has_float64(backend.xp, backend.device) and name.startswith("Wampler")
        assert result.solver == "lstsq"
        warns = solver == "cholesky" or unrefined
        assert result.warned == (("LinAlgWarning",) if warns else ())
        assert result.coef >= coef_floor
    if stderr_floor is not None:
        assert result.stderr >= stderr_floor


def test_longley_standard_errors_keep_the_certified_digits(backend):
    """The raw design (cond 5e9 with the intercept) needs no standardize=True: float64
    keeps 13 digits of every certified standard error (statsmodels: 12), float32 5."""
    problem = PROBLEMS["Longley"]
    model = LinearRegression(inference=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(backend.asarray(problem.X), backend.asarray(problem.y))
    stderr = np.r_[to_numpy(model.intercept_stderr_), to_numpy(model.coef_stderr_)]
    digits = [lre(s, c) for s, c in zip(stderr.astype(float), problem.stderr, strict=True)]
    assert min(digits) >= (13.0 if backend.has_float64 else 5.0)
    assert model.rank_ == 6


def test_longley_in_float32_keeps_the_rank_and_four_digits():
    """Before: rank_ 5 of 6 and YEAR 1.82 against 1829.15, silently."""
    problem = PROBLEMS["Longley"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LinearRegression().fit(problem.X.astype(np.float32), problem.y.astype(np.float32))
    assert model.rank_ == 6 and model.coef_.dtype == np.float32
    assert lre(model.coef_[-1], problem.coef[-1]) >= 4.0  # YEAR


@pytest.mark.parametrize("name", ["Wampler1", "Wampler2"])
def test_cholesky_falls_back_on_wampler_and_keeps_the_svd_digits(backend, name):
    problem = PROBLEMS[name]
    X, y = backend.asarray(problem.X), backend.asarray(problem.y)
    # Without float64, the exact fit's own warning (tested below) comes too.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LinAlgWarning)
        model = LinearRegression(solver="cholesky").fit(X, y)
        reference = LinearRegression(solver="lstsq").fit(X, y)
    messages = [str(w.message) for w in caught if w.category is LinAlgWarning]
    assert sum("ill-conditioned for the normal equations" in m for m in messages) == 1
    assert model.solver_ == "lstsq" and model.rank_ == 5
    np.testing.assert_array_equal(to_numpy(model.coef_), to_numpy(reference.coef_))
    np.testing.assert_array_equal(to_numpy(model.intercept_), to_numpy(reference.intercept_))


def test_ridge_auto_falls_back_silently():
    """ "auto" only prefers the normal equations for alpha > 0: no warning, solver_ says."""
    problem = PROBLEMS["Wampler1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LinearRegression(alpha=1e-12).fit(problem.X, problem.y)
    assert model.solver_ == "lstsq"


def test_an_ill_conditioned_full_rank_design_warns_naming_float64():
    """x, x², x³, x⁴ on [1, 2]: the centered design with equilibrated columns has full
    rank but cond 7.2e3 > 1/sqrt(eps) = 2.9e3 of float32, which then keeps less than
    half its digits; float64 (bound 6.7e7) is quiet."""
    x = np.linspace(1.0, 2.0, 50)
    X = np.stack([x**k for k in range(1, 5)], axis=1)
    y = X @ np.ones(4)
    with pytest.warns(LinAlgWarning, match="too ill-conditioned for float32.*float64 data"):
        model = LinearRegression().fit(X.astype(np.float32), y.astype(np.float32))
    assert model.rank_ == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LinearRegression().fit(X, y)


def test_the_table_script_prints_every_problem():
    text = table(solvers=("lstsq",), dtypes=("float64",))
    assert all(name in text for name in PROBLEMS) and "err" not in text


def test_the_documented_table_states_the_floors():
    """The solvers page's LRE table is the floors this module tests, cell for cell."""
    page = (Path(__file__).resolve().parents[1] / "docs/user-guide/solvers.md").read_text()
    rows = {}
    for line in page.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] in PROBLEMS and len(cells) == 7:
            rows[cells[0]] = cells[1:]
    assert set(rows) == set(PROBLEMS)

    def cell(value):
        return "—" if value is None else f"{value:g}"

    for name in PROBLEMS:
        expected = []
        for dtype in ("float64", "float32"):
            coef, stderr = FLOORS[name, dtype]
            cholesky = CHOLESKY_FLOORS.get((name, dtype))
            expected += [cell(coef), "SVD" if cholesky is None else cell(cholesky), cell(stderr)]
        assert rows[name] == expected, name
    assert re.search(r"eps\^\(-1/3\)`\s+\(1\.7e5 in float64, 203 in float32", page)
    assert round(normal_equations_bound(np.float64, np), -4) == 1.7e5
    assert round(normal_equations_bound(np.float32, np)) == 203


# float32 rows on devices that have float64: not MPS, strict's no_float64 device, or
# JAX's float32 rows (x64 off).
REFINED_ROWS = [
    p
    for p in BACKEND_PARAMS
    if p.id.endswith("float32") and not any(k in p.id for k in ("mps", "no_float64", "jax"))
]


@pytest.mark.parametrize("row", REFINED_ROWS)
def test_float32_refined_with_a_float64_residual_keeps_wampler1s_digits(row):
    """Wampler1's data are exact in float32 (responses up to 3.4e6 beside an intercept
    of 1): one refinement step with the residual in float64 restores 6 digits (1.2 before)."""
    with backend_row(row) as backend:
        assert has_float64(backend.xp, backend.device)
        result = measure(PROBLEMS["Wampler1"], solver="auto", asarray=backend.asarray)
    assert result.solver == "lstsq" and result.warned == ()
    assert result.coef >= 6.0


def test_an_exact_float32_fit_that_cannot_be_refined_says_so():
    """Without float64 (strict's no_float64 device, like MPS or JAX without x64), Wampler1
    keeps 1.2 digits: the warning names the fix."""
    import array_api_strict

    device = array_api_strict.Device("no_float64")
    problem = PROBLEMS["Wampler1"]
    X = array_api_strict.asarray(problem.X.astype(np.float32), device=device)
    y = array_api_strict.asarray(problem.y.astype(np.float32), device=device)
    with pytest.warns(LinAlgWarning, match="exact to within .*float32's resolution.*float64"):
        LinearRegression().fit(X, y)
