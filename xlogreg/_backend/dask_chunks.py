"""Dask arrays: their row chunks, held where they live, and map-reduce over them.

A Dask array is row chunks of NumPy or CuPy arrays, possibly on the workers
of a ``dask.distributed`` cluster. The numerics never see one: they run on
the chunks, one chunk at a time, where the chunks live (``RowChunks.map``),
and only small per-chunk results are summed and returned
(``RowChunks.reduce``).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend.namespace import is_array

# Partial results summed per task of the reduction tree.
_FAN_IN = 8


def is_chunked(x: Any) -> bool:
    """Whether ``x`` is a Dask array (row chunks, possibly on a cluster)."""
    return array_api_compat.is_dask_array(x)


def chunk_namespace(x: Any) -> tuple[ModuleType, Any]:
    """The namespace and device of the chunks of a Dask array (NumPy's, or CuPy's)."""
    meta = x._meta
    return array_api_compat.array_namespace(meta), array_api_compat.device(meta)


def _as_dask(a: Any, rows: tuple[int, ...]) -> Any:
    """``a`` (a Dask or NumPy array) as a Dask array cut into the row chunks ``rows``."""
    import dask.array as da

    chunks = (rows, *(-1 for _ in range(a.ndim - 1)))
    if not is_chunked(a):
        a = da.from_array(a, chunks=chunks)
    return a.rechunk(chunks)


def known_rows(x: Any) -> Any:
    """The Dask array ``x`` with the sizes of its row chunks known, and none empty.

    Sizes are unknown (NaN) for arrays made from a DataFrame or by boolean
    indexing; they are then computed, without moving the chunks. Boolean
    indexing also leaves empty chunks, which are dropped (unless every row
    is gone): the kernels mapped over the chunks refuse empty input.
    """
    if any(n != n for n in x.chunks[0]):
        x = x.compute_chunk_sizes()
    rows = tuple(n for n in x.chunks[0] if n)
    if rows and len(rows) < len(x.chunks[0]):
        x = x.rechunk({0: rows})
    return x


def _concat_pieces(*pieces: tuple) -> tuple:
    """Items of the pieces concatenated along the first axis, item by item (``None`` stays)."""
    items = []
    for group in zip(*pieces, strict=True):
        if group[0] is None:
            items.append(None)
        else:
            xp = array_api_compat.array_namespace(*group)
            items.append(xp.concat(list(group), axis=0))
    return tuple(items)


def _n_rows(a: Any) -> int:
    return int(a.shape[0])


def _add_parts(parts: list) -> Any:
    """The sum of per-chunk results: arrays, or tuples of arrays summed entry by entry."""
    total = parts[0]
    for part in parts[1:]:
        if isinstance(total, tuple):
            total = tuple(a + b for a, b in zip(total, part, strict=True))
        else:
            total = total + part
    return total


class RowChunks:
    """Arrays cut into the same row chunks, held where they live: map-reduce over them.

    Built by :meth:`of` from Dask arrays (or NumPy arrays, cut into the first
    array's chunks), which are persisted once: on a ``dask.distributed``
    cluster each chunk stays in a worker's memory. :meth:`map` runs a
    function on every chunk where it lives and keeps the results there;
    :meth:`reduce` sums a function's per-chunk results in a tree of tasks and
    returns only the sum; :meth:`collect` returns each chunk's (small) result;
    :meth:`regroup` moves rows between chunks (by value ranges, say), from
    worker to worker.
    Functions receive the chunk's items (``None`` stays ``None``), then the
    call's ``args``; array arguments are shipped once per call, not per chunk.

    Attributes
    ----------
    rows : tuple of int
        The number of rows of each chunk.
    xp : module
        The namespace of the chunks (NumPy's or CuPy's).
    device : object
        The device of the chunks.
    """

    def __init__(
        self,
        parts: list[tuple],
        rows: tuple[int, ...],
        xp: ModuleType,
        device: Any,
        held: tuple = (),
    ) -> None:
        self._parts = parts
        self._held = held  # persisted collections: their chunks stay while these live
        self.rows = rows
        self.xp = xp
        self.device = device

    @classmethod
    def of(cls, X: Any, *others: Any) -> RowChunks:
        """``X`` (all its columns in each chunk) and ``others`` in one set of row chunks, persisted.

        The chunks are those of the first Dask array among ``X`` and
        ``others`` (``X`` itself, usually); the other arguments may be
        ``None`` (each chunk then gets ``None``), NumPy arrays or Dask arrays
        with as many rows, 1-D or 2-D.
        """
        import dask

        arrays = [a if a is None or not is_chunked(a) else known_rows(a) for a in (X, *others)]
        lead = next(a for a in arrays if a is not None and is_chunked(a))
        xp, device = chunk_namespace(lead)
        rows = tuple(int(n) for n in lead.chunks[0])
        arrays = [a if a is None else _as_dask(a, rows) for a in arrays]
        present = dask.persist(*(a for a in arrays if a is not None))
        stored = iter(present)
        arrays = [a if a is None else next(stored) for a in arrays]
        columns = [
            [None] * len(rows) if a is None else list(a.to_delayed().reshape(len(rows)))
            for a in arrays
        ]
        parts = [tuple(part) for part in zip(*columns, strict=True)]
        return cls(parts, rows, xp, device, held=present)

    def _calls(self, function: Callable, args: tuple, per_chunk: list | None, nout: Any) -> list:
        import dask

        shared = [dask.delayed(a) if is_array(a) else a for a in args]
        call = dask.delayed(function, pure=False, nout=nout)
        extra = per_chunk if per_chunk is not None else [()] * len(self._parts)
        return [call(*part, *own, *shared) for part, own in zip(self._parts, extra, strict=True)]

    def map(
        self,
        function: Callable,
        *args: Any,
        per_chunk: list[tuple] | None = None,
        nout: int | None = None,
    ) -> RowChunks:
        """``function(*chunk, *per_chunk[b], *args)`` on every chunk, kept where it ran.

        With ``nout``, the function returns a tuple of that many items, which
        become the chunks' items.
        """
        import dask

        results = dask.persist(*self._calls(function, args, per_chunk, nout))
        parts = [tuple(r) if nout is not None else (r,) for r in results]
        return RowChunks(parts, self.rows, self.xp, self.device)

    def reduce(self, function: Callable, *args: Any, per_chunk: list[tuple] | None = None) -> Any:
        """The sum over chunks of ``function(*chunk, *per_chunk[b], *args)``, on the caller.

        Results may be arrays or tuples of arrays (summed entry by entry); they
        are added in a tree of tasks next to the chunks, so one sum is
        transferred, whatever the number of chunks.
        """
        import dask

        parts = self._calls(function, args, per_chunk, None)
        add = dask.delayed(_add_parts, pure=False)
        while len(parts) > 1:
            parts = [add(parts[i : i + _FAN_IN]) for i in range(0, len(parts), _FAN_IN)]
        (total,) = dask.compute(parts[0])
        return total

    def collect(self, function: Callable, *args: Any, per_chunk: list[tuple] | None = None) -> list:
        """``[function(*chunk, *per_chunk[b], *args) for each chunk b]``, computed and returned
        to the caller: for small per-chunk results."""
        import dask

        return list(dask.compute(*self._calls(function, args, per_chunk, None)))

    def regroup(self, function: Callable, *args: Any, groups: int) -> RowChunks:
        """Rows moved between chunks: chunk ``g`` of the result gathers group ``g`` of every chunk.

        ``function(*chunk, *args)`` returns a sequence of ``groups`` tuples,
        one per group, each holding that chunk's rows of the group (one array
        per item, or ``None``). Each group's pieces are concatenated along the
        first axis by a task on the cluster: rows move between workers, never
        to the caller; only the number of rows of each new chunk comes back.
        The pieces are freed once the new chunks are held.
        """
        import dask

        split = dask.delayed(function, pure=False, nout=groups)
        shared = [dask.delayed(a) if is_array(a) else a for a in args]
        pieces = [split(*part, *shared) for part in self._parts]
        n_items = len(self._parts[0])
        join = dask.delayed(_concat_pieces, pure=False, nout=n_items)
        chunks = [join(*(piece[g] for piece in pieces)) for g in range(groups)]
        held = dask.persist(*(item for chunk in chunks for item in chunk))
        parts = [tuple(held[g * n_items : (g + 1) * n_items]) for g in range(groups)]
        count = dask.delayed(_n_rows, pure=True)
        rows = tuple(dask.compute(*(count(part[0]) for part in parts)))
        return RowChunks(parts, rows, self.xp, self.device)

    def as_array(self, item: int, dtype: Any, *, trailing: tuple[int, ...] = ()) -> Any:
        """Item ``item`` of every chunk as one lazy Dask array of ``dtype``, whose rows are
        the chunks' (each chunk's item has shape ``(rows, *trailing)``)."""
        import dask.array as da

        meta = self.xp.empty((0, *trailing), dtype=dtype, device=self.device)
        pieces = [
            da.from_delayed(part[item], shape=(rows, *trailing), dtype=dtype, meta=meta)
            for part, rows in zip(self._parts, self.rows, strict=True)
        ]
        return da.concatenate(pieces, axis=0)

    def subset(self, keep: list[bool]) -> RowChunks:
        """The chunks whose entry of ``keep`` is true."""
        parts = [p for p, k in zip(self._parts, keep, strict=True) if k]
        rows = tuple(r for r, k in zip(self.rows, keep, strict=True) if k)
        return RowChunks(parts, rows, self.xp, self.device, held=self._held)


def map_row_chunks(function: Callable[[Any], Any], X: Any) -> Any:
    """``function`` applied to each row chunk of the Dask array ``X``, lazily.

    ``function`` maps a chunk of rows (all columns) to an array with one entry
    or one row per input row; the result is a Dask array with ``X``'s row
    chunks, computed only when asked for. Its type and shape are those of
    ``function`` on one row of zeros.
    """
    xp, device = chunk_namespace(X)
    X = X.rechunk({1: -1})
    one = function(xp.zeros((1, X.shape[1]), dtype=X.dtype, device=device))
    meta = one[:0, ...]
    if one.ndim == 1:
        return X.map_blocks(function, drop_axis=1, dtype=one.dtype, meta=meta)
    chunks = (X.chunks[0], *((n,) for n in one.shape[1:]))
    return X.map_blocks(function, chunks=chunks, dtype=one.dtype, meta=meta)
