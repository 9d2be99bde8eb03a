"""``xlogreg fit --cv K``: the search's options, its report, its record and the model it saves.

With ``--cv``, ``fit`` trains :class:`~xlogreg.LogisticRegressionCV` on the
training split. The options are checked here before any data is read; the
search is then summarized as one JSON-ready record (``search.json`` in the run
folder), printed as a table of mean ± std score per ``C`` and ``l1_ratio``, and
drawn as a validation curve. Model files hold registered estimators only, so
the model saved is the :class:`~xlogreg.LogisticRegression` the search refitted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from xlogreg import LogisticRegression, LogisticRegressionCV
from xlogreg._atomic_write import write_atomically
from xlogreg._backend import host_list, to_numpy
from xlogreg._validation import check_number
from xlogreg.cli._plots import PLOTS_MISSING, plots_available, save_figures
from xlogreg.cli._plots import validation_curve_figure as curve_figure
from xlogreg.linear_model._logistic_cv import REFIT_STATE
from xlogreg.model_selection import check_scoring
from xlogreg.runs._record_files import dumps

__all__ = [
    "CURVE_FILE",
    "SEARCH_FILE",
    "CsOption",
    "CvOption",
    "L1RatiosOption",
    "ScoringOption",
    "check_fold_counts",
    "check_scorer_classes",
    "check_search_options",
    "refit_model",
    "search_record",
    "search_table",
    "validation_curve",
    "write_search_files",
]

SEARCH_FILE = "search.json"
CURVE_FILE = "validation_curve.png"

CvOption = Annotated[
    int | None,
    typer.Option(
        "--cv",
        metavar="K",
        help="Choose C (and l1_ratio) by K-fold cross-validation on the training split "
        "(LogisticRegressionCV), then refit the best on it.",
    ),
]
# A string, parsed here: typer has no "an int or a list of floats" type.
CsOption = Annotated[
    str | None,
    typer.Option(
        "--Cs",
        help="With --cv: the values of C, comma-separated (0.01,0.1,1), or a count k: "
        "k values log-spaced from 1e-4 to 1e4.  [default: 10]",
    ),
]
L1RatiosOption = Annotated[
    str | None,
    typer.Option(
        "--l1-ratios",
        help="With --cv: the values of l1_ratio, comma-separated, in [0, 1].  [default: 0]",
    ),
]
ScoringOption = Annotated[
    str | None,
    typer.Option(
        "--scoring",
        help="With --cv: scikit-learn's scorer name (neg_log_loss, roc_auc, f1, ...).  "
        "[default: accuracy]",
    ),
]

# fit's options that a search chooses or does not take, with what to use instead.
_REFUSED = {
    "C": "--C: the search chooses C; give the grid with --Cs",
    "l1_ratio": "--l1-ratio: the search chooses it; give the grid with --l1-ratios",
    "solver": "--solver: a search fits every model with Newton's method (or proximal Newton)",
    "threshold": "--threshold: a search scores the most probable class; fit without --cv",
    "inference": "--inference: a search refits without standard errors; fit without --cv",
}


def check_search_options(
    *,
    cv: int | None,
    Cs: str | None,
    l1_ratios: str | None,
    scoring: str | None,
    given: set[str],
) -> dict[str, Any] | None:
    """The :class:`~xlogreg.LogisticRegressionCV` parameters of fit's search options, or
    ``None`` without ``--cv``; a ValueError naming the option, before any work.

    ``given`` names fit's parameters set on the command line (``"C"``,
    ``"solver"``...): those a search chooses or ignores are refused with it.

    Examples
    --------
    >>> from xlogreg.cli._cv import check_search_options
    >>> check_search_options(cv=5, Cs="0.1,1", l1_ratios=None, scoring=None, given=set())
    {'cv': 5, 'Cs': [0.1, 1.0], 'l1_ratios': [0.0], 'scoring': 'accuracy'}
    >>> check_search_options(cv=3, Cs="4", l1_ratios="0,1", scoring="roc_auc", given=set())
    {'cv': 3, 'Cs': 4, 'l1_ratios': [0.0, 1.0], 'scoring': 'roc_auc'}
    """
    if cv is None:
        for option, value in (("--Cs", Cs), ("--l1-ratios", l1_ratios), ("--scoring", scoring)):
            if value is not None:
                raise ValueError(f"{option} sets up a cross-validated search: give --cv K too")
        return None
    check_number(cv, "--cv", integer=True, low=2)
    for name, message in _REFUSED.items():
        if name in given:
            raise ValueError(f"{message} (with --cv {cv})")
    try:
        scorer = check_scoring(scoring)
    except ValueError as error:
        raise _scoring_error(error, scoring) from None
    return {
        "cv": cv,
        "Cs": _grid("10" if Cs is None else Cs, "--Cs", count=True, high=None),
        "l1_ratios": _grid("0" if l1_ratios is None else l1_ratios, "--l1-ratios", high=1.0),
        "scoring": scorer.name,
    }


def _grid(text: str, option: str, *, high: float | None, count: bool = False) -> Any:
    """A comma-separated list of numbers (``count``: or a whole number of values)."""
    text = text.strip()
    if count and text.isdigit():
        check_number(int(text), f"{option} (a number of values)", integer=True, low=1)
        return int(text)
    values = [item.strip() for item in text.split(",")]
    if not all(values):
        raise ValueError(f"{option}: an empty value in {text!r}; give numbers separated by commas")
    grid = []
    for item in values:
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"{option}: {item!r} is not a number") from None
        # C = inf is the unpenalized model; l1_ratio lies in [0, 1].
        check_number(value, option, low=0.0, low_open=high is None, high=high)
        grid.append(value)
    return grid


def check_fold_counts(cv: int, y_train: np.ndarray) -> None:
    """Refuse more folds than the training split's smallest class has rows."""
    classes, counts = np.unique(y_train, return_counts=True)
    if counts.min() < cv:
        rare = classes[np.argmin(counts)].item()
        raise ValueError(
            f"--cv {cv}: class {rare!r} has {counts.min()} rows in the training split, and "
            "every fold must train on every class; choose fewer folds"
        )


