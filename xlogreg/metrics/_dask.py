"""Metrics on Dask arrays: the in-memory kernels, run on each row chunk where it lives.

A metric given Dask arrays (row chunks of NumPy or CuPy arrays, maybe held by
the workers of a ``dask.distributed`` cluster) never gathers them: the data
stay on the workers and only small results come back.

1. Checks. Shapes and lengths are checked on the client (Dask knows them);
   then every chunk is summarized where it lives by the in-memory summary
   (:func:`~._inputs.score_stats`, ...), the summaries are merged here and
   judged by the in-memory judges: the same errors, found in one pass.
2. Sums over samples (losses, confusion cells, bin totals, counts at given
   thresholds): the checked inputs hold a :class:`ChunkedRows`; each chunk
   is rebuilt as in-memory inputs on its worker, the metric's kernel runs on
   it, and the per-chunk results are summed in a tree of tasks
   (:meth:`ChunkedRows.summed`).
3. Metrics of the sorted scores (ROC AUC, average precision, the least-cost
   threshold, quantiles): a range partition, exact with ties
   (:meth:`ChunkedRows.ranged`). Splitters are picked from a strided sample
   of every chunk's scores; the rows move between workers into ranges of
   score values (ties always in one range); each range is sorted and counted
   on a worker (:func:`~._counts.float_counts`); the client turns the
   per-range totals into the totals above each range, and the metric's
   kernel runs on every range with them. The client receives O(number of
   chunks + number of ranges) numbers.

Results are arrays of the chunks' library (NumPy arrays, 0-d for scalars),
computed: a metric call on Dask arrays is eager. Only this module, the
checked inputs and :mod:`._checks` (which sends Dask arrays here) know about
Dask; :mod:`xlogreg._backend` holds the Dask calls themselves.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import array_api_compat
from array_api_compat import array_namespace
from array_api_compat import device as device_of

from xlogreg._backend import (
    RowChunks,
    chunk_namespace,
    describe,
    host_list,
    is_chunked,
    known_rows,
)
from xlogreg.metrics._base import labeled_vectors
from xlogreg.metrics._class_scores import (
    ClassScoreRules,
    ClassScores,
    ClassScoreStats,
    class_score_arrays,
    class_score_stats,
    judge_class_scores,
)
from xlogreg.metrics._counts import Above, DistinctScoreCounts, Ranked, float_counts
from xlogreg.metrics._inputs import (
    BinaryScores,
    ScoreRules,
    ScoreStats,
    cast_scores,
    judge_scores,
    score_stats,
    score_vectors,
)
from xlogreg.metrics._labels import LabelSummary
from xlogreg.metrics._predictions import (
    Predictions,
    PredictionStats,
    judge_predictions,
    prediction_stats,
)
from xlogreg.metrics._targets import (
    Targets,
    judge_targets,
    target_stats,
    target_vectors,
)

__all__ = [
    "ChunkedRows",
    "chunked_class_scores",
    "chunked_predictions",
    "chunked_scores",
    "chunked_targets",
]

# Scores sampled per chunk to pick the splitters of the value ranges: enough
# for ranges of about equal size, few enough that B chunks send 256·B numbers.
_SAMPLE = 256
# The fewest samples worth a range of their own: moving rows into ranges costs a
# task per chunk and range, and a range of 2^20 samples takes some 50 MB to count.
_MIN_RANGE_ROWS = 2**20


def _on_chunk(
    build: Callable, build_args: tuple, kernel: Callable, args: tuple, kwargs: dict, *items: Any
) -> Any:
    """``kernel(build(*items, *build_args), *args, **kwargs)``: a kernel on one chunk's inputs."""
    return kernel(build(*items, *build_args), *args, **kwargs)


