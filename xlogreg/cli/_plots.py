"""PNG plots of an evaluation report and of a cross-validated search, drawn by matplotlib's
Agg renderer (an optional extra).

Figures are built as ``matplotlib.figure.Figure`` objects with an Agg canvas,
never through ``pyplot``: no window, no global figure registry, nothing to
close. Each has a title, axis labels and a legend (the heat map a colour
bar), and is written at
:data:`DPI` dots per inch, atomically (a reader never sees half a PNG).
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from xlogreg._atomic_write import write_atomically
from xlogreg.cli._report import Report, decision_rule

__all__ = [
    "DPI",
    "PLOTS_MISSING",
    "LossCurve",
    "confusion_figure",
    "histogram_figure",
    "loss_figure",
    "model_losses",
    "plots_available",
    "precision_recall_figure",
    "reliability_figure",
    "report_figures",
    "roc_figure",
    "save_figures",
    "validation_curve_figure",
]

DPI = 110
PLOTS_MISSING = "plots need matplotlib: pip install 'xlogreg[plots]'"
_SIZE = (6.4, 4.8)
_GREY = "0.55"
# Beyond this many classes the heat map's cells are too small to write counts in.
_ANNOTATED_CLASSES = 20


@dataclass(frozen=True)
class LossCurve:
    """One training curve: a value per solver iteration.

    Attributes
    ----------
    label : str
        Its legend entry (where the numbers come from).
    iterations, values : sequences of numbers
        Of equal length.
    gradient : bool
        A gradient norm (drawn on a logarithmic right axis), not a loss.
    """

    label: str
    iterations: Sequence[float]
    values: Sequence[float]
    gradient: bool = False


def model_losses(model: Any) -> list[LossCurve]:
    """The model's ``loss_history_`` (a calibrated model's: its estimator's) as a curve."""
    fitted = getattr(model, "estimator_", model)
    history = getattr(fitted, "loss_history_", None)
    if not history:
        return []
    return [LossCurve("loss_history_ (model file)", range(len(history)), list(history))]


def plots_available() -> bool:
    """Whether matplotlib is installed."""
    return importlib.util.find_spec("matplotlib") is not None


def _figure() -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=_SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _optimal_row(report: Report) -> dict[str, Any]:
    return next(row for row in report.thresholds if "cost-optimal" in row["note"])


def roc_figure(report: Report, subject: str) -> Any:
    """The ROC curve with its AUC, chance's diagonal and the cost-optimal operating point."""
    figure, axes = _figure()
    curves = report.curves
    axes.plot(curves.fpr, curves.tpr, lw=2, label=f"model (AUC = {report.metrics['roc_auc']:.3f})")
    axes.plot([0, 1], [0, 1], ls="--", color=_GREY, label="chance (AUC = 0.5)")
    row = _optimal_row(report)
    negatives = row["fp"] + row["tn"]
    axes.plot(
        row["fp"] / negatives if negatives else 0.0,
        row["recall"],
        "o",
        color="C3",
        label=f"cost-optimal threshold {row['threshold']:.3g}",
    )
    axes.set(
        title=f"ROC curve: {subject}",
        xlabel="false positive rate",
        ylabel="true positive rate (recall)",
        xlim=(0, 1),
        ylim=(0, 1.01),
    )
    axes.legend(loc="lower right")
    return figure


def precision_recall_figure(report: Report, subject: str) -> Any:
    """The precision-recall curve with its average precision and the no-skill line."""
    figure, axes = _figure()
    curves = report.curves
    axes.step(
        curves.recall,
        curves.precision,
        where="post",
        lw=2,
        label=f"model (AP = {report.metrics['average_precision']:.3f})",
    )
    prevalence = float(np.mean(curves.positive))
    axes.axhline(prevalence, ls="--", color=_GREY, label=f"chance (prevalence {prevalence:.3f})")
    axes.set(
        title=f"Precision-recall curve: {subject}",
        xlabel="recall",
        ylabel="precision",
        xlim=(0, 1),
        ylim=(0, 1.01),
    )
    axes.legend(loc="lower left")
    return figure