def check_scorer_classes(scoring: str, classes: Any) -> None:
    """Refuse a scoring name that does not fit the target's classes (``roc_auc`` on three, say)."""
    try:
        check_scoring(scoring).check_problem(classes)
    except ValueError as error:
        raise _scoring_error(error, scoring) from None


def _scoring_error(error: ValueError, scoring: str | None) -> ValueError:
    """The estimator's message about ``scoring=NAME``, told of the option ``--scoring NAME``
    (the command line takes names only, not callables)."""
    text = str(error).replace(", or a callable scoring(estimator, X, y)", "")
    estimator_words = f"scoring={scoring!r}"
    if text.startswith(estimator_words):
        return ValueError(f"--scoring {scoring}{text[len(estimator_words) :]}")
    return ValueError(f"--scoring {scoring}: {text}")


def refit_model(search: LogisticRegressionCV, feature_names: Any) -> LogisticRegression:
    """The :class:`~xlogreg.LogisticRegression` the search refitted on all its rows.

    Its parameters are the search's with the chosen ``C`` and ``l1_ratio``;
    its fitted state is the search's refit (coefficients, scaler, classes,
    training profile, convergence, loss history), so it predicts exactly as
    the search does; ``n_iter_`` counts the refit's iterations and
    ``feature_names_in_`` are the data file's columns.
    """
    model = LogisticRegression(
        C=float(search.C_),
        l1_ratio=float(search.l1_ratio_),
        fit_intercept=search.fit_intercept,
        standardize=search.standardize,
        tol=search.tol,
        max_iter=search.max_iter,
        class_weight=search.class_weight,
    )
    # The refit's state but n_iter_, which the search holds per grid model (the refit's
    # loss history has one entry per iterate), and the names, the data file's columns.
    state = {name: getattr(search, name) for name in REFIT_STATE if name != "feature_names_in_"}
    model._set_fitted(
        **state,
        n_iter_=len(search.loss_history_) - 1,
        feature_names_in_=tuple(feature_names),
    )
    return model


