"""How the results tables write numbers: times, ratios, loads, sizes, Markdown tables, goals."""

from __future__ import annotations

from typing import Any

__all__ = ["load", "mebibytes", "ratio", "seconds", "signed_seconds", "table", "verdict"]


def seconds(t: float | None) -> str:
    if t is None:
        return ""
    if t >= 1.0:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.1f} ms"
    return f"{t * 1e6:.0f} µs"


def signed_seconds(t: float | None) -> str:
    """:func:`seconds`, with a minus sign for a negative time (a difference of medians)."""
    if t is None:
        return ""
    return f"−{seconds(-t)}" if t < 0 else seconds(t)


def ratio(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:.2f}×" if x >= 0.01 else f"{x:.4f}×"


def load(info: dict[str, Any]) -> str:
    cores = info.get("other_cores")
    return "" if cores is None else f"{cores:.2f}"


def mebibytes(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


def table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    rule = ["---:" if a == "r" else "---" for a in align]
    return [f"| {' | '.join(row)} |" for row in [header, rule, *rows]]


def verdict(value: float | None, goal: float) -> str:
    if value is None:
        return ""
    return "met" if value <= goal else "**not met**"
