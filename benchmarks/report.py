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
``L1_OBJECTIVE_RTOL`` (L1 fits); Dask fits
are compared with xlogreg's in-memory fit with the same solver and with
scikit-learn's faster solver, and with themselves on 1 and 2 workers.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import formatting as fmt

# group -> {implementation: median seconds}
TIMINGS: dict[str, dict[str, float]] = {}
# group -> {implementation: what it recorded besides time (pytest-benchmark's extra_info)}
DETAILS: dict[str, dict[str, dict[str, Any]]] = {}
# One row per measured fit: data, solver, bytes of X, peak extra bytes.
MEMORY: list[dict[str, Any]] = []
# Lines from benchmarks that measure something other than time (peak GPU memory, say).
NOTES: list[str] = []

README = Path(__file__).resolve().parent / "README.md"

# The targets (issue 5, "Make it fast"); the table states them next to what was measured.
FIT_GOAL = 0.5  # auto vs scikit-learn's faster solver, numpy float64
TORCH_GOAL = 1 / 3  # auto on torch CPU vs scikit-learn's array-API lbfgs on the same tensors
EPOCH_GOAL = 2.2  # one loss+gradient vs one gemv
MEMORY_GOAL = 0.5  # peak extra memory of lbfgs/gd fits, as a multiple of X
METRIC_GOAL = 1.0  # metrics on numpy vs scikit-learn; torch CPU vs numpy
METRIC_MEMORY_GOAL = 3.0  # issue 19: peak extra memory of a metric on numpy / size of its inputs
# Issue 20 (L1 fits): a peer counts as at the optimum within this relative distance of the
# best objective of its problem; the peak extra memory of the binary L1 fit is bounded by
# MEMORY_GOAL too.
L1_OBJECTIVE_RTOL = 1e-9


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


# ----------------------------------------------------------------------------- sections


def _environment(env: dict[str, Any]) -> list[str]:
    if not env:
        return ["(The JSON has no description of the machine.)"]
    versions = ", ".join(f"{name} {version}" for name, version in env.get("versions", {}).items())
    variables = ", ".join(
        f"{name}={value if value is not None else 'unset'}"
        for name, value in env.get("thread_variables", {}).items()
    )
    pools = "; ".join(
        " ".join(str(part) for part in (pool["library"], pool.get("version")) if part)
        + f" from {pool.get('shipped_with') or '?'} ({pool.get('threads')} threads)"
        for pool in env.get("blas_pools") or []
    )
    if env.get("blas_pools") is None:
        pools = "threadpoolctl not installed"
    torch = env.get("torch", {})
    commit = env.get("commit") or "unknown"
    changed = env.get("uncommitted_changes")
    if changed:
        shown = ", ".join(f"`{path}`" for path in changed[:6])
        more = f" and {len(changed) - 6} more" if len(changed) > 6 else ""
        commit += f"` with uncommitted changes to {shown}{more}"
    else:
        commit += "`"
    contention = env.get("contention") or {}
    lines = [
        f"- **Mode**: {env.get('mode', '?')} (`pytest {' '.join(env.get('arguments', []))}`)",
        f"- **Date**: {env.get('date', '?')}; **commit** `{commit}",
        f"- **Machine**: {env.get('cpu', '?')}, {env.get('usable_cores', '?')} usable of "
        f"{env.get('logical_cores', '?')} logical cores, {env.get('memory_gib', '?')} GiB; "
        f"{env.get('platform', '?')}, Python {env.get('python', '?')}",
        f"- **Versions**: {versions}",
        f"- **Threads**: {variables}; torch.get_num_threads() = {torch.get('threads', 'n/a')}; "
        f"thread pools (threadpoolctl): {pools or 'none loaded'}",
    ]
    if torch.get("cuda_device"):
        lines.append(f"- **GPU**: {torch['cuda_device']}")
    if contention:
        lines.append(
            f"- **Run**: {contention['duration_s'] / 60:.1f} min; other processes used "
            f"{contention['other_processes_cores']:.2f} cores on average meanwhile (load average "
            f"{contention['load_average_1min']} at the end)"
        )
    return lines


