"""Loss functions to minimize: value, gradient, Hessian-vector products, Hessian.

An objective knows losses, not models or solvers. It is built from
``(X, y, sample_weight, penalty, fit_intercept)`` and offers ``loss(w)``,
``loss_grad(w)`` (one pass over ``X`` for both), ``hessp(w, v)``,
``hessian(w)`` and ``hessian_diagonal(w, max_rows=None)`` (estimated from
``max_rows`` evenly spaced rows when given) for a flat parameter vector ``w``.
The intercept is handled here once, without ever copying ``X`` to append a
column of ones; the L2 penalty of the coefficients is written once, in
:class:`~xlogreg.objectives._penalty.L2`, and added by each loss.
:class:`ChunkedObjective` sums any of them over the row chunks of a Dask
array, each chunk's share evaluated where the chunk lives.
:class:`BatchedLogistic` evaluates many logistic models on one ``X`` at once
(a penalty grid over cross-validation folds), one read of ``X`` for all;
:class:`ChunkedBatchedLogistic` does so over a Dask array's chunks.
"""

from xlogreg.objectives._batched import BatchedLogistic
from xlogreg.objectives._binomial import Binomial
from xlogreg.objectives._dask import ChunkedObjective
from xlogreg.objectives._dask_batched import ChunkedBatchedLogistic
from xlogreg.objectives._multinomial import Multinomial
from xlogreg.objectives._squared import SquaredError
from xlogreg.objectives._temperature import Temperature

__all__ = [
    "BatchedLogistic",
    "Binomial",
    "ChunkedBatchedLogistic",
    "ChunkedObjective",
    "Multinomial",
    "SquaredError",
    "Temperature",
]
