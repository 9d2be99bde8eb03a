"""The linear models' one Dask fit: the training data checked where its chunks live,
and the objective summed over one objective per chunk.

:func:`chunked_problem` does what every estimator's fit on a Dask ``X`` does,
up to the solver: it refuses what only an in-memory fit offers, checks and
summarizes the chunks in one pass (:func:`~xlogreg._chunked_data.chunked_training_data`),
fits the scaler of ``standardize=True`` from their moments, and builds a
:class:`~xlogreg.objectives.ChunkedObjective` whose chunks each build the
estimator's objective (:class:`ChunkLoss` says which) on their own rows. The
estimator then runs its solver on the client and stores the solution as its
in-memory fit does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import array_api_compat

from xlogreg._chunked_data import ChunkedData, chunked_training_data
from xlogreg._validation import check_feature_names, check_matrix_shape
from xlogreg.linear_model._standardize import chunked_scaler
from xlogreg.objectives import ChunkedObjective
from xlogreg.objectives._layout import OutputLayout
from xlogreg.preprocessing import StandardScaler

__all__ = ["ChunkLoss", "ChunkedProblem", "chunked_problem", "refuse_in_memory_options"]


class ChunkLoss(NamedTuple):
    """The objective of a Dask fit, as each chunk builds it on its rows.

    Attributes
    ----------
    objective : type
        The objective class (:class:`~xlogreg.objectives.Binomial`,
        :class:`~xlogreg.objectives.Multinomial`,
        :class:`~xlogreg.objectives.SquaredError`), called on each chunk as
        ``objective(X, target, sample_weight, <penalty>=share * strength,
        fit_intercept=..., xp=...)``.
    penalty : str
        The keyword of its penalty strength (``"l2"``, ``"alpha"``).
    strength : float
        The penalty strength over all the rows; each chunk takes its share.
    n_outputs : int
        Rows ``(coef_k, intercept_k)`` of the flat parameter vector
        (:class:`~xlogreg.objectives._layout.OutputLayout`).
    weight_sums : list of float or None
        Each chunk's weight sum as the objective sees it (class weights
        applied); ``None`` for the sample-weight sums.
    encode : callable or None
        ``encode(y, sample_weight, xp=xp)`` on each chunk: the objective's
        target and weights (labels to indicators, class weights applied);
        ``None`` passes them unchanged. Runs on the workers: a module-level
        function or a :func:`functools.partial` of one.
    """

    objective: type
    penalty: str
    strength: float
    n_outputs: int
    weight_sums: list[float] | None = None
    encode: Callable | None = None


class ChunkedProblem(NamedTuple):
    """What the solver of a Dask fit needs, and what the fitted state stores.

    Attributes
    ----------
    objective : ChunkedObjective
        The estimator's objective, summed over the chunks where they live.
    layout : OutputLayout
        The flat parameter vector's rows, with an output axis.
    zeros : array of shape (n_params,)
        Zeros in the compute dtype, on the chunks' device: the solver's
        start, or the dtype and device of a warm start.
    data : ChunkedData
        The checked chunks and their summary (classes, training profile).
    scaler : StandardScaler or None
        With ``standardize=True``, fitted from the chunks' moments; each
        chunk's objective sees its rows standardized.
    feature_names : tuple of str
    """

    objective: ChunkedObjective
    layout: OutputLayout
    zeros: Any
    data: ChunkedData
    scaler: StandardScaler | None
    feature_names: tuple[str, ...]


def refuse_in_memory_options(estimator: Any, *, solver: bool, solvers: tuple[str, ...]) -> None:
    """Refuse, before any work, what a Dask ``X`` cannot give: a solver that is not
    among ``solvers`` (``solver=True``) and ``inference=True``.

    Raises
    ------
    ValueError
        Naming the option.
    """
    for name, refused in (("solver", solver), ("inference", estimator.inference)):
        if refused:
            raise ValueError(
                f"{name}={getattr(estimator, name)!r} is not available for a Dask array X; "
                f"fit with solver in {solvers} (and, for inference, on data in memory)"
            )


def chunked_problem(
    estimator: Any,
    X: Any,
    y: Any,
    sample_weight: Any,
    feature_names: Any,
    *,
    target: str,
    solver_refused: bool,
    solvers: tuple[str, ...],
    chunk_loss: Callable[[ChunkedData], ChunkLoss],
) -> ChunkedProblem:
    """Check a Dask ``X`` with ``y`` and ``sample_weight`` and build the objective of
    ``estimator``'s fit on it, summed over its chunks.

    Parameters
    ----------
    estimator : LogisticRegression or LinearRegression
        Its ``inference``, ``standardize`` and ``fit_intercept`` are read.
    X, y, sample_weight, feature_names
        ``fit``'s arguments.
    target : {"labels", "values"}
        What ``y`` holds (see :func:`~xlogreg._chunked_data.chunked_training_data`).
    solver_refused : bool
        Whether the estimator's solver is unavailable for a Dask ``X``.
    solvers : tuple of str
        The solvers that are, for the message.
    chunk_loss : callable
        ``chunk_loss(data)``: the estimator's :class:`ChunkLoss`, given the
        chunks' summary (its classes and their weights, say); it may raise
        the estimator's errors about them.

    Returns
    -------
    ChunkedProblem

    Raises
    ------
    ValueError
        As :func:`refuse_in_memory_options`, and the in-memory fit's errors
        about the data.
    """
    refuse_in_memory_options(estimator, solver=solver_refused, solvers=solvers)
    check_matrix_shape(X)
    feature_names = check_feature_names(feature_names, n_features=X.shape[1])
    data = chunked_training_data(
        X, y, sample_weight, target=target, scaler_moments=estimator.standardize
    )
    scaler = chunked_scaler(estimator, data, feature_names)
    loss = chunk_loss(data)
    layout = OutputLayout(
        n_features=data.n_features,
        n_outputs=loss.n_outputs,
        fit_intercept=estimator.fit_intercept,
        xp=data.xp,
    )
    build = functools.partial(
        _chunk_objective,
        objective=loss.objective,
        penalty=loss.penalty,
        strength=loss.strength,
        encode=loss.encode,
        fit_intercept=estimator.fit_intercept,
        scaler=scaler,
    )
    weight_sums = data.weight_sums if loss.weight_sums is None else loss.weight_sums
    objective = ChunkedObjective(
        data.chunks, build, weight_sums=weight_sums, n_params=layout.n_params
    )
    zeros = data.xp.zeros(layout.n_params, dtype=data.dtype, device=data.chunks.device)
    return ChunkedProblem(objective, layout, zeros, data, scaler, feature_names)


def _chunk_objective(
    X: Any,
    y: Any,
    sample_weight: Any,
    penalty_share: float,
    *,
    objective: type,
    penalty: str,
    strength: float,
    encode: Callable | None,
    fit_intercept: bool,
    scaler: StandardScaler | None,
) -> Any:
    """The objective of one chunk, with ``penalty_share`` of the penalty (on the chunk
    standardized by ``scaler``, when given); runs where the chunk lives."""
    xp = array_api_compat.array_namespace(X)
    if scaler is not None:
        X = scaler.transform(X)
    if encode is not None:
        y, sample_weight = encode(y, sample_weight, xp=xp)
    shared = {penalty: strength * penalty_share}
    return objective(X, y, sample_weight, **shared, fit_intercept=fit_intercept, xp=xp)
