"""The results tables of the benchmarks of fits, epochs, memory, metrics and Dask: one function
per kind of benchmark, each returning its Markdown lines (none where the run has no such rows).

The metrics table holds the binary metrics (``test_metrics.py``) and the multiclass ones
(``test_multiclass_metrics.py``) alike; the L1 fits have their own module, ``l1_table``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import formatting as fmt

if TYPE_CHECKING:
    from report import Run

__all__ = ["DASK_NOTE", "LOAD_NOTE", "dask", "epochs", "memory", "metrics", "solutions"]

LOAD_NOTE = (
    '"other load": cores that other processes kept busy on average while a row was timed'
    " (of the machine's usable cores; blank where the timing was too short to tell; the"
    " processes the run started, Dask's workers, count as its own). Rows"
    " measured under load are slower than the machine can do, BLAS calls that hand work"
    " between threads most of all."
)


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


def solutions(run: Run, kind: str, title: str, reference_name: str) -> list[str]:
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


def epochs(run: Run) -> list[str]:
    """One loss and gradient against one ``X @ v`` and the best streaming read of ``X``."""
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


def memory(run: Run) -> list[str]:
    """The peak extra memory of each measured fit, and its multiple of the size of ``X``."""
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


def metrics(run: Run) -> list[str]:
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


def dask(run: Run) -> list[str]:
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
