"""Which rows form each mini-batch, and how they reach the device that computes with them.

A :class:`BatchPlan` draws, on the host and from one NumPy ``Generator``, the
validation split and each epoch's order of rows. Two sources turn that order
into batches of arrays: :class:`DeviceBatches` gathers them from arrays that
already live where the computation runs, :class:`HostBatches` gathers them
from host NumPy arrays (memory maps included) and copies them to the compute
device on a background thread, one batch ahead of the computation. Both give
the same batches for the same plan, so a fit does not depend on where its data
was stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import (
    device_dtype,
    host_floats,
    host_generator,
    host_take,
    is_memory_map,
    resolve,
    syncs_cheaply,
    to_device,
)

__all__ = ["SEGMENTS_PER_BATCH", "BatchPlan", "DeviceBatches", "HostBatches", "make_batches"]

# Rows are shuffled in contiguous segments of batch_size // SEGMENTS_PER_BATCH rows:
# a batch mixes 16 random places of the data, while a memory-mapped file is
# still read in runs of consecutive rows rather than one row per page.
SEGMENTS_PER_BATCH = 16


class BatchPlan:
    """The validation split and every epoch's batches, as row numbers drawn on the host.

    The rows ``0 .. n_samples - 1`` are cut into contiguous segments of
    ``max(1, batch_size // 16)`` rows. The validation split, if any, is a
    random ``validation_fraction`` of the segments (at least one, and at least
    one left for training). Each epoch visits the training segments in a fresh
    random order; consecutive runs of ``batch_size`` rows of that order are
    the batches (the last one may be shorter), each sorted so that a memory
    map is read front to back. Sorting does not change a batch's gradient,
    which sums over its rows.

    Parameters
    ----------
    n_samples : int
        Rows of the data.
    batch_size : int
        Rows per batch; at most the number of training rows is used.
    validation_fraction : float
        Share of the rows held out, ``0`` for none.
    rng : numpy.random.Generator
        The source of every random draw (see :func:`xlogreg._backend.host_generator`).

    Raises
    ------
    ValueError
        If a validation split is asked for and there are too few rows for one.

    Examples
    --------
    >>> from xlogreg._backend import host_generator
    >>> from xlogreg.solvers._stochastic import BatchPlan
    >>> plan = BatchPlan(10, 4, validation_fraction=0.0, rng=host_generator(0))
    >>> [len(rows) for rows in plan.batches(plan.epoch())]
    [4, 4, 2]
    """

    def __init__(self, n_samples: int, batch_size: int, *, validation_fraction: float, rng: Any):
        xp, _ = resolve()
        self.xp, self.rng = xp, rng
        self.n_samples = n_samples
        self.segment = max(1, batch_size // SEGMENTS_PER_BATCH)
        n_segments = -(-n_samples // self.segment)
        segments = xp.arange(n_segments, dtype=xp.int64)
        self.validation_rows = None
        if validation_fraction > 0.0:
            if n_segments < 2:
                raise ValueError(
                    f"early_stopping needs a validation split, but {n_samples} samples in "
                    f"segments of {self.segment} rows leave none for training; lower batch_size "
                    "or pass more samples"
                )
            n_held = min(max(1, round(validation_fraction * n_segments)), n_segments - 1)
            shuffled = xp.asarray(rng.permutation(n_segments))
            self.validation_rows = self._rows(xp.sort(shuffled[:n_held]))
            segments = xp.sort(shuffled[n_held:])
        self._train_segments = segments
        self.n_train = int(self._rows(segments).shape[0])
        self.batch_size = min(batch_size, self.n_train)

    def _rows(self, segments: Any) -> Any:
        """The row numbers of ``segments``, segment after segment, without rows past the end."""
        xp = self.xp
        offsets = xp.arange(self.segment, dtype=xp.int64)
        rows = xp.reshape(segments[:, None] * self.segment + offsets[None, :], (-1,))
        return rows[rows < self.n_samples]

    def epoch(self) -> Any:
        """The training rows in this epoch's order, each batch's run of rows sorted."""
        xp = self.xp
        order = xp.take(self._train_segments, xp.asarray(self.rng.permutation(self._n_segments())))
        rows = self._rows(order)
        size, n_full = self.batch_size, self.n_train // self.batch_size
        full = xp.reshape(xp.sort(xp.reshape(rows[: n_full * size], (n_full, size)), axis=1), (-1,))
        if n_full * size == self.n_train:
            return full
        return xp.concat([full, xp.sort(rows[n_full * size :])])

    def _n_segments(self) -> int:
        return int(self._train_segments.shape[0])

    def batches(self, rows: Any) -> list[Any]:
        """``rows`` cut into consecutive batches of ``batch_size``."""
        size, n_rows = self.batch_size, rows.shape[0]
        return [rows[start : min(start + size, n_rows)] for start in range(0, n_rows, size)]


class DeviceBatches:
    """Batches gathered from arrays on the compute device, with no host round trip.

    Each epoch's order of rows (a vector of ``n_train`` integers) is copied to
    the device once; every batch is then a ``take`` of its rows.

    Parameters
    ----------
    arrays : tuple of arrays
        ``(X, target, sample_weight)``, sharing their first dimension, namespace and device.
    plan : BatchPlan
    xp : module
    device : object
    """

    def __init__(self, arrays: tuple[Any, ...], plan: BatchPlan, *, xp: ModuleType, device: Any):
        self.arrays, self.plan, self.xp, self.device = arrays, plan, xp, device
        self.n_train, self.batch_size = plan.n_train, plan.batch_size
        self.dtype = arrays[0].dtype
        self._validation = (
            None if plan.validation_rows is None else to_device(plan.validation_rows, xp, device)
        )

    def _gather(self, rows: Any) -> Iterator[tuple[Any, ...]]:
        n_rows = rows.shape[0]
        for start in range(0, n_rows, self.batch_size):
            batch = rows[start : min(start + self.batch_size, n_rows)]
            yield tuple(self.xp.take(a, batch, axis=0) for a in self.arrays)

    def epoch(self) -> Iterator[tuple[Any, ...]]:
        """This epoch's training batches ``(X, target, sample_weight)``."""
        return self._gather(to_device(self.plan.epoch(), self.xp, self.device))

    def validation(self) -> Iterator[tuple[Any, ...]]:
        """The validation split, in batches of ``batch_size`` rows."""
        return self._gather(self._validation)

    def weight_sums(self) -> tuple[float, float]:
        """Total sample weight of the training rows and of the validation rows."""
        return _weight_sums(self.xp, self.arrays[2], self._validation)


class HostBatches:
    """Batches gathered from host NumPy arrays and copied to the compute device one batch ahead.

    A single background thread (a ``ThreadPoolExecutor`` with one worker)
    gathers the next batch's rows from the host arrays (a memory-mapped
    ``.npy`` file is read only where the batch lies), converts them to the
    compute dtype and copies them to the device, while the caller computes
    with the current batch. The data never needs to fit on the device: it
    holds two batches at a time.

    Parameters
    ----------
    arrays : tuple of NumPy arrays
        ``(X, target, sample_weight)`` on the host; ``X`` may be a memory map.
    plan : BatchPlan
    xp : module
        Namespace of the compute device.
    device : object
        The compute device.
    host_dtype : numpy dtype
        Floating dtype the batches are converted to on the host before the copy.
    prefetch : bool
        Load the next batch on the background thread; without, each batch is
        loaded when asked for (see :func:`make_batches`).
    """

    def __init__(
        self,
        arrays: tuple[Any, ...],
        plan: BatchPlan,
        *,
        xp: ModuleType,
        device: Any,
        host_dtype: Any,
        prefetch: bool = True,
    ):
        self.arrays, self.plan, self.xp, self.device = arrays, plan, xp, device
        self.host_dtype, self.prefetch = host_dtype, prefetch
        self.dtype = device_dtype(host_dtype, xp, device)
        self.n_train, self.batch_size = plan.n_train, plan.batch_size

    def _load(self, rows: Any) -> tuple[Any, ...]:
        host = self.plan.xp
        return tuple(
            to_device(
                host.astype(host_take(a, rows), self.host_dtype, copy=False), self.xp, self.device
            )
            for a in self.arrays
        )

    def _stream(self, rows: Any) -> Iterator[tuple[Any, ...]]:
        batches = self.plan.batches(rows)
        if not self.prefetch:
            for batch in batches:
                yield self._load(batch)
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlogreg-batches") as worker:
            ahead = worker.submit(self._load, batches[0])
            for following in batches[1:]:
                current = ahead.result()
                ahead = worker.submit(self._load, following)
                yield current
            yield ahead.result()

    def epoch(self) -> Iterator[tuple[Any, ...]]:
        """This epoch's training batches ``(X, target, sample_weight)`` on the compute device."""
        return self._stream(self.plan.epoch())

    def validation(self) -> Iterator[tuple[Any, ...]]:
        """The validation split, in batches of ``batch_size`` rows, on the compute device."""
        return self._stream(self.plan.validation_rows)

    def weight_sums(self) -> tuple[float, float]:
        """Total sample weight of the training rows and of the validation rows."""
        return _weight_sums(self.plan.xp, self.arrays[2], self.plan.validation_rows)


def _weight_sums(xp: ModuleType, weight: Any, validation_rows: Any) -> tuple[float, float]:
    total = xp.sum(weight)
    if validation_rows is None:
        (train,) = host_floats(xp, total)
        return train, 0.0
    held = xp.sum(xp.take(weight, validation_rows))
    train, validation = host_floats(xp, total - held, held)
    return train, validation


def make_batches(
    arrays: tuple[Any, ...],
    *,
    batch_size: int,
    validation_fraction: float,
    random_state: Any,
    xp: ModuleType,
    device: Any,
) -> DeviceBatches | HostBatches:
    """The batches of ``(X, target, sample_weight)`` for a computation with ``xp`` on ``device``.

    Host NumPy arrays are gathered on the host, and prefetched on a background
    thread when they go to an accelerator (whose computation the copy then
    overlaps) or come from a memory map (whose disk reads it overlaps); on the
    CPU, in memory, the hand-off between threads would cost more than it
    saves (measured 20% with torch on the CPU). Arrays of any other library
    are gathered where they are, which must be ``device``.
    """
    X = arrays[0]
    plan = BatchPlan(
        X.shape[0],
        batch_size,
        validation_fraction=validation_fraction,
        rng=host_generator(random_state),
    )
    if not array_api_compat.is_numpy_array(X):
        return DeviceBatches(arrays, plan, xp=xp, device=device)
    return HostBatches(
        arrays,
        plan,
        xp=xp,
        device=device,
        host_dtype=X.dtype,
        prefetch=is_memory_map(X) or not syncs_cheaply(xp, device),
    )
