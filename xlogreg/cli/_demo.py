"""``xlogreg demo``: the library at work on a generated problem, with nothing to download.

It generates ``make_classification(n_samples, n_features)`` on the chosen
library and device (the same numbers everywhere), holds out the last fifth
of the rows for validation, fits ``LogisticRegression()`` (solver ``auto``)
and reports the time of each phase, the fit, and seed 000's evaluation of
the validation rows, with plots. ``--seed-example`` prints seed 000's lesson
instead, and ``--every-backend`` fits the problem on every library and
device installed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import array_api_compat
import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from xlogreg import LogisticRegression, metrics
from xlogreg._backend import compute_target, host_floats, library_devices, synchronize, to_numpy
from xlogreg.cli._app import app
from xlogreg.cli._costs import COST_FN, COST_FP, CostFnOption, CostFpOption, check_costs
from xlogreg.cli._options import (
    Backend,
    BackendOption,
    Device,
    DeviceOption,
    Dtype,
    DtypeOption,
    Target,
)
from xlogreg.cli._plots import model_losses
from xlogreg.cli._report import classifier_report, model_outputs
from xlogreg.cli._report_dir import ReportDirOption, check_report_dir, print_written, write_report
from xlogreg.cli._report_tables import report_console, threshold_table, titled_table
from xlogreg.cli._seed_example import seed_lesson
from xlogreg.datasets import make_classification

__all__ = ["demo"]

# The smallest problem whose validation fifth still holds a few rows of each class.
_MIN_SAMPLES = 20


class _Stopwatch:
    """Wall-clock seconds per phase, waiting for the device's queued work at each end."""

    def __init__(self, target: Target) -> None:
        self._xp, self._device = compute_target(target.spec())
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        synchronize(self._xp, self._device)
        start = time.perf_counter()
        yield
        synchronize(self._xp, self._device)
        self.seconds[name] = time.perf_counter() - start


def _check_problem(n_samples: int, n_features: int, seed: int) -> None:
    if n_samples < _MIN_SAMPLES:
        raise ValueError(f"--n-samples must be at least {_MIN_SAMPLES}, got {n_samples}")
    if n_features < 1:
        raise ValueError(f"--n-features must be at least 1, got {n_features}")
    if seed < 0:
        raise ValueError(f"--seed must be >= 0, got {seed}")


def _split(n_samples: int) -> int:
    """Training rows: all but the last fifth. The rows are independent draws, so the
    last fifth is a random validation sample, and slices of ``X`` copy nothing."""
    return n_samples - n_samples // 5


def _generate(n_samples: int, n_features: int, seed: int, target: Target) -> tuple[Any, ...]:
    """``X_train, y_train, X_validation, y_validation`` on ``target``."""
    X, y, _, _ = make_classification(
        n_samples, n_features, random_state=seed, device=target.spec(), dtype=target.dtype
    )
    n_train = _split(n_samples)
    return X[:n_train, :], y[:n_train], X[n_train:, :], y[n_train:]


def _run(
    *,
    n_samples: int,
    n_features: int,
    seed: int,
    target: Target,
    report_dir: Path | None,
    cost_fp: float,
    cost_fn: float,
    console: Console,
) -> None:
    watch = _Stopwatch(target)
    with watch.phase("generate"):
        X_train, y_train, X_val, y_val = _generate(n_samples, n_features, seed, target)
    with watch.phase("fit"):
        model = LogisticRegression().fit(X_train, y_train)
    with watch.phase("predict"):
        train_logits = model.decision_function(X_train)
        outputs = model_outputs(model, X_val)
    with watch.phase("metrics"):
        report = classifier_report(model, outputs, y_val, cost_fp=cost_fp, cost_fn=cost_fn)
        (train_loss,) = host_floats(
            array_api_compat.array_namespace(train_logits),
            metrics.log_loss_from_logits(y_train, train_logits),
        )
    n_train, n_val = X_train.shape[0], X_val.shape[0]
    fit = {"n_iter": model.n_iter_, "converged": bool(model.converged_), "solver": "auto"}
    document = {
        "demo": {"n_samples": n_samples, "n_features": n_features, "seed": seed},
        "compute": target.describe(),
        "split": {"train": n_train, "validation": n_val},
        "fit": fit,
        "train_log_loss": train_loss,
        **report.to_dict(),
    }
    with watch.phase("plots"):
        written = write_report(
            report,
            document,
            report_dir=report_dir,
            prefix="xlogreg-demo-",
            losses=model_losses(model),
            subject=f"validation, {n_val:,} rows",
        )
    console.print(
        f"xlogreg demo: {n_samples:,} × {n_features} generated rows (seed {seed}) on "
        f"{target.describe()}; {n_train:,} to train, {n_val:,} to validate"
    )
    console.print(_phases_table(watch.seconds))
    console.print(
        f"LogisticRegression(solver='auto'): {model.n_iter_} iterations, "
        + ("converged" if model.converged_ else "not converged")
    )
    console.print(_summary_table(report.metrics, train_loss))
    console.print(threshold_table(report))
    print_written(written, console)