def _targets(run: Run) -> list[str]:
    rows: list[list[str]] = []

    def add(target: str, where: str, ratio: float, goal: float | None) -> None:
        if goal is None:
            rows.append([target, where, fmt.ratio(ratio), "reported", ""])
        else:
            rows.append(
                [target, where, fmt.ratio(ratio), f"≤ {goal:.2f}×", fmt.verdict(ratio, goal)]
            )

    for group in run.groups("fit"):
        reference = run.reference(group)
        auto = run.find(group, package="xlogreg", solver="auto", library="numpy", dtype="float64")
        if reference and auto:
            goal = None if group.startswith("small") else FIT_GOAL
            add(
                "fit: auto (numpy float64) / sklearn's faster solver",
                group,
                auto[1] / reference,
                goal,
            )
        on_torch = {"solver": "auto", "library": "torch-cpu", "dtype": "float64"}
        torch_auto = run.find(group, package="xlogreg", **on_torch)
        sklearn_api = run.find(group, package="sklearn", **{**on_torch, "solver": "lbfgs"})
        if torch_auto and sklearn_api and sklearn_api[2].get("converged", True):
            add(
                "fit: auto (torch CPU float64) / sklearn's array-API lbfgs on the same tensors",
                group,
                torch_auto[1] / sklearn_api[1],
                TORCH_GOAL,
            )
    for group in run.groups("epoch"):
        loss_grad = run.find(group, operation="loss_grad")
        gemv = run.reference(group)
        stream = min((t for _, t, info in run.rows(group) if info.get("stream")), default=None)
        if loss_grad and gemv:
            add("epoch: loss_grad / one X @ v", group, loss_grad[1] / gemv, EPOCH_GOAL)
        if loss_grad and stream:
            add("epoch: loss_grad / best streaming read of X", group, loss_grad[1] / stream, None)
    for group in run.groups("l1"):
        reference = _l1_reference(run, group)
        for library in ("numpy", "torch-cpu"):
            ours = run.find(group, package="xlogreg", library=library)
            if reference and ours:
                target = f"L1 fit: xlogreg auto ({library} float64) / fastest peer at the optimum"
                add(target, group, ours[1] / reference[1], None)
    for row in run.memory:
        if row.get("extra_bytes") is not None:
            bounded = row["solver"] in ("lbfgs", "gd") or row.get("l1_ratio")
            goal = MEMORY_GOAL if bounded else None
            target = f"memory: peak extra of a fit / size of X, {row['solver']}"
            add(target, row["data"], row["extra_bytes"] / row["x_bytes"], goal)
    for group in run.groups("metric"):
        reference = run.reference(group)
        numpy = run.find(group, package="xlogreg", library="numpy")
        torch = run.find(group, package="xlogreg", library="torch-cpu")
        if reference and numpy:
            add("metric: xlogreg numpy / sklearn", group, numpy[1] / reference, METRIC_GOAL)
        if numpy and torch:
            add(
                "metric: xlogreg torch CPU / xlogreg numpy", group, torch[1] / numpy[1], METRIC_GOAL
            )
        if numpy and numpy[2].get("peak_extra_bytes") is not None:
            memory = numpy[2]["peak_extra_bytes"] / numpy[2]["input_bytes"]
            target = "metric: peak extra memory of xlogreg numpy / size of its inputs"
            add(target, group, memory, METRIC_MEMORY_GOAL)
    if not rows:
        return []
    return [
        "The performance issues' targets against this run (issue 5's set for the full grid's 1M"
        " x 64 and ill-conditioned 200k x 32 problems, issue 19's for 10M samples x 10 classes,"
        " issue 20's for the L1 fits; the quick run checks them on its smaller ones):",
        "",
        *fmt.table(["target", "where", "measured", "goal", ""], rows, "llrll"),
    ]


