"""``xlogreg fit``: train a logistic regression on a data file, report, save and record it."""

from __future__ import annotations

import datetime
import enum
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import array_api_compat
import array_api_compat.numpy as host_xp
import numpy as np
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from xlogreg import LogisticRegression, LogisticRegressionCV, __version__, metrics, runs
from xlogreg._backend import host_generator, host_list, to_numpy
from xlogreg._splits import stratified_split
from xlogreg._validation import check_number
from xlogreg.cli._app import app
from xlogreg.cli._cv import (
    CsOption,
    CvOption,
    L1RatiosOption,
    ScoringOption,
    check_fold_counts,
    check_scorer_classes,
    check_search_options,
    refit_model,
    search_record,
    search_table,
    validation_curve,
    write_search_files,
)
from xlogreg.cli._data import Table, read_table
from xlogreg.cli._options import (
    Backend,
    BackendOption,
    Device,
    DeviceOption,
    Dtype,
    DtypeOption,
    IdColumnsOption,
    Target,
)
from xlogreg.exceptions import ConvergenceWarning

__all__ = ["fit"]


class Solver(str, enum.Enum):
    """The full-batch solvers (the command holds the data in memory); with ``--l1-ratio`` above
    0, only ``auto``, ``newton`` (proximal Newton) and ``fista``."""

    auto = "auto"
    lbfgs = "lbfgs"
    newton = "newton"
    gd = "gd"
    fista = "fista"


