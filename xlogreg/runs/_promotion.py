"""Promotion of a run to production: its metric compared with the production run's, and
the registry (``registry.json``) read, decided on and rewritten under the runs folder's lock.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import NamedTuple

from xlogreg.runs._record_files import read_registry, runs_lock, write_json
from xlogreg.runs._records import PRODUCTION, REGISTRY_FILE, Run, read_run

__all__ = ["METRICS", "Promotion", "PromotionRefused", "metric_value", "promote"]

# What a run can be promoted by: "<split>_<metric>"; log loss improves downwards.
METRICS = tuple(
    f"{split}_{name}"
    for split in ("validation", "train")
    for name in ("log_loss", "accuracy", "auc")
)
_LOWER_IS_BETTER = ("log_loss",)


class Promotion(NamedTuple):
    """What :func:`promote` did.

    ``previous`` is the production run before (``None`` for the first
    promotion; the run itself when it was production already), with its
    value of ``metric`` in ``previous_value`` (``None`` when not compared).
    """

    run_id: str
    previous: str | None
    metric: str
    value: float | None
    previous_value: float | None
    forced: bool


class PromotionRefused(ValueError):
    """The candidate run's metric is worse than the production run's."""


def metric_value(run: Run, metric: str) -> float:
    """A run's ``"<split>_<metric>"`` value (see :data:`METRICS`), from its card.

    Raises
    ------
    ValueError
        If ``metric`` is unknown, or the run has no such value (AUC of three
        or more classes).
    """
    _check_metric(metric)
    split, name = metric.split("_", 1)
    value = run.card.get("metrics", {}).get(split, {}).get(name)
    if not isinstance(value, int | float):
        raise ValueError(f"run {run.run_id} has no {metric}")
    return float(value)


def promote(
    runs_dir: str | os.PathLike,
    run: str,
    *,
    metric: str = "validation_log_loss",
    force: bool = False,
) -> Promotion:
    """Make ``run`` the production run of ``runs_dir``, unless its ``metric`` is worse.

    The first promotion always succeeds; later ones compare ``metric`` (see
    :data:`METRICS`; lower log loss, higher accuracy and AUC are better)
    with the production run's, and an equal value is not worse. The
    registry is read, compared with and rewritten (atomically, with the
    promotion appended to its history) under the lock of the runs folder: of
    promotions at the same moment, from any processes, none is lost, and each
    is compared with the production run the one before it left.

    Raises
    ------
    PromotionRefused
        If the run is worse than the production run and ``force`` is false.
    FileNotFoundError
        If there is no such run, or the production run's record is missing
        (without ``force``).
    ValueError
        If ``metric`` is unknown or a run has no value of it (without
        ``force``), or the registry is not one.
    TimeoutError
        If another process holds the lock of the runs folder for a minute.
    """
    _check_metric(metric)
    runs_dir = Path(runs_dir)
    candidate = read_run(runs_dir, run)
    with runs_lock(runs_dir):
        return _promote(runs_dir, candidate, metric, force=force)


def _promote(runs_dir: Path, candidate: Run, metric: str, *, force: bool) -> Promotion:
    """:func:`promote`'s read, decision and write, under the lock of the runs folder."""
    registry = read_registry(runs_dir / REGISTRY_FILE)
    previous = registry.get(PRODUCTION)
    if previous == candidate.run_id:
        return Promotion(candidate.run_id, previous, metric, None, None, False)
    value = previous_value = None
    try:
        value = metric_value(candidate, metric)
        if previous is not None:
            previous_value = metric_value(read_run(runs_dir, previous), metric)
    except (FileNotFoundError, ValueError):
        if not force:
            raise
    if previous_value is not None and _worse(metric, value, previous_value) and not force:
        raise PromotionRefused(
            f"run {candidate.run_id} has {metric} {value:.6g}, worse than production run "
            f"{previous}'s {previous_value:.6g}: not promoted"
        )
    promotion = Promotion(candidate.run_id, previous, metric, value, previous_value, force)
    entry = {"promoted_at": _now(), **promotion._asdict()}
    updated = {PRODUCTION: candidate.run_id, "history": [*registry.get("history", []), entry]}
    write_json(runs_dir / REGISTRY_FILE, updated)
    return promotion


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")


def _worse(metric: str, value: float, reference: float) -> bool:
    if metric.endswith(_LOWER_IS_BETTER):
        return value > reference
    return value < reference


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
