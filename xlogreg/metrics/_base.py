"""What the metrics share to check their inputs: vectors, weights, the checked inputs' base.

Every check runs before any metric is computed and names the argument at
fault. The data-dependent checks summarize the data first (distinct labels,
score range, weight range, class totals: :func:`~._labels.label_summary`,
:func:`~._inputs.score_stats`, ...), reading the summary back in as few
transfers as possible, then judge it (:func:`~._labels.judge_labels`, ...). On Dask
arrays the same summaries are taken chunk by chunk where the chunks live and
merged (:mod:`._dask`), so both paths raise the same errors; :mod:`._checks`
decides which path a metric's inputs take.

The checked inputs (:class:`~._inputs.BinaryScores`,
:class:`~._predictions.Predictions`, :class:`~._targets.Targets`) hold their
arrays in memory, or, for Dask arrays, the row chunks those arrays live in
(``rows``). Metrics compute through :meth:`InputRows.summed` and
:meth:`InputRows.mean`, which run a kernel on the inputs in memory, and on
every chunk (rebuilt as in-memory inputs where it lives) for Dask arrays.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from array_api_compat import array_namespace
from array_api_compat import device as device_of

from xlogreg._backend import accumulation_dtype, as_array, integer_dtype
from xlogreg._target_validation import check_sample_weight, check_vector
from xlogreg.metrics._arithmetic import weighted_sum

__all__ = [
    "InputRows",
    "check_zero_division",
    "labeled_vectors",
    "nonempty_vector",
    "to_result",
    "weight_range",
    "weight_vector",
]


def to_result(xp: ModuleType, value: Any, dtype: Any, device: Any) -> Any:
    """Return ``value`` as an array of ``dtype`` on ``device`` (0-d for scalars)."""
    return xp.astype(xp.asarray(value, device=device), dtype)


def check_zero_division(zero_division: Any) -> float:
    """Check ``zero_division`` (0, 1 or NaN, as in scikit-learn) and return it as a float.

    Raises
    ------
    ValueError
        If it is anything else (scikit-learn's ``"warn"`` included: these
        metrics never warn).
    """
    if (
        isinstance(zero_division, numbers.Real)
        and not isinstance(zero_division, bool)
        and (zero_division in (0, 1) or math.isnan(zero_division))
    ):
        return float(zero_division)
    raise ValueError(f"zero_division must be 0, 1 or float('nan'), got {zero_division!r}")


def nonempty_vector(v: Any, name: str, *, xp: ModuleType, device: Any) -> Any:
    """Return ``v`` as a non-empty 1-D array.

    Raises
    ------
    ValueError
        If it is not 1-D or has no entries.
    """
    v = as_array(v, xp=xp, device=device)
    if v.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,), got shape {tuple(v.shape)}")
    if v.shape[0] == 0:
        raise ValueError(f"{name} is empty: it needs at least one sample")
    return v


def weight_vector(
    sample_weight: Any, *, xp: ModuleType, device: Any, n_samples: int, acc: Any
) -> Any:
    """Sample weights (None without) with the checks that need no pass over them:
    :func:`~xlogreg._validation.check_sample_weight` with ``scan=False``."""
    if sample_weight is None:
        return None
    return check_sample_weight(
        sample_weight,
        xp=xp,
        device=device,
        n_samples=n_samples,
        dtype=acc,
        reference="y_true",
        scan=False,
    )


def labeled_vectors(
    y_true: Any, other: Any, name: str, sample_weight: Any, *, xp: ModuleType, device: Any
) -> tuple:
    """The checks of labels, of another per-sample array ``name`` and of weights that need
    no pass over the data.

    Returns
    -------
    y_true, other, weight
        1-D arrays of one length, as given (``weight`` None without weights).
    acc
        The accumulation dtype.

    Raises
    ------
    ValueError
        On empty labels, arrays that are not 1-D or lengths that differ.
    """
    y_true = nonempty_vector(y_true, "y_true", xp=xp, device=device)
    n_samples = y_true.shape[0]
    other = check_vector(other, name, xp=xp, device=device, n_samples=n_samples, reference="y_true")
    acc = accumulation_dtype(xp, device)
    weight = weight_vector(sample_weight, xp=xp, device=device, n_samples=n_samples, acc=acc)
    return y_true, other, weight, acc


def weight_range(weight: Any, *, xp: ModuleType) -> list:
    """The lowest weight and the total weight, as 0-d arrays (to read back with others)."""
    return [xp.min(weight), xp.sum(weight)]


def _terms_sum(inputs: Any, terms: Callable, *args: Any) -> tuple[Any, Any]:
    """The (weighted) sum of ``terms(inputs, rows, *args)`` over the samples, and their weight."""
    return weighted_sum(
        inputs.xp,
        lambda rows: terms(inputs, rows, *args),
        inputs.n_samples,
        inputs.weight,
        dtype=inputs.acc,
        device=inputs.device,
    )


@dataclass(frozen=True, kw_only=True)
class InputRows:
    """What checked inputs share, whether their arrays are in memory or in Dask row chunks.

    Attributes
    ----------
    xp, device
        The namespace and device of the inputs (of their chunks, for Dask).
    weight : float array of shape (n_samples,) or None
        Sample weights in ``acc``; None when unweighted.
    acc
        The dtype sums accumulate in (float64 where the device has it).
    n_samples : int
        The number of samples.
    rows : ChunkedRows or None
        None in memory; for Dask arrays, the row chunks they live in (a
        :class:`~xlogreg.metrics._dask.ChunkedRows`), and the arrays of
        the inputs are None.
    """

    xp: ModuleType
    device: Any
    weight: Any
    acc: Any
    n_samples: int
    rows: Any = None

    @property
    def count_dtype(self) -> Any:
        """The dtype of unweighted counts: int64, or int32 on a device without it."""
        return integer_dtype(self.xp, self.device)

    @classmethod
    def _around(cls, lead: Any, **fields: Any) -> Any:
        """Inputs in memory, of the namespace, device and number of samples of ``lead``."""
        xp = array_namespace(lead)
        return cls(xp=xp, device=device_of(lead), n_samples=lead.shape[0], **fields)

    def summed(self, kernel: Callable, *args: Any, **kwargs: Any) -> Any:
        """``kernel(self, *args, **kwargs)``: an array or a tuple of arrays.

        On Dask arrays, the sum over row chunks of the kernel run on each
        chunk (as in-memory inputs) where it lives: only the sum comes back.
        The kernel must therefore be a sum over samples.
        """
        if self.rows is None:
            return kernel(self, *args, **kwargs)
        return self.rows.summed(kernel, *args, **kwargs)

    def mean(self, terms: Callable, *args: Any, normalize: bool = True) -> Any:
        """The (weighted) mean over samples of ``terms(inputs, rows, *args)``.

        ``terms`` maps a slice of the samples to their values (1-D, or 2-D
        with one column per output); they are summed a tile of samples at a
        time on the host (:func:`~xlogreg.metrics._arithmetic.weighted_sum`),
        in the accumulation dtype. With ``normalize=False``, the (weighted)
        sum.
        """
        total, weight = self.summed(_terms_sum, terms, *args)
        return total / weight if normalize else total