def _objective_gaps(run: Run, group: str) -> dict[str, str]:
    """Each row's objective relative to the group's best, formatted ("" where none was recorded)."""
    objectives = [
        info["objective"] for _, _, info in run.rows(group) if info.get("objective") is not None
    ]
    best = min(objectives, default=None)
    gaps = {}
    for name, _, info in run.rows(group):
        objective = info.get("objective")
        gap = ""
        if objective is not None and best is not None:
            relative = (objective - best) / max(abs(best), 1e-300)
            gap = "0" if relative == 0 else f"{relative:.0e}"
        gaps[name] = gap
    return gaps


def _solutions(run: Run, kind: str, title: str, reference_name: str) -> list[str]:
    """A table of fits: median, ratio to the group's reference, iterations, objective gap."""
    rows = []
    for group in run.groups(kind):
        reference = run.reference(group)
        gaps = _objective_gaps(run, group)
        for name, t, info in run.rows(group):
            rows.append(
                [
                    group,
                    name,
                    fmt.seconds(t),
                    fmt.ratio(t / reference) if reference else "",
                    str(info.get("n_iter", "")),
                    gaps[name],
                    fmt.load(info),
                    info.get("note", ""),
                ]
            )
    if not rows:
        return []
    header = ["problem", "contender", "median", f"× {reference_name}", "iterations"]
    header += ["objective gap", "other load", "note"]
    return [f"### {title}", "", *fmt.table(header, rows, "llrrrrrl")]


def _epochs(run: Run) -> list[str]:
    rows = []
    for group in run.groups("epoch"):
        gemv = run.reference(group)
        stream = min((t for _, t, info in run.rows(group) if info.get("stream")), default=None)
        for name, t, info in run.rows(group):
            rows.append(
                [
                    group,
                    name,
                    fmt.seconds(t),
                    fmt.ratio(t / gemv) if gemv else "",
                    fmt.ratio(t / stream) if stream else "",
                    fmt.load(info),
                ]
            )
    if not rows:
        return []
    header = ["data", "operation", "median", "× one X @ v", "× best streaming read"]
    return ["### Epoch efficiency", "", *fmt.table([*header, "other load"], rows, "llrrrr")]


def _memory(run: Run) -> list[str]:
    rows = []
    for row in run.memory:
        extra = row.get("extra_bytes")
        rows.append(
            [
                row["data"],
                row["solver"],
                fmt.mebibytes(extra) if extra is not None else "",
                fmt.ratio(extra / row["x_bytes"]) if extra is not None else "",
                row.get("note", ""),
            ]
        )
    if not rows:
        return []
    header = ["data", "solver", "peak extra memory", "× size of X", "note"]
    return ["### Peak extra memory of a fit", "", *fmt.table(header, rows, "llrrl")]


def _metric_memory(info: dict[str, Any]) -> str:
    """A metric's peak extra memory and its multiple of the inputs' size; "" where not measured."""
    extra = info.get("peak_extra_bytes")
    if extra is None:
        return ""
    return f"{fmt.mebibytes(extra)} ({fmt.ratio(extra / info['input_bytes'])})"


def _metrics(run: Run) -> list[str]:
    """Medians and ratios to scikit-learn; a memory column where any row measured memory."""
    rows = []
    for group in run.groups("metric"):
        reference = run.reference(group)
        for name, t, info in run.rows(group):
            ratio = fmt.ratio(t / reference) if reference else ""
            rows.append([group, name, fmt.seconds(t), ratio, fmt.load(info), _metric_memory(info)])
    if not rows:
        return []
    header = ["metric", "contender", "median", "× sklearn", "other load"]
    if not any(row[-1] for row in rows):
        return ["### Metrics", "", *fmt.table(header, [row[:-1] for row in rows], "llrrr")]
    header.append("peak extra memory (× inputs)")
    return ["### Metrics", "", *fmt.table(header, rows, "llrrrr")]


