"""Leave-one-out errors of ridge regression for every alpha from one decomposition (scikit-learn's
``_RidgeGCV``), on any array library.

With ``Z = √s (X − x̄)`` and ``ỹ = √s (y − ȳ)`` (the sample weights ``s``, the
weighted means; no centring without an intercept), the ridge fit of ``alpha`` has the
hat matrix ``H = Z (ZᵀZ + alpha·I)⁻¹ Zᵀ``, and the leave-one-out error of row ``i``
is ``(ỹ − Hỹ)_i / (1 − H_ii − s_i/Σs)`` (the last term for the unpenalized
intercept), as Rifkin & Lippert (2007) derive. One eigendecomposition (of ``ZᵀZ``
when there are more rows than features, else of ``ZZᵀ``) or one thin SVD of ``Z``
gives ``H`` for every alpha: its eigenvalues ``λ`` shift to ``λ + alpha``.

:func:`ridge_gcv_decomposition` makes the decomposition; :func:`ridge_gcv_alpha`
gives one alpha's leave-one-out errors (scaled by ``√s``, as scikit-learn's) and
coefficients.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import accumulation_dtype, tile_rows
from xlogreg._tiles import accumulate, bounded_tiles, row_tiles

__all__ = [
    "GCVDecomposition",
    "best_mean",
    "gcv_choice",
    "ridge_gcv_alpha",
    "ridge_gcv_coef",
    "ridge_gcv_decomposition",
    "ridge_gcv_statistics",
    "ridge_models",
    "ridge_solution",
]


class GCVDecomposition:
    """What every alpha's leave-one-out errors are computed from.

    Attributes
    ----------
    long : bool
        More rows than features: ``basis`` is ``Z V`` (``n × d``) and ``right`` is
        ``V``, with ``ZᵀZ = V diag(λ) Vᵀ``; else ``basis`` is ``Q`` (``n × n``) with
        ``ZZᵀ = Q diag(λ) Qᵀ``, and ``right`` is ``None`` (or ``V`` of an SVD).
    eigenvalues : array
        ``λ``.
    basis, right : arrays
        See ``long``.
    projected_y : array of shape (k, n_targets)
        ``basisᵀ ỹ``.
    projected_root : array of shape (k,)
        ``basisᵀ √s``.
    centred_y : array of shape (n_samples, n_targets)
        ``ỹ``.
    root : array of shape (n_samples,)
        ``√s``.
    weight_sum : 0-d array
    x_mean, y_mean : arrays
        The weighted means (zeros without an intercept).
    design : callable or None
        ``v ↦ Zᵀ v`` of the wide eigendecomposition, for its coefficients.
    """

    def __init__(self, **parts: Any) -> None:
        self.__dict__.update(parts)


def ridge_gcv_decomposition(
    X: Any, Y: Any, sample_weight: Any, *, fit_intercept: bool, svd: bool, xp: ModuleType
) -> GCVDecomposition:
    """The decomposition of the centred, weighted design ``Z`` that every alpha shares.

    ``svd=False``: the eigendecomposition of ``ZᵀZ`` (accumulated over row tiles;
    then ``ZV``, the size of ``X``) when ``n_samples > n_features``, else of ``ZZᵀ``
    (over column tiles), scikit-learn's ``gcv_mode="auto"``; ``svd=True``: the thin
    SVD of ``Z`` (a copy of ``X``), scikit-learn's ``"svd"``, which keeps the digits
    that the squared matrices lose on an ill-conditioned design.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The design.
    Y : array of shape (n_samples, n_targets)
        The targets.
    sample_weight : array of shape (n_samples,)
        The weights.
    fit_intercept : bool
        Centre around the weighted means.
    svd : bool
        Decompose ``Z`` itself rather than its square.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    GCVDecomposition
    """
    n_samples, n_features = X.shape
    device = array_api_compat.device(X)
    weight_sum = xp.sum(sample_weight)
    if fit_intercept:
        x_mean, y_mean = (sample_weight @ X) / weight_sum, (sample_weight @ Y) / weight_sum
    else:
        x_mean = xp.zeros(n_features, dtype=X.dtype, device=device)
        y_mean = xp.zeros(Y.shape[1], dtype=X.dtype, device=device)
    root = xp.sqrt(sample_weight)
    centred_y = root[:, None] * (Y - y_mean)
    long = n_samples > n_features
    parts = {
        "long": long,
        "centred_y": centred_y,
        "root": root,
        "weight_sum": weight_sum,
        "x_mean": x_mean,
        "y_mean": y_mean,
        "design": None,
        "right": None,
    }
    if svd:
        Z = root[:, None] * (X - x_mean)
        U, singular, Vt = xp.linalg.svd(Z, full_matrices=False)
        eigenvalues = singular * singular
        V = xp.permute_dims(Vt, (1, 0))
        # Long: the basis Z V = U·s; wide: Q = U, and the coefficients V·s/(s² + α)·Uᵀỹ.
        basis = U * singular if long else U
        parts.update(right=V, singular=singular)
    elif long:
        cache_rows = tile_rows(xp, device, n_features)
        square = None
        for tile in bounded_tiles(n_samples, cache_rows, n_features):
            Z = root[tile, None] * (X[tile, :] - x_mean)
            square = accumulate(square, Z.T @ Z)
        eigenvalues, V = xp.linalg.eigh(0.5 * (square + square.T))
        basis = xp.concat(
            [
                (root[tile, None] * (X[tile, :] - x_mean)) @ V
                for tile in bounded_tiles(n_samples, cache_rows, n_features)
            ],
            axis=0,
        )
        parts["right"] = V
    else:
        columns = row_tiles(n_features, max(1, 2**19 // max(n_samples, 1)))

        def centred(part: slice) -> Any:
            return root[:, None] * (X[:, part] - x_mean[part])

        square = None
        for part in columns:
            Z = centred(part)
            square = accumulate(square, Z @ Z.T)
        eigenvalues, basis = xp.linalg.eigh(0.5 * (square + square.T))
        parts["design"] = lambda v: xp.concat([centred(part).T @ v for part in columns], axis=0)
    parts.update(
        eigenvalues=eigenvalues,
        basis=basis,
        projected_y=basis.T @ centred_y,
        projected_root=basis.T @ root,
    )
    return GCVDecomposition(**parts)


def ridge_gcv_statistics(stats: Any, *, fit_intercept: bool, xp: ModuleType) -> GCVDecomposition:
    """The eigendecomposition of ``ZᵀZ`` (more rows than features) from the whole data's
    moments, without the rows: what a Dask ``X``'s chunks need to form their rows' parts.

    ``basis``, ``centred_y`` and ``root`` (one row per sample) are ``None``: each chunk
    forms its rows of them where it lives (``Z V``, ``ỹ``, ``√s``). With an intercept,
    ``Vᵀ Zᵀ √s = Vᵀ Σ s (x − x̄)`` is zero.

    Parameters
    ----------
    stats : GramStatistics
        Centred (around the weighted means), its last weighting of all the rows, its
        targets 2-D (``xy`` of shape (P, n_features, n_targets)).
    fit_intercept : bool
        Centre ``Z`` and ``ỹ``; without, their moments are taken around zero.
    xp : module
        Array namespace of the statistics.

    Returns
    -------
    GCVDecomposition

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.linear_model._ridge_gcv import ridge_gcv_coef, ridge_gcv_statistics
    >>> from xlogreg.objectives._weighted_grams import weighted_grams
    >>> X = xp.asarray([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [4.0, 1.0]])
    >>> Y = xp.asarray([[1.0], [2.0], [4.0], [5.0]])
    >>> stats = weighted_grams(X, Y, xp.ones((4, 1)), center=True, xp=xp)
    >>> d = ridge_gcv_statistics(stats, fit_intercept=True, xp=xp)
    >>> ridge_gcv_coef(d, 1.0)[:, 0]  # Ridge(alpha=1.0).fit(X, Y).coef_
    Array([0.88495575, 0.37168142], dtype=array_api_strict.float64)
    """
    weight_sum = stats.weight_sum[-1]
    gram = stats.gram[-1, ...] * weight_sum
    xy = stats.xy[-1, ...] * weight_sum
    x_mean, y_mean = stats.x_mean[-1, :], stats.y_mean[-1, :]
    root_sum = xp.zeros_like(x_mean)
    if not fit_intercept:
        gram = gram + weight_sum * (x_mean[:, None] * x_mean[None, :])
        xy = xy + weight_sum * (x_mean[:, None] * y_mean[None, :])
        root_sum = weight_sum * x_mean
        x_mean, y_mean = xp.zeros_like(x_mean), xp.zeros_like(y_mean)
    eigenvalues, V = xp.linalg.eigh(gram)
    return GCVDecomposition(
        long=True,
        eigenvalues=eigenvalues,
        right=V,
        projected_y=V.T @ xy,
        projected_root=V.T @ root_sum,
        weight_sum=weight_sum,
        x_mean=x_mean,
        y_mean=y_mean,
        basis=None,
        centred_y=None,
        root=None,
        design=None,
    )


def ridge_gcv_coef(decomposition: GCVDecomposition, alpha: float) -> Any:
    """One alpha's coefficients ``V (Λ + alpha)⁻¹ Vᵀ Zᵀ ỹ`` from the eigendecomposition of
    ``ZᵀZ`` (``long``, not an SVD), ``(n_features, n_targets)``."""
    d = decomposition
    return d.right @ ((1.0 / (d.eigenvalues + alpha))[:, None] * d.projected_y)


def ridge_gcv_alpha(
    decomposition: GCVDecomposition, alpha: float, *, fit_intercept: bool, xp: ModuleType
) -> tuple[Any, Any]:
    """One alpha's leave-one-out errors (times ``√s``) and coefficients.

    Returns
    -------
    errors : array of shape (n_samples, n_targets)
        scikit-learn's ``looe``: ``√s_i`` times the leave-one-out error of row ``i``.
    coef : array of shape (n_features, n_targets)
    """
    d = decomposition
    inverse = 1.0 / (d.eigenvalues + alpha)
    if d.long:
        # α·c = ỹ − Z V D Vᵀ Zᵀ ỹ and α·diag(G⁻¹) = 1 − Σ_j (ZV)²_ij D_j, scikit-learn's
        # _solve_eigen_covariance (and _solve_svd_design_matrix_long, the same numbers).
        scaled_c = d.centred_y - d.basis @ (inverse[:, None] * d.projected_y)
        scaled_diag = 1.0 - (d.basis * d.basis) @ inverse
        if fit_intercept:
            scaled_root = d.root - d.basis @ (inverse * d.projected_root)
            scaled_diag = scaled_diag - scaled_root * d.root / d.weight_sum
        coef = ridge_gcv_coef(d, alpha)
    else:
        # c = Q D Qᵀ ỹ and diag(G⁻¹) = Σ_j Q²_ij D_j (_solve_eigen_gram, and the SVD's
        # _solve_svd_design_matrix_wide up to the factor α in both).
        scaled_c = d.basis @ (inverse[:, None] * d.projected_y)
        scaled_diag = (d.basis * d.basis) @ inverse
        if fit_intercept:
            scaled_root = d.basis @ (inverse * d.projected_root)
            scaled_diag = scaled_diag - scaled_root * d.root / d.weight_sum
        if d.design is not None:
            coef = d.design(scaled_c)
        else:
            coef = d.right @ ((d.singular * inverse)[:, None] * d.projected_y)
    return scaled_c / scaled_diag[:, None], coef


def gcv_choice(
    alphas: list[float],
    scores: list[list[float]],
    coefs: list[Any],
    decomposition: GCVDecomposition,
    *,
    per_target: bool,
    one_target: bool,
    dtype: Any,
) -> dict[str, Any]:
    """scikit-learn's choice among every alpha's leave-one-out scores (the first best, one
    per target with ``per_target``), as ``RidgeCV``'s fitted ``alpha_``, ``best_score_``,
    ``coef_`` and ``intercept_`` (in ``dtype``).

    ``scores[a]`` holds alpha ``a``'s score (one per target with ``per_target``),
    ``coefs[a]`` its coefficients ``(n_features, n_targets)``.
    """
    xp = array_api_compat.array_namespace(coefs[0])
    device = array_api_compat.device(coefs[0])
    n_targets = coefs[0].shape[1]
    best_score = list(scores[0])
    best_coef = [coefs[0][:, t] for t in range(n_targets)]
    best_alpha = [alphas[0]] * len(best_score)
    for alpha, score, coef in zip(alphas[1:], scores[1:], coefs[1:], strict=True):
        for t, value in enumerate(score):
            if value > best_score[t]:
                best_score[t], best_alpha[t] = value, alpha
                if per_target:
                    best_coef[t] = coef[:, t]
                else:
                    best_coef = [coef[:, k] for k in range(n_targets)]
    coef = xp.astype(xp.stack(best_coef), dtype)  # (n_targets, n_features)
    intercept = xp.astype(decomposition.y_mean, dtype) - coef @ xp.astype(
        decomposition.x_mean, dtype
    )
    fitted = ridge_solution(coef, intercept, one_target=one_target)
    if per_target:
        fitted["alpha_"] = xp.asarray(best_alpha, dtype=dtype, device=device)
        fitted["best_score_"] = xp.asarray(best_score, dtype=dtype, device=device)
    else:
        fitted["alpha_"], fitted["best_score_"] = best_alpha[0], best_score[0]
    return fitted


def ridge_solution(coef: Any, intercept: Any, *, one_target: bool) -> dict[str, Any]:
    """``coef_`` and ``intercept_`` from ``(n_targets, n_features)`` and ``(n_targets,)``:
    1-D and 0-d for a 1-D ``y``."""
    if one_target:
        return {"coef_": coef[0, :], "intercept_": intercept[0, ...]}
    return {"coef_": coef, "intercept_": intercept}


def ridge_models(stats: Any, alphas: list[float], *, xp: ModuleType) -> tuple[Any, Any]:
    """scikit-learn's ``Ridge(alpha)`` on each weighting of ``stats`` (k-fold training rows,
    all the rows), for every alpha, from one eigendecomposition of each Gram matrix.

    With ``G`` and ``c`` per unit weight, the fit solves ``(W G + alpha I) β = W c``.

    Parameters
    ----------
    stats : GramStatistics
        The weightings' statistics.
    alphas : list of float
        The penalties.
    xp : module
        Array namespace of the statistics.

    Returns
    -------
    coefs : array of shape (n_weightings, n_alphas, n_features, n_targets)
    intercepts : array of shape (n_weightings, n_alphas, n_targets)
        In the statistics' dtype (computed in the widest float).

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.linear_model._ridge_gcv import ridge_models
    >>> from xlogreg.objectives._weighted_grams import weighted_grams
    >>> X = xp.asarray([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [4.0, 1.0]])
    >>> y = xp.asarray([1.0, 2.0, 4.0, 5.0])
    >>> stats = weighted_grams(X, y, xp.ones((4, 1)), center=True, xp=xp)
    >>> coefs, intercepts = ridge_models(stats, [1.0], xp=xp)
    >>> coefs[0, 0, :, 0], intercepts[0, 0, 0]  # Ridge(alpha=1.0).fit(X, y)
    (Array([0.88495575, 0.37168142], dtype=array_api_strict.float64), \
Array(1.07964602, dtype=array_api_strict.float64))
    """
    device = array_api_compat.device(stats.gram)
    wide = accumulation_dtype(xp, device)
    eigenvalues, vectors = xp.linalg.eigh(xp.astype(stats.gram, wide))  # (P, d), (P, d, d)
    xy = xp.astype(stats.xy if stats.xy.ndim == 3 else stats.xy[:, :, None], wide)  # (P, d, T)
    projected = xp.permute_dims(vectors, (0, 2, 1)) @ xy
    grid = xp.asarray(alphas, dtype=wide, device=device)
    weight_sum = xp.astype(stats.weight_sum, wide)
    shrink = 1.0 / (eigenvalues[:, None, :] + grid[None, :, None] / weight_sum[:, None, None])
    coefs = xp.astype(
        vectors[:, None, ...] @ (shrink[..., None] * projected[:, None, ...]), stats.gram.dtype
    )
    y_mean = stats.y_mean if stats.y_mean.ndim == 2 else stats.y_mean[:, None]
    intercepts = y_mean[:, None, :] - (stats.x_mean[:, None, None, :] @ coefs)[:, :, 0, :]
    return coefs, intercepts


def best_mean(scores: list[list[float]]) -> tuple[int, float]:
    """The alpha of the best mean over the folds of ``scores[fold][alpha]`` (the first of
    equal means), and that mean."""
    n_alphas = len(scores[0])
    means = [sum(fold[a] for fold in scores) / len(scores) for a in range(n_alphas)]
    best = max(range(n_alphas), key=lambda a: (means[a], -a))
    return best, means[best]
