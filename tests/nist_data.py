"""NIST StRD linear regression problems (Longley, Norris, Wampler1, Wampler2) and their LRE.

Data and certified values are those of NIST's Statistical Reference Datasets
(https://www.itl.nist.gov/div898/strd/lls/lls.shtml), certified with 500-digit
arithmetic and quoted to 15 significant digits. ``tests/test_nist.py`` checks
that exact rational least squares on the data below reproduces every
certified value, so a transcription error cannot hide.

The log relative error (LRE) of an estimate ``e`` of a certified value ``c``
is NIST's measure of the correct significant digits:
``-log10(|e - c| / |c|)``, or ``-log10|e - c|`` when ``c == 0``, capped at the
15 digits the certified value carries (and at 0 from below).

``python tests/nist_data.py`` prints the LRE table of ``LinearRegression``
per problem, solver, dtype and ``standardize``, from which the README's
figures and the floors in ``tests/test_nist.py`` come.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["PROBLEMS", "Measurement", "NistProblem", "exact_fit", "lre", "measure", "table"]

#: The digits of NIST's certified values: no LRE above this is meaningful.
CERTIFIED_DIGITS = 15.0


@dataclass(frozen=True)
class NistProblem:
    """One problem: the data as published (decimal strings, so exact arithmetic can read
    them) and the certified coefficients and standard errors, intercept first."""

    name: str
    difficulty: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # each row: y, then the predictors
    coef: tuple[float, ...]
    stderr: tuple[float, ...]
    residual_sd: float
    degree: int | None = None  # polynomial problems: x is expanded to x, x², …, x^degree

    @property
    def X(self) -> np.ndarray:
        x = np.array([[float(v) for v in row[1:]] for row in self.rows])
        if self.degree is not None:
            x = np.concatenate([x**k for k in range(1, self.degree + 1)], axis=1)
        return x

    @property
    def y(self) -> np.ndarray:
        return np.array([float(row[0]) for row in self.rows])


def _rows(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(line.split()) for line in text.strip().splitlines())


LONGLEY = NistProblem(
    name="Longley",
    difficulty="higher",
    columns=("GNP deflator", "GNP", "unemployed", "armed forces", "population", "year"),
    rows=_rows("""
        60323 83.0 234289 2356 1590 107608 1947
        61122 88.5 259426 2325 1456 108632 1948
        60171 88.2 258054 3682 1616 109773 1949
        61187 89.5 284599 3351 1650 110929 1950
        63221 96.2 328975 2099 3099 112075 1951
        63639 98.1 346999 1932 3594 113270 1952
        64989 99.0 365385 1870 3547 115094 1953
        63761 100.0 363112 3578 3350 116219 1954
        66019 101.2 397469 2904 3048 117388 1955
        67857 104.6 419180 2822 2857 118734 1956
        68169 108.4 442769 2936 2798 120445 1957
        66513 110.8 444546 4681 2637 121950 1958
        68655 112.6 482704 3813 2552 123366 1959
        69564 114.2 502601 3931 2514 125368 1960
        69331 115.7 518173 4806 2572 127852 1961
        70551 116.9 554894 4007 2827 130081 1962
    """),
    coef=(
        -3482258.63459582,
        15.0618722713733,
        -0.358191792925910e-01,
        -2.02022980381683,
        -1.03322686717359,
        -0.511041056535807e-01,
        1829.15146461355,
    ),
    stderr=(
        890420.383607373,
        84.9149257747669,
        0.334910077722432e-01,
        0.488399681651699,
        0.214274163161675,
        0.226073200069370,
        455.478499142212,
    ),
    residual_sd=304.854073561965,
)

NORRIS = NistProblem(
    name="Norris",
    difficulty="lower",
    columns=("x",),
    rows=_rows("""
        0.1 0.2
        338.8 337.4
        118.1 118.2
        888.0 884.6
        9.2 10.1
        228.1 226.5
        668.5 666.3
        998.5 996.3
        449.1 448.6
        778.9 777.0
        559.2 558.2
        0.3 0.4
        0.1 0.6
        778.1 775.5
        668.8 666.9
        339.3 338.0
        448.9 447.5
        10.8 11.6
        557.7 556.0
        228.3 228.1
        998.0 995.8
        888.8 887.6
        119.6 120.2
        0.3 0.3
        0.6 0.3
        557.6 556.8
        339.3 339.1
        888.0 887.2
        998.5 999.0
        778.9 779.0
        10.2 11.1
        117.6 118.3
        228.9 229.2
        668.4 669.1
        449.2 448.9
        0.2 0.5
    """),
    coef=(-0.262323073774029, 1.00211681802045),
    stderr=(0.232818234301152, 0.429796848199937e-03),
    residual_sd=0.884796396144373,
)


def _wampler(name: str, rows: str, coef: tuple[float, ...]) -> NistProblem:
    """Wampler1 and 2: y = Σ_k c^k x^k for k = 0…5 at x = 0…20 (c = 1 and 0.1), an exact
    fit, so every certified standard error and the residual standard deviation are 0."""
    return NistProblem(
        name=name,
        difficulty="higher",
        columns=("x",),
        rows=_rows(rows),
        coef=coef,
        stderr=(0.0,) * 6,
        residual_sd=0.0,
        degree=5,
    )


WAMPLER1 = _wampler(
    "Wampler1",
    """
        1 0
        6 1
        63 2
        364 3
        1365 4
        3906 5
        9331 6
        19608 7
        37449 8
        66430 9
        111111 10
        177156 11
        271453 12
        402234 13
        579195 14
        813616 15
        1118481 16
        1508598 17
        2000719 18
        2613660 19
        3368421 20
    """,
    (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
)

WAMPLER2 = _wampler(
    "Wampler2",
    """
        1.00000 0
        1.11111 1
        1.24992 2
        1.42753 3
        1.65984 4
        1.96875 5
        2.38336 6
        2.94117 7
        3.68928 8
        4.68559 9
        6.00000 10
        7.71561 11
        9.92992 12
        12.75603 13
        16.32384 14
        20.78125 15
        26.29536 16
        33.05367 17
        41.26528 18
        51.16209 19
        63.00000 20
    """,
    (1.0, 0.1, 0.01, 0.001, 1e-4, 1e-5),
)

PROBLEMS = {p.name: p for p in (LONGLEY, NORRIS, WAMPLER1, WAMPLER2)}


def lre(estimate: float, certified: float, digits: float = CERTIFIED_DIGITS) -> float:
    """NIST's log relative error: correct significant digits, in ``[0, digits]``."""
    error = abs(float(estimate) - certified)
    if certified != 0:
        error /= abs(certified)
    if not math.isfinite(error):
        return 0.0
    if error == 0:
        return digits
    return min(digits, max(0.0, -math.log10(error)))