def _l1_reference(run: Run, group: str) -> tuple[str, float] | None:
    """``(name, median)`` of the fastest peer (a row marked ``reference``) whose objective is
    within ``L1_OBJECTIVE_RTOL`` of the group's best; ``None`` if no peer got there."""
    objectives = [info["objective"] for _, _, info in run.rows(group) if "objective" in info]
    if not objectives:
        return None
    best = min(objectives)
    return next(
        (
            (name, t)
            for name, t, info in run.rows(group)
            if info.get("reference")
            and info.get("objective") is not None
            and info["objective"] - best <= L1_OBJECTIVE_RTOL * abs(best)
        ),
        None,
    )


L1_NOTE = (
    "L1-penalized logistic regression (`l1_ratio=1`, C=0.01) on the same float64 data for"
    " every contender, in the same run. After the timed fit each solution's objective is"
    " computed once in float64 NumPy (mean log loss + ‖coef‖₁/(C·n), every class's"
    ' coefficients penalized): "objective − best" is its distance to the lowest objective of'
    ' the problem, "relative" the same divided by it. "× fastest peer": the median over that'
    f" of the fastest peer (not xlogreg) that ended within {L1_OBJECTIVE_RTOL:g} (relative) of"
    " the best. Each row states its stopping settings (`test_l1.py` says why: each peer's was"
    " chosen so that it reaches the best objective at full size). glum 3.4 has no multinomial"
    " family and skglm's multiclass fits are one-vs-rest (another objective), so the"
    " multinomial problem has scikit-learn's saga alone as a peer; liblinear penalizes the"
    " intercept (`intercept_scaling=100` keeps that penalty small, not zero)."
)


def _l1_flag(info: dict[str, Any], best: float | None) -> str:
    """What the note says of a peer that did not reach the best objective."""
    objective = info.get("objective")
    if not info.get("reference") or objective is None or best is None:
        return ""
    if objective - best <= L1_OBJECTIVE_RTOL * abs(best):
        return ""
    return f"more than {L1_OBJECTIVE_RTOL:g} above the best objective: not a reference"


def _l1(run: Run) -> list[str]:
    """L1 fits: median, distance to the best objective, ratio to the fastest peer there."""
    rows, references = [], []
    for group in run.groups("l1"):
        reference = _l1_reference(run, group)
        objectives = [info["objective"] for _, _, info in run.rows(group) if "objective" in info]
        best = min(objectives, default=None)
        if reference:
            references.append(f"- {group}: {reference[0]}, {fmt.seconds(reference[1])}")
        else:
            references.append(f"- {group}: no peer reached the best objective")
        for name, t, info in run.rows(group):
            gap = relative = ""
            if info.get("objective") is not None and best is not None:
                difference = info["objective"] - best
                gap = "0" if difference == 0 else f"{difference:.1e}"
                relative = "0" if difference == 0 else f"{difference / abs(best):.0e}"
            rows.append(
                [
                    group,
                    name,
                    info.get("settings", ""),
                    fmt.seconds(t),
                    gap,
                    relative,
                    fmt.ratio(t / reference[1]) if reference else "",
                    str(info.get("nonzero", "")),
                    str(info.get("n_iter", "")),
                    fmt.load(info),
                    "; ".join(filter(None, [info.get("note", ""), _l1_flag(info, best)])),
                ]
            )
    if not rows:
        return []
    header = ["problem", "contender", "settings", "median", "objective − best", "relative"]
    header += ["× fastest peer", "nonzero coef", "iterations", "other load", "note"]
    lines = ["### L1 fits (issue 20)", "", L1_NOTE, ""]
    lines += fmt.table(header, rows, "lllrrrrrrrl")
    lines += ["", "The fastest peer at the best objective, per problem:", "", *references]
    return lines


