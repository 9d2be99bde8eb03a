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
temporary name and renamed when done. JSON is strict: a non-finite number (an
unpenalized model's ``C``) is written as the string ``"inf"``, ``"-inf"`` or
``"nan"``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import os
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from xlogreg.card import model_card
from xlogreg.io._file import write_atomically
from xlogreg.linear_model._base import BaseEstimator

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
        Default :func:`new_run_id`.

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
    run_id = _checked_run_id(run_id or new_run_id())
    runs_dir.mkdir(parents=True, exist_ok=True)
    folder = runs_dir / run_id
    if folder.exists():
        raise FileExistsError(f"{folder}: a run with this id exists")
    card = model_card(model, run_id=run_id, data=data, metrics=metrics, split=split)
    staging = runs_dir / f".{run_id}.{secrets.token_hex(4)}.tmp"
    staging.mkdir()
    try:
        _write_json(staging / PARAMS_FILE, params)
        lines = [_dumps(step._asdict()) for step in iterations]
        lines.append(_dumps({"final": True, **metrics}))
        write_atomically(
            str(staging / METRICS_FILE), "".join(f"{line}\n" for line in lines).encode()
        )
        model.save(staging / MODEL_FILE)
        _write_json(staging / CARD_FILE, card)
        os.rename(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Run(run_id, folder, _strict(params), _strict(card))


def read_run(runs_dir: str | os.PathLike, run: str) -> Run:
    """Read the run ``run`` (an id, or ``"production"``) of ``runs_dir``.

    Raises
    ------
    FileNotFoundError
        If there is no such run (or no production run).
    ValueError
        If ``run`` is not a run id, or a record file is not valid JSON.
    """
    runs_dir = Path(runs_dir)
    if run == _PRODUCTION:
        production = production_run(runs_dir)
        if production is None:
            raise FileNotFoundError(f"{runs_dir}: no run has been promoted to production")
        run = production
    folder = runs_dir / _checked_run_id(run)
    if not (folder / CARD_FILE).is_file():
        raise FileNotFoundError(f"{runs_dir}: no run {run!r}")
    return Run(run, folder, _read_json(folder / PARAMS_FILE), _read_json(folder / CARD_FILE))


def list_runs(runs_dir: str | os.PathLike) -> list[Run]:
    """Every run of ``runs_dir``, oldest first.

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
        if not entry.name.startswith(".") and (entry / CARD_FILE).is_file()
    )
    return [read_run(runs_dir, name) for name in names]


def read_iterations(run: Run) -> list[Iteration]:
    """The solver iterates of ``metrics.jsonl`` (its final metrics line left out)."""
    path = run.path / METRICS_FILE
    with open(path, encoding="utf-8") as file:
        lines = [_loads(line, path) for line in file if line.strip()]
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
    return _read_registry(Path(runs_dir)).get(_PRODUCTION)


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
    registry is rewritten atomically, with the promotion appended to its
    history.

    Raises
    ------
    PromotionRefused
        If the run is worse than the production run and ``force`` is false.
    FileNotFoundError
        If there is no such run, or the production run's record is missing
        (without ``force``).
    ValueError
        If ``metric`` is unknown or a run has no value of it (without
        ``force``).
    """
    _check_metric(metric)
    runs_dir = Path(runs_dir)
    candidate = read_run(runs_dir, run)
    registry = _read_registry(runs_dir)
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
    _write_json(runs_dir / REGISTRY_FILE, updated)
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
    """A run id names a folder directly inside the runs folder: no separators, no dot first."""
    if not run or run.startswith(".") or Path(run).name != run:
        raise ValueError(f"{run!r} is not a run id")
    return run


def _read_registry(runs_dir: Path) -> dict[str, Any]:
    path = runs_dir / REGISTRY_FILE
    if not path.is_file():
        return {}
    registry = _read_json(path)
    production = registry.get(_PRODUCTION)
    if not (production is None or isinstance(production, str)) or not isinstance(
        registry.get("history", []), list
    ):
        raise ValueError(f"{path}: not a registry of runs")
    return registry


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _strict(value: Any) -> Any:
    """``value`` with non-finite floats as strings: strict JSON has no Infinity or NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(item) for item in value]
    return value


def _dumps(value: Any, **options: Any) -> str:
    return json.dumps(_strict(value), allow_nan=False, **options)


def _write_json(path: Path, value: Any) -> None:
    write_atomically(str(path), (_dumps(value, indent=2) + "\n").encode())


def _loads(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from None


def _read_json(path: Path) -> dict[str, Any]:
    value = _loads(path.read_text(encoding="utf-8"), path)
    if not isinstance(value, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return value


def _flat(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one level, keys joined by dots (MLflow's parameters are flat)."""
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            flat.update(_flat(item, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = item
    return flat