def exact_fit(problem: NistProblem) -> tuple[list[Fraction], list[Fraction], Fraction]:
    """Coefficients (intercept first), variances of the estimates and residual variance,
    in exact rational arithmetic: the normal equations solved by Gauss-Jordan
    elimination on fractions of the published decimals."""
    xs = [[Fraction(v) for v in row[1:]] for row in problem.rows]
    if problem.degree is not None:
        xs = [[x[0] ** k for k in range(1, problem.degree + 1)] for x in xs]
    design = [[Fraction(1), *x] for x in xs]
    y = [Fraction(row[0]) for row in problem.rows]
    p = len(design[0])
    gram = [[sum(r[i] * r[j] for r in design) for j in range(p)] for i in range(p)]
    rhs = [sum(r[i] * t for r, t in zip(design, y, strict=True)) for i in range(p)]
    # [G | Xᵀy | I] reduced to [I | β | G⁻¹].
    augmented = [[*gram[i], rhs[i], *(Fraction(int(i == j)) for j in range(p))] for i in range(p)]
    for col in range(p):
        pivot = next(r for r in range(col, p) if augmented[r][col] != 0)
        augmented[col], augmented[pivot] = augmented[pivot], augmented[col]
        lead = augmented[col][col]
        augmented[col] = [v / lead for v in augmented[col]]
        for r in range(p):
            if r != col and augmented[r][col] != 0:
                factor = augmented[r][col]
                augmented[r] = [
                    a - factor * b for a, b in zip(augmented[r], augmented[col], strict=True)
                ]
    coef = [augmented[i][p] for i in range(p)]
    inverse_diagonal = [augmented[i][p + 1 + i] for i in range(p)]
    residuals = [
        t - sum(c * v for c, v in zip(coef, r, strict=True)) for r, t in zip(design, y, strict=True)
    ]
    variance = sum(r * r for r in residuals) / (len(y) - p)
    return coef, [variance * d for d in inverse_diagonal], variance


