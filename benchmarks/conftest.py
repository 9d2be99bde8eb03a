"""Collects the timings of one run and prints xlogreg / scikit-learn ratios at the end."""

from __future__ import annotations

import platform

import pytest

from report import NOTES, TIMINGS


@pytest.fixture
def timed(benchmark):
    """Run ``benchmark`` and record its median under (group, implementation)."""

    def run(group: str, implementation: str, function, *args, rounds: int = 5):
        benchmark.group = group
        benchmark.name = implementation
        result = benchmark.pedantic(function, args=args, rounds=rounds, warmup_rounds=1)
        if benchmark.stats is not None:  # None under --benchmark-disable: one untimed call
            TIMINGS.setdefault(group, {})[implementation] = benchmark.stats.stats.median
        return result

    return run


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    for note in NOTES:
        write(note)
    if not TIMINGS:
        return
    write("")
    write(f"xlogreg vs scikit-learn on {platform.processor() or platform.machine()}, medians:")
    for group, by_impl in sorted(TIMINGS.items()):
        reference = min(
            (t for name, t in by_impl.items() if name.startswith("sklearn")), default=None
        )
        for name, seconds in sorted(by_impl.items(), key=lambda item: item[1]):
            ratio = f"{seconds / reference:6.2f}x sklearn's best" if reference else ""
            write(f"  {group:38s} {name:28s} {seconds * 1e3:9.1f} ms  {ratio}")
