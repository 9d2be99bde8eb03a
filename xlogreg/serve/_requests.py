"""From a request body to the (n, d) feature array the model takes, or a clear refusal.

A body is one row, a JSON object keyed by feature name, or a batch
``{"rows": [row, ...]}``. Malformed JSON is refused with 400; every other
problem with 422 and one entry per problem (at most :data:`MAX_PROBLEMS`),
in FastAPI's format: ``{"detail": [{"type", "loc", "msg", "input"?}]}``,
where ``loc`` names the field (``["body", "rows", 3, "Area"]``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from xlogreg.serve._schemas import request_types

__all__ = ["MAX_PROBLEMS", "Rows", "RowReader", "row_location"]

MAX_PROBLEMS = 20
"""Problems reported per refused request: enough to fix a body, and a bounded answer
for a batch whose every row is wrong."""

# JSON's name for the type of a value pydantic refused as a number.
_JSON_TYPES = ((bool, "a boolean"), (str, "a string"), (list, "an array"), (dict, "an object"))


class Rows(NamedTuple):
    """A validated request: the features as a host array, and whether it was a batch."""

    X: np.ndarray
    batch: bool


def row_location(index: int, *, batch: bool) -> list[str | int]:
    """The ``loc`` of row ``index`` in a 422 answer: the body itself for a single row."""
    return ["body", "rows", index] if batch else ["body"]


class RowReader:
    """Parse and validate request bodies for one model.

    Parameters
    ----------
    feature_names : sequence of str
        The model's ``feature_names_in_``: the keys every row must have, and
        the column order of the array.
    max_batch : int
        The most rows a batch may hold.
    dtype : {"float32", "float64"}
        The dtype of the array; a value beyond its range is refused.
    """

    def __init__(self, feature_names: Sequence[str], *, max_batch: int, dtype: str) -> None:
        self.feature_names = tuple(feature_names)
        self.max_batch = max_batch
        self.dtype = np.dtype(dtype)
        self.types = request_types(self.feature_names, max_batch=max_batch)

    def read(self, body: bytes) -> Rows:
        """The rows of ``body`` as an array of shape (n, n_features), in ``feature_names`` order.

        Raises
        ------
        fastapi.HTTPException
            400 when ``body`` is not JSON.
        fastapi.exceptions.RequestValidationError
            (422) naming each field at fault: a missing or unknown feature, a
            value that is not a finite number in range, an empty or
            too-large batch, a body of the wrong shape.
        """
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as error:
            raise HTTPException(400, f"the body is not valid JSON: {error}") from None
        batch = self._is_batch(payload)
        try:
            if batch:
                rows = self.types.batch.validate_python(payload)["rows"]
            else:
                rows = [self.types.row.validate_python(payload)]
        except ValidationError as error:
            problems = error.errors(include_url=False, include_context=False)
            raise RequestValidationError(
                [self._explained(problem, batch=batch) for problem in problems[:MAX_PROBLEMS]]
            ) from None
        names = self.feature_names
        X = np.array([[row[name] for name in names] for row in rows], dtype=np.float64)
        return Rows(self._in_range(X, batch=batch), batch)

    def _is_batch(self, payload: Any) -> bool:
        """``{"rows": [...]}`` is a batch, also for a model with a feature named ``rows``
        (whose value in a single row is a number, not a list)."""
        if not isinstance(payload, dict) or "rows" not in payload:
            return False
        return "rows" not in self.feature_names or isinstance(payload["rows"], list)

    def _in_range(self, X: np.ndarray, *, batch: bool) -> np.ndarray:
        """``X`` in the compute dtype, refusing values that overflow it (1e39 in float32)."""
        with np.errstate(over="ignore"):
            converted = X.astype(self.dtype, copy=False)
        bad = np.argwhere(~np.isfinite(converted))
        if bad.size:
            problems = [
                {
                    "type": "out_of_range",
                    "loc": [*row_location(int(i), batch=batch), self.feature_names[j]],
                    "msg": f"out of the range of {self.dtype.name}",
                    "input": float(X[i, j]),
                }
                for i, j in bad[:MAX_PROBLEMS]
            ]
            raise RequestValidationError(problems)
        return converted

    def _explained(self, problem: dict[str, Any], *, batch: bool) -> dict[str, Any]:
        """Pydantic's error, located in the body and told in the service's words."""
        kind, loc, value = problem["type"], list(problem["loc"]), problem.get("input")
        in_batch = batch and len(loc) == 2  # ("rows", i): a row of the batch, not a field
        messages = {
            "missing": "missing feature",
            "extra_forbidden": self._unknown(batch and len(loc) == 1),
            "finite_number": "must be a finite number",
            "float_type": f"must be a number, got {_json_type(value)}",
            "too_short": "the batch is empty: rows needs at least one row",
            "too_long": f"the batch holds more than {self.max_batch} rows (--max-batch)",
            "list_type": 'rows must be a list of rows: {"rows": [{...}, ...]}',
            "dict_type": (
                "a row must be a JSON object keyed by feature name"
                if in_batch
                else 'expected a JSON object: one row keyed by feature name, or {"rows": [...]}'
            ),
        }
        explained = {"type": kind, "loc": ["body", *loc], "msg": messages.get(kind, problem["msg"])}
        if _echoable(value):
            explained["input"] = value
        return explained

    def _unknown(self, batch_key: bool) -> str:
        if batch_key:
            return 'unknown key: a batch is {"rows": [...]} and nothing else'
        names = self.feature_names
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        return f"unknown feature; the model's {len(names)} features are {shown} (GET /model)"


def _json_type(value: Any) -> str:
    """How JSON calls ``value``'s type, for ``must be a number, got ...``."""
    if value is None:
        return "null"
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return "an integer beyond the range of a float"  # the only other value pydantic refuses


def _echoable(value: Any) -> bool:
    """Whether to repeat a refused value in the answer: short scalars that JSON can write
    (not a whole row or batch, not NaN, not a 4000-digit integer)."""
    if isinstance(value, float):
        return bool(np.isfinite(value))
    return (value is None or isinstance(value, bool | int | str)) and len(repr(value)) <= 100