@app.command()
def fit(
    ctx: typer.Context,
    data: Annotated[Path, typer.Argument(help="Training data: .csv, .parquet, .npy or .npz.")],
    target: Annotated[
        str, typer.Option("--target", help="The column of class labels (y for a .npz file).")
    ],
    features: Annotated[
        str | None,
        typer.Option(
            "--features",
            help="Feature columns, comma-separated; default: all but the target and id columns.",
        ),
    ] = None,
    id_columns: IdColumnsOption = None,
    model_out: Annotated[
        Path | None, typer.Option("--model-out", help="Write the model to this file.")
    ] = None,
    runs_dir: Annotated[
        Path | None,
        typer.Option(
            "--runs-dir", help="Record the run in DIR/<run_id>/ (params, metrics, model, card)."
        ),
    ] = None,
    standardize: Annotated[
        bool,
        typer.Option(
            "--standardize/--no-standardize",
            help="Fit on standardized features (the model still takes raw ones).",
        ),
    ] = True,
    validation_fraction: Annotated[
        float,
        typer.Option(
            "--validation-fraction", help="Share of each class's rows held out, in (0, 1)."
        ),
    ] = 0.2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the validation split.")] = 0,
    C: Annotated[
        float, typer.Option("--C", help="Inverse penalty strength; inf: no penalty.")
    ] = 1.0,
    l1_ratio: Annotated[
        float,
        typer.Option(
            "--l1-ratio",
            help="Elastic-net mixing in [0, 1]: 0 = L2 (ridge), 1 = lasso (sparse coefficients); "
            "above 0 needs --solver auto, newton or fista, and no --inference.",
        ),
    ] = 0.0,
    solver: Annotated[Solver, typer.Option("--solver", help="Optimizer.")] = Solver.auto,
    cv: CvOption = None,
    Cs: CsOption = None,
    l1_ratios: L1RatiosOption = None,
    scoring: ScoringOption = None,
    max_iter: Annotated[int, typer.Option("--max-iter", help="Most solver iterations.")] = 1000,
    tol: Annotated[
        float,
        typer.Option(
            "--tol",
            help="Stop at this max-norm of the gradient (the subgradient with --l1-ratio above 0).",
        ),
    ] = 1e-6,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="Two classes: predict the second at or above this probability.",
        ),
    ] = None,
    inference: Annotated[
        bool,
        typer.Option(
            "--inference", help="Compute standard errors and print the coefficient table."
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", help="No progress bar and no report: print only the run id, if any."
        ),
    ] = False,
    mlflow: Annotated[
        bool,
        typer.Option("--mlflow", help="Also log the run to MLflow (needs mlflow and --runs-dir)."),
    ] = False,
    backend: BackendOption = Backend.numpy,
    device: DeviceOption = Device.auto,
    dtype: DtypeOption = Dtype.float64,
) -> None:
    """Fit a logistic regression to a data file; record and save it.

    Two classes, or the multinomial model for more. Holds out a stratified
    validation split drawn from --seed (the same rows on every backend),
    fits on the rest, and reports log loss, accuracy and (two classes) AUC
    on both. A progress bar follows the solver when standard output is a
    terminal. String class labels need --backend numpy. --l1-ratio above 0
    adds an L1 part to the penalty (lasso at 1), which sets coefficients to
    exactly zero; the report then counts the nonzero ones. --cv K searches
    --Cs (and --l1-ratios) by K-fold cross-validation of the training split
    instead, prints each value's mean score, and saves and records the refit
    of the best; the run also holds search.json and validation_curve.png.
    """
    compute = Target.resolve(backend, device, dtype)
    # The options set on the command line (Typer vendors click in recent versions, so
    # ParameterSource's class depends on the version: compare its name).
    given = {
        name
        for name in ("C", "l1_ratio", "solver", "threshold", "inference")
        if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"
    }
    grid = check_search_options(cv=cv, Cs=Cs, l1_ratios=l1_ratios, scoring=scoring, given=given)
    estimator = {
        "C": C,
        "l1_ratio": l1_ratio,
        "standardize": standardize,
        "solver": solver.value,
        "max_iter": max_iter,
        "tol": tol,
        "threshold": threshold,
        "inference": inference,
    }
    if grid is not None:
        estimator = {**grid, "standardize": standardize, "max_iter": max_iter, "tol": tol}
    model = (LogisticRegression if grid is None else LogisticRegressionCV)(**estimator)
    model._validate_params()
    check_number(
        validation_fraction,
        "--validation-fraction",
        low=0.0,
        high=1.0,
        low_open=True,
        high_open=True,
    )
    check_number(seed, "--seed", integer=True, low=0)
    _check_outputs(model_out, runs_dir, mlflow=mlflow)
    table = read_table(data, target=target, features=_names(features), ids=id_columns or ())
    classes = _check_target(data, table, compute=compute, threshold=threshold)
    train, validation = stratified_split(
        table.y, classes, validation_fraction, host_generator(seed), xp=host_xp, device="cpu"
    )
    if grid is not None:
        check_fold_counts(cv, table.y[train])
        check_scorer_classes(grid["scoring"], classes)
    X_train, y_train, X_val, y_val = (
        _place(compute, part[rows]) for rows in (train, validation) for part in (table.X, table.y)
    )
    with _Progress(max_iter, show=grid is None and not quiet and sys.stdout.isatty()) as progress:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            if grid is None:
                model.fit(X_train, y_train, feature_names=table.feature_names, callback=progress)
            else:
                model.fit(X_train, y_train)
    record = figure = None
    if grid is not None:
        record = search_record(model, seconds=progress.seconds)
        model = refit_model(model, table.feature_names)
        figure = validation_curve(record, subject=data.name)
    for warning in caught:
        print(f"warning: {str(warning.message).splitlines()[0]}", file=sys.stderr)
    scores = {"train": _scores(model, X_train, y_train), "validation": _scores(model, X_val, y_val)}
    split = {
        "validation_fraction": validation_fraction,
        "seed": seed,
        "stratified": True,
        "train_rows": int(train.shape[0]),
        "validation_rows": int(validation.shape[0]),
    }
    run = logged = None
    if runs_dir is not None:
        source = {
            "path": str(data.resolve()),
            "sha256": runs.file_sha256(data),
            "rows": int(table.X.shape[0]),
            "target": table.target_name,
            "features": list(table.feature_names),
            "id_columns": list(table.ids),
        }
        params = {
            "command": "fit",
            "data": source,
            "validation_fraction": validation_fraction,
            "seed": seed,
            **estimator,
            **({} if record is None else {"C_": record["C_"], "l1_ratio_": record["l1_ratio_"]}),
            "backend": compute.library,
            "device": compute.device,
            "dtype": compute.dtype,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "xlogreg": __version__,
        }
        run = runs.write_run(
            runs_dir,
            model,
            params=params,
            iterations=progress.iterations,
            metrics=scores,
            data=source,
            split=split,
        )
        if record is not None:
            _or_remove_run(lambda: write_search_files(run.path, record, figure), run, runs_dir)
    if model_out is not None:
        _or_remove_run(lambda: model.save(model_out), run, runs_dir)
    if run is not None and mlflow:
        logged = runs.log_to_mlflow(run)
    if quiet:
        if run is not None:
            typer.echo(run.run_id)
        return
    ids = f", id column {', '.join(table.ids)}" if table.ids else ""
    typer.echo(f"data        {data}: {table.X.shape[0]} rows, {table.X.shape[1]} features{ids}")
    typer.echo(f"target      {table.target_name}: {_labels(classes)}")
    typer.echo(
        f"split       {split['train_rows']} train, {split['validation_rows']} validation "
        f"(stratified, seed {seed})"
    )
    typer.echo(f"compute     {compute.describe()}")
    state = "converged" if model.converged_ else "not converged"
    if record is None:
        typer.echo(f"fit         {model.n_iter_} iterations in {progress.seconds:.3g} s, {state}")
    else:
        typer.echo(search_table(record))
        typer.echo(f"fit         refit on the training split: {model.n_iter_} iterations, {state}")
    typer.echo(_score_table(scores))
    if model.l1_ratio > 0.0:
        coef = to_numpy(model.coef_)
        typer.echo(f"nonzero     {np.count_nonzero(coef)} of {coef.size} coefficients")
    if inference:
        typer.echo(str(model.summary()))
    if model_out is not None:
        typer.echo(f"model       {model_out}")
    if run is not None:
        typer.echo(f"run         {run.run_id} ({run.path})")
    if logged is not None:
        typer.echo(f"mlflow      run {logged}")


