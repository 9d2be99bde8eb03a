"""The suite's shared machinery: ``--quick``, the ``timed`` fixture, and what a run records.

``timed`` runs a contender under pytest-benchmark and files its median and
details (``extra_info``) in ``report``; at the end of the run the JSON of
``--benchmark-json`` gets the machine, the memory rows and the notes too, and
the terminal summary prints the tables that ``report.py`` writes into
``benchmarks/README.md``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest

import environment
import report

# Rounds of a contender whose round count is left to ``timed``: as many as fit
# in a few seconds, at least MIN_ROUNDS (a median of fewer means little; the
# quick mode's calls take milliseconds, and only on a loaded machine seconds,
# where its time limit matters more).
MIN_ROUNDS = {"quick": 1, "full": 3, "gpu": 3}
MAX_ROUNDS = 30
SECONDS_PER_CONTENDER = {"quick": 0.6, "full": 3.0, "gpu": 1.0}
# The GPU check's benchmark stops starting contenders after this long (gpu-check.sh).
GPU_CHECK_SECONDS = 170.0


def pytest_addoption(parser):
    parser.addoption(
        "--quick",
        action="store_true",
        default=False,
        help="a small subset of every benchmark, under 3 minutes on a 2-core machine",
    )
    parser.addoption(
        "--gpu-check",
        action="store_true",
        default=False,
        help="run test_gpu.py, the GPU check's benchmark (benchmarks/gpu-check.sh passes it)",
    )
    parser.addoption(
        "--gpu-check-smoke",
        action="store_true",
        default=False,
        help="test_gpu.py at a hundredth of its sizes, with xlogreg on NumPy: to try it on a CPU",
    )
    parser.addoption(
        "--gpu-check-seconds",
        type=float,
        default=GPU_CHECK_SECONDS,
        help="test_gpu.py starts no contender after this many seconds",
    )


def pytest_configure(config):
    # scikit-learn's array-API dispatch needs SciPy's array-API mode, which
    # SciPy reads once, when it is first imported: before any test module is.
    os.environ.setdefault("SCIPY_ARRAY_API", "1")
    config._xlogreg_started = environment.cpu_snapshot()


def mode(config) -> str:
    """``"quick"``, ``"full"`` or ``"gpu"`` (the GPU check): which sizes the benchmarks use,
    and which results table of ``README.md`` the run rewrites."""
    if config.getoption("gpu_check"):
        return "gpu"
    return "quick" if config.getoption("quick") else "full"


@pytest.fixture(scope="session")
def quick(request) -> bool:
    return request.config.getoption("quick")


class Timer:
    """``timed(group, name, function, *args, **details)`` returns ``function(*args)``.

    Its median goes to ``report.TIMINGS`` and ``details`` (plus whatever
    :meth:`record` adds after the call) to the benchmark's ``extra_info``,
    which the JSON keeps. With ``rounds=None`` the first call is a timed
    warm-up that sets the number of rounds; otherwise one untimed warm-up runs
    before ``rounds`` timed ones, unless ``warmup=False``.
    """

    def __init__(self, benchmark, mode: str) -> None:
        self._benchmark = benchmark
        self._seconds = SECONDS_PER_CONTENDER[mode]
        self._min_rounds = MIN_ROUNDS[mode]

    def __call__(
        self,
        group: str,
        name: str,
        function: Callable[..., Any],
        *args: Any,
        rounds: int | None = None,
        warmup: bool = True,
        **details: Any,
    ) -> Any:
        benchmark = self._benchmark
        benchmark.group = group
        benchmark.name = name
        benchmark.extra_info.update(details)
        warmup_rounds = int(warmup)
        if rounds is None and benchmark.disabled:  # one untimed call: nothing to plan
            rounds = 1
        elif rounds is None:
            start = time.perf_counter()
            function(*args)
            first = time.perf_counter() - start
            planned = int(self._seconds / max(first, 1e-9))
            rounds = max(self._min_rounds, min(MAX_ROUNDS, planned))
            warmup_rounds = 0
        before = environment.cpu_snapshot()
        result = benchmark.pedantic(function, args=args, rounds=rounds, warmup_rounds=warmup_rounds)
        # Other processes' share of the 2 cores while this ran: the shared
        # machine's main source of noise, reported next to each median.
        benchmark.extra_info["other_cores"] = environment.other_cores(
            before, environment.cpu_snapshot()
        )
        report.DETAILS.setdefault(group, {})[name] = benchmark.extra_info
        if benchmark.stats is not None:  # None under --benchmark-disable: one untimed call
            report.TIMINGS.setdefault(group, {})[name] = benchmark.stats.stats.median
        return result

    def record(self, **details: Any) -> None:
        """Add details measured after the timed call (final objective, iterations)."""
        self._benchmark.extra_info.update(details)


@pytest.fixture
def timed(benchmark, request):
    return Timer(benchmark, mode(request.config))


def _environment(config) -> dict[str, Any]:
    return environment.describe(
        mode=mode(config),
        arguments=list(config.invocation_params.args),
        start=config._xlogreg_started,
    )


def pytest_benchmark_update_json(config, benchmarks, output_json):
    output_json["xlogreg"] = {
        "environment": _environment(config),
        "memory": report.MEMORY,
        "notes": report.NOTES,
    }


def pytest_terminal_summary(terminalreporter, config):
    if not (report.TIMINGS or report.MEMORY or report.NOTES):
        return
    terminalreporter.write_sep("=", "xlogreg benchmark results (what report.py writes to README)")
    for line in report.render(report.Run.current(_environment(config))).splitlines():
        terminalreporter.write_line(line)
