"""The L1 fits' table (issue 20, ``test_l1.py``): each contender's median, its distance to the
best objective of its problem, and its ratio to the fastest peer that reached that objective.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import formatting as fmt

if TYPE_CHECKING:
    from report import Run

__all__ = ["L1_NOTE", "L1_OBJECTIVE_RTOL", "fastest_peer", "section"]

# Issue 20: a peer counts as at the optimum within this relative distance of the best
# objective of its problem.
L1_OBJECTIVE_RTOL = 1e-9


def fastest_peer(run: Run, group: str) -> tuple[str, float] | None:
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


def _flag(info: dict[str, Any], best: float | None) -> str:
    """What the note says of a peer that did not reach the best objective."""
    objective = info.get("objective")
    if not info.get("reference") or objective is None or best is None:
        return ""
    if objective - best <= L1_OBJECTIVE_RTOL * abs(best):
        return ""
    return f"more than {L1_OBJECTIVE_RTOL:g} above the best objective: not a reference"


def section(run: Run) -> list[str]:
    """L1 fits: median, distance to the best objective, ratio to the fastest peer there."""
    rows, references = [], []
    for group in run.groups("l1"):
        reference = fastest_peer(run, group)
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
                    "; ".join(filter(None, [info.get("note", ""), _flag(info, best)])),
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
