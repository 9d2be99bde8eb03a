"""The regression searches on a Dask ``X``: their sufficient statistics and their test sums,
added up over the row chunks where they live.

:class:`~xlogreg.LassoCV`, :class:`~xlogreg.ElasticNetCV`, :class:`~xlogreg.RidgeCV` and
:func:`~xlogreg.linear_model.enet_path` work from each fold's weighted means and centred
Gram matrix (:class:`~xlogreg.objectives._weighted_grams.GramStatistics`). On a Dask
array, each chunk finds its rows' test folds (scikit-learn's ``KFold``, from the rows
before it: :func:`~xlogreg.model_selection._folds.chunk_test_folds`) and sums its rows'
moments per fold around a shift shared by every chunk; the sums are added in a tree of
tasks next to the chunks (:meth:`~xlogreg._backend.RowChunks.reduce`), and the client
finishes the centring as in memory (:func:`chunked_statistics`). The solvers then run on
the small matrices. A second pass sums each fold's test residuals for its models
(:func:`chunked_residual_sums`), or ridge's leave-one-out errors for every alpha
(:func:`chunked_ridge_gcv`): only per-fold, per-model sums reach the client.
"""

from __future__ import annotations

from typing import Any

import array_api_compat

from xlogreg._backend import accumulation_dtype, host_list
from xlogreg._chunked_data import ChunkedData, chunked_training_data
from xlogreg._moments import check_finite_moments
from xlogreg._validation import check_feature_names, check_matrix_shape
from xlogreg.linear_model._ridge_gcv import (
    GCVDecomposition,
    best_mean,
    gcv_choice,
    ridge_gcv_alpha,
    ridge_gcv_coef,
    ridge_gcv_statistics,
    ridge_models,
    ridge_solution,
)
from xlogreg.model_selection._folds import chunk_test_folds, chunked_n_splits, fold_bounds
from xlogreg.objectives._weighted_grams import (
    GramStatistics,
    complement_statistics,
    moment_statistics,
    residual_sums,
    shifted_moments,
)

__all__ = [
    "SUM_SCORES",
    "chunked_residual_sums",
    "chunked_ridge_cv",
    "chunked_ridge_gcv",
    "chunked_ridge_k_fold",
    "chunked_statistics",
]


def chunked_statistics(
    data: ChunkedData,
    n_splits: int | None,
    *,
    center: bool,
    one_target: bool,
    dtype: Any = None,
) -> GramStatistics:
    """The :class:`~xlogreg.objectives._weighted_grams.GramStatistics` of the Dask fit's
    chunks: of each ``KFold`` fold's training rows then of all the rows, or of all the rows
    (``n_splits=None``), in one pass over the chunks.

    Each chunk sums, per test fold, its rows' weighted moments around a shift shared by
    all chunks (the columns' mean, found by :func:`~xlogreg._chunked_data.chunked_training_data`,
    and the first chunk's target mean; zero without ``center``); the client adds the sums
    of the chunks, and centres them as :func:`~xlogreg.objectives._weighted_grams.fold_grams`
    does in memory.

    Parameters
    ----------
    data : ChunkedData
        The checked chunks (``target="values"``).
    n_splits : int or None
        The folds, or ``None`` for all the rows alone.
    center : bool
        Centre around each weighting's means.
    one_target : bool
        Whether ``y`` is 1-D (the statistics then have no target axis).
    dtype : dtype, optional
        Compute in this dtype (the chunks are cast where they live); the chunks' by default.

    Returns
    -------
    GramStatistics
    """
    xp, chunks = data.xp, data.chunks
    dtype = data.dtype if dtype is None else dtype
    device = chunks.device
    n_samples = sum(chunks.rows)
    if center:
        first = [False] * len(chunks.rows)
        first[next(b for b, rows in enumerate(chunks.rows) if rows > 0)] = True
        (y_shift,) = chunks.subset(first).collect(_target_mean, dtype)
        x_shift = xp.astype(data.profile.mean, dtype)
    else:
        x_shift = xp.zeros(data.n_features, dtype=dtype, device=device)
        y_shift = None
    bounds = None if n_splits is None else fold_bounds(n_splits, [n_samples])
    moments = chunks.reduce(
        _chunk_moments, bounds, x_shift, y_shift, dtype, per_chunk=_offsets(chunks.rows)
    )
    if y_shift is None:
        y_shift = xp.zeros(moments[1].shape[1] - data.n_features, dtype=dtype, device=device)
    finish = moment_statistics if n_splits is None else complement_statistics
    return finish(*moments, x_shift, y_shift, center=center, one_target=one_target, xp=xp)


