"""Stratified splits: which rows to train on and which to hold out, per class.

Used by :class:`xlogreg.CalibratedClassifier` (its calibration split) and by
``xlogreg fit --validation-fraction`` (the validation split).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from xlogreg._backend import host_list, integer_dtype

__all__ = ["stratified_split"]


def stratified_split(
    y: Any, classes: Any, fraction: float, rng: Any, *, xp: ModuleType, device: Any
) -> tuple[Any, Any]:
    """Rows to train on and rows to hold out: ``fraction`` of each class, at least one each.

    Rows are grouped by class with a stable sort on the device; the host
    draws which of each class's rows to hold out from its count alone, so the
    split is the same on every backend for the same generator state.

    Examples
    --------
    >>> import numpy as np
    >>> y, classes = np.array([0, 0, 0, 0, 1, 1]), np.array([0, 1])
    >>> rng = np.random.default_rng(0)
    >>> train, held_out = stratified_split(y, classes, 0.5, rng, xp=np, device="cpu")
    >>> len(train), len(held_out), sorted(y[held_out].tolist())
    (3, 3, [0, 0, 1])
    """
    member = xp.astype(y[:, None] == classes[None, :], integer_dtype(xp, device))
    counts = host_list(xp.sum(member, axis=0))
    by_class = xp.argsort(xp.argmax(member, axis=1), stable=True)
    train: list[int] = []
    held_out: list[int] = []
    start = 0
    for label, count in zip(host_list(classes), counts, strict=True):
        if count < 2:
            raise ValueError(
                f"class {label!r} has {count} sample in y: holding out a calibration "
                "split needs at least two per class (or fit the estimator first and "
                "pass held-out data)"
            )
        n_held = min(max(1, round(fraction * count)), count - 1)
        order = rng.permutation(count).tolist()  # host-ok: the host generator draws the split
        positions = [start + i for i in order]
        held_out += positions[:n_held]
        train += positions[n_held:]
        start += count

    def rows(positions: list[int]) -> Any:
        chosen = xp.asarray(positions, dtype=integer_dtype(xp, device), device=device)
        return xp.sort(xp.take(by_class, chosen))

    return rows(train), rows(held_out)