def _phases_table(seconds: dict[str, float]) -> Table:
    table = titled_table("Time per phase")
    table.add_column("phase")
    table.add_column("wall-clock seconds", justify="right")
    for name, value in seconds.items():
        table.add_row(name, f"{value:.3f}")
    table.add_row("total", f"{sum(seconds.values()):.3f}", style="bold")
    return table


def _summary_table(scores: dict[str, float], train_loss: float) -> Table:
    table = titled_table("Fit and validation")
    for name in ("metric", "train", "validation"):
        table.add_column(name, justify="left" if name == "metric" else "right")
    table.add_row("log loss", f"{train_loss:.4f}", f"{scores['log_loss']:.4f}")
    for name, key in (("ROC AUC", "roc_auc"), ("F1", "f1"), ("ECE (10 bins)", "ece")):
        table.add_row(name, "", f"{scores[key]:.4f}")
    table.add_row("accuracy", "", f"{scores['accuracy']:.4f}")
    return table


def _every_backend(*, n_samples: int, n_features: int, seed: int, console: Console) -> None:
    """Fit the same generated problem on every library, device and dtype installed."""
    table = titled_table(
        f"{n_samples:,} × {n_features} generated rows (seed {seed}) on every library "
        "installed: LogisticRegression(solver='auto')"
    )
    for name in ("library", "device", "dtype", "fit s", "iterations", "validation log loss"):
        table.add_column(
            name, justify="left" if name in ("library", "device", "dtype") else "right"
        )
    table.add_column("max |coef − NumPy float64's|", justify="right")
    reference = None
    for library, device in library_devices():
        for dtype in ("float64", "float32"):
            target = Target(library, device, dtype)
            if dtype == "float64" and not target.has_float64():
                continue  # MPS, JAX without x64
            X_train, y_train, X_val, y_val = _generate(n_samples, n_features, seed, target)
            watch = _Stopwatch(target)
            with watch.phase("fit"):
                model = LogisticRegression().fit(X_train, y_train)
            logits = model.decision_function(X_val)
            (loss,) = host_floats(
                array_api_compat.array_namespace(logits),
                metrics.log_loss_from_logits(y_val, logits),
            )
            coef = to_numpy(model.coef_).astype(np.float64)
            reference = coef if reference is None else reference
            table.add_row(
                library,
                device,
                dtype,
                f"{watch.seconds['fit']:.3f}",
                str(model.n_iter_),
                f"{loss:.6f}",
                f"{np.max(np.abs(coef - reference)):.1e}",
            )
    console.print(table)


@app.command()
def demo(
    n_samples: Annotated[
        int, typer.Option("--n-samples", help="Rows to generate (a fifth is held out).")
    ] = 1_000_000,
    n_features: Annotated[int, typer.Option("--n-features", help="Features to generate.")] = 64,
    backend: BackendOption = Backend.numpy,
    device: DeviceOption = Device.auto,
    dtype: DtypeOption = Dtype.float64,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated data.")] = 0,
    report_dir: ReportDirOption = None,
    cost_fp: CostFpOption = COST_FP,
    cost_fn: CostFnOption = COST_FN,
    seed_example: Annotated[
        bool,
        typer.Option(
            "--seed-example",
            help="Print seed 000's lesson instead: eight access-change requests, gradient "
            "descent, threshold costs, AUC and calibration.",
        ),
    ] = False,
    every_backend: Annotated[
        bool,
        typer.Option(
            "--every-backend",
            help="Fit the problem on every library, device and dtype installed, and compare "
            "(ignores --backend, --device and --dtype).",
        ),
    ] = False,
) -> None:
    """Fit, time and evaluate a generated problem: no data needed.

    The data are drawn from a logistic model by make_classification with
    --seed, identically on every library and device; the last fifth of the
    rows is the validation set. Prints the time of each phase (generate, fit,
    predict, metrics, plots), the fit's iterations, train and validation log
    loss, validation ROC AUC, F1 and ECE, and the cost of thresholds under
    seed 000's policy (--cost-fp, --cost-fn); writes report.json and PNG plots
    to --report-dir (default: a new temporary folder).
    """
    check_costs(cost_fp, cost_fn)
    if seed_example and every_backend:
        raise ValueError("--seed-example and --every-backend are separate demonstrations: pick one")
    target = Target.resolve(backend, device, dtype)
    console = report_console()
    if seed_example:
        for line in seed_lesson(target, cost_fp=cost_fp, cost_fn=cost_fn):
            typer.echo(line)
        return
    _check_problem(n_samples, n_features, seed)
    if every_backend:
        _every_backend(n_samples=n_samples, n_features=n_features, seed=seed, console=console)
        return
    check_report_dir(report_dir)
    _run(
        n_samples=n_samples,
        n_features=n_features,
        seed=seed,
        target=target,
        report_dir=report_dir,
        cost_fp=cost_fp,
        cost_fn=cost_fn,
        console=console,
    )