DASK_NOTE = (
    "`LogisticRegression` on a Dask array of float64 NumPy row chunks on a"
    " `distributed.LocalCluster` of worker processes with one thread each, against the"
    " in-memory fit of the same NumPy data in the client process (same solver, tol=1e-8,"
    " C=1) and scikit-learn's, in the same run. X and y are persisted on the workers before"
    " the clock starts (the notes say how long that took); each timed Dask fit includes its"
    ' checking pass over the chunks. "× numpy": to xlogreg\'s in-memory fit with the same'
    ' solver; "× sklearn": to scikit-learn\'s faster solver that converged; "round trips":'
    " the graphs the scheduler received during one (untimed) fit, the checking pass"
    ' included; "extra per round trip": (Dask median − in-memory median) / round trips.'
)


def _dask(run: Run) -> list[str]:
    """Dask fits against in-memory ones, and the 1 → 2 worker scaling."""
    rows, scaling = [], []
    for group in run.groups("dask"):
        sklearn = run.reference(group)
        gaps = _objective_gaps(run, group)
        for name, t, info in run.rows(group):
            numpy = None
            if info.get("library") == "dask":
                numpy = run.find(
                    group, package="xlogreg", library="numpy", solver=info.get("solver")
                )
            n_iter, trips = info.get("n_iter"), info.get("round_trips")
            extra = (t - numpy[1]) / trips if numpy and trips else None
            rows.append(
                [
                    group,
                    name,
                    fmt.seconds(t),
                    fmt.ratio(t / numpy[1]) if numpy else "",
                    fmt.ratio(t / sklearn) if sklearn else "",
                    str(n_iter if n_iter is not None else ""),
                    fmt.seconds(t / n_iter) if n_iter else "",
                    str(trips if trips is not None else ""),
                    fmt.signed_seconds(extra),
                    gaps[name],
                    fmt.load(info),
                    info.get("note", ""),
                ]
            )
        solvers = dict.fromkeys(
            info["solver"] for _, _, info in run.rows(group) if info.get("library") == "dask"
        )
        for solver in solvers:
            one = run.find(group, library="dask", solver=solver, workers=1)
            two = run.find(group, library="dask", solver=solver, workers=2)
            if one and two:
                scaling.append(
                    [
                        group,
                        solver,
                        fmt.seconds(one[1]),
                        fmt.seconds(two[1]),
                        fmt.ratio(one[1] / two[1]),
                    ]
                )
    if not rows:
        return []
    header = ["problem", "contender", "median", "× numpy", "× sklearn", "iterations"]
    header += ["per iteration", "round trips", "extra per round trip", "objective gap"]
    header += ["other load", "note"]
    lines = ["### Dask: fits on a LocalCluster", "", DASK_NOTE, ""]
    lines += fmt.table(header, rows, "llrrrrrrrrrl")
    if scaling:
        lines += ["", "Scaling from 1 to 2 workers (one thread each), same data and chunks:", ""]
        header = ["problem", "solver", "1 worker", "2 workers", "speed-up 1 → 2"]
        lines += fmt.table(header, scaling, "llrrr")
    return lines


LOAD_NOTE = (
    '"other load": cores that other processes kept busy on average while a row was timed'
    " (of the machine's usable cores; blank where the timing was too short to tell; the"
    " processes the run started, Dask's workers, count as its own). Rows"
    " measured under load are slower than the machine can do, BLAS calls that hand work"
    " between threads most of all."
)


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
        _environment(run.environment),
        _targets(run),
        [LOAD_NOTE],
        _solutions(run, "fit", fit_title, "sklearn's best"),
        _l1(run),
        _epochs(run),
        _memory(run),
        _metrics(run),
        _dask(run),
        *(_solutions(run, kind, f"Other benchmarks: {kind}", "reference") for kind in others),
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
