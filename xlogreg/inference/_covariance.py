"""Covariance of fitted coefficients, from the Hessian at the solution, on the device.

Estimators built with ``inference=True`` call :func:`logistic_covariance` or
:func:`least_squares_covariance` at the end of ``fit``; what they return is read
by :class:`~xlogreg.inference.InferenceMixin`. The singular or ill-conditioned
cases raise here, before the estimator stores anything.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any, NamedTuple

import array_api_compat

from xlogreg._backend import host_floats, host_list
from xlogreg.inference._separation import separation, well_conditioned_design
from xlogreg.objectives import Binomial, Multinomial
from xlogreg.objectives._layout import OutputLayout, block_diagonal
from xlogreg.objectives._penalty import penalized_coordinates
from xlogreg.solvers.least_squares import (
    equilibrating_scale,
    is_linalg_error,
    weighted_center,
)

__all__ = ["FittedCovariance", "least_squares_covariance", "logistic_covariance"]


class FittedCovariance(NamedTuple):
    """What a fit with ``inference=True`` stores, for :class:`~xlogreg.inference.InferenceMixin`.

    ``covariance`` is in the user's layout (each output's intercept first);
    ``stderr`` has one row per output, in that order.
    """

    covariance: Any
    stderr: Any
    fit_intercept: bool
    df_resid: float | None
    penalty: str | None
    outputs: tuple[str, ...] | None


def logistic_covariance(
    X: Any,
    target: Any,
    sample_weight: Any,
    w: Any,
    *,
    C: float,
    fit_intercept: bool,
    scaler: Any,
    classes: Any,
    xp: ModuleType,
) -> FittedCovariance:
    """Covariance of a logistic fit's parameters ``w`` (the solver's layout, fit scale).

    ``H`` is the Hessian of the unpenalized weighted log loss summed over the
    samples (the observed Fisher information; ``sample_weight`` counts as
    frequency weights), ``H_λ = H + I/C`` on the coefficients. The covariance
    is ``H_λ⁻¹ H H_λ⁻¹``, ``H⁻¹`` when ``C = inf``. The multinomial model is
    identified only up to a shift common to all classes: its covariance is
    that of the centred parameters, computed in the coordinates of a reference
    class and mapped back.

    Raises
    ------
    ValueError
        If ``C = inf`` and ``w`` separates the classes (the maximum-likelihood
        estimate does not exist: :func:`~xlogreg.inference._separation.separation`), or
        if ``H_λ`` is singular or too ill-conditioned (see :func:`_covariance`),
        saying the classes are (quasi-)separated when the design itself is well
        conditioned (:func:`~xlogreg.inference._separation.well_conditioned_design`).
    """
    binary = target.ndim == 1
    n_features = X.shape[1]
    n_outputs = 1 if binary else target.shape[1]
    outputs = None if binary else tuple(f"class {label}" for label in host_list(classes))
    if math.isinf(C):
        reason = separation(
            X, target, sample_weight, w, fit_intercept=fit_intercept, classes=classes, xp=xp
        )
        if reason is not None:
            raise ValueError(
                f"inference=True with C=inf: the classes are separable ({reason}), so the "
                "unpenalized maximum-likelihood estimate does not exist (the coefficients "
                "diverge) and standard errors are meaningless. Fit with a finite C, or "
                "inference=False"
            )
    loss = Binomial if binary else Multinomial
    objective = loss(X, target, sample_weight, l2=0.0, fit_intercept=fit_intercept, xp=xp)
    hessian = objective.hessian(w) * xp.sum(sample_weight)
    names = _parameter_names(n_features, fit_intercept)
    if not binary:
        # The checked coordinates are differences from the first class.
        names = [f"{name} ({label} − {outputs[0]})" for label in outputs[1:] for name in names]
    remedy = "a finite C" if math.isinf(C) else "a smaller C"
    try:
        covariance = _covariance(
            hessian,
            l2=1.0 / C,
            n_outputs=n_outputs,
            fit_intercept=fit_intercept,
            centred=not binary,
            scaler=scaler,
            names=names,
            remedy=remedy,
            xp=xp,
        )
    except ValueError as error:
        design = well_conditioned_design(X, sample_weight, fit_intercept=fit_intercept, xp=xp)
        if design is None:
            raise
        raise ValueError(
            "inference=True: the Hessian at the solution is singular or too ill-conditioned "
            f"to invert in {X.dtype}, although the design is well conditioned (condition "
            f"number of XᵀX with a unit diagonal {design:.3g}): the curvature weights "
            "p(1−p) vanish on the samples that span some direction, whose fitted "
            "probabilities are 0 or 1 to working precision. The classes are "
            "(quasi-)separated, so the maximum-likelihood estimate does not exist (the "
            f"coefficients diverge) and standard errors are meaningless. Fit with {remedy}, "
            "or inference=False"
        ) from error
    width = n_features + int(fit_intercept)
    stderr = xp.reshape(xp.sqrt(xp.linalg.diagonal(covariance)), (n_outputs, width))
    if not binary:
        covariance = xp.reshape(covariance, (n_outputs, width, n_outputs, width))
    return FittedCovariance(
        covariance,
        stderr,
        fit_intercept,
        df_resid=None,
        penalty=None if math.isinf(C) else f"C={C!r}",
        outputs=outputs,
    )


def least_squares_covariance(
    X: Any,
    y: Any,
    sample_weight: Any,
    coef: Any,
    intercept: Any,
    *,
    alpha: float,
    fit_intercept: bool,
    scaler: Any,
    xp: ModuleType,
) -> FittedCovariance:
    """Covariance of a (ridge) least-squares fit, one regression per column of ``y``.

    With ``G = [X, 1]ᵀ S [X, 1]`` (``S`` the weights, as frequency weights)
    and ``G_α = G + α I`` on the coefficients, each target's covariance is
    ``σ² G_α⁻¹ G G_α⁻¹`` (``σ² G⁻¹`` for ``α = 0``, statsmodels' ``OLS``),
    with ``σ² = Σ s r² / (Σ s − n_params)`` from its residuals ``r``.
    ``coef`` (shape ``(n_targets, n_features)``) and ``intercept`` are on the
    scale of ``X``; a 1-D ``y`` gives a covariance of shape ``(n_params, n_params)``,
    a 2-D one ``(n_targets, n_params, n_params)``. ``G`` is never formed: see
    :func:`_design_covariance`, which loses ``eps·cond`` of the centred,
    equilibrated design where inverting ``G`` loses its square.

    Raises
    ------
    ValueError
        If ``Σ s <= n_params``, if a target is fitted exactly (zero residuals),
        or if the design is singular or too ill-conditioned.
    """
    n_features = X.shape[1]
    width = n_features + int(fit_intercept)
    Y = y if y.ndim == 2 else y[:, None]
    centered = weighted_center(X, Y, sample_weight, fit_intercept=fit_intercept, xp=xp)
    residuals = centered.Y - centered.X @ coef.T
    if fit_intercept:
        # Residuals of the centred data: X β + b cancels digits where the intercept is
        # large (Longley: −3.5e6 against a YEAR term of 3.6e6, for residuals near 300).
        residuals = residuals + (centered.Y_offset - coef @ centered.X_offset - intercept)
    (weight_sum,) = host_floats(xp, xp.sum(sample_weight))
    df_resid = weight_sum - width
    if not df_resid > 0:
        raise ValueError(
            f"inference=True needs more samples than parameters: Σ sample_weight = "
            f"{weight_sum:.6g} is not above n_params = {width}"
        )
    variance = (sample_weight @ (residuals * residuals)) / df_resid
    (smallest,) = host_floats(xp, xp.min(variance))
    if not smallest > 0:
        raise ValueError(
            "inference=True: a target is fitted exactly (all residuals are zero), so "
            "its standard errors are zero and its t statistics undefined"
        )
    design = centered.X * xp.sqrt(sample_weight)[:, None]
    names = _parameter_names(n_features, fit_intercept)[int(fit_intercept) :]
    unscaled = _design_covariance(design, alpha=alpha, names=names, xp=xp)
    if fit_intercept:
        # Centred, the intercept b_c = b + β·x̄ is uncorrelated with β, of variance
        # σ²/Σs (the penalty never touches it); b = b_c − x̄ᵀβ maps it back.
        device = array_api_compat.device(unscaled)
        centre = xp.full((1, 1), 1.0 / weight_sum, dtype=unscaled.dtype, device=device)
        zeros = xp.zeros((n_features, 1), dtype=unscaled.dtype, device=device)
        blocks = xp.concat(
            [
                xp.concat([centre, zeros.T], axis=1),
                xp.concat([zeros, unscaled], axis=1),
            ],
            axis=0,
        )
        shift = _affine_map(centered.X_offset, xp.ones_like(centered.X_offset), xp=xp)
        unscaled = shift @ blocks @ shift.T
    if scaler is not None:
        to_original = _scale_map(scaler, fit_intercept, xp=xp)
        unscaled = to_original @ unscaled @ to_original.T
    unscaled = 0.5 * (unscaled + unscaled.T)
    covariance = variance[:, None, None] * unscaled[None, :, :]
    stderr = xp.sqrt(variance[:, None] * xp.linalg.diagonal(unscaled)[None, :])
    return FittedCovariance(
        covariance if y.ndim == 2 else covariance[0, ...],
        stderr,
        fit_intercept,
        df_resid=df_resid,
        penalty=None if alpha == 0 else f"alpha={alpha!r}",
        outputs=tuple(f"target {k}" for k in range(Y.shape[1])) if Y.shape[1] > 1 else None,
    )


def _design_covariance(design: Any, *, alpha: float, names: list[str], xp: ModuleType) -> Any:
    """``G_α⁻¹ G G_α⁻¹`` for ``G = AᵀA``, ``G_α = G + α I``, from a QR of ``A`` itself.

    The columns of the (centred, weighted) design ``A`` are scaled to unit
    norm, ``Ã = A D⁻¹``; with ``M = [Ã; √α·D⁻¹]`` (``M = Ã`` for ``α = 0``) and
    ``M = Q R``, ``G_α = D RᵀR D`` and the result is
    ``D⁻¹ R⁻¹ Q_Aᵀ Q_A R⁻ᵀ D⁻¹`` (``Q_A`` the rows of ``Q`` that belong to
    ``Ã``; ``Q_Aᵀ Q_A = I`` for ``α = 0``). Its relative error is about
    ``eps·cond(M)``; inverting ``G`` itself would lose ``eps·cond(M)²``, and
    without the scaling ``cond`` would include the features' units (NIST's
    Longley: 5e9 raw, 110 centred and equilibrated).

    Raises
    ------
    ValueError
        If ``cond(M) > eps^(-1/2)`` (more than half the working digits lost),
        naming the columns at a small angle to those before them (``|R_kk|``,
        the sine of that angle, below ``eps^(1/4)``, or else the smallest).
    """
    n_samples, n_features = design.shape
    dtype, device = design.dtype, array_api_compat.device(design)
    # Max-abs first, so that the 2-norms cannot overflow.
    scale = equilibrating_scale(design, xp=xp)
    unit = design / scale
    norms = xp.sqrt(xp.sum(unit * unit, axis=0))
    norms = xp.where(norms > 0, norms, xp.ones_like(norms))
    unit, scale = unit / norms, scale * norms
    stacked = unit
    if alpha > 0:
        penalty = xp.eye(n_features, dtype=dtype, device=device) * (math.sqrt(alpha) / scale)
        stacked = xp.concat([unit, penalty], axis=0)
    Q, R = xp.linalg.qr(stacked)
    singular = xp.linalg.svdvals(R)
    largest, smallest = host_floats(xp, singular[0], singular[-1])
    bound = xp.finfo(dtype).eps ** -0.5
    full_rank = stacked.shape[0] >= n_features and smallest > 0
    condition = largest / smallest if full_rank else math.inf
    if not condition <= bound:
        sines = host_list(xp.abs(xp.linalg.diagonal(R)))
        culprits = [n for n, v in zip(names, sines, strict=True) if v < bound**-0.5]
        if not culprits:
            culprits = [names[sines.index(min(sines))]]
        one = len(culprits) == 1
        raise ValueError(
            "inference=True: the design is singular or too ill-conditioned for standard "
            f"errors in {dtype}: {', '.join(culprits)} {'is' if one else 'are'} (nearly) a "
            f"linear combination of the columns before {'it' if one else 'them'} "
            f"(condition number of the centred design with unit columns {condition:.3g} > "
            f"{bound:.3g}). Drop constant or duplicated columns; use "
            f"{'float64 data or ' if dtype != xp.float64 else ''}"
            f"{'a larger alpha' if alpha > 0 else 'alpha > 0'}; or fit with inference=False"
        )
    inverse = xp.linalg.inv(R) / scale[:, None]
    if alpha > 0:
        top = Q[:n_samples, :]
        return inverse @ (top.T @ top) @ inverse.T
    return inverse @ inverse.T


def _parameter_names(n_features: int, fit_intercept: bool) -> list[str]:
    return ["intercept"] * fit_intercept + [f"x{j}" for j in range(n_features)]


def _covariance(
    hessian: Any,
    *,
    l2: float,
    n_outputs: int,
    fit_intercept: bool,
    centred: bool,
    scaler: Any,
    names: list[str],
    remedy: str,
    xp: ModuleType,
) -> Any:
    """``H_λ⁻¹ H H_λ⁻¹`` with ``H_λ = H + l2·I`` on the coefficients, in the user's layout.

    ``hessian`` is in the solvers' layout (each output's coefficients, then its
    intercept); the result puts each output's intercept first, and is on the
    original features' scale when a ``scaler`` standardized them: the map
    ``θ = M θ_fit`` of :func:`~xlogreg.linear_model._standardize.to_original_scale` gives
    ``M Σ Mᵀ``. With ``centred``, the parameters are those summing to zero over
    the outputs, and the covariance is ``B (Bᵀ H_λ B)⁻¹ … Bᵀ`` with ``B`` the
    centred embedding of reference-output coordinates.
    """
    n_params = hessian.shape[0]
    width = n_params // n_outputs
    device = array_api_compat.device(hessian)
    dtype = hessian.dtype
    first = ([width - 1] if fit_intercept else []) + list(range(width - int(fit_intercept)))
    index = xp.asarray([k * width + j for k in range(n_outputs) for j in first], device=device)
    hessian = xp.take(xp.take(hessian, index, axis=0), index, axis=1)
    layout = OutputLayout(
        n_features=width - int(fit_intercept),
        n_outputs=n_outputs,
        fit_intercept=fit_intercept,
        xp=xp,
    )
    is_coef = xp.take(penalized_coordinates(layout, dtype=dtype, device=device), index)
    eye = xp.eye(n_params, dtype=dtype, device=device)
    penalized = hessian + l2 * (eye * is_coef)
    if centred:
        basis = _centred_basis(n_outputs, width, dtype=dtype, device=device, xp=xp)
        hessian = basis.T @ hessian @ basis
        penalized = basis.T @ penalized @ basis
    inverse = _checked_inverse(penalized, names, remedy=remedy, xp=xp)
    covariance = inverse if l2 == 0 else inverse @ hessian @ inverse
    if centred:
        covariance = basis @ covariance @ basis.T
    if scaler is not None:
        to_original = block_diagonal(_scale_map(scaler, fit_intercept, xp=xp), n_outputs, xp=xp)
        covariance = to_original @ covariance @ to_original.T
    return 0.5 * (covariance + covariance.T)


def _centred_basis(n_outputs: int, width: int, *, dtype: Any, device: Any, xp: ModuleType) -> Any:
    """``B`` of shape ``(K·width, (K−1)·width)``: parameters ``γ_k = θ_k − θ_0`` of
    classes ``1…K−1`` to the centred ``θ`` (rows summing to zero over classes)."""
    eye = xp.eye(n_outputs, dtype=dtype, device=device)
    centring = (eye - 1.0 / n_outputs)[:, 1:]
    tiled = centring[:, None, :, None] * xp.eye(width, dtype=dtype, device=device)[None, :, None, :]
    return xp.reshape(tiled, (n_outputs * width, (n_outputs - 1) * width))


def _scale_map(scaler: Any, fit_intercept: bool, *, xp: ModuleType) -> Any:
    """``M`` with ``(b, β) = M (b_z, β_z)``: ``β = β_z / scale``, ``b = b_z − β·mean``."""
    inv_scale = 1.0 / scaler.scale_
    if not fit_intercept:
        n_features = inv_scale.shape[0]
        device = array_api_compat.device(inv_scale)
        return xp.eye(n_features, dtype=inv_scale.dtype, device=device) * inv_scale[None, :]
    return _affine_map(scaler.mean_, inv_scale, xp=xp)


def _affine_map(mean: Any, inv_scale: Any, *, xp: ModuleType) -> Any:
    """``M`` of the parameters ``(b, β)`` (intercept first) of ``(x − mean)·inv_scale``
    to those of ``x``: ``[[1, −(mean·inv_scale)ᵀ], [0, diag(inv_scale)]]``."""
    n_features = inv_scale.shape[0]
    device = array_api_compat.device(inv_scale)
    scaling = xp.eye(n_features, dtype=inv_scale.dtype, device=device) * inv_scale[None, :]
    top = xp.concat(
        [
            xp.ones((1, 1), dtype=inv_scale.dtype, device=device),
            -(mean * inv_scale)[None, :],
        ],
        axis=1,
    )
    left = xp.zeros((n_features, 1), dtype=inv_scale.dtype, device=device)
    return xp.concat([top, xp.concat([left, scaling], axis=1)], axis=0)


def _checked_inverse(matrix: Any, names: list[str], *, remedy: str, xp: ModuleType) -> Any:
    """Inverse of a symmetric positive definite ``matrix``, refused when it is not.

    The matrix is equilibrated to a unit diagonal (``D^-½ A D^-½``) and
    factored by Cholesky after adding ``n·eps`` to its diagonal, so that an
    exactly singular matrix still factors. Pivot ``k`` squared is then the
    squared sine of the angle between column ``k`` and the span of the
    columns before it; below ``sqrt(eps)`` of the dtype (the condition number
    is then above ``1/sqrt(eps)``: more than half the working precision
    lost), that column is named in the error.

    Raises
    ------
    ValueError
        If a relative pivot is below ``sqrt(eps)``, or the factorization fails.
    """
    dtype, device = matrix.dtype, array_api_compat.device(matrix)
    size = matrix.shape[0]
    diagonal = xp.linalg.diagonal(matrix)
    positive = diagonal > 0
    inv_root = 1.0 / xp.sqrt(xp.where(positive, diagonal, xp.ones_like(diagonal)))
    equilibrated = matrix * inv_root[:, None] * inv_root[None, :]
    eye = xp.eye(size, dtype=dtype, device=device)
    threshold = math.sqrt(xp.finfo(dtype).eps)
    try:
        factor = xp.linalg.cholesky(equilibrated + size * xp.finfo(dtype).eps * eye)
    except (ValueError, RuntimeError) as error:
        if not is_linalg_error(error):
            raise
        raise ValueError(
            "inference=True: the Hessian at the solution is not positive definite (its "
            f"Cholesky factorization failed): the coefficients are not identified; drop "
            f"collinear features, use {remedy}, or fit with inference=False"
        ) from None
    pivots = xp.linalg.diagonal(factor)
    # A failed pivot (CuPy returns NaN rather than raising) or an empty column counts as 0.
    relative = xp.where(positive & (pivots > 0), pivots * pivots, xp.zeros_like(pivots))
    (smallest,) = host_floats(xp, xp.min(relative))
    if not smallest >= threshold:
        flagged = host_list(relative < threshold)
        culprits = [name for name, bad in zip(names, flagged, strict=True) if bad]
        raise ValueError(
            "inference=True: the Hessian at the solution is singular or too ill-conditioned "
            f"to invert in {dtype}: {', '.join(culprits)} "
            f"{'is' if len(culprits) == 1 else 'are'} (nearly) a linear combination of the "
            f"parameters before {'it' if len(culprits) == 1 else 'them'} (order: "
            f"{', '.join(names[:3])}, …; relative Cholesky pivot {smallest:.3g} < "
            f"{threshold:.3g}). Drop constant or duplicated columns; use standardize=True "
            f"(features of very different scales), float64 data or {remedy}; or fit with "
            "inference=False"
        )
    return xp.linalg.inv(equilibrated) * inv_root[:, None] * inv_root[None, :]
