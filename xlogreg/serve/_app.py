"""The ASGI application: ``GET /healthz``, ``GET /model`` and ``POST /predict`` for one model.

No ``from __future__ import annotations`` here: FastAPI reads the endpoints'
annotations at run time, and ``Depends(read_body)`` names a local object.
"""

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from xlogreg import __version__
from xlogreg._backend import has_float64, resolve
from xlogreg._validation import check_choice, check_number
from xlogreg.card import model_card
from xlogreg.drift import DRIFT_THRESHOLD
from xlogreg.linear_model import LinearRegression, LogisticRegression
from xlogreg.serve._guard import RequestGuard
from xlogreg.serve._limits import MAX_BATCH, MAX_BODY_BYTES
from xlogreg.serve._outputs import Predictor
from xlogreg.serve._requests import RowReader
from xlogreg.serve._schemas import BatchResponse, HealthResponse, Prediction

__all__ = ["create_app"]

logger = logging.getLogger("xlogreg.serve")


def create_app(
    model: LogisticRegression | LinearRegression,
    *,
    card: Mapping[str, Any] | None = None,
    max_batch: int = MAX_BATCH,
    max_body_bytes: int = MAX_BODY_BYTES,
    drift_threshold: float = DRIFT_THRESHOLD,
    dtype: str | None = None,
    allowed_hosts: Sequence[str] | None = None,
) -> FastAPI:
    """Build the HTTP service of a fitted model (a FastAPI application; run it with uvicorn).

    Parameters
    ----------
    model : LogisticRegression or LinearRegression
        A fitted model, in the library and on the device it will compute
        on (``xlogreg.load(path, device=...)``). Requests are answered by
        its ``predict`` (at its ``threshold``), ``predict_proba``,
        ``decision_function``, ``explain`` and ``drift``.
    card : mapping, optional
        A recorded model card (a run's ``card.json``): ``GET /model``
        answers it updated with :func:`xlogreg.card.model_card` of
        ``model``, which describes the model actually served.
    max_batch : int, default=1000
        The most rows one request may hold.
    max_body_bytes : int, default=4 MiB
        The largest request body; beyond it the answer is 413.
    drift_threshold : float, default=DRIFT_THRESHOLD
        The threshold of the drift report of each batch.
    dtype : {"float32", "float64"}, optional
        The precision of the request arrays; by default that of the
        model's coefficients (float64 becomes float32 on devices without it).
    allowed_hosts : sequence of str, optional
        The host names requests may name in their ``Host`` header (any port;
        an IP address is always accepted), against DNS rebinding: a web page
        whose own name resolves to this machine. Other requests get 400
        before anything is read. By default (None, or a ``"*"`` among them)
        any ``Host`` is accepted; ``xlogreg serve`` passes ``["localhost"]``
        and its ``--allowed-host`` names.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    TypeError
        If ``model`` is not a LogisticRegression or LinearRegression,
        ``card`` is not a mapping, or ``allowed_hosts`` is not a sequence of
        strings.
    NotFittedError
        If ``model`` is not fitted.
    ValueError
        If a limit is not a positive integer, ``drift_threshold`` is
        negative, ``dtype`` is not a float dtype, the card is not
        JSON-ready (NaN, infinity, values JSON cannot hold), or a host name
        is empty.

    Notes
    -----
    Every request other than GET, HEAD and OPTIONS must declare its body
    ``Content-Type: application/json`` (parameters such as ``charset``
    allowed), or it gets 415 before its body is read: a web page can send a
    cross-origin POST without the browser asking the server first only with
    other content types.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import LogisticRegression
    >>> from xlogreg.serve import create_app
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> model = LogisticRegression().fit(X, np.array(["no", "no", "yes", "yes"]),
    ...                                  feature_names=["age", "dose"])
    >>> app = create_app(model, max_batch=100)
    >>> [route.path for route in app.routes if "docs" not in route.path][-3:]
    ['/healthz', '/model', '/predict']

    Serve it with ``uvicorn.run(app, host="127.0.0.1", port=8000)``, or try it
    in-process with ``fastapi.testclient.TestClient(app)``.
    """
    if not isinstance(model, LogisticRegression | LinearRegression):
        raise TypeError(
            f"the service serves a LogisticRegression or a LinearRegression, "
            f"got {type(model).__name__}"
        )
    model._check_is_fitted()
    check_number(max_batch, "max_batch", integer=True, low=1)
    check_number(max_body_bytes, "max_body_bytes", integer=True, low=1)
    check_number(drift_threshold, "drift_threshold", low=0.0)
    if dtype is not None:
        check_choice(dtype, "dtype", ("float32", "float64"))
    dtype = _request_dtype(model, dtype)
    hosts = _allowed_hosts(allowed_hosts)
    described = _served_card(model, card)
    reader = RowReader(model.feature_names_in_, max_batch=max_batch, dtype=dtype)
    predictor = Predictor(model, drift_threshold=float(drift_threshold))
    read_body = _BodyReader(max_body_bytes)
    health = HealthResponse(
        status="ok", estimator=type(model).__name__, xlogreg=__version__
    ).model_dump()
    app = FastAPI(
        title="xlogreg",
        version=__version__,
        summary=f"Predictions of a {type(model).__name__} over "
        f"{len(model.feature_names_in_)} features.",
    )
    app.add_middleware(RequestGuard, allowed_hosts=hosts)
    app.add_exception_handler(ClientDisconnect, _disconnected)

    @app.get("/healthz", response_model=HealthResponse)
    async def healthz() -> dict[str, str]:
        """Liveness and readiness: the model is loaded."""
        return health

    @app.get("/model")
    async def card_of_the_model() -> JSONResponse:
        """The model card: features, classes, threshold, coefficients, training profile,
        versions, and what the run recorded."""
        return JSONResponse(described)

    @app.post(
        "/predict",
        response_model=None,
        responses={
            200: {"model": Prediction | BatchResponse},
            400: {"description": "The body is not JSON, or the Host is not the service's."},
            413: {"description": f"The body is larger than {max_body_bytes} bytes."},
            415: {"description": "The Content-Type is not application/json."},
            422: {"description": "A field is missing, unknown, not a finite number..."},
        },
        openapi_extra={"requestBody": _request_schema(reader)},
    )
    def predict(
        body: Annotated[bytes, Depends(read_body)],
        explain: Annotated[
            bool, Query(description="Add each feature's contribution to the logit.")
        ] = False,
    ) -> JSONResponse:
        """Predict one row (an object keyed by feature name) or a batch (``{"rows": [...]}``)."""
        # A plain def: FastAPI runs it on a worker thread, so the array work
        # never holds up the event loop (health checks answer during a long batch).
        rows = reader.read(body)
        return JSONResponse(predictor.answer(rows.X, batch=rows.batch, explain=explain))

    return app


