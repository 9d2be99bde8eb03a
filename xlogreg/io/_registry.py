"""The classes a model file may name: loading builds these and nothing else.

A file names classes by their ``__name__``; :func:`xlogreg.load` looks the
names up here, so a file can never make xlogreg import or instantiate any
other class. Registering a new estimator, or a NamedTuple that a fitted
state holds, is one entry in a tuple below; saving an unregistered one
raises ``TypeError`` naming the attribute.
"""

from __future__ import annotations

from xlogreg._profile import TrainingProfile
from xlogreg.base import BaseEstimator
from xlogreg.calibration import CalibratedClassifier
from xlogreg.inference._covariance import FittedCovariance
from xlogreg.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression
from xlogreg.preprocessing import StandardScaler

__all__ = ["ESTIMATORS", "NAMED_TUPLES"]

ESTIMATORS: dict[str, type[BaseEstimator]] = {
    cls.__name__: cls
    for cls in (
        CalibratedClassifier,
        ElasticNet,
        Lasso,
        LinearRegression,
        LogisticRegression,
        StandardScaler,
    )
}
NAMED_TUPLES: dict[str, type[tuple]] = {
    cls.__name__: cls for cls in (FittedCovariance, TrainingProfile)
}
