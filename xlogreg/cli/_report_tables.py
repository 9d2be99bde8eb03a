"""How the commands print an evaluation report: rich tables on a console sized for them."""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from xlogreg.cli._report import (
    AVERAGES,
    CALIBRATION_BINS,
    PER_CLASS_SCORES,
    Report,
    average_key,
    decision_rule,
)

__all__ = ["print_report", "report_console", "threshold_table", "titled_table"]


def report_console() -> Console:
    """A console for the reports: the terminal's width, or 120 columns when the
    output is a file or a pipe (rich's default of 80 would squeeze the tables).

    Markup is off: paths and class labels are printed as they are (rich would
    take ``[plots]`` in ``xlogreg[plots]`` for a style); lines of text are
    not wrapped, so a long path stays whole.
    """
    console = Console(markup=False, soft_wrap=True)
    return console if console.is_terminal else Console(markup=False, soft_wrap=True, width=120)


def titled_table(title: str) -> Table:
    """A table at least as wide as its title, which rich would otherwise wrap."""
    return Table(title=title, title_justify="left", min_width=len(title))


def _number(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _threshold_text(value: float) -> str:
    return "+inf (flag none)" if math.isinf(value) else f"{value:.4g}"


def _cost_text(value: float) -> str:
    return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"


# The headers of a multinomial report's per-class scores.
_SCORE_HEADERS = dict(
    zip(PER_CLASS_SCORES, ("precision", "recall", "F1", "ROC AUC (one-vs-rest)"), strict=True)
)


def _metrics_table(report: Report, names: list[str]) -> Table:
    table = titled_table("Metrics")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name in names:
        table.add_row(name.replace("_", " "), _number(report.metrics[name]))
    return table


def _confusion_table(report: Report) -> Table:
    table = titled_table(f"Confusion matrix ({decision_rule(report)})")
    table.add_column("true \\ predicted")
    for label in report.classes:
        table.add_column(str(label), justify="right")
    for label, row in zip(report.classes, report.confusion, strict=True):
        table.add_row(str(label), *(f"{count:,}" for count in row))
    return table


def _calibration_table(report: Report) -> Table:
    table = titled_table(
        f"Calibration: ECE {report.metrics['ece']:.4f} over {CALIBRATION_BINS} bins"
    )
    for name in ("bin", "samples", "mean score", "positive rate", "ECE part"):
        table.add_column(name, justify="right")
    for row in report.calibration:
        closing = "]" if row["upper"] == 1.0 else ")"
        table.add_row(
            f"[{row['lower']:.2f}, {row['upper']:.2f}{closing}",
            f"{row['count']:,}",
            _number(row["mean_score"], 3),
            _number(row["positive_rate"], 3),
            _number(row["contribution"]),
        )
    return table


def threshold_table(report: Report) -> Table:
    """The cost of each priced threshold, as a rich table (binary reports)."""
    costs = report.costs
    table = titled_table(
        f"Threshold costs: flag p({report.classes[1]}) >= t; "
        f"false positive {_cost_text(costs['fp'])}, "
        f"false negative {_cost_text(costs['fn'])}"
    )
    for name in ("t", "TP", "FP", "FN", "TN", "precision", "recall", "F1", "cost"):
        table.add_column(name, justify="right")
    table.add_column("")
    for row in report.thresholds:
        table.add_row(
            _threshold_text(row["threshold"]),
            *(f"{row[cell]:,}" for cell in ("tp", "fp", "fn", "tn")),
            *(_number(row[cell], 3) for cell in ("precision", "recall", "f1")),
            _cost_text(row["cost"]),
            row["note"],
            style="bold" if "cost-optimal" in row["note"] else None,
        )
    return table


def _averages_table(report: Report) -> Table:
    table = titled_table("Averages over the classes")
    table.add_column("average")
    for header in _SCORE_HEADERS.values():
        table.add_column(header, justify="right")
    for average in AVERAGES:
        table.add_row(
            average,
            *(_number(report.metrics[average_key(score, average)]) for score in _SCORE_HEADERS),
        )
    return table


def _per_class_table(report: Report) -> Table:
    table = titled_table("Per class")
    table.add_column("class")
    table.add_column("samples", justify="right")
    for header in _SCORE_HEADERS.values():
        table.add_column(header, justify="right")
    for row in report.per_class:
        table.add_row(
            str(row["class"]),
            f"{row['support']:,}",
            *(_number(row[score]) for score in _SCORE_HEADERS),
        )
    return table


def print_report(report: Report, console: Console) -> None:
    """Print every table of ``report``."""
    if report.kind == "binary":
        console.print(_metrics_table(report, list(report.metrics)))
        console.print(_confusion_table(report))
        console.print(_calibration_table(report))
        console.print(threshold_table(report))
    else:
        console.print(_metrics_table(report, ["log_loss", "accuracy", "balanced_accuracy"]))
        console.print(_confusion_table(report))
        console.print(_averages_table(report))
        console.print(_per_class_table(report))
        absent = [str(row["class"]) for row in report.per_class if row["support"] == 0]
        if absent:
            console.print(
                "No ROC AUC: one-vs-rest ranking needs every class among the true labels; "
                f"absent: {', '.join(absent)}."
            )
        console.print(
            f"No threshold table: thresholds and costs apply to two classes, "
            f"this model has {len(report.classes)}."
        )
