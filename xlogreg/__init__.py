"""xlogreg: logistic and linear regression written once against the Python array API.

The same code fits, standardizes and predicts on NumPy arrays, PyTorch
tensors (CPU, CUDA, MPS), CuPy arrays and any other array-API library, and
returns results in the library, device and dtype of the input; so do the
evaluation metrics of :mod:`xlogreg.metrics`, the per-feature explanations of
:mod:`xlogreg.explain` and the drift reports of :mod:`xlogreg.drift`.
"""

from xlogreg import drift, explain, metrics
from xlogreg.exceptions import ConvergenceWarning, LinAlgWarning, NotFittedError
from xlogreg.linear_model import LinearRegression, LogisticRegression
from xlogreg.preprocessing import StandardScaler

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "LinAlgWarning",
    "LinearRegression",
    "LogisticRegression",
    "NotFittedError",
    "StandardScaler",
    "__version__",
    "drift",
    "explain",
    "metrics",
]
