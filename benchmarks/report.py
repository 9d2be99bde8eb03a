"""What one benchmark run collects for the summary that ``conftest`` prints at its end."""

from __future__ import annotations

# group -> {implementation: median seconds}
TIMINGS: dict[str, dict[str, float]] = {}
# Lines from benchmarks that measure something other than time (peak memory, say).
NOTES: list[str] = []
