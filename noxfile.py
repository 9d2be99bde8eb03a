"""Sessions: tests per backend, the whole suite, lint, the documentation and benchmarks.

``nox -s lint tests docs`` is what CI runs (see README). torch is pinned to the
CPU build these machines install from a local wheel: an unpinned torch would
pull gigabytes of CUDA wheels. JAX is pinned to the release the JAX rows were
last checked with (its CPU build). Users keep their own torch and JAX; only
this file and CI pin them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests", "docs"]
nox.options.error_on_missing_interpreters = False

TORCH = "torch==2.13.0"
JAX = "jax==0.10.2"


def _install(session: nox.Session, *extra: str) -> None:
    session.install("-e", ".[test]", *extra)


def _pytest(session: nox.Session, backends: str | None = None) -> None:
    """pytest on one worker process per core (pytest-xdist), a test file per worker at a
    time: JAX compiles each operation for each new shape once per process, and the tests
    of one file share their shapes."""
    env = {"XLOGREG_BACKENDS": backends} if backends else {}
    # One BLAS/OpenMP thread per worker: with a worker per core, two threads each spin
    # against the other worker's (a 42 x 42 pseudo-inverse took 240 ms instead of 2 ms).
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    workers = ["-n", "auto", "--dist", "loadfile"]
    session.run("python", "-m", "pytest", *workers, *session.posargs, env=env)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite on every backend present (GPU rows skip without a GPU)."""
    _install(session, TORCH, JAX)
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


@nox.session(name="tests-jax")
def tests_jax(session: nox.Session) -> None:
    """JAX rows only: CPU here (x64 on for float64, off for float32), GPU where present."""
    _install(session, JAX)
    _pytest(session, "jax")


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
def docs(session: nox.Session) -> None:
    """The documentation site: HTML with warnings as errors, then the pages' examples.

    ``docs/_build/html`` holds the site. The doctest builder runs every
    ``{doctest}`` block of the pages (with torch, JAX and Dask installed, none
    is skipped); the docstrings' Examples run in the tests session.
    """
    session.install("-e", ".[test,docs]", TORCH, JAX)
    sphinx = ("sphinx-build", "-W", "--keep-going", "-d", "docs/_build/doctrees")
    session.run(*sphinx, "-E", "-b", "html", "docs", "docs/_build/html")
    session.run(*sphinx, "-b", "doctest", "docs", "docs/_build/doctest")


@nox.session(reuse_venv=True)
def bench(session: nox.Session) -> None:
    """Benchmarks against scikit-learn; JSON in .benchmarks/, tables in benchmarks/README.md.

    ``nox -s bench -- --quick`` runs a small subset (under 3 minutes on the
    2-core machine); without it the full grid (under 20). Either way the
    results table of that mode in ``benchmarks/README.md`` is regenerated from
    the run's JSON. With an NVIDIA GPU, CuPy is installed too and the
    torch-CUDA/CuPy contenders run. The environment is kept between runs (the
    install step still runs, and brings it up to date). glum and skglm are the L1 fits'
    peers (``benchmarks/test_l1.py``), pinned to the releases their settings were chosen for.
    """
    gpu = ["cupy-cuda12x"] if shutil.which("nvidia-smi") else []
    _install(session, TORCH, "threadpoolctl", "glum==3.4.1", "skglm==0.5", *gpu)
    results = Path(".benchmarks/results.json")
    results.parent.mkdir(exist_ok=True)
    results.unlink(missing_ok=True)  # a failed or untimed run must not report an old one
    session.run(
        "python",
        "-m",
        "pytest",
        "benchmarks",
        "-p",
        "no:doctest",
        "-o",
        "addopts=",
        f"--benchmark-json={results}",
        *session.posargs,
    )
    session.run("python", "benchmarks/report.py", str(results))
