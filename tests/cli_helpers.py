"""Helpers of the command-line tests: run ``xlogreg`` in-process, write small data files."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
from typer.testing import CliRunner

from xlogreg.cli import app, main
from xlogreg.datasets import make_classification

ROOT = Path(__file__).resolve().parents[1]


class Outcome(NamedTuple):
    """What a command did: its exit status and what it printed."""

    code: int
    stdout: str
    stderr: str


def invoke(*args: object) -> Outcome:
    """Run ``xlogreg ARGS`` through the console script's ``main`` (its error policy
    included), with standard output and error captured by Typer's test runner."""
    with CliRunner().isolation() as (stdout, stderr, _):
        try:
            main([str(arg) for arg in args])
            code = 0
        except SystemExit as done:
            code = 0 if done.code is None else done.code
        sys.stdout.flush()
        sys.stderr.flush()
        return Outcome(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def run_console(*args: object) -> subprocess.CompletedProcess:
    """Run ``python -m xlogreg ARGS`` in a new process (this checkout's package), with its
    output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "xlogreg", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def stop_process(process: subprocess.Popen) -> None:
    """Terminate ``process`` (a server), killing it if it has not ended after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def assert_fails(outcome: Outcome, message: str) -> None:
    """Exit status 1, nothing on standard output, one line ``error: ...`` holding ``message``."""
    assert outcome.code == 1, outcome
    assert outcome.stdout == ""
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr
    assert message in lines[0], lines[0]


def commands() -> list[tuple[tuple[str, ...], object]]:
    """Every command and group of ``xlogreg`` (click objects), with the words that call it:
    ``()`` for ``xlogreg`` itself, ``("fit",)``, ``("runs", "list")``..."""
    import typer.main

    def walk(command: object, words: tuple[str, ...]) -> list:
        found = [(words, command)]
        for name, sub in getattr(command, "commands", {}).items():
            found += walk(sub, (*words, name))
        return found

    return walk(typer.main.get_command(app), ())


def with_ids_csv(source: Path, path: Path) -> Path:
    """``source`` (a CSV file) with two columns in front that name its rows: ``id``
    (``row-001``, ...) and ``batch`` (``A`` or ``B``), strings a feature cannot hold."""
    lines = source.read_text().splitlines()
    body = [f"row-{k:03d},{'AB'[k % 2]},{line}" for k, line in enumerate(lines[1:], start=1)]
    path.write_text("\n".join([f"id,batch,{lines[0]}", *body]) + "\n")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def generated(n_samples: int = 300, n_features: int = 4, seed: int = 0) -> tuple:
    """A binary problem of :func:`xlogreg.datasets.make_classification` (NumPy)."""
    X, y, _, _ = make_classification(n_samples, n_features, random_state=seed)
    return X, y


def generated_csv(path: Path, n_samples: int = 300, n_features: int = 4) -> Path:
    """The generated problem as CSV: columns x0, x1, ... and y."""
    X, y = generated(n_samples, n_features)
    header = [f"x{j}" for j in range(n_features)] + ["y"]
    return write_csv(
        path,
        header,
        [[*map(repr, row), int(label)] for row, label in zip(X.tolist(), y, strict=True)],
    )


def three_classes_csv(path: Path, n_samples: int = 240) -> Path:
    """Three string classes (``ant``, ``bee``, ``cat``) driven by three features."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((n_samples, 3))
    labels = np.array(["ant", "bee", "cat"])[
        np.argmax(X + 0.7 * rng.standard_normal(X.shape), axis=1)
    ]
    return write_csv(
        path,
        ["a", "b", "c", "kind"],
        [[*map(repr, row), label] for row, label in zip(X.tolist(), labels, strict=True)],
    )


def validation_rows(y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """The documented split, written independently: for each class in sorted order,
    a permutation of its rows from one ``default_rng(seed)``; the first
    ``round(fraction · count)`` (at least one, at most count − 1) are held out."""
    rng = np.random.default_rng(seed)
    held = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        n_held = min(max(1, round(fraction * rows.size)), rows.size - 1)
        held.append(rows[rng.permutation(rows.size)[:n_held]])
    return np.sort(np.concatenate(held))
