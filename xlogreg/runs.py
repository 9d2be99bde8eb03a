"""Run records: one folder per training run, and a registry naming the production run.

``xlogreg fit DATA --runs-dir runs/`` writes ``runs/<run_id>/``, where the run
id sorts by time (UTC) and ends in a random suffix (``20261122-221500-ab12cd``):

``params.json``
    What was asked: the command's parameters, the data file and its SHA-256,
    the split's seed, the library, device and dtype, the time of creation.
``metrics.jsonl``
    One JSON object per solver iterate, ``{"iteration", "loss", "grad_norm",
    "elapsed"}`` (the objective, its gradient's max-norm, seconds since the
    fit started), from iteration 0, the starting point; then one final object
    ``{"final": true, "train": {...}, "validation": {...}}`` holding each
    split's metrics (``log_loss``, ``accuracy`` and, for two classes, ``auc``).
``model.safetensors``
    The fitted model, for :func:`xlogreg.load`.
``card.json``
    :func:`xlogreg.card.model_card` of the model, with ``run_id``, ``data``,
    ``metrics`` (as in the final line of ``metrics.jsonl``) and ``split``.

``runs/registry.json`` names the production run (``"production"``) and keeps
the history of promotions (``"history"``); :func:`promote` refuses a run whose
validation metric is worse than the production run's unless forced.

Files are written atomically (a temporary file renamed over the target) and a
run folder appears complete or not at all: it is written under a hidden
temporary name and renamed when done; a rename never replaces a run, so of two
processes naming a run alike one gets the name. A change of the registry (read,
decide, write) holds the lock ``runs/registry.json.lock``: promotions at the
same moment, from any number of processes, all land in the history, each
compared with the production run the one before left. Reading needs no lock.
JSON is strict: a non-finite number (an unpenalized model's ``C``) is written
as the string ``"inf"``, ``"-inf"`` or ``"nan"``.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import secrets
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from xlogreg._atomic_write import write_atomically
from xlogreg._record_files import (
    dumps,
    is_run_id,
    loads,
    read_json,
    read_registry,
    rename_new_folder,
    runs_lock,
    strict,
    write_json,
)
from xlogreg.base import BaseEstimator
from xlogreg.card import model_card

__all__ = [
    "CARD_FILE",
    "METRICS",
    "METRICS_FILE",
    "MODEL_FILE",
    "PARAMS_FILE",
    "REGISTRY_FILE",
    "Iteration",
    "Promotion",
    "PromotionRefused",
    "Run",
    "RunRecordWarning",
    "file_sha256",
    "find_model",
    "list_runs",
    "log_to_mlflow",
    "metric_value",
    "new_run_id",
    "production_run",
    "promote",
    "read_iterations",
    "read_run",
    "remove_run",
    "require_mlflow",
    "write_run",
]

PARAMS_FILE = "params.json"
METRICS_FILE = "metrics.jsonl"
MODEL_FILE = "model.safetensors"
CARD_FILE = "card.json"
REGISTRY_FILE = "registry.json"

# What a run can be promoted by: "<split>_<metric>"; log loss improves downwards.
METRICS = tuple(
    f"{split}_{name}"
    for split in ("validation", "train")
    for name in ("log_loss", "accuracy", "auc")
)
_LOWER_IS_BETTER = ("log_loss",)
_PRODUCTION = "production"


class Iteration(NamedTuple):
    """One solver iterate, as a line of ``metrics.jsonl``."""

    iteration: int
    loss: float
    grad_norm: float
    elapsed: float


class Run(NamedTuple):
    """A run record read back: its id, folder, ``params.json`` and ``card.json``."""

    run_id: str
    path: Path
    params: dict[str, Any]
    card: dict[str, Any]

    @property
    def model_path(self) -> Path:
        """The run's model file."""
        return self.path / MODEL_FILE


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


class RunRecordWarning(UserWarning):
    """A run folder whose record cannot be read; :func:`list_runs` leaves it out."""