def chunked_residual_sums(
    data: ChunkedData, n_splits: int, coefs: Any, intercepts: Any, y_means: Any = None
) -> tuple[Any, Any, Any, Any]:
    """Each ``KFold`` fold's weighted residual sums of its models on its test rows, summed
    over the chunks (:func:`~xlogreg.objectives._weighted_grams.residual_sums` per chunk).

    Parameters
    ----------
    data : ChunkedData
        The checked chunks.
    n_splits : int
        The folds.
    coefs : array of shape (n_splits, n_features, n_models · n_targets)
        Each fold's models (model ``k·T + t`` predicts target ``t``).
    intercepts : array of shape (n_splits, n_models · n_targets)
        Their intercepts.
    y_means : array of shape (n_splits, n_targets), optional
        Each fold's weighted test mean of the targets, for their squared deviations.

    Returns
    -------
    squared, absolute : arrays of shape (n_splits, n_models, n_targets)
        ``Σ w r²`` and ``Σ w |r|`` over each fold's test rows.
    weight_sums : array of shape (n_splits,)
        ``Σ w``.
    deviations : array of shape (n_splits, n_targets) or None
        ``Σ w (y − ȳ)²`` (with ``y_means``).
    """
    chunks = data.chunks
    bounds = fold_bounds(n_splits, [sum(chunks.rows)])
    sums = chunks.reduce(
        _chunk_residuals, bounds, coefs, intercepts, y_means, per_chunk=_offsets(chunks.rows)
    )
    return sums if y_means is not None else (*sums, None)


def chunked_ridge_cv(
    estimator: Any,
    X: Any,
    y: Any,
    sample_weight: Any,
    feature_names: Any,
    alphas: list[float],
    scorer: Any,
) -> dict[str, Any]:
    """:class:`~xlogreg.RidgeCV`'s search on a Dask ``X`` (its fitted attributes): generalized
    cross-validation with more rows than features and the mean squared leave-one-out error
    (:func:`chunked_ridge_gcv`), or ``KFold`` (an integer ``cv``) scored by a sum over the
    test rows (:func:`chunked_ridge_k_fold`, :data:`SUM_SCORES`).

    Raises
    ------
    ValueError
        Before any pass over the chunks, naming the parameter: ``store_cv_results=True``,
        a ``scoring`` with ``cv=None``, ``gcv_mode="svd"``, no more rows than features
        with ``cv=None``, a ``cv`` that is not an integer, or a ``scoring`` outside
        :data:`SUM_SCORES`.
    """
    check_matrix_shape(X)
    n_samples, n_features = X.shape
    n_splits = None
    if estimator.cv is None:
        if estimator.store_cv_results:
            raise ValueError(
                "store_cv_results=True keeps every row's leave-one-out values, and a Dask X "
                "keeps its rows on the workers: fit without it, or compute X first"
            )
        if scorer is not None:
            raise ValueError(
                f"scoring={estimator.scoring!r}: generalized cross-validation on a Dask X scores "
                "by the mean squared leave-one-out error (scoring=None); pass an integer cv "
                "to score the folds by another name"
            )
        if estimator.gcv_mode == "svd":
            raise ValueError(
                "gcv_mode='svd' decomposes X itself, which a Dask X keeps on the workers: "
                "use gcv_mode=None or 'eigen'"
            )
        if n_samples <= n_features:  # NaN rows (unknown) pass: checked after the pass
            raise ValueError(
                f"cv=None on a Dask X needs more rows than features, got {n_samples} rows "
                f"and {n_features} features: pass an integer cv"
            )
    else:
        n_splits = chunked_n_splits(estimator.cv, 5, n_samples)
        if scorer is not None and (scorer.is_callable or scorer.name not in SUM_SCORES):
            raise ValueError(
                f"scoring={estimator.scoring!r}: RidgeCV on a Dask X scores the folds by one of "
                f"{list(SUM_SCORES)}, sums over the test rows"
            )
    feature_names = check_feature_names(feature_names, n_features=n_features)
    data = chunked_training_data(X, y, sample_weight, target="values")
    profile = data.profile
    check_finite_moments(profile.mean, profile.std, xp=data.xp, feature_names=feature_names)
    one_target = getattr(y, "ndim", 1) == 1
    common = {
        "n_features_in_": n_features,
        "feature_names_in_": feature_names,
        "training_profile_": profile,
    }
    if n_splits is not None:
        fitted = chunked_ridge_k_fold(
            data,
            n_splits,
            alphas,
            None if scorer is None else scorer.name,
            fit_intercept=estimator.fit_intercept,
            one_target=one_target,
        )
        return {**fitted, **common}
    if sum(data.chunks.rows) <= n_features:
        raise ValueError(
            f"cv=None on a Dask X needs more rows than features, got "
            f"{sum(data.chunks.rows)} rows and {n_features} features: pass an integer cv"
        )
    per_target = estimator.alpha_per_target and not one_target and y.shape[1] > 1
    fitted = chunked_ridge_gcv(
        data,
        alphas,
        fit_intercept=estimator.fit_intercept,
        per_target=per_target,
        one_target=one_target,
    )
    return {**fitted, **common}