class _BodyReader:
    """The request body, refused with 413 beyond ``limit`` bytes: by its declared
    ``Content-Length`` before reading anything, and by the bytes actually received
    (a body sent with ``Transfer-Encoding: chunked`` declares none), before reading
    more than ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    async def __call__(self, request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise self._too_large()
        parts, size = [], 0
        async for part in request.stream():
            size += len(part)
            if size > self.limit:
                raise self._too_large()
            parts.append(part)
        return b"".join(parts)

    def _too_large(self) -> HTTPException:
        return HTTPException(413, f"the body is larger than {self.limit} bytes (--max-body-bytes)")


async def _disconnected(request: Request, error: Exception) -> Response:
    """The connection closed before the body arrived (the client left, or the server's
    deadline closed it): nothing to trace, and the answer goes nowhere. The server logs
    the closed connection; ``xlogreg serve`` does, in one line."""
    client = f"{request.client.host}:{request.client.port}" if request.client else "a client"
    logger.debug(
        "%s - %s %s: disconnected before the body arrived", client, request.method, request.url.path
    )
    return Response(status_code=400)


def _allowed_hosts(hosts: Sequence[str] | None) -> list[str] | None:
    """The host names of ``allowed_hosts``, None for any."""
    if hosts is None:
        return None
    if isinstance(hosts, str) or not isinstance(hosts, Sequence):
        raise TypeError(f"allowed_hosts must be a sequence of host names, got {hosts!r}")
    for host in hosts:
        if not isinstance(host, str):
            raise TypeError(f"allowed_hosts must hold strings, got {host!r}")
        if not host.strip():
            raise ValueError("allowed_hosts holds an empty host name")
    return None if "*" in hosts else list(hosts)


def _request_dtype(model: Any, dtype: str | None) -> str:
    """The dtype requests are computed in: ``dtype`` or the model's, float32 where the
    model's device has no float64 (so the range check is that of the computation)."""
    xp, device = resolve(coef=model.coef_)
    if dtype is None:
        dtype = "float32" if model.coef_.dtype == xp.float32 else "float64"
    return dtype if dtype == "float32" or has_float64(xp, device) else "float32"


def _served_card(model: Any, card: Mapping[str, Any] | None) -> dict[str, Any]:
    """The recorded card updated with the served model's own: strict JSON, checked once."""
    if card is not None and not isinstance(card, Mapping):
        raise TypeError(f"card must be a mapping, got {type(card).__name__}")
    described = {**(card or {}), **model_card(model)}
    try:
        json.dumps(described, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"the model card is not JSON-ready: {error}") from None
    return described


def _request_schema(reader: RowReader) -> dict[str, Any]:
    """The OpenAPI description of the two accepted bodies, for ``GET /docs``."""
    row = reader.types.row.json_schema()
    batch = {
        "title": "Batch",
        "type": "object",
        "properties": {
            "rows": {"type": "array", "items": row, "minItems": 1, "maxItems": reader.max_batch}
        },
        "required": ["rows"],
        "additionalProperties": False,
    }
    return {
        "required": True,
        "content": {"application/json": {"schema": {"anyOf": [row, batch]}}},
    }