def new_run_id(now: datetime.datetime | None = None) -> str:
    """A run id that sorts by creation time: UTC ``YYYYmmdd-HHMMSS`` and 6 random hex digits.

    Examples
    --------
    >>> import datetime
    >>> from xlogreg.runs import new_run_id
    >>> new_run_id(datetime.datetime(2026, 11, 22, 22, 15, tzinfo=datetime.timezone.utc))[:16]
    '20261122-221500-'
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    stamp = now.astimezone(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, in hex (read in blocks: any size of file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_run(
    runs_dir: str | os.PathLike,
    model: BaseEstimator,
    *,
    params: dict[str, Any],
    iterations: Sequence[Iteration],
    metrics: dict[str, dict[str, float]],
    data: dict[str, Any],
    split: dict[str, Any],
    run_id: str | None = None,
) -> Run:
    """Record a fitted model as a new run in ``runs_dir`` (created if needed).

    Parameters
    ----------
    runs_dir : str or os.PathLike
        The folder of runs.
    model : estimator
        The fitted model.
    params : dict
        JSON-ready parameters of the run, for ``params.json``.
    iterations : sequence of Iteration
        The solver's iterates, for ``metrics.jsonl``.
    metrics : dict
        Per split (``"train"``, ``"validation"``), metric name to value.
    data, split : dict
        The training data (path, checksum, shape...) and how it was split,
        for the model card.
    run_id : str, optional
        Default :func:`new_run_id` (drawn again if another process takes the
        same id first).

    Returns
    -------
    Run

    Raises
    ------
    FileExistsError
        If the run id is taken.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from xlogreg import LogisticRegression, runs
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 1, 0, 1])
    >>> model = LogisticRegression().fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     run = runs.write_run(
    ...         folder, model, params={"C": 1.0}, iterations=[], data={"path": "toy.csv"},
    ...         metrics={"validation": {"log_loss": 0.69}}, split={"seed": 0},
    ...     )
    ...     files = sorted(path.name for path in run.path.iterdir())
    ...     first = runs.promote(folder, run.run_id)
    ...     production = runs.production_run(folder)
    >>> files
    ['card.json', 'metrics.jsonl', 'model.safetensors', 'params.json']
    >>> first.previous is None and production == run.run_id
    True
    """
    runs_dir = Path(runs_dir)
    drawn = run_id is None
    run_id = _checked_run_id(run_id or new_run_id())
    runs_dir.mkdir(parents=True, exist_ok=True)
    if (runs_dir / run_id).exists():
        raise FileExistsError(f"{runs_dir / run_id}: a run with this id exists")
    card = model_card(model, run_id=run_id, data=data, metrics=metrics, split=split)
    staging = runs_dir / f".{run_id}.{secrets.token_hex(4)}.tmp"
    staging.mkdir()
    try:
        write_json(staging / PARAMS_FILE, params)
        lines = [dumps(step._asdict()) for step in iterations]
        lines.append(dumps({"final": True, **metrics}))
        write_atomically(
            str(staging / METRICS_FILE), "".join(f"{line}\n" for line in lines).encode()
        )
        model.save(staging / MODEL_FILE)
        write_json(staging / CARD_FILE, card)
        while not rename_new_folder(staging, runs_dir / run_id):
            if not drawn:
                raise FileExistsError(f"{runs_dir / run_id}: a run with this id exists")
            # Another process drew the same id in the same second: draw again.
            run_id = new_run_id()
            card = {**card, "run_id": run_id}
            write_json(staging / CARD_FILE, card)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Run(run_id, runs_dir / run_id, strict(params), strict(card))


def read_run(runs_dir: str | os.PathLike, run: str) -> Run:
    """Read the run ``run`` (an id, or ``"production"``) of ``runs_dir``.

    A run is a folder of ``runs_dir`` holding ``params.json`` or ``card.json``.

    Raises
    ------
    FileNotFoundError
        If there is no such run (or no production run), or one of its record
        files is missing; the message names the file.
    ValueError
        If ``run`` is not a run id, or a record file (or the registry) is not
        UTF-8, not valid JSON or not shaped as xlogreg writes it; the message
        names the file.
    """
    runs_dir = Path(runs_dir)
    if run == _PRODUCTION:
        production = production_run(runs_dir)
        if production is None:
            raise FileNotFoundError(f"{runs_dir}: no run has been promoted to production")
        run = production
    folder = runs_dir / _checked_run_id(run)
    if not _is_run_folder(folder):
        raise FileNotFoundError(f"{runs_dir}: no run {run!r}")
    params, card = read_json(folder / PARAMS_FILE), read_json(folder / CARD_FILE)
    metrics = card.get("metrics", {})
    if not (isinstance(metrics, dict) and all(isinstance(v, dict) for v in metrics.values())):
        raise ValueError(f"{folder / CARD_FILE}: 'metrics' is not an object of per-split objects")
    if not isinstance(card.get("data", {}), dict):
        raise ValueError(f"{folder / CARD_FILE}: 'data' is not an object")
    return Run(run, folder, params, card)


def list_runs(runs_dir: str | os.PathLike) -> list[Run]:
    """Every run of ``runs_dir`` that can be read, oldest first.

    A run folder that :func:`read_run` refuses (a record file missing, not
    valid JSON...) is left out with a :class:`RunRecordWarning` naming it and
    the problem; the other runs are listed.

    Raises
    ------
    FileNotFoundError
        If ``runs_dir`` is not a folder.
    """
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        raise FileNotFoundError(f"{runs_dir}: no such runs folder")
    names = sorted(
        entry.name
        for entry in runs_dir.iterdir()
        if not entry.name.startswith(".") and _is_run_folder(entry)
    )
    found = []
    for name in names:
        try:
            found.append(read_run(runs_dir, name))
        except (OSError, ValueError) as error:
            warnings.warn(f"run {name} left out: {error}", RunRecordWarning, stacklevel=2)
    return found


def read_iterations(run: Run) -> list[Iteration]:
    """The solver iterates of ``metrics.jsonl`` (its final metrics line left out)."""
    path = run.path / METRICS_FILE
    with open(path, encoding="utf-8") as file:
        lines = [loads(line, path) for line in file if line.strip()]
    return [
        Iteration(**{field: line[field] for field in Iteration._fields})
        for line in lines
        if "iteration" in line
    ]


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


def production_run(runs_dir: str | os.PathLike) -> str | None:
    """The id of the production run of ``runs_dir``, or ``None``."""
    return read_registry(Path(runs_dir) / REGISTRY_FILE).get(_PRODUCTION)


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


def remove_run(runs_dir: str | os.PathLike, run: str) -> None:
    """Delete the run ``run`` of ``runs_dir`` in one step, unless it is the production run.

    Raises
    ------
    FileNotFoundError
        If there is no such run.
    ValueError
        If ``run`` is not a run id, or is the production run.
    """
    runs_dir = Path(runs_dir)
    folder = runs_dir / _checked_run_id(run)
    if not _is_run_folder(folder):
        raise FileNotFoundError(f"{runs_dir}: no run {run!r}")
    with runs_lock(runs_dir):
        if production_run(runs_dir) == run:
            raise ValueError(f"run {run} is the production run of {runs_dir}: not removed")
        removed = runs_dir / f".{run}.{secrets.token_hex(4)}.removed"
        os.rename(folder, removed)
    shutil.rmtree(removed, ignore_errors=True)


def _promote(runs_dir: Path, candidate: Run, metric: str, *, force: bool) -> Promotion:
    """:func:`promote`'s read, decision and write, under the lock of the runs folder."""
    registry = read_registry(runs_dir / REGISTRY_FILE)
    previous = registry.get(_PRODUCTION)
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
    updated = {_PRODUCTION: candidate.run_id, "history": [*registry.get("history", []), entry]}
    write_json(runs_dir / REGISTRY_FILE, updated)
    return promotion


