"""Covariate drift: how far new data's means moved from the training data's profile.

At fit time every linear model stores a :class:`TrainingProfile` of its raw
training features (``model.training_profile_``, built in
:mod:`xlogreg._profile`); ``model.drift(X_new)`` returns a
:class:`DriftReport` comparing a batch of new rows with it: per feature the
standardized mean shift ``z = (μ_new − μ_train) / σ_train`` and a flag
``|z| > threshold`` (:data:`DRIFT_THRESHOLD` by default), and overall the
largest ``|z|``, so the batch is flagged as soon as one feature is. Everything
is computed in the model's library and on its device.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, NamedTuple

from xlogreg._backend import accumulation_dtype, to_numpy
from xlogreg._moments import is_constant_feature
from xlogreg._profile import TrainingProfile

# TrainingProfile is documented here, beside the report that reads it.
__all__ = ["DRIFT_THRESHOLD", "DriftReport", "TrainingProfile"]

DRIFT_THRESHOLD = 0.25
"""Default drift threshold on each feature's ``|z_shift|``: a quarter of a
training standard deviation.

A shift of a quarter of a standard deviation is about what Cohen calls a
small effect (0.2): smaller moves of one feature's mean rarely change a
linear model's predictions much. The threshold applies to every feature on
its own and the batch is flagged when any feature is (``score`` is the
largest ``|z_shift|``): seed 004's ``mean(|z_shift|)`` let a single drifted
feature hide behind the others, a one-standard-deviation shift of one of 8
features scoring 1/8 = 0.125.

Without drift, the mean of ``m`` new rows scatters around the training mean
with a standard deviation of ``σ_train·sqrt(1/m + 1/n_train)``, about
``1/sqrt(m)`` in units of ``z``. One feature then exceeds 0.25 with
probability ``2·Φ(−0.25·sqrt(m))``: 1.2 % for a batch of 100 rows (a 2.5σ
event), 0.04 % for 200, 8e-5 for 250. A batch of ``d`` features is flagged
about ``d`` times as often: with 100 rows, 9.5 % of batches of 8 features
from the training distribution would be; with 250 rows, 0.06 % of them, and
0.5 % with 64 features. For a false-alarm rate ``α`` the batch needs
``m ≥ (z_{α/(2d)} / threshold)²`` rows: 170 for 8 features and 230 for 64 at
``α = 1 %``. Smaller batches need a higher threshold, ``c/sqrt(m)`` with
``c = z_{α/(2d)}`` (3.2 for 8 features, 3.8 for 64 at 1 %).
"""


class DriftReport(NamedTuple):
    """What ``model.drift(X_new)`` returns: how far each feature's mean moved, and which moved
    too far.

    Attributes
    ----------
    z_shift : array of shape (n_features,)
        ``(mean(X_new) − training mean) / training std``, per feature, in the
        library, device and compute dtype of ``X_new``. A feature constant in
        training (by the round-off bound of
        :class:`~xlogreg.StandardScaler`) is divided by 1, as the scaler
        does, so any move of it shows in its own units and stays finite.
    score : 0-d array
        ``max(|z_shift|)``: the largest shift of any feature, so that no
        feature's drift is averaged away by the others.
    drifted : 0-d bool array
        ``score > threshold``: whether any feature drifted.
    threshold : float
        The threshold every feature's ``|z_shift|`` was compared with.
    feature_names : tuple of str
        The model's ``feature_names_in_``, naming the entries of ``z_shift``.
    feature_drifted : bool array of shape (n_features,)
        ``|z_shift| > threshold``, per feature, beside ``z_shift``.
    """

    z_shift: Any
    score: Any
    drifted: Any
    threshold: float
    feature_names: tuple[str, ...]
    feature_drifted: Any

    def drifted_features(self) -> tuple[str, ...]:
        """The names of the features flagged in ``feature_drifted``, in the model's order.

        Reads the flags back to the host (one small transfer).

        Examples
        --------
        >>> import numpy as np
        >>> from xlogreg import LinearRegression
        >>> X = np.random.default_rng(0).standard_normal((500, 3))
        >>> model = LinearRegression().fit(X, X[:, 0], feature_names=["a", "b", "c"])
        >>> model.drift(X + [0.0, 1.0, 0.0]).drifted_features()
        ('b',)
        """
        flags = to_numpy(self.feature_drifted).tolist()
        return tuple(name for name, flag in zip(self.feature_names, flags, strict=True) if flag)


def drift_report(
    X: Any,
    profile: TrainingProfile,
    *,
    threshold: float,
    feature_names: tuple[str, ...],
    xp: ModuleType,
    device: Any,
) -> DriftReport:
    """Compare checked new data ``X`` with a training profile in the same library and device.

    Each feature is flagged on its own (``|z_shift| > threshold``) and the score is the
    largest ``|z_shift|``, so the batch is flagged exactly when a feature is. The means
    and the shift are computed in the accumulation dtype (float64 where the device has
    it), then returned in ``X``'s compute dtype.
    """
    accumulation = accumulation_dtype(xp, device)
    new_mean = xp.sum(X, axis=0, dtype=accumulation) / X.shape[0]
    mean = xp.astype(profile.mean, accumulation)
    std = xp.astype(profile.std, accumulation)
    constant = is_constant_feature(std * std, mean, profile.rows, xp=xp)
    scale = xp.where(constant, xp.ones_like(std), std)
    z_shift = xp.astype((new_mean - mean) / scale, X.dtype)
    size = xp.abs(z_shift)
    score = xp.max(size)
    return DriftReport(
        z_shift=z_shift,
        score=score,
        drifted=score > threshold,
        threshold=threshold,
        feature_names=feature_names,
        feature_drifted=size > threshold,
    )
