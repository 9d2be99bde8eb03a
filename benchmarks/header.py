"""The head of a run's results: the machine it ran on, and the performance issues' targets
against what it measured (each marked met or not).

``report.render`` puts :func:`machine` first and :func:`targets` after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import formatting as fmt
import l1_table

if TYPE_CHECKING:
    from report import Run

__all__ = ["machine", "targets"]

# The targets (issue 5, "Make it fast"); the table states them next to what was measured.
FIT_GOAL = 0.5  # auto vs scikit-learn's faster solver, numpy float64
TORCH_GOAL = 1 / 3  # auto on torch CPU vs scikit-learn's array-API lbfgs on the same tensors
EPOCH_GOAL = 2.2  # one loss+gradient vs one gemv
MEMORY_GOAL = 0.5  # peak extra memory of lbfgs/gd fits, as a multiple of X
METRIC_GOAL = 1.0  # metrics on numpy vs scikit-learn; torch CPU vs numpy
METRIC_MEMORY_GOAL = 3.0  # issue 19: peak extra memory of a metric on numpy / size of its inputs
# Issue 20 (L1 fits): the peak extra memory of the binary L1 fit is bounded by MEMORY_GOAL too
# (``l1_table.L1_OBJECTIVE_RTOL`` says which peer is at the optimum).


def machine(env: dict[str, Any]) -> list[str]:
    """The run's mode, date, commit, machine, versions, threads and load, one bullet each."""
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


def targets(run: Run) -> list[str]:
    """A table of the issues' targets against this run: measured ratio, goal, met or not."""
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
        reference = l1_table.fastest_peer(run, group)
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