def chunked_ridge_gcv(
    data: ChunkedData,
    alphas: list[float],
    *,
    fit_intercept: bool,
    per_target: bool,
    one_target: bool,
) -> dict[str, Any]:
    """``RidgeCV``'s generalized cross-validation on the chunks (more rows than features):
    the eigendecomposition of ``ZᵀZ`` from their summed moments, every alpha's mean squared
    leave-one-out error from their sums (each chunk sums its rows'), all in the widest
    float; returns the fitted ``alpha_``, ``best_score_``, ``coef_`` and ``intercept_``."""
    xp = data.xp
    wide = accumulation_dtype(xp, data.chunks.device)
    stats = chunked_statistics(data, None, center=True, one_target=False, dtype=wide)
    decomposition = ridge_gcv_statistics(stats, fit_intercept=fit_intercept, xp=xp)
    # Every alpha's sum of squared leave-one-out errors (times √s, scikit-learn's looe).
    sums = data.chunks.reduce(_chunk_gcv_errors, decomposition, alphas, fit_intercept, wide)
    n_samples = sum(data.chunks.rows)
    if per_target:
        scores = host_list(-sums / n_samples)
    else:
        scores = [
            [value] for value in host_list(-xp.sum(sums, axis=1) / (n_samples * sums.shape[1]))
        ]
    coefs = [ridge_gcv_coef(decomposition, alpha) for alpha in alphas]
    return gcv_choice(
        alphas,
        scores,
        coefs,
        decomposition,
        per_target=per_target,
        one_target=one_target,
        dtype=data.dtype,
    )


def chunked_ridge_k_fold(
    data: ChunkedData,
    n_splits: int,
    alphas: list[float],
    scoring: str,
    *,
    fit_intercept: bool,
    one_target: bool,
) -> dict[str, Any]:
    """``RidgeCV`` with ``KFold(n_splits)`` on the chunks: every fold's (and the refit's) ridge
    fits from their summed moments, each fold's test score (one of :data:`SUM_SCORES`) from
    its test residuals' sums (:func:`chunked_residual_sums`); returns the fitted ``alpha_``,
    ``best_score_``, ``coef_`` and ``intercept_`` (the chosen alpha's fit on all the rows)."""
    xp = data.xp
    stats = chunked_statistics(data, n_splits, center=fit_intercept, one_target=False)
    coefs, intercepts = ridge_models(stats, alphas, xp=xp)  # (F + 1, A, d, T), (F + 1, A, T)
    n_features = coefs.shape[2]
    train = stats.weight_sum[:n_splits, None] * stats.y_mean[:n_splits, :]
    total = stats.weight_sum[n_splits] * stats.y_mean[n_splits, :]
    test_means = (total - train) / (stats.weight_sum[n_splits] - stats.weight_sum[:n_splits])[
        :, None
    ]
    squared, absolute, weight_sums, deviations = chunked_residual_sums(
        data,
        n_splits,
        xp.reshape(
            xp.permute_dims(coefs[:n_splits, ...], (0, 2, 1, 3)), (n_splits, n_features, -1)
        ),
        xp.reshape(intercepts[:n_splits, ...], (n_splits, -1)),
        test_means,
    )
    scores = host_list(
        _sum_scores(
            scoring, squared, absolute, weight_sums[:, None, None], deviations[:, None, :], xp=xp
        )
    )
    best, best_score = best_mean(scores)
    coef, intercept = coefs[n_splits, best, ...], intercepts[n_splits, best, :]
    fitted = ridge_solution(xp.permute_dims(coef, (1, 0)), intercept, one_target=one_target)
    return {"alpha_": alphas[best], "best_score_": best_score, **fitted}


#: The scores that ``RidgeCV``'s k-fold search on a Dask ``X`` computes from sums of the
#: test residuals (``None`` is R²).
SUM_SCORES = (
    None,
    "r2",
    "neg_mean_squared_error",
    "neg_root_mean_squared_error",
    "neg_mean_absolute_error",
)


def _sum_scores(
    scoring: str | None, squared: Any, absolute: Any, weight_sum: Any, deviations: Any, *, xp: Any
) -> Any:
    """Each fold's and alpha's score, averaged over the targets as scikit-learn's metrics
    (``multioutput="uniform_average"``), from the test rows' weighted sums."""
    if scoring in (None, "r2"):
        # r2_score's force_finite: a constant target scores 1 when predicted exactly, else 0.
        ratio = squared / xp.where(deviations == 0, xp.ones_like(deviations), deviations)
        values = xp.where(deviations == 0, xp.astype(squared == 0, squared.dtype), 1.0 - ratio)
    elif scoring == "neg_mean_absolute_error":
        values = -absolute / weight_sum
    elif scoring == "neg_mean_squared_error":
        values = -squared / weight_sum
    else:
        values = -xp.sqrt(squared / weight_sum)
    return xp.mean(values, axis=2)