def find_model(spec: str | os.PathLike, *, runs_dir: str | os.PathLike | None = None) -> Path:
    """The model file ``spec`` names: a model file, a run folder, or a run of ``runs_dir``.

    With ``runs_dir``, ``spec`` may be a run id or ``"production"``; a file
    or folder of that name comes first.

    Raises
    ------
    FileNotFoundError
        If ``spec`` names none of those.
    """
    path = Path(spec)
    if path.is_file():
        return path
    if path.is_dir():
        if not (path / MODEL_FILE).is_file():
            raise FileNotFoundError(f"{path}: a folder without {MODEL_FILE}")
        return path / MODEL_FILE
    if runs_dir is None:
        raise FileNotFoundError(
            f"{spec}: no such model file or run folder (a run id or 'production' needs "
            "the runs folder, --runs-dir)"
        )
    return read_run(runs_dir, str(spec)).model_path


def require_mlflow() -> Any:
    """The ``mlflow`` module.

    Raises
    ------
    ValueError
        If mlflow is not installed.
    """
    try:
        import mlflow
    except ImportError:
        raise ValueError(
            "logging to MLflow needs mlflow, which is not installed (pip install mlflow)"
        ) from None
    return mlflow


def log_to_mlflow(run: Run) -> str:
    """Log a run record to MLflow's active tracking server; return MLflow's run id.

    The parameters (nested keys joined by dots), the loss and gradient norm
    of every iterate (step: the iteration), each split's final metrics
    (``validation_log_loss``...) and the model file and card as artifacts.

    Raises
    ------
    ValueError
        If mlflow is not installed.
    """
    mlflow = require_mlflow()
    with mlflow.start_run(run_name=run.run_id) as active:
        mlflow.log_params(_flat(run.params))
        for step in read_iterations(run):
            mlflow.log_metrics(
                {"loss": step.loss, "grad_norm": step.grad_norm}, step=step.iteration
            )
        mlflow.log_metrics(
            {
                f"{split}_{name}": value
                for split, values in run.card["metrics"].items()
                for name, value in values.items()
            }
        )
        mlflow.log_artifact(str(run.model_path))
        mlflow.log_artifact(str(run.path / CARD_FILE))
        return active.info.run_id


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")


def _worse(metric: str, value: float, reference: float) -> bool:
    if metric.endswith(_LOWER_IS_BETTER):
        return value > reference
    return value < reference


def _checked_run_id(run: str) -> str:
    if not is_run_id(run):
        raise ValueError(f"{run!r} is not a run id")
    return run


def _is_run_folder(folder: Path) -> bool:
    return folder.is_dir() and any((folder / name).exists() for name in (PARAMS_FILE, CARD_FILE))


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _flat(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one level, keys joined by dots (MLflow's parameters are flat)."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            flat.update(_flat(item, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = item
    return flat
