"""The calibrators behind :class:`~xlogreg.CalibratedClassifier`: fit and map, per method.

A method's fit takes a model's scores on held-out rows, their one-hot labels
and weights, and returns its parameters as arrays on the scores' device (and
Python numbers); its map turns scores into calibrated probabilities with them.
Platt and temperature scaling are fitted by Newton's method on the device,
isotonic regression on the host (:mod:`xlogreg.calibration._isotonic`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, NamedTuple

import array_api_compat

from xlogreg._backend import host_floats, host_list
from xlogreg._math import log_softmax, sigmoid
from xlogreg.calibration._isotonic import interpolate, isotonic_thresholds
from xlogreg.objectives import Binomial, Temperature
from xlogreg.solvers import minimize

__all__ = ["METHODS", "Scores", "calibrated_proba"]

# Newton iterations for the one- and two-parameter calibration fits: they
# converge quadratically, in well under ten from the starting points used.
_MAX_ITER = 100


class Scores:
    """A fitted classifier's scores on some rows, in the shapes each calibrator needs.

    ``values`` is its ``decision_function`` where it has one (shape
    (n_samples,) for two classes), else its ``predict_proba``.
    """

    def __init__(self, values: Any, *, probabilities: bool, xp: ModuleType) -> None:
        self.values, self.probabilities, self.xp = values, probabilities, xp

    @classmethod
    def of(cls, estimator: Any, X: Any) -> Scores:
        """The scores of a fitted ``estimator`` on ``X``."""
        decision = getattr(estimator, "decision_function", None)
        values = estimator.predict_proba(X) if decision is None else decision(X)
        xp = array_api_compat.array_namespace(values)
        return cls(values, probabilities=decision is None, xp=xp)

    def columns(self) -> Any:
        """One score column per calibrated class: the positive class's alone for two classes."""
        values = self.values
        if values.ndim == 1:
            return values[:, None]
        if self.probabilities and values.shape[1] == 2:
            return values[:, 1:]
        return values

    def targets(self, one_hot: Any) -> Any:
        """The class indicator of each of :meth:`columns`, from one-hot labels."""
        return one_hot[:, 1:] if self.columns().shape[1] == 1 else one_hot

    def logits(self) -> Any:
        """Logits of every class, shape (n_samples, n_classes): a binary ``f`` becomes ``(0, f)``.

        Probabilities become their logarithms, floored at the dtype's smallest
        normal number so that a probability of zero stays finite.
        """
        xp, values = self.xp, self.values
        if self.probabilities:
            return xp.log(xp.maximum(values, xp.finfo(values.dtype).smallest_normal))
        if values.ndim == 1:
            return xp.stack([xp.zeros_like(values), values], axis=1)
        return values


def _solve(objective: Any, w0: Any) -> Any:
    """Minimize a calibration objective with Newton's method; its solution.

    No gradient tolerance (``tol=0``): Newton stops when its decrement, the
    predicted remaining decrease, is within the loss's rounding. Unlike a
    gradient's size, that does not depend on the scale of the scores, so
    logits ×1e-3 and ×1e5 calibrate to the same probabilities.
    """
    return minimize(objective, w0, method="newton", tol=0.0, max_iter=_MAX_ITER).x


def _fit_platt(scores: Scores, one_hot: Any, weight: Any, *, xp: ModuleType) -> dict[str, Any]:
    """Platt's sigmoid per calibrated column, scikit-learn's ``_sigmoid_calibration``.

    The targets are Platt's smoothed ones, ``(N₊ + 1) / (N₊ + 2)`` for
    positives and ``1 / (N₋ + 2)`` for negatives (weighted counts), and the
    start is his: zero slope, the prior's log-odds.
    """
    columns, targets = scores.columns(), scores.targets(one_hot)
    device = array_api_compat.device(columns)
    slopes, offsets = [], []
    for k in range(columns.shape[1]):
        target = targets[:, k]
        positive = weight @ target
        negative = xp.sum(weight) - positive
        soft = xp.where(target > 0, (positive + 1.0) / (positive + 2.0), 1.0 / (negative + 2.0))
        objective = Binomial(columns[:, k : k + 1], soft, weight, l2=0.0, fit_intercept=True, xp=xp)
        start = xp.stack(
            [
                xp.zeros((), dtype=columns.dtype, device=device),
                xp.log((positive + 1.0) / (negative + 1.0)),
            ]
        )
        solution = _solve(objective, start)
        # Binomial predicts sigmoid(w·f + c); Platt writes 1 / (1 + exp(a·f + b)).
        slopes.append(-solution[0])
        offsets.append(-solution[1])
    return {"a_": xp.stack(slopes), "b_": xp.stack(offsets)}