class _Progress:
    """The fit's callback: records every iterate and, when shown, drives a rich progress bar
    (iteration of ``max_iter``, loss, gradient max-norm, elapsed time, ETA)."""

    def __init__(self, max_iter: int, *, show: bool, console: Console | None = None) -> None:
        self.iterations: list[runs.Iteration] = []
        self.bar = None
        if show:
            self.bar = Progress(
                TextColumn("fit"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]:.6g}  grad {task.fields[grad_norm]:.2e}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
            )
            self.task = self.bar.add_task(
                "fit", total=max_iter, loss=float("nan"), grad_norm=float("nan")
            )

    def __enter__(self) -> _Progress:
        self.start = time.perf_counter()
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds = time.perf_counter() - self.start
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, n_iter: int, loss: float, grad_norm: float) -> None:
        elapsed = time.perf_counter() - self.start
        self.iterations.append(runs.Iteration(n_iter, loss, grad_norm, elapsed))
        if self.bar is not None:
            self.bar.update(self.task, completed=n_iter, loss=loss, grad_norm=grad_norm)


def _names(features: str | None) -> list[str] | None:
    if features is None:
        return None
    names = [name.strip() for name in features.split(",")]
    if not all(names):
        raise ValueError(f"--features: an empty column name in {features!r}")
    return names


def _check_outputs(model_out: Path | None, runs_dir: Path | None, *, mlflow: bool) -> None:
    """Refuse outputs that cannot be written before reading or fitting anything."""
    if model_out is not None:
        if not model_out.parent.is_dir():
            raise FileNotFoundError(f"--model-out {model_out}: no folder {model_out.parent}")
        if model_out.is_dir():
            raise IsADirectoryError(f"--model-out {model_out}: a folder, not a file")
        _check_writable(model_out.parent, f"--model-out {model_out}")
    if runs_dir is not None:
        if runs_dir.exists() and not runs_dir.is_dir():
            raise NotADirectoryError(f"--runs-dir {runs_dir}: not a folder")
        # The folder, or the nearest folder above it that exists and will hold it.
        existing = next(path for path in (runs_dir, *runs_dir.absolute().parents) if path.exists())
        if not existing.is_dir():
            raise NotADirectoryError(f"--runs-dir {runs_dir}: {existing} is not a folder")
        _check_writable(existing, f"--runs-dir {runs_dir}")
    if mlflow:
        if runs_dir is None:
            raise ValueError("--mlflow logs a run record: give --runs-dir too")
        runs.require_mlflow()