def search_record(search: LogisticRegressionCV, *, seconds: float) -> dict[str, Any]:
    """What ``search.json`` holds: the grid, every fold's score and iterations, the choice.

    ``scores_`` and ``n_iter_`` are nested lists indexed ``[fold][l1_ratio][C]``
    (the estimator's attributes); ``mean`` and ``std`` (population, over the
    folds) are ``[l1_ratio][C]``; ``best`` holds the choice's indices into
    ``l1_ratios_`` and ``Cs_`` (those hold the grid in the data's dtype, where
    ``0.1`` is ``0.10000000149011612`` in float32; ``C_`` is the value given).
    """
    scores = np.asarray(to_numpy(search.scores_), dtype=np.float64)
    Cs, ratios = to_numpy(search.Cs_), to_numpy(search.l1_ratios_)
    best = {
        "l1_ratio": int(np.flatnonzero(ratios == ratios.dtype.type(search.l1_ratio_))[0]),
        "C": int(np.flatnonzero(Cs == Cs.dtype.type(search.C_))[0]),
    }
    return {
        "cv": search.cv,
        "scoring": check_scoring(search.scoring).name,
        "Cs_": host_list(search.Cs_),
        "l1_ratios_": host_list(search.l1_ratios_),
        "scores_": scores.tolist(),
        "n_iter_": host_list(search.n_iter_),
        "mean": scores.mean(axis=0).tolist(),
        "std": scores.std(axis=0).tolist(),
        "C_": float(search.C_),
        "l1_ratio_": float(search.l1_ratio_),
        "best": best,
        "refit": {
            "n_iter": len(search.loss_history_) - 1,
            "converged": bool(search.converged_),
        },
        "seconds": seconds,
    }


def search_table(record: dict[str, Any]) -> str:
    """The search in a few lines: what was fitted, then mean ± std of each (``C``,
    ``l1_ratio``), one row per ``C``, the chosen one marked ``*``."""
    Cs, ratios = record["Cs_"], record["l1_ratios_"]
    n_folds = len(record["scores_"])
    models = n_folds * len(Cs) * len(ratios)
    lines = [
        f"search      {n_folds}-fold cross-validation of {len(Cs)} C x {len(ratios)} l1_ratio "
        f"({models} models) in {record['seconds']:.3g} s, scoring {record['scoring']}",
        (
            f"{'C':>12}" + "".join(f"   {f'l1_ratio {r:g}: mean ± std':<26}" for r in ratios)
        ).rstrip(),
    ]
    for c, C in enumerate(Cs):
        cells = []
        for r in range(len(ratios)):
            chosen = (r, c) == (record["best"]["l1_ratio"], record["best"]["C"])
            cell = f"{record['mean'][r][c]:.6f} ± {record['std'][r][c]:.6f}"
            cells.append(f"   {cell + (' *' if chosen else ''):<26}")
        lines.append(f"{C:>12.6g}" + "".join(cells).rstrip())
    lines.append(
        f"chosen      C {record['C_']:.6g}, l1_ratio {record['l1_ratio_']:g} "
        f"(* the best mean {record['scoring']})"
    )
    return "\n".join(lines)


def validation_curve(record: dict[str, Any], subject: str) -> Any | None:
    """The validation curve of ``record``, or ``None`` without matplotlib."""
    if not plots_available():
        return None
    return curve_figure(
        record["Cs_"],
        record["l1_ratios_"],
        np.asarray(record["scores_"], dtype=np.float64),
        best=(record["best"]["l1_ratio"], record["best"]["C"]),
        scoring=record["scoring"],
        subject=subject,
    )


def write_search_files(folder: Path, record: dict[str, Any], figure: Any | None) -> list[str]:
    """Write ``search.json`` and (with a figure) ``validation_curve.png`` to a run's folder,
    each atomically; return the names. Without matplotlib, ``search.json`` says how to get
    the plot."""
    document = dict(record)
    if figure is None:
        document["plots"] = PLOTS_MISSING
    write_atomically(str(folder / SEARCH_FILE), (dumps(document, indent=2) + "\n").encode())
    if figure is None:
        return [SEARCH_FILE]
    save_figures({CURVE_FILE: figure}, folder)
    return [SEARCH_FILE, CURVE_FILE]
