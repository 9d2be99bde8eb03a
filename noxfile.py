"""Sessions: tests per backend, the whole suite, lint and benchmarks.

``nox -s lint tests`` is what CI runs (see README). torch is pinned to the
CPU build these machines install from a local wheel: an unpinned torch would
pull gigabytes of CUDA wheels. Users keep their own torch; only this file and
CI pin it.
"""

from __future__ import annotations

import shutil

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.error_on_missing_interpreters = False

TORCH = "torch==2.13.0"


def _install(session: nox.Session, *extra: str) -> None:
    session.install("-e", ".[test]", *extra)


def _pytest(session: nox.Session, backends: str | None = None) -> None:
    env = {"XLOGREG_BACKENDS": backends} if backends else {}
    session.run("python", "-m", "pytest", *session.posargs, env=env)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite on every backend present (GPU rows skip without a GPU)."""
    _install(session, TORCH)
    _pytest(session)


@nox.session(name="tests-numpy")
def tests_numpy(session: nox.Session) -> None:
    """NumPy rows only."""
    _install(session)
    _pytest(session, "numpy")


@nox.session(name="tests-strict")
def tests_strict(session: nox.Session) -> None:
    """array-api-strict rows only: the standard's referee, with a non-default device."""
    _install(session)
    _pytest(session, "strict")


@nox.session(name="tests-torch")
def tests_torch(session: nox.Session) -> None:
    """PyTorch rows only: CPU here, CUDA/MPS where present."""
    _install(session, TORCH)
    _pytest(session, "torch")


@nox.session(name="tests-cupy")
def tests_cupy(session: nox.Session) -> None:
    """CuPy rows only; skipped on machines without an NVIDIA GPU."""
    if shutil.which("nvidia-smi") is None:
        session.skip("no NVIDIA GPU here: CuPy needs one")
    _install(session, "cupy-cuda12x")
    _pytest(session, "cupy")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against scikit-learn; JSON in .benchmarks/, ratios printed at the end.

    With an NVIDIA GPU, CuPy is installed too and the torch-CUDA/CuPy contenders run.
    """
    _install(session, TORCH, *(["cupy-cuda12x"] if shutil.which("nvidia-smi") else []))
    session.run(
        "python",
        "-m",
        "pytest",
        "benchmarks",
        "-p",
        "no:doctest",
        "-o",
        "addopts=",
        "--benchmark-json=.benchmarks/results.json",
        *session.posargs,
    )