def reliability_figure(report: Report, subject: str) -> Any:
    """Positive rate per score bin against the diagonal, each bin's share of the ECE on it."""
    figure, axes = _figure()
    bins = report.calibration
    lower = np.array([b["lower"] for b in bins])
    upper = np.array([b["upper"] for b in bins])
    rate = np.array([b["positive_rate"] for b in bins])
    axes.bar(
        (lower + upper) / 2,
        rate,
        width=0.92 * (upper - lower),
        color="C0",
        alpha=0.35,
        label="positive rate per bin",
    )
    axes.plot(
        [b["mean_score"] for b in bins],
        rate,
        "o-",
        color="C0",
        label="(mean score, positive rate) per bin",
    )
    axes.plot([0, 1], [0, 1], ls="--", color=_GREY, label="perfect calibration")
    for b, middle in zip(bins, (lower + upper) / 2, strict=True):
        axes.annotate(
            f"{b['contribution']:.3f}",
            (middle, b["positive_rate"]),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    # A legend entry for the numbers written above the bars.
    axes.plot([], [], " ", label="numbers: the bin's share of the ECE")
    axes.set(
        title=f"Reliability diagram: {subject} (ECE = {report.metrics['ece']:.4f})",
        xlabel="predicted probability",
        ylabel="observed positive rate",
        xlim=(0, 1),
        ylim=(0, 1.08),
    )
    axes.legend(loc="upper left", fontsize=8)
    return figure


def histogram_figure(report: Report, subject: str) -> Any:
    """Scores of each true class, with the model's and the cost-optimal thresholds."""
    figure, axes = _figure()
    curves = report.curves
    edges = np.linspace(0.0, 1.0, 51)
    negative, positive = report.classes
    for label, mask, colour in (
        (negative, ~curves.positive, "C0"),
        (positive, curves.positive, "C1"),
    ):
        axes.hist(
            curves.scores[mask],
            bins=edges,
            alpha=0.55,
            color=colour,
            label=f"true class {label} ({int(np.sum(mask)):,})",
        )
    model = 0.5 if report.threshold is None else report.threshold
    axes.axvline(model, color="k", ls="--", label=f"model threshold {model:.3g}")
    optimal = _optimal_row(report)["threshold"]
    if np.isfinite(optimal):
        axes.axvline(optimal, color="C3", ls=":", label=f"cost-optimal threshold {optimal:.3g}")
    axes.set(
        title=f"Scores by class: {subject}",
        xlabel=f"predicted probability of {positive}",
        ylabel="samples",
        xlim=(0, 1),
    )
    axes.legend(loc="upper center", fontsize=8)
    return figure


def confusion_figure(report: Report, subject: str) -> Any:
    """The confusion matrix as a heat map: rows true classes, columns predicted ones.

    Each cell shows its count (up to 20 classes), in white on the darker half
    of the colour scale; the colour bar gives the scale.
    """
    figure, axes = _figure()
    counts = np.asarray(report.confusion)
    image = axes.imshow(counts, cmap="Blues", vmin=0, aspect="auto")
    figure.colorbar(image, ax=axes, label="samples")
    n_classes = len(report.classes)
    names = [str(label) for label in report.classes]
    # Names that would run into each other are tilted.
    tilted = sum(len(name) for name in names) > 40
    axes.set_xticks(
        range(n_classes), names, rotation=40 if tilted else 0, ha="right" if tilted else "center"
    )
    axes.set_yticks(range(n_classes), names)
    if n_classes <= _ANNOTATED_CLASSES:
        dark = counts.max() / 2
        size = 10 if n_classes <= 8 else 7
        for (row, column), count in np.ndenumerate(counts):
            axes.text(
                column,
                row,
                f"{count:,}",
                ha="center",
                va="center",
                fontsize=size,
                color="white" if count > dark else "black",
            )
    axes.set(
        title=f"Confusion matrix: {subject} ({decision_rule(report)})",
        xlabel="predicted class",
        ylabel="true class",
    )
    return figure


def loss_figure(curves: Sequence[LossCurve]) -> Any:
    """Training loss per iteration; gradient norms on a logarithmic right axis."""
    figure, axes = _figure()
    handles = []
    gradient_axes = None
    for number, curve in enumerate(curves):
        style = {"marker": "o", "ms": 3} if len(curve.values) <= 50 else {}
        if curve.gradient:
            if gradient_axes is None:
                gradient_axes = axes.twinx()
                gradient_axes.set(yscale="log", ylabel="gradient max-norm")
            target = gradient_axes
        else:
            target = axes
        handles += target.plot(
            curve.iterations,
            curve.values,
            color=f"C{number}",
            ls=":" if curve.gradient else "-" if number == 0 else "--",
            label=curve.label,
            **style,
        )
    axes.set(
        title="Training loss per solver iteration", xlabel="iteration", ylabel="training objective"
    )
    axes.legend(handles=handles, loc="upper right", fontsize=8)
    return figure


def validation_curve_figure(
    Cs: Sequence[float],
    l1_ratios: Sequence[float],
    scores: np.ndarray,
    *,
    best: tuple[int, int],
    scoring: str,
    subject: str,
) -> Any:
    """A cross-validated search: the mean score over the folds against ``C`` (logarithmic
    axis), a band of ±1 standard deviation (population, across the folds) around it, one
    line per ``l1_ratio``, and the chosen (``C``, ``l1_ratio``) marked.

    ``scores`` has shape (n_folds, n_l1_ratios, n_cs), as ``LogisticRegressionCV.scores_``;
    ``best`` is the choice's (``l1_ratio``, ``C``) indices.
    ``C = inf`` (no penalty) has no place on a logarithmic axis: the legend says so.
    """
    figure, axes = _figure()
    Cs = np.asarray(Cs, dtype=np.float64)
    order = np.argsort(Cs)
    drawn = order[np.isfinite(Cs[order])]
    mean, std = scores.mean(axis=0), scores.std(axis=0)
    for r, ratio in enumerate(l1_ratios):
        colour = f"C{r % 10}"
        low, high = mean[r, drawn] - std[r, drawn], mean[r, drawn] + std[r, drawn]
        axes.fill_between(Cs[drawn], low, high, color=colour, alpha=0.2, lw=0)
        axes.plot(Cs[drawn], mean[r, drawn], "o-", color=colour, ms=4, label=f"l1_ratio {ratio:g}")
    C, ratio = Cs[best[1]], l1_ratios[best[0]]
    if np.isfinite(C):
        axes.axvline(C, color=_GREY, ls=":")
        axes.plot(
            C, mean[best], "*", color="C3", ms=14, label=f"chosen: C = {C:.3g}, l1_ratio {ratio:g}"
        )
    else:
        axes.plot([], [], " ", label=f"chosen: C = inf (no penalty), l1_ratio {ratio:g}")
    if drawn.size < Cs.size:
        axes.plot([], [], " ", label="C = inf not drawn (log axis)")
    axes.set(
        title=f"Validation curve: {subject}",
        xscale="log",
        xlabel="C (inverse penalty strength)",
        ylabel=f"{scoring}: mean ± 1 std over {scores.shape[0]} folds",
    )
    axes.legend(loc="best", fontsize=8)
    return figure


def report_figures(report: Report, losses: Sequence[LossCurve], subject: str) -> dict[str, Any]:
    """Every figure the report allows, by file name.

    Binary reports: ``roc.png``, ``precision_recall.png``, ``reliability.png``,
    ``score_histogram.png``; every report: ``confusion_matrix.png``; any
    report with a loss curve: ``loss_curve.png``.
    """
    figures = {}
    if report.kind == "binary":
        figures["roc.png"] = roc_figure(report, subject)
        figures["precision_recall.png"] = precision_recall_figure(report, subject)
        figures["reliability.png"] = reliability_figure(report, subject)
        figures["score_histogram.png"] = histogram_figure(report, subject)
    figures["confusion_matrix.png"] = confusion_figure(report, subject)
    if losses:
        figures["loss_curve.png"] = loss_figure(losses)
    return figures


def save_figures(figures: dict[str, Any], folder: Path) -> list[Path]:
    """Write each figure to ``folder / name`` as a PNG, atomically; return the paths."""
    written = []
    for name, figure in figures.items():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        path = folder / name
        write_atomically(str(path), buffer.getvalue())
        written.append(path)
    return written
