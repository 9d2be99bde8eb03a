"""The GPU check: every CUDA row of the test suite, then the GPU benchmark, in one bounded run.

``benchmarks/gpu-check.sh`` installs the carried wheels and runs this; see its header
and ``benchmarks/README.md``. Phases, each with a hard time limit so that the whole
check ends within 8 minutes on one H100 (a rerun still fits in 15 minutes of device
time):

1. ``pytest tests -m gpu`` once per library (torch, CuPy, JAX), its rows alone
   (``XLOGREG_BACKENDS``), on pytest-xdist workers where it is installed;
2. the benchmark ``benchmarks/test_gpu.py`` (``--gpu-check``), which stops starting
   contenders before its limit, so it always writes its JSON.

Logs, ``results.json`` and ``summary.md`` go to ``--out`` (``$OUT`` where set: the
device tool brings back what is there). The summary is printed last: per library
the tests passed, failed, skipped and how long they took; then the benchmark's
tables, as ``report.py`` renders them. ``--dry-run`` prints the plan and exits.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import report

REPOSITORY = Path(__file__).resolve().parent.parent
# (library as XLOGREG_BACKENDS names it, seconds): JAX compiles every operation for
# every new shape, the slowest start.
TEST_PHASES = (("torch", 70), ("cupy", 70), ("jax", 100))
BENCH_SECONDS = 200
# The benchmark starts no contender after its limit less this margin (scikit-learn's
# one-round fit on the CPU, started last, needs the most).
BENCH_MARGIN = 45
XDIST_WORKERS = 8
OUTCOMES = ("passed", "failed", "error", "skipped")
# One result line of ``pytest -v``, with pytest-xdist ("[gw0] [ 3%] PASSED nodeid") or
# without ("nodeid PASSED [ 3%]").
_RESULT = re.compile(
    r"^(?:\[gw\d+\] \[\s*\d+%\] (?P<xdist>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (?P<node>\S+)"
    r"|(?P<plain_node>\S+::\S+) (?P<plain>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\s+\[\s*\d+%\])"
)


@dataclass
class Phase:
    """One command of the check, its time limit and, once run, what came of it."""

    name: str
    command: list[str]
    seconds: int
    environment: dict[str, str] = field(default_factory=dict)
    log: str = ""
    returncode: int | None = None
    elapsed: float = 0.0
    timed_out: bool = False

    def describe(self) -> str:
        variables = " ".join(f"{k}={v}" for k, v in self.environment.items())
        return f"{self.name} (at most {self.seconds} s): {variables} {' '.join(self.command)}"


def plan(
    out: Path, libraries: list[str], *, tests: bool, bench: bool, smoke: bool = False
) -> list[Phase]:
    """The phases to run, in order; ``smoke`` runs the benchmark at a hundredth of its sizes."""
    phases = []
    xdist = importlib.util.find_spec("xdist") is not None
    workers = min(XDIST_WORKERS, max(1, (os.cpu_count() or 2) // 2))
    for library, seconds in TEST_PHASES:
        if not tests or library not in libraries:
            continue
        command = [sys.executable, "-m", "pytest", "tests", "-m", "gpu", "-v", "--tb=short"]
        command += ["-p", "no:cacheprovider", "-p", "no:doctest", "-o", "addopts="]
        command += ["--continue-on-collection-errors"]
        if xdist:
            command += ["-n", str(workers)]
        phases.append(Phase(f"tests-{library}", command, seconds, {"XLOGREG_BACKENDS": library}))
    if bench:
        command = [sys.executable, "-m", "pytest", "benchmarks/test_gpu.py", "--gpu-check"]
        command += ["-p", "no:cacheprovider", "-p", "no:doctest", "-o", "addopts="]
        command += [f"--gpu-check-seconds={BENCH_SECONDS - BENCH_MARGIN}"]
        command += [f"--benchmark-json={out / 'results.json'}"]
        command += ["--gpu-check-smoke"] if smoke else []
        phases.append(Phase("bench", command, BENCH_SECONDS))
    return phases


def run(phase: Phase, out: Path) -> None:
    """Run a phase with its output in ``out/<name>.log``, killed at its time limit."""
    log = out / f"{phase.name}.log"
    environment = {
        **os.environ,
        **phase.environment,
        # Each process takes GPU memory as it needs it: JAX would take 75% at its start.
        "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
        "PYTHONUNBUFFERED": "1",
    }
    start = time.monotonic()
    with log.open("w") as stream:
        process = subprocess.Popen(
            phase.command,
            cwd=REPOSITORY,
            env=environment,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            phase.returncode = process.wait(timeout=phase.seconds)
        except subprocess.TimeoutExpired:
            phase.timed_out = True
            os.killpg(process.pid, 9)
            phase.returncode = process.wait()
    phase.elapsed = time.monotonic() - start
    phase.log = log.read_text(errors="replace")


def count_outcomes(log: str) -> tuple[dict[str, int], list[str]]:
    """Counts of passed, failed, error and skipped tests in a ``pytest -v`` log, and the
    node ids of the failures and errors. Read from the result lines, so a run killed at
    its time limit is counted as far as it got.

    Examples
    --------
    >>> counts, failures = count_outcomes(
    ...     "[gw1] [ 50%] PASSED tests/test_a.py::test_x[torch-cuda-float32]\\n"
    ...     "tests/test_a.py::test_y[jax-gpu-float64] FAILED                [100%]\\n"
    ... )
    >>> counts
    {'passed': 1, 'failed': 1, 'error': 0, 'skipped': 0}
    >>> failures
    ['tests/test_a.py::test_y[jax-gpu-float64]']
    """
    counts = dict.fromkeys(OUTCOMES, 0)
    failures = []
    for line in log.splitlines():
        match = _RESULT.match(line.strip())
        if not match:
            continue
        word = match["xdist"] or match["plain"]
        node = match["node"] or match["plain_node"]
        outcome = {"XFAIL": "skipped", "XPASS": "passed"}.get(word, word.lower())
        counts[outcome] += 1
        if outcome in ("failed", "error"):
            failures.append(node)
    return counts, failures


def summary(phases: list[Phase], out: Path) -> str:
    """The Markdown summary: the test phases' table, failures, then the benchmark tables."""
    lines = ["## GPU check", ""]
    environment = out / "environment.txt"
    if environment.exists():
        lines += ["```", environment.read_text().strip(), "```", ""]
    rows = []
    failed: list[str] = []
    for phase in phases:
        if not phase.name.startswith("tests-"):
            continue
        counts, failures = count_outcomes(phase.log)
        failed += failures
        state = f"timed out at {phase.seconds} s" if phase.timed_out else f"exit {phase.returncode}"
        rows.append(
            [phase.name[6:], *(str(counts[o]) for o in OUTCOMES), f"{phase.elapsed:.0f} s", state]
        )
    if rows:
        header = ["library", *OUTCOMES, "time", "ended"]
        lines += [f"| {' | '.join(row)} |" for row in [header, ["---"] * len(header), *rows]]
        lines.append("")
    if failed:
        lines += ["Failed:", "", *(f"- `{node}`" for node in failed[:40])]
        if len(failed) > 40:
            lines.append(f"- and {len(failed) - 40} more (see the logs)")
        lines.append("")
    results = out / "results.json"
    bench = next((p for p in phases if p.name == "bench"), None)
    if bench is not None:
        state = "timed out" if bench.timed_out else f"exit {bench.returncode}"
        lines.append(f"Benchmark: {bench.elapsed:.0f} s, {state}.")
        if results.exists():
            lines += ["", report.render(report.Run.load(results))]
        else:
            lines.append("It wrote no results.json: see bench.log.")
    return "\n".join(lines)


