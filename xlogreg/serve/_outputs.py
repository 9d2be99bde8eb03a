"""The served model's answers for a batch of rows, as JSON-ready Python values.

Each request is one array operation per model method: the (n, d) batch is
copied to the model's library and device once, and ``predict``,
``predict_proba``, ``decision_function``, ``explain`` and ``drift`` run once
each on the whole of it; only their results come back to the host, where
they become plain Python numbers, strings and booleans.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi.exceptions import RequestValidationError

from xlogreg._backend import quiet_overflow, resolve, to_device, to_numpy
from xlogreg.linear_model import LogisticRegression
from xlogreg.serve._requests import row_location

__all__ = ["Predictor"]


class Predictor:
    """Answer requests with a fitted :class:`~xlogreg.LogisticRegression` or
    :class:`~xlogreg.LinearRegression`, in its library and on its device.

    Parameters
    ----------
    model : LogisticRegression or LinearRegression
        Fitted.
    drift_threshold : float
        Passed to ``model.drift``.
    """

    def __init__(self, model: Any, *, drift_threshold: float) -> None:
        self.model = model
        self.drift_threshold = drift_threshold
        self.xp, self.device = resolve(coef=model.coef_)
        self.feature_names = tuple(model.feature_names_in_)
        classes = to_numpy(model.classes_) if isinstance(model, LogisticRegression) else None
        self.classes = None if classes is None else classes.tolist()
        # JSON object keys are strings: the classes name the entries of multinomial outputs.
        self.class_keys = None if classes is None else [str(c) for c in self.classes]

    def answer(self, X: np.ndarray, *, batch: bool, explain: bool) -> dict[str, Any]:
        """The response to validated rows ``X`` (host, in the compute dtype).

        Returns
        -------
        dict
            One row's prediction (see :class:`~xlogreg.serve._schemas.Prediction`)
            for a single row; ``{"predictions": [...], "drift": {...}}`` for a
            batch.

        Raises
        ------
        fastapi.exceptions.RequestValidationError
            When an output is not finite (values so large that a logit
            overflows), naming the first such row.
        """
        X = to_device(X, self.xp, self.device)
        with quiet_overflow(self.xp):  # outputs that overflow are refused by _check_finite
            labels, outputs, intercept = self._outputs(X, explain=explain)
            drift = self.model.drift(X, threshold=self.drift_threshold) if batch else None
        _check_finite(outputs, drift, batch=batch)
        columns = {} if labels is None else {"label": labels}
        columns.update({name: self._json(name, values) for name, values in outputs.items()})
        if intercept is not None:
            columns["intercept"] = [self._intercept(intercept)] * X.shape[0]
        predictions = [
            dict(zip(columns, values, strict=True))
            for values in zip(*columns.values(), strict=True)
        ]
        if not batch:
            return predictions[0]
        return {"predictions": predictions, "drift": self._drift(drift)}

    def _outputs(self, X: Any, *, explain: bool) -> tuple[list | None, dict, np.ndarray | None]:
        """On the host: the labels (None for a regressor), the numeric outputs by name,
        and the intercept of the explanation (None without one)."""
        model = self.model
        if self.classes is None:
            labels, outputs = None, {"prediction": to_numpy(model.predict(X))}
        else:
            labels = to_numpy(model.predict(X)).tolist()
            outputs = {
                "probability": to_numpy(model.predict_proba(X)),
                "logit": to_numpy(model.decision_function(X)),
            }
            if len(self.classes) == 2:  # the positive class classes_[1], as decision_function
                outputs["probability"] = outputs["probability"][:, 1]
        if not explain:
            return labels, outputs, None
        contributions, intercept = model.explain(X)
        outputs["contributions"] = to_numpy(contributions)
        return labels, outputs, to_numpy(intercept)

    def _json(self, name: str, values: np.ndarray) -> list:
        """One output's rows as JSON values: numbers, lists, or objects keyed by
        class (multinomial) and by feature (contributions)."""
        if name == "contributions":
            names = self.feature_names
            if values.ndim == 2:
                return [dict(zip(names, row, strict=True)) for row in values.tolist()]
            tables = [
                [dict(zip(names, out, strict=True)) for out in row] for row in values.tolist()
            ]
            return tables if self.classes is None else [self._by_class(row) for row in tables]
        if values.ndim == 2 and self.classes is not None:
            return [self._by_class(row) for row in values.tolist()]
        return values.tolist()

    def _intercept(self, intercept: np.ndarray) -> Any:
        if intercept.ndim == 0:
            return float(intercept)
        return intercept.tolist() if self.classes is None else self._by_class(intercept.tolist())

    def _by_class(self, values: list) -> dict[str, Any]:
        return dict(zip(self.class_keys, values, strict=True))

    def _drift(self, report: Any) -> dict[str, Any]:
        return {
            "score": float(to_numpy(report.score)),
            "drifted": bool(to_numpy(report.drifted)),
            "threshold": report.threshold,
            "z_shift": dict(
                zip(report.feature_names, to_numpy(report.z_shift).tolist(), strict=True)
            ),
            "drifted_features": list(report.drifted_features()),
        }


def _check_finite(outputs: dict[str, np.ndarray], drift: Any, *, batch: bool) -> None:
    """Refuse outputs that overflowed, naming the first such row: JSON has no NaN or
    infinity, and a client must never be handed one silently."""
    for name, values in outputs.items():
        finite = np.isfinite(values.reshape(values.shape[0], -1)).all(axis=1)
        if not finite.all():
            index = int(np.argmin(finite))
            raise RequestValidationError(
                [
                    {
                        "type": "output_overflow",
                        "loc": row_location(index, batch=batch),
                        "msg": f"the model's {name} is not finite: the values are too large",
                    }
                ]
            )
    if drift is not None and not np.isfinite(to_numpy(drift.score)):
        raise RequestValidationError(
            [
                {
                    "type": "output_overflow",
                    "loc": ["body", "rows"],
                    "msg": "the batch's drift score is not finite: the values are too large",
                }
            ]
        )