def _platt_columns(scores: Scores, parameters: dict[str, Any], *, xp: ModuleType) -> Any:
    return sigmoid(-(scores.columns() * parameters["a_"] + parameters["b_"]), xp=xp)


def _fit_isotonic(scores: Scores, one_hot: Any, weight: Any, *, xp: ModuleType) -> dict[str, Any]:
    """Isotonic regression per calibrated column, on the host (see ``_isotonic.py``)."""
    columns, targets = scores.columns(), scores.targets(one_hot)
    rows = []
    for k in range(columns.shape[1]):
        order = xp.argsort(columns[:, k])  # sorted on the device, the rest on the host
        host = (host_list(xp.take(a, order)) for a in (columns[:, k], targets[:, k], weight))
        rows.append(isotonic_thresholds(*host))
    width = max(len(x) for x, _ in rows)

    def padded(values: list[list[float]]) -> Any:
        return xp.asarray(
            [v + v[-1:] * (width - len(v)) for v in values],
            dtype=columns.dtype,
            device=array_api_compat.device(columns),
        )

    return {
        "thresholds_x_": padded([x for x, _ in rows]),
        "thresholds_y_": padded([y for _, y in rows]),
        "n_thresholds_": tuple(len(x) for x, _ in rows),
    }


def _isotonic_columns(scores: Scores, parameters: dict[str, Any], *, xp: ModuleType) -> Any:
    columns = scores.columns()
    x, y = parameters["thresholds_x_"], parameters["thresholds_y_"]
    fitted = [interpolate(x[k, :], y[k, :], columns[:, k], xp=xp) for k in range(x.shape[0])]
    # Interpolation between values in [0, 1] may round an ulp outside.
    return xp.clip(xp.stack(fitted, axis=1), 0.0, 1.0)


def _fit_temperature(
    scores: Scores, one_hot: Any, weight: Any, *, xp: ModuleType
) -> dict[str, Any]:
    """The temperature minimizing the log loss, through the convex loss in ``β = 1/T``.

    Newton starts at ``β = 0`` (uniform probabilities), where the curvature is
    the spread of the logits: at ``β = 1`` the logits of a very over-confident
    model make every probability 0 or 1 and the curvature vanish.
    """
    logits = scores.logits()
    start = xp.zeros(1, dtype=logits.dtype, device=array_api_compat.device(logits))
    beta = _solve(Temperature(logits, one_hot, weight, xp=xp), start)
    (value,) = host_floats(xp, beta[0])
    if not value > 0.0:
        raise ValueError(
            "temperature scaling found no positive temperature: the estimator's scores "
            f"do no better than chance on the calibration data (best 1/T = {value:.3g}); "
            "check the labels, or the estimator"
        )
    # Divided while of shape (1,): NumPy turns arithmetic on 0-d arrays into scalars.
    return {"temperature_": xp.reshape(1.0 / beta, ())}


def calibrated_proba(
    method: str, scores: Scores, parameters: dict[str, Any], *, xp: ModuleType
) -> Any:
    """Calibrated probabilities of every class, shape (n_samples, n_classes)."""
    if method == "temperature":
        return xp.exp(log_softmax(scores.logits() / parameters["temperature_"], axis=1, xp=xp))
    p = METHODS[method].columns(scores, parameters, xp=xp)
    if p.shape[1] == 1:
        return xp.concat([1.0 - p, p], axis=1)
    total = xp.sum(p, axis=1, keepdims=True)
    # A row every calibrator gives probability zero gets the uniform distribution.
    uniform = xp.full_like(p, 1.0 / p.shape[1])
    return xp.where(total > 0, p / xp.where(total > 0, total, 1.0), uniform)


class _Method(NamedTuple):
    """A calibration method: its fit, its per-column map (one-vs-rest methods), its attributes."""

    fit: Callable[..., dict[str, Any]]
    columns: Callable[..., Any] | None
    attributes: tuple[str, ...]


METHODS = {
    "platt": _Method(_fit_platt, _platt_columns, ("a_", "b_")),
    "temperature": _Method(_fit_temperature, None, ("temperature_",)),
    "isotonic": _Method(
        _fit_isotonic, _isotonic_columns, ("thresholds_x_", "thresholds_y_", "n_thresholds_")
    ),
}