@dataclass(frozen=True)
class Measurement:
    """LRE of one fit: the fewest correct digits over the coefficients (intercept
    included) and, with ``inference``, over the standard errors; ``None`` where the
    fit raised. ``solver`` is ``solver_``; ``warned`` the warning categories issued."""

    coef: float | None
    stderr: float | None
    solver: str | None
    warned: tuple[str, ...]
    error: str | None = None


def measure(
    problem: NistProblem,
    *,
    solver: str = "auto",
    dtype: str = "float64",
    standardize: bool = False,
    inference: bool = False,
    asarray: Callable[[np.ndarray], Any] | None = None,
) -> Measurement:
    """Fit ``LinearRegression`` on NumPy arrays of ``dtype`` (or on what ``asarray`` makes
    of the float64 data: a backend row's arrays) and count correct digits."""
    from xlogreg import LinearRegression
    from xlogreg._backend import to_numpy

    if asarray is None:
        X, y = problem.X.astype(dtype), problem.y.astype(dtype)
    else:
        X, y = asarray(problem.X), asarray(problem.y)
    model = LinearRegression(solver=solver, standardize=standardize, inference=inference)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(X, y)
        except ValueError as error:
            return Measurement(None, None, None, (), error=str(error))
    warned = tuple(sorted({w.category.__name__ for w in caught}))
    estimates = np.r_[to_numpy(model.intercept_), to_numpy(model.coef_)].astype(float)
    coef = min(lre(e, c) for e, c in zip(estimates, problem.coef, strict=True))
    stderr = None
    if inference:
        errors = np.r_[to_numpy(model.intercept_stderr_), to_numpy(model.coef_stderr_)]
        stderr = min(lre(e, c) for e, c in zip(errors.astype(float), problem.stderr, strict=True))
    return Measurement(coef, stderr, model.solver_, warned)


SOLVERS = ("auto", "lstsq", "cholesky", "newton", "lbfgs", "gd")
DTYPES = ("float64", "float32")


def table(solvers: tuple[str, ...] = SOLVERS, dtypes: tuple[str, ...] = DTYPES) -> str:
    """The LRE table (coefficients; ``SE``: standard errors with ``inference=True`` where
    the certified ones are not zero), one row per problem, solver and ``standardize``.

    A cell reads ``LRE`` or ``LRE!`` when the fit warned (``LinAlgWarning``,
    ``ConvergenceWarning``), ``err`` when it raised.
    """

    def cell(m: Measurement, value: float | None) -> str:
        if m.error is not None:
            return "err"
        mark = "!" if m.warned else ""
        return f"{value:.1f}{mark}"

    header = ["problem", "solver", "standardize"]
    for dtype in dtypes:
        header += [f"{dtype} coef", f"{dtype} SE"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for problem in PROBLEMS.values():
        with_se = any(s != 0 for s in problem.stderr)
        for solver in solvers:
            for standardize in (False, True):
                row = [problem.name, solver, str(standardize)]
                for dtype in dtypes:
                    plain = measure(problem, solver=solver, dtype=dtype, standardize=standardize)
                    row.append(cell(plain, plain.coef))
                    if with_se and solver in ("auto", "lstsq", "cholesky"):
                        inferred = measure(
                            problem,
                            solver=solver,
                            dtype=dtype,
                            standardize=standardize,
                            inference=True,
                        )
                        row.append(cell(inferred, inferred.stderr))
                    else:
                        row.append("")
                lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