def _offsets(rows: tuple[int, ...]) -> list[tuple[int]]:
    """Each chunk's first row, as its per-chunk argument."""
    starts, before = [], 0
    for n in rows:
        starts.append((before,))
        before += n
    return starts


def _cast(X: Any, y: Any, weight: Any, dtype: Any) -> tuple[Any, Any, Any, Any]:
    """The chunk's namespace, and its ``X``, ``y`` (2-D) and weights in ``dtype``."""
    xp = array_api_compat.array_namespace(X)
    Y = y[:, None] if y.ndim == 1 else y
    return xp, xp.astype(X, dtype), xp.astype(Y, dtype), xp.astype(weight, dtype)


def _target_mean(X: Any, y: Any, weight: Any, dtype: Any) -> Any:
    """The chunk's (unweighted) target mean: the shift of the targets' moments."""
    xp, _, Y, _ = _cast(X, y, weight, dtype)
    return xp.mean(Y, axis=0)


def _test_groups(weight: Any, before: int, bounds: list | None, *, xp: Any) -> list:
    """The chunk's rows of each test fold (all its rows as one group without folds)."""
    if bounds is None:
        return [xp.arange(weight.shape[0], device=array_api_compat.device(weight))]
    folds = chunk_test_folds(weight, None, [before], bounds, xp=xp)
    return [xp.nonzero(folds == k)[0] for k in range(len(bounds[0]))]


def _chunk_moments(
    X: Any,
    y: Any,
    weight: Any,
    before: int,
    bounds: list | None,
    x_shift: Any,
    y_shift: Any,
    dtype: Any,
) -> tuple[Any, Any, Any]:
    """The chunk's moments per test fold around the shift (zero when ``y_shift`` is None)."""
    xp, X, Y, weight = _cast(X, y, weight, dtype)
    if y_shift is None:
        y_shift = xp.zeros(Y.shape[1], dtype=dtype, device=array_api_compat.device(X))
    groups = _test_groups(weight, before, bounds, xp=xp)
    return shifted_moments(X, Y, weight, groups, x_shift, y_shift, xp=xp)


def _chunk_residuals(
    X: Any,
    y: Any,
    weight: Any,
    before: int,
    bounds: list,
    coefs: Any,
    intercepts: Any,
    y_means: Any,
) -> tuple[Any, Any, Any, Any]:
    """The chunk's residual sums per test fold, and squared deviations with ``y_means``."""
    xp, X, Y, weight = _cast(X, y, weight, X.dtype)
    squared, absolute, weight_sums, deviations = [], [], [], []
    for k, rows in enumerate(_test_groups(weight, before, bounds, xp=xp)):
        sums = residual_sums(X, Y, weight, rows, coefs[k, ...], intercepts[k, ...], xp=xp)
        squared.append(sums[0])
        absolute.append(sums[1])
        weight_sums.append(sums[2])
        if y_means is not None:
            centred = xp.take(Y, rows, axis=0) - y_means[k, :]
            deviations.append(xp.take(weight, rows) @ (centred * centred))
    stacked = (xp.stack(squared), xp.stack(absolute), xp.stack(weight_sums))
    return (*stacked, xp.stack(deviations)) if deviations else stacked


def _chunk_gcv_errors(
    X: Any, y: Any, weight: Any, shared: GCVDecomposition, alphas: list, intercept: bool, dtype: Any
) -> Any:
    """The chunk's sums of squared leave-one-out errors, ``(n_alphas, n_targets)``: its rows
    of ``Z V``, ``ỹ`` and ``√s`` with the ``shared`` eigendecomposition, every alpha's errors
    by :func:`~xlogreg.linear_model._ridge_gcv.ridge_gcv_alpha`, in ``dtype``."""
    xp, X, Y, weight = _cast(X, y, weight, dtype)
    root = xp.sqrt(weight)
    rows = {
        "basis": (root[:, None] * (X - shared.x_mean)) @ shared.right,
        "centred_y": root[:, None] * (Y - shared.y_mean),
        "root": root,
    }
    decomposition = GCVDecomposition(**{**shared.__dict__, **rows})
    sums = []
    for alpha in alphas:
        errors, _ = ridge_gcv_alpha(decomposition, alpha, fit_intercept=intercept, xp=xp)
        sums.append(xp.sum(errors * errors, axis=0))
    return xp.stack(sums)