def _describe_machine(out: Path) -> None:
    """``nvidia-smi -L`` and the library versions, in ``out/environment.txt``."""
    gpus = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True).stdout.strip()
    code = (
        "import importlib.metadata as m\n"
        "for p in ('numpy', 'torch', 'cupy-cuda13x', 'cupy-cuda12x', 'jax', 'jaxlib', "
        "'scikit-learn', 'array-api-compat', 'pytest-xdist'):\n"
        "    try: print(p, m.version(p))\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    versions = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    (out / "environment.txt").write_text(f"{gpus}\n{versions.stdout}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(os.environ.get("OUT") or REPOSITORY / ".gpu-check"),
        help="where logs, results.json and summary.md go (default: $OUT, else .gpu-check/)",
    )
    parser.add_argument(
        "--libraries",
        default=",".join(library for library, _ in TEST_PHASES),
        help="the libraries whose test rows run, comma-separated (default: torch,cupy,jax)",
    )
    parser.add_argument("--skip-tests", action="store_true", help="run the benchmark only")
    parser.add_argument("--skip-bench", action="store_true", help="run the tests only")
    parser.add_argument(
        "--smoke", action="store_true", help="the benchmark at a hundredth of its sizes"
    )
    args = parser.parse_args(argv)
    libraries = [name.strip() for name in args.libraries.split(",") if name.strip()]
    phases = plan(
        args.out, libraries, tests=not args.skip_tests, bench=not args.skip_bench, smoke=args.smoke
    )
    total = sum(phase.seconds for phase in phases)
    if args.dry_run:
        print(f"GPU check plan ({len(phases)} phases, at most {total} s), output in {args.out}:")
        for phase in phases:
            print(f"- {phase.describe()}")
        return 0
    if shutil.which("nvidia-smi") is None:
        print("no NVIDIA GPU here (nvidia-smi is not on the PATH); --dry-run shows the plan")
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    _describe_machine(args.out)
    for phase in phases:
        print(f"running {phase.describe()}", flush=True)
        run(phase, args.out)
    text = summary(phases, args.out)
    (args.out / "summary.md").write_text(text + "\n")
    print(text)
    passed = all(p.returncode == 0 and not p.timed_out for p in phases)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