@dataclass(frozen=True)
class ChunkedRows:
    """A metric's input arrays held in row chunks on the cluster, and how to use one chunk.

    Attributes
    ----------
    chunks : RowChunks
        The arrays, cut into the same row chunks.
    build : callable
        ``build(*chunk_items, *build_args)`` makes the in-memory inputs
        (:class:`~._inputs.BinaryScores`, ...) of one chunk.
    build_args : tuple
        The checked settings every chunk shares (positive label, dtypes).
    """

    chunks: RowChunks
    build: Callable
    build_args: tuple

    def _on_chunks(self, kernel: Callable, args: tuple, kwargs: dict | None = None) -> Callable:
        return partial(_on_chunk, self.build, self.build_args, kernel, args, kwargs or {})

    def summed(self, kernel: Callable, *args: Any, **kwargs: Any) -> Any:
        """The sum over chunks of ``kernel(chunk inputs, *args, **kwargs)``, each run where
        its chunk lives."""
        return self.chunks.reduce(self._on_chunks(kernel, args, kwargs))

    def _value_ranges(self, inputs: BinaryScores) -> RowChunks:
        """The samples moved into ranges of score values, lowest range first, as chunks of
        ``(positive, score, weight)``; ties always fall in one range.

        At most one range per chunk, so that a range takes about a chunk's
        memory, and none of fewer than :data:`_MIN_RANGE_ROWS` samples: moving
        the rows costs a task per chunk and range.
        """
        xp, acc = inputs.xp, inputs.acc
        n_ranges = min(len(self.chunks.rows), -(-inputs.n_samples // _MIN_RANGE_ROWS))
        cuts = xp.zeros(0, dtype=inputs.dtype, device=inputs.device)
        if n_ranges > 1:
            samples = self.chunks.collect(self._on_chunks(_score_sample, ()))
            values = xp.concat([values for values, _ in samples])
            weights = xp.concat(
                [
                    xp.full(values.shape[0], float(step), dtype=acc, device=inputs.device)
                    for values, step in samples
                ]
            )
            order = xp.argsort(values)
            values = xp.take(values, order)
            cumulative = xp.cumulative_sum(xp.take(weights, order))
            quantiles = xp.arange(1, n_ranges, dtype=acc, device=inputs.device)
            picks = xp.searchsorted(cumulative, quantiles * (cumulative[-1] / n_ranges))
            cuts = xp.sort(xp.unique_values(xp.take(values, picks)))
        return self.chunks.regroup(
            self._on_chunks(_split_by_value, (cuts,)), groups=cuts.shape[0] + 1
        )

    def ranged(
        self, inputs: BinaryScores, kernel: Callable, *args: Any, thresholds: bool = False
    ) -> Ranked:
        """:func:`~._counts.by_value_ranges` on Dask arrays: ``kernel`` on every range of
        scores where it lives, with the totals of the ranges above it."""
        xp = inputs.xp
        ranges = self._value_ranges(inputs)
        own = (True, inputs.dtype, inputs.acc)  # a range's items are positive, score, weight
        count = partial(_on_chunk, BinaryScores.of_arrays, own, _counts_tuple, (thresholds,), {})
        counts = ranges.map(count, nout=3)
        del ranges  # the counts are held: the moved rows can go
        totals = counts.collect(_range_totals)
        # Highest range first, as the kernels count from the highest score down.
        tps, fps = (xp.flip(xp.stack([t[i] for t in totals])) for i in (0, 1))
        tp_above, fp_above = (xp.cumulative_sum(c, include_initial=True) for c in (tps, fps))
        n_positive, n_negative = tp_above[-1], fp_above[-1]
        n_ranges = tps.shape[0]
        above = [
            (tp_above[n_ranges - 1 - r], fp_above[n_ranges - 1 - r], n_positive, n_negative)
            for r in range(n_ranges)
        ]
        results = counts.collect(partial(_on_range, kernel, args), per_chunk=above)
        return Ranked([r for r in reversed(results) if r is not None], n_positive, n_negative)

    def order_statistics(self, inputs: BinaryScores, ranks: list[int]) -> Any:
        """The scores of the given ranks (0 is the lowest), from the ranges of scores."""
        xp = inputs.xp
        ranges = self._value_ranges(inputs)
        starts = [0]
        for n in ranges.rows:
            starts.append(starts[-1] + n)
        wanted = sorted(set(ranks))
        local = [
            (tuple(k - start for k in wanted if start <= k < stop),)
            for start, stop in itertools.pairwise(starts)
        ]
        values = xp.concat(ranges.collect(_sorted_at, per_chunk=local))
        where = {k: i for i, k in enumerate(wanted)}
        return xp.take(values, xp.asarray([where[k] for k in ranks], device=inputs.device))


def _score_sample(inputs: BinaryScores) -> tuple[Any, int]:
    """Evenly spaced scores of a chunk (at most :data:`_SAMPLE`) and the samples each stands for."""
    step = max(1, -(-inputs.n_samples // _SAMPLE))
    return inputs.score[::step], step


def _split_by_value(inputs: BinaryScores, cuts: Any) -> list[tuple]:
    """A chunk's ``(positive, score, weight)`` cut into the ranges of values between ``cuts``.

    Range ``r`` holds the scores ``s`` with ``cuts[r - 1] < s <= cuts[r]``.
    """
    xp = inputs.xp
    ids = xp.searchsorted(cuts, inputs.score, side="left")
    order = xp.argsort(ids, stable=True)
    ids = xp.take(ids, order)
    groups = cuts.shape[0] + 1
    bounds = host_list(xp.searchsorted(ids, xp.arange(groups + 1, device=inputs.device)))
    items = [
        None if a is None else xp.take(a, order)
        for a in (inputs.positive, inputs.score, inputs.weight)
    ]
    return [
        tuple(None if a is None else a[bounds[g] : bounds[g + 1]] for a in items)
        for g in range(groups)
    ]


def _counts_tuple(inputs: BinaryScores, thresholds: bool) -> tuple:
    return tuple(float_counts(inputs, thresholds=thresholds))


def _range_totals(thresholds: Any, tps: Any, fps: Any) -> tuple[Any, Any]:
    """The (weighted) positives and negatives of a range (zero for a range without any)."""
    xp = array_namespace(tps)
    return xp.sum(tps[-1:]), xp.sum(fps[-1:])


def _on_range(
    kernel: Callable,
    args: tuple,
    thresholds: Any,
    tps: Any,
    fps: Any,
    tp_above: Any,
    fp_above: Any,
    n_positive: Any,
    n_negative: Any,
) -> Any:
    """The kernel on a range's counts; None for a range without weighted samples."""
    if tps.shape[0] == 0:
        return None
    counts = DistinctScoreCounts(thresholds, tps, fps)
    above = Above(tp_above, fp_above, n_positive, n_negative)
    return kernel(array_namespace(tps), counts, above, *args)


def _sorted_at(positive: Any, score: Any, weight: Any, ranks: tuple) -> Any:
    """The scores of a range at the given ranks in it."""
    xp = array_namespace(score)
    if not ranks:
        return score[:0]
    return xp.take(xp.sort(score), xp.asarray(list(ranks), device=device_of(score)))


# --- Checks: shapes on the client, one summary per chunk, merged and judged ---


def _namespace(**arrays: Any) -> tuple[Any, Any, dict]:
    """The namespace and device of the Dask arrays' chunks, and the arrays with the sizes
    of their row chunks known.

    Raises
    ------
    TypeError
        If the chunks, or the arrays that are not Dask arrays, come from
        different libraries.
    """
    arrays = {k: known_rows(a) if a is not None and is_chunked(a) else a for k, a in arrays.items()}
    chunked = {k: a for k, a in arrays.items() if a is not None and is_chunked(a)}
    xp, device = chunk_namespace(next(iter(chunked.values())))
    found = {
        k: chunk_namespace(a)[0] if is_chunked(a) else array_namespace(a)
        for k, a in arrays.items()
        if a is not None and array_api_compat.is_array_api_obj(a) and not isinstance(a, int | float)
    }
    if any(namespace is not xp for namespace in found.values()):
        kinds = ", ".join(
            f"{k} is a Dask array of {_library(namespace)} chunks"
            if is_chunked(arrays[k])
            else f"{k} is a {describe(arrays[k])}"
            for k, namespace in found.items()
        )
        raise TypeError(
            f"inputs mix array libraries ({kinds}); pass Dask arrays, and arrays of the "
            "library of their chunks"
        )
    return xp, device, arrays


def _held(kind: type, chunks: RowChunks, build_args: tuple, **fields: Any) -> Any:
    """Checked inputs of ``kind`` held in ``chunks``: each chunk makes its in-memory inputs
    by ``kind.of_arrays(*chunk, *build_args)``; the arrays are None."""
    held = {
        "xp": chunks.xp,
        "device": chunks.device,
        "n_samples": sum(chunks.rows),
        "rows": ChunkedRows(chunks, kind.of_arrays, build_args),
    }
    arrays = {f.name: None for f in dataclasses.fields(kind) if f.name not in {*held, *fields}}
    return kind(**held, **fields, **arrays)


def _library(xp: Any) -> str:
    return xp.__name__.rpartition(".")[2]


def _lowest(values: list[float]) -> float:
    """The least value, NaN if any is NaN."""
    return math.nan if any(v != v for v in values) else min(values)


def _highest(values: list[float]) -> float:
    """The greatest value, NaN if any is NaN."""
    return math.nan if any(v != v for v in values) else max(values)


def _merged_labels(parts: list[LabelSummary]) -> LabelSummary:
    """The label summary of all the chunks: exact while no chunk kept only part of its labels."""
    found = sorted(set().union(*(part.shown for part in parts)))
    complete = all(part.count == len(part.shown) for part in parts)
    count = len(found) if complete else max(len(found), *(part.count for part in parts))
    finite = all(part.finite for part in parts)
    return LabelSummary(tuple(found), count, finite, not complete)


def _merged_weights(parts: list[tuple | None]) -> tuple | None:
    if parts[0] is None:
        return None
    return _lowest([p[0] for p in parts]), sum(p[1] for p in parts)


def _merged_score_stats(parts: list[ScoreStats]) -> ScoreStats:
    labels = _merged_labels([p.labels for p in parts])
    totals: dict = {}
    for part in parts:
        for label, amount in zip(part.labels.shown, part.class_totals, strict=False):
            totals[label] = totals.get(label, 0.0) + amount
    class_totals = tuple(totals.get(label, 0.0) for label in labels.shown)
    if labels.count > 2:
        class_totals = ()
    score_range = (
        _lowest([p.score_range[0] for p in parts]),
        _highest([p.score_range[1] for p in parts]),
    )
    return ScoreStats(
        labels, class_totals, score_range, _merged_weights([p.weight_range for p in parts])
    )


def _chunk_score_stats(
    y_true: Any, score: Any, weight: Any, dtype: Any, acc: Any, classes: bool
) -> ScoreStats:
    xp = array_namespace(y_true, score)
    score, weight = cast_scores(score, weight, xp=xp, dtype=dtype, acc=acc)
    return score_stats(y_true, score, weight, xp=xp, acc=acc, classes=classes)


def chunked_scores(
    y_true: Any, y_score: Any, sample_weight: Any, rules: ScoreRules
) -> BinaryScores:
    """:func:`~._checks.check_binary_scores` of Dask arrays: the checked inputs hold the
    row chunks (``rows``) instead of arrays."""
    score_name = rules.score_name
    xp, device, arrays = _namespace(
        y_true=y_true, **{score_name: y_score}, sample_weight=sample_weight
    )
    y_true, score, weight, dtype, acc = score_vectors(
        arrays["y_true"],
        arrays[score_name],
        arrays["sample_weight"],
        xp=xp,
        device=device,
        score_name=score_name,
    )
    chunks = RowChunks.of(y_true, score, weight)
    stats = chunks.collect(_chunk_score_stats, dtype, acc, bool(rules.needs))
    label = judge_scores(_merged_score_stats(stats), rules)
    weighted = weight is not None
    return _held(BinaryScores, chunks, (label, dtype, acc), dtype=dtype, acc=acc, weighted=weighted)


def _chunk_class_score_stats(
    y_true: Any, score: Any, weight: Any, dtype: Any, acc: Any
) -> ClassScoreStats:
    xp = array_namespace(y_true, score)
    score, weight = cast_scores(score, weight, xp=xp, dtype=dtype, acc=acc)
    return class_score_stats(y_true, score, weight, xp=xp, acc=acc)


def chunked_class_scores(
    y_true: Any, y_score: Any, sample_weight: Any, rules: ClassScoreRules
) -> ClassScores:
    """:func:`~._checks.check_class_scores` of Dask arrays: the checked inputs hold the
    row chunks (``rows``) instead of arrays."""
    score_name = rules.score_name
    xp, device, arrays = _namespace(
        y_true=y_true, **{score_name: y_score}, sample_weight=sample_weight
    )
    y_true, score, weight, dtype, acc = class_score_arrays(
        arrays["y_true"],
        arrays[score_name],
        arrays["sample_weight"],
        xp=xp,
        device=device,
        score_name=score_name,
    )
    chunks = RowChunks.of(y_true, score, weight)
    parts = chunks.collect(_chunk_class_score_stats, dtype, acc)
    merged = ClassScoreStats(
        _merged_labels([p.labels for p in parts]),
        (_lowest([p.score_range[0] for p in parts]), _highest([p.score_range[1] for p in parts])),
        _highest([p.sum_error for p in parts]),
        _merged_weights([p.weight_range for p in parts]),
    )
    eps = float(xp.finfo(dtype).eps)
    classes = tuple(judge_class_scores(merged, rules, score.shape[1], eps))
    settings = {"classes": classes, "dtype": dtype, "acc": acc}
    return _held(
        ClassScores, chunks, tuple(settings.values()), **settings, weighted=weight is not None
    )


def _chunk_prediction_stats(
    y_true: Any, y_pred: Any, weight: Any, acc: Any, labeled: bool
) -> PredictionStats:
    xp = array_namespace(y_true, y_pred)
    if weight is not None:
        weight = xp.astype(weight, acc, copy=False)
    return prediction_stats(y_true, y_pred, weight, xp=xp, labeled=labeled)


def chunked_predictions(
    y_true: Any, y_pred: Any, sample_weight: Any, *, labeled: bool
) -> Predictions:
    """:func:`~._checks.check_predictions` of Dask arrays: the checked inputs hold the row
    chunks (``rows``) instead of arrays."""
    xp, device, arrays = _namespace(y_true=y_true, y_pred=y_pred, sample_weight=sample_weight)
    y_true, y_pred, weight, acc = labeled_vectors(
        arrays["y_true"], arrays["y_pred"], "y_pred", arrays["sample_weight"], xp=xp, device=device
    )
    chunks = RowChunks.of(y_true, y_pred, weight)
    parts = chunks.collect(_chunk_prediction_stats, acc, labeled)
    labels = [None, None]
    if labeled:
        labels = [_merged_labels([p.true_labels for p in parts])]
        labels.append(_merged_labels([p.pred_labels for p in parts]))
    merged = PredictionStats(*labels, _merged_weights([p.weight_range for p in parts]))
    labels = judge_predictions(merged)
    return _held(Predictions, chunks, (labels, acc), labels=labels, acc=acc)


def _chunk_target_stats(true: Any, pred: Any, weight: Any, dtype: Any, acc: Any) -> tuple:
    targets = Targets.of_arrays(true, pred, weight, dtype, acc, "raw_values")
    return target_stats(targets.true, targets.pred, targets.weight, xp=targets.xp, acc=acc)


def chunked_targets(y_true: Any, y_pred: Any, sample_weight: Any, multioutput: str) -> Targets:
    """:func:`~._checks.check_targets` of Dask arrays: the checked targets hold the row
    chunks (``rows``) instead of arrays."""
    xp, device, arrays = _namespace(y_true=y_true, y_pred=y_pred, sample_weight=sample_weight)
    true, pred, weight, dtype, acc = target_vectors(
        arrays["y_true"], arrays["y_pred"], arrays["sample_weight"], xp=xp, device=device
    )
    chunks = RowChunks.of(true, pred, weight)
    parts = chunks.collect(_chunk_target_stats, dtype, acc)
    merged = [
        merge([p[i] for p in parts])
        for i, merge in enumerate((_lowest, _highest, _lowest, _highest))
    ]
    if weight is not None:
        merged += list(_merged_weights([p[4:] for p in parts]))
    judge_targets(tuple(merged))
    settings = {"dtype": dtype, "acc": acc, "multioutput": multioutput}
    return _held(Targets, chunks, tuple(settings.values()), **settings, ndim=true.ndim)
