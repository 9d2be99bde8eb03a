"""The shapes of the service's requests and responses, as pydantic types.

The request types depend on the served model (one field per feature), so
:func:`request_types` builds them at start-up; pydantic then checks every
value (a JSON number, finite: no strings, booleans or nulls) and names the
field of every problem. The response models document ``POST /predict`` in
the OpenAPI schema (``GET /docs``) and let clients check what they receive.

No ``from __future__ import annotations``: the batch type's annotation names
the row type and the limit of the call that builds it, which pydantic must
see evaluated.
"""

from collections.abc import Sequence
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, with_config
from typing_extensions import TypedDict

__all__ = [
    "BatchResponse",
    "DriftResponse",
    "HealthResponse",
    "Prediction",
    "RequestTypes",
    "request_types",
]

# A feature value: a JSON number (an integer or a float), finite. Strict mode
# refuses what lax mode would coerce: "1.5", true, null.
_Value = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class RequestTypes(NamedTuple):
    """Validators of the two accepted bodies, built for one model's features.

    Attributes
    ----------
    row : pydantic.TypeAdapter
        One row: a JSON object with exactly the model's features, each a
        finite number.
    batch : pydantic.TypeAdapter
        ``{"rows": [row, ...]}`` with 1 to ``max_batch`` rows and no other key.
    """

    row: TypeAdapter
    batch: TypeAdapter


def request_types(feature_names: Sequence[str], *, max_batch: int) -> RequestTypes:
    """Build the request validators for a model with ``feature_names``.

    Feature names need not be Python identifiers: the functional ``TypedDict``
    form takes any string as a key.

    Examples
    --------
    >>> from pydantic import ValidationError
    >>> from xlogreg.serve._schemas import request_types
    >>> types = request_types(["Area", "Major axis"], max_batch=2)
    >>> types.row.validate_python({"Area": 87524, "Major axis": 442.2})
    {'Area': 87524.0, 'Major axis': 442.2}
    >>> try:
    ...     types.row.validate_python({"Area": "87524"})
    ... except ValidationError as error:
    ...     print([(e["loc"], e["type"]) for e in error.errors()])
    [(('Area',), 'float_type'), (('Major axis',), 'missing')]
    """
    forbid_extra = with_config(ConfigDict(extra="forbid"))
    row = forbid_extra(TypedDict("Row", dict.fromkeys(feature_names, _Value)))  # type: ignore[misc]

    @forbid_extra
    class Batch(TypedDict):
        rows: Annotated[list[row], Field(min_length=1, max_length=max_batch)]  # type: ignore[valid-type]

    return RequestTypes(TypeAdapter(row), TypeAdapter(Batch))


class Prediction(BaseModel):
    """One row's answer; only the fields that apply to the served model are present.

    A classifier answers ``label`` (at the model's ``threshold``),
    ``probability`` and ``logit``: floats for the positive class
    ``classes[1]`` of a binary model, objects keyed by class for three
    classes or more. A regressor answers ``prediction`` (a list for several
    targets). With ``?explain=true`` come ``contributions`` (``coef·x`` per
    feature, per class or target where there are several) and the
    ``intercept``: they add up to the logit (the prediction).
    """

    model_config = ConfigDict(extra="forbid")

    label: str | int | float | bool | None = None
    probability: float | dict[str, float] | None = None
    logit: float | dict[str, float] | None = None
    prediction: float | list[float] | None = None
    contributions: (
        dict[str, float] | dict[str, dict[str, float]] | list[dict[str, float]] | None
    ) = None
    intercept: float | dict[str, float] | list[float] | None = None


class DriftResponse(BaseModel):
    """The batch's covariate drift, ``model.drift(batch)``: the largest shift of a feature."""

    model_config = ConfigDict(extra="forbid")

    score: float = Field(description="max(|z_shift|) over the features")
    drifted: bool = Field(description="score > threshold: some feature drifted")
    threshold: float
    z_shift: dict[str, float] = Field(
        description="(batch mean − training mean) / training std, per feature"
    )
    drifted_features: list[str] = Field(
        description="the features whose |z_shift| > threshold, in the model's order"
    )


class BatchResponse(BaseModel):
    """The answer to ``{"rows": [...]}``: one prediction per row, in order, and the drift."""

    model_config = ConfigDict(extra="forbid")

    predictions: list[Prediction]
    drift: DriftResponse


class HealthResponse(BaseModel):
    """``GET /healthz``: the service is up and has its model."""

    status: Literal["ok"]
    estimator: str
    xlogreg: str
