"""``xlogreg runs list|show|promote``: the run records of ``xlogreg fit --runs-dir``."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xlogreg import runs
from xlogreg.cli._app import HELP_SETTINGS, app

__all__ = ["runs_app"]

runs_app = typer.Typer(
    name="runs",
    help="Run records of 'xlogreg fit --runs-dir': list, show, promote.",
    **HELP_SETTINGS,
)
app.add_typer(runs_app)

RunsDirOption = Annotated[Path, typer.Option("--runs-dir", help="The folder of run records.")]
RunArgument = Annotated[str, typer.Argument(help="A run id, or 'production'.")]


@runs_app.command("list")
def list_(runs_dir: RunsDirOption = Path("runs")) -> None:
    """List the runs, oldest first; * marks the production run.

    Each with its validation log loss and AUC. A run folder that cannot be read
    is left out with a warning naming it and the problem.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", runs.RunRecordWarning)
        records = runs.list_runs(runs_dir)
    production = runs.production_run(runs_dir)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    table = Table(title=f"{len(records)} runs in {runs_dir}; * production")
    for column in ("", "run", "created (UTC)", "data", "val log loss", "val AUC"):
        table.add_column(column, justify="right" if column.startswith("val") else "left")
    for run in records:
        table.add_row(
            "*" if run.run_id == production else "",
            run.run_id,
            str(run.params.get("created", ""))[:16].replace("T", " "),
            Path(str(run.card.get("data", {}).get("path", ""))).name,
            _metric(run, "validation_log_loss"),
            _metric(run, "validation_auc"),
        )
    # Piped or captured, the table is not squeezed into 80 columns: run ids are
    # copied from it.
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@runs_app.command()
def show(run: RunArgument, runs_dir: RunsDirOption = Path("runs")) -> None:
    """Print a run's parameters and model card as JSON."""
    record = runs.read_run(runs_dir, run)
    production = runs.production_run(runs_dir) == record.run_id
    document = {
        "run_id": record.run_id,
        "path": str(record.path),
        "production": production,
        "params": record.params,
        "card": record.card,
    }
    typer.echo(json.dumps(document, indent=2))


@runs_app.command()
def promote(
    run: RunArgument,
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            help=f"Compare by this metric: {', '.join(runs.METRICS)}.",
        ),
    ] = "validation_log_loss",
    force: Annotated[
        bool, typer.Option("--force", help="Promote even if the metric is worse.")
    ] = False,
    runs_dir: RunsDirOption = Path("runs"),
) -> None:
    """Make RUN the production run, unless its metric is worse.

    Compares --metric with the current production run's, and refuses a worse one
    unless --force.
    """
    try:
        done = runs.promote(runs_dir, run, metric=metric, force=force)
    except runs.PromotionRefused as refused:
        raise ValueError(f"{refused} (--force promotes it anyway)") from None
    if done.previous == done.run_id:
        typer.echo(f"{done.run_id} is already the production run")
        return
    compared = (
        f" ({done.metric} {done.value:.6g} against {done.previous_value:.6g})"
        if done.previous_value is not None and done.value is not None
        else ""
    )
    replaced = f", replacing {done.previous}" if done.previous else ""
    forced = " (forced)" if done.forced else ""
    typer.echo(f"{done.run_id} is now the production run{replaced}{compared}{forced}")


def _metric(run: runs.Run, name: str) -> str:
    try:
        return f"{runs.metric_value(run, name):.4f}"
    except ValueError:
        return "-"
