"""Run records: a run folder written whole or not at all, read back, listed, found and
removed; and which run the registry names as production.

See :mod:`xlogreg.runs` for what a run folder holds.
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
from xlogreg.base import BaseEstimator
from xlogreg.card import model_card
from xlogreg.runs._record_files import (
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

__all__ = [
    "CARD_FILE",
    "METRICS_FILE",
    "MODEL_FILE",
    "PARAMS_FILE",
    "PRODUCTION",
    "REGISTRY_FILE",
    "Iteration",
    "Run",
    "RunRecordWarning",
    "file_sha256",
    "find_model",
    "list_runs",
    "new_run_id",
    "production_run",
    "read_iterations",
    "read_run",
    "remove_run",
    "write_run",
]

PARAMS_FILE = "params.json"
METRICS_FILE = "metrics.jsonl"
MODEL_FILE = "model.safetensors"
CARD_FILE = "card.json"
REGISTRY_FILE = "registry.json"
# The registry's key naming the production run, and the name that reads it.
PRODUCTION = "production"


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
    """The SHA-256 of a file's bytes, in hex (read 1 MiB at a time: any size of file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for piece in iter(lambda: file.read(1 << 20), b""):
            digest.update(piece)
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
    if run == PRODUCTION:
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


def production_run(runs_dir: str | os.PathLike) -> str | None:
    """The id of the production run of ``runs_dir``, or ``None``."""
    return read_registry(Path(runs_dir) / REGISTRY_FILE).get(PRODUCTION)


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


def _checked_run_id(run: str) -> str:
    if not is_run_id(run):
        raise ValueError(f"{run!r} is not a run id")
    return run


def _is_run_folder(folder: Path) -> bool:
    return folder.is_dir() and any((folder / name).exists() for name in (PARAMS_FILE, CARD_FILE))