def _check_writable(folder: Path, option: str) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"{option}: the folder {folder} is not writable")


def _or_remove_run(write: Callable[[], Any], run: runs.Run | None, runs_dir: Path | None) -> None:
    """Write a file (``--model-out``, the search's record); if that fails, remove the run just
    recorded, so that a failed command leaves no run behind (and an earlier file as it was)."""
    try:
        write()
    except BaseException:
        if run is not None and runs_dir is not None:
            try:
                runs.remove_run(runs_dir, run.run_id)
            except (OSError, ValueError) as error:
                print(f"warning: run {run.run_id} stays in {runs_dir}: {error}", file=sys.stderr)
        raise


def _check_target(data: Path, table: Table, *, compute: Target, threshold: float | None) -> Any:
    """The sorted classes of the target column, checked for what the fit and split need."""
    y, name = table.y, table.target_name
    if y.dtype.kind == "f":
        raise ValueError(
            f"{data}: target {name!r} holds non-integer numbers; fit trains a classifier "
            "and needs class labels"
        )
    classes, counts = np.unique(y, return_counts=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{data}: target {name!r} holds {_labels(classes)}; a classifier needs two"
        )
    if y.dtype.kind in "US" and compute.library != "numpy":
        raise ValueError(
            f"--backend {compute.library}: target {name!r} has {_labels(classes)} written as "
            "strings, which only NumPy arrays hold; use --backend numpy, or encode the classes "
            "as integers"
        )
    if threshold is not None and classes.shape[0] != 2:
        raise ValueError(f"--threshold needs a binary target; {name!r} has {_labels(classes)}")
    rare = np.flatnonzero(counts < 2)
    if rare.size:
        raise ValueError(
            f"{data}: class {classes[rare[0]]!r} of {name!r} has 1 row; the validation split "
            "needs at least two per class"
        )
    return classes


def _labels(classes: np.ndarray) -> str:
    """``"3 classes (ant, bee, cat)"``, the first ten named."""
    names = ", ".join(map(str, classes[:10])) + (", ..." if classes.shape[0] > 10 else "")
    return f"{classes.shape[0]} class{'es' if classes.shape[0] > 1 else ''} ({names})"


def _place(compute: Target, host: np.ndarray) -> Any:
    """Features in the target's dtype, labels as they are (strings stay on NumPy)."""
    return compute.array(host, floating=host.dtype.kind == "f")


def _scores(model: LogisticRegression, X: Any, y: Any) -> dict[str, float]:
    """Log loss, accuracy and (two classes) ROC AUC of ``model`` on ``(X, y)``, where X lives."""
    classes = model.classes_
    result = {}
    if classes.shape[0] == 2:
        logits = model.decision_function(X)
        positive = host_list(classes)[1]
        result["log_loss"] = metrics.log_loss_from_logits(y, logits, pos_label=positive)
        result["auc"] = metrics.roc_auc_score(y, logits, pos_label=positive)
    else:
        # The multinomial log loss: the mean log-probability of each row's own class.
        xp = array_api_compat.array_namespace(X)
        log_proba = model.predict_log_proba(X)
        own = xp.where(y[:, None] == classes[None, :], log_proba, xp.zeros_like(log_proba))
        result["log_loss"] = -xp.mean(xp.sum(own, axis=1))
    result["accuracy"] = metrics.accuracy_score(y, model.predict(X))
    return {name: float(value) for name, value in sorted(result.items())}


_HEADERS = {"log_loss": "log loss", "accuracy": "accuracy", "auc": "AUC"}


def _score_table(scores: dict[str, dict[str, float]]) -> str:
    """The metrics of each split, one row per split."""
    names = [name for name in ("log_loss", "accuracy", "auc") if name in scores["train"]]
    header = "".join(f"{_HEADERS[name]:>12}" for name in names)
    rows = [f"{'':12}{header}"]
    for split, values in scores.items():
        rows.append(f"{split:12}" + "".join(f"{values[name]:12.6f}" for name in names))
    return "\n".join(rows)
