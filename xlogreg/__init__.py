"""xlogreg: logistic and linear regression written once against the Python array API.

The same code fits, standardizes and predicts on NumPy arrays, PyTorch
tensors (CPU, CUDA, MPS), CuPy arrays and any other array-API library, and
returns results in the library, device and dtype of the input; so do the
evaluation metrics of :mod:`xlogreg.metrics`, the per-feature explanations of
:mod:`xlogreg.explain` and the drift reports of :mod:`xlogreg.drift`.
"""

from xlogreg import drift, explain, metrics, model_selection
from xlogreg.calibration import CalibratedClassifier
from xlogreg.exceptions import ConvergenceWarning, LinAlgWarning, ModelFileError, NotFittedError
from xlogreg.inference import Summary
from xlogreg.io import load
from xlogreg.linear_model import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    LinearRegression,
    LogisticRegression,
    LogisticRegressionCV,
    RidgeCV,
)
from xlogreg.preprocessing import StandardScaler

__version__ = "0.1.0"

__all__ = [
    "CalibratedClassifier",
    "ConvergenceWarning",
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "LinAlgWarning",
    "LinearRegression",
    "LogisticRegression",
    "LogisticRegressionCV",
    "ModelFileError",
    "NotFittedError",
    "RidgeCV",
    "StandardScaler",
    "Summary",
    "__version__",
    "drift",
    "explain",
    "load",
    "metrics",
    "model_selection",
]
