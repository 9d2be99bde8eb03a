"""What one benchmark run collects, and the results tables it writes into ``benchmarks/README.md``.

During a run the ``timed`` fixture (``conftest``) fills ``TIMINGS`` and
``DETAILS`` (a metric's peak extra memory too); ``test_memory`` fills ``MEMORY``
(a fit's); anything else worth a line goes
to ``NOTES``. At the end of the run the JSON of ``--benchmark-json`` holds the
same: pytest-benchmark's entries (median and ``extra_info``) plus an
``xlogreg`` key with the machine, the memory rows and the notes. Then::

    python benchmarks/report.py .benchmarks/results.json

renders that JSON as Markdown between the markers of the run's mode
(``<!-- results:quick:begin -->`` … ``<!-- results:quick:end -->``, or
``full``, or ``gpu`` for the GPU check's benchmark) in ``benchmarks/README.md``;
``nox -s bench`` does this after the run. ``--section NAME`` writes between the
markers of that name instead (``multiclass``: ``test_multiclass_metrics.py`` run
alone; ``l1``: ``test_l1.py``), and ``--print`` prints it instead. Ratios are to each
group's reference: scikit-learn's faster solver that converged (fits), one ``X @ v``
(epochs), scikit-learn (metrics), the fastest peer that reached the best objective within
``l1_table.L1_OBJECTIVE_RTOL`` (L1 fits); Dask fits
are compared with xlogreg's in-memory fit with the same solver and with
scikit-learn's faster solver, and with themselves on 1 and 2 workers.

This module holds what a run collects (:class:`Run`) and puts the sections together
(:func:`render`); ``header`` writes the machine and the issues' targets, ``tables`` the
tables of fits, epochs, memory, metrics and Dask, ``l1_table`` the L1 fits' table, and
``formatting`` the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import header
import l1_table
import tables

# group -> {implementation: median seconds}
TIMINGS: dict[str, dict[str, float]] = {}
# group -> {implementation: what it recorded besides time (pytest-benchmark's extra_info)}
DETAILS: dict[str, dict[str, dict[str, Any]]] = {}
# One row per measured fit: data, solver, bytes of X, peak extra bytes.
MEMORY: list[dict[str, Any]] = []
# Lines from benchmarks that measure something other than time (peak GPU memory, say).
NOTES: list[str] = []

README = Path(__file__).resolve().parent / "README.md"


@dataclass
class Run:
    """One run's results, from memory (during the run) or from its JSON (after)."""

    environment: dict[str, Any]
    timings: dict[str, dict[str, float]]
    details: dict[str, dict[str, dict[str, Any]]]
    memory: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def current(cls, environment: dict[str, Any]) -> Run:
        return cls(environment, TIMINGS, DETAILS, MEMORY, NOTES)

    @classmethod
    def load(cls, path: Path) -> Run:
        data = json.loads(path.read_text())
        timings: dict[str, dict[str, float]] = {}
        details: dict[str, dict[str, dict[str, Any]]] = {}
        for entry in data.get("benchmarks", []):
            group, name = entry["group"], entry["name"]
            timings.setdefault(group, {})[name] = entry["stats"]["median"]
            details.setdefault(group, {})[name] = entry.get("extra_info", {})
        ours = data.get("xlogreg", {})
        return cls(
            ours.get("environment", {}),
            timings,
            details,
            ours.get("memory", []),
            ours.get("notes", []),
        )

    def groups(self, kind: str) -> list[str]:
        return [
            group
            for group, by_name in self.details.items()
            if group in self.timings
            and any(info.get("kind", "other") == kind for info in by_name.values())
        ]

    def rows(self, group: str) -> list[tuple[str, float, dict[str, Any]]]:
        """``(name, median, details)`` of a group, fastest first."""
        by_name = self.timings.get(group, {})
        return sorted(
            ((name, t, self.details.get(group, {}).get(name, {})) for name, t in by_name.items()),
            key=lambda row: row[1],
        )

    def reference(self, group: str) -> float | None:
        """The fastest median among the group's references that converged, if any."""
        return min(
            (
                t
                for _, t, info in self.rows(group)
                if info.get("reference") and info.get("converged", True)
            ),
            default=None,
        )

    def find(self, group: str, **wanted: Any) -> tuple[str, float, dict[str, Any]] | None:
        """The fastest row of a group whose details have every ``wanted`` value."""
        for row in self.rows(group):
            if all(row[2].get(key) == value for key, value in wanted.items()):
                return row
        return None


FIT_TITLE = "Time to solution (tol=1e-8, C=1)"
# test_gpu.py's fits stop at tol=1e-6 (float32 data), gd after at most 100 iterations.
FIT_TITLES = {"gpu": "Time to solution (tol=1e-6, C=1; gd: at most 100 iterations)"}


def render(run: Run) -> str:
    """The Markdown for one run: machine, targets, then one table per kind of benchmark."""
    known = {"fit", "epoch", "metric", "dask", "l1"}
    others = sorted(
        {info.get("kind", "other") for by_name in run.details.values() for info in by_name.values()}
        - known
    )
    fit_title = FIT_TITLES.get(run.environment.get("mode"), FIT_TITLE)
    sections = [
        header.machine(run.environment),
        header.targets(run),
        [tables.LOAD_NOTE],
        tables.solutions(run, "fit", fit_title, "sklearn's best"),
        l1_table.section(run),
        tables.epochs(run),
        tables.memory(run),
        tables.metrics(run),
        tables.dask(run),
        *(tables.solutions(run, kind, f"Other benchmarks: {kind}", "reference") for kind in others),
        ["### Notes", "", *(f"- {note}" for note in run.notes)] if run.notes else [],
    ]
    return "\n\n".join("\n".join(section) for section in sections if section)


def write_readme(run: Run, readme: Path = README, section: str | None = None) -> None:
    """Replace the text between the markers of ``section`` (by default the run's mode) in
    ``readme`` with :func:`render`."""
    section = section or run.environment.get("mode", "full")
    begin, end = f"<!-- results:{section}:begin -->", f"<!-- results:{section}:end -->"
    text = readme.read_text()
    if begin not in text or end not in text.split(begin, 1)[1]:
        raise SystemExit(f"{readme} has no {begin} … {end} markers to write between")
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    readme.write_text(f"{head}{begin}\n{render(run)}\n{end}{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="JSON written by --benchmark-json")
    parser.add_argument("--readme", type=Path, default=README, help="file with the markers")
    parser.add_argument("--print", action="store_true", help="print the Markdown, write nothing")
    parser.add_argument(
        "--section",
        help="write between the markers of this name instead of the run's mode's (a file's run)",
    )
    args = parser.parse_args(argv)
    if not args.results.exists():
        print(f"{args.results} does not exist: no benchmark was timed, nothing to write")
        return 0
    run = Run.load(args.results)
    if args.print:
        print(render(run))
        return 0
    section = args.section or run.environment.get("mode", "full")
    write_readme(run, args.readme, section)
    print(f"wrote the results of {args.results} into the {section} section of {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
