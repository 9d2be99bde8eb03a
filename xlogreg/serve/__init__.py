"""``xlogreg serve``: a fitted model as an HTTP inference service (FastAPI on uvicorn).

Needs the ``serve`` extra (``pip install 'xlogreg[serve]'``).
:func:`create_app` builds the ASGI application of one model; the command
``xlogreg serve MODEL`` loads the model file once, builds it and runs it on
uvicorn, bound to 127.0.0.1 unless ``--host`` says otherwise, with the
HTTP/1.1 protocol of :func:`deadline_protocol` (slow or stalled clients are
disconnected) and ``Host`` names limited to localhost and ``--allowed-host``.

Endpoints
---------
``GET /healthz``
    ``{"status": "ok", "estimator": ..., "xlogreg": ...}``.
``GET /model``
    The model card (:func:`xlogreg.card.model_card`), merged into the
    ``card.json`` beside the model file when there is one (a recorded run).
``POST /predict[?explain=true]``
    One row, a JSON object keyed by feature name (``{"Area": 87524, ...}``),
    answered by one prediction; or a batch ``{"rows": [row, ...]}``,
    answered by ``{"predictions": [...], "drift": {...}}``. A classifier's
    prediction is ``label`` (``model.predict``, at the model's
    ``threshold``), ``probability`` and ``logit`` (of the positive class
    ``classes[1]`` for two classes; objects keyed by class for more); a
    regressor's is ``prediction``. ``explain=true`` adds ``contributions``
    (feature name → ``coef·x``, per class for a multinomial model) and the
    ``intercept``, which add up to the logit. ``drift`` is
    ``model.drift(batch)``: ``score``, ``drifted``, ``threshold``,
    ``z_shift`` by feature and the ``drifted_features``. A single row has
    no drift report: its "mean" is the row itself, whose ``|z|`` averages
    0.8 for rows from the training distribution, so it would always exceed
    the 0.25 threshold.
    Seed 004's names map as ``pred`` → ``label``, ``p_class1`` →
    ``probability``, ``logit`` → ``logit``, ``feature_contrib_logit`` →
    ``contributions``.

Errors
------
415 when a POST does not declare ``Content-Type: application/json``, and
400 when ``Host`` names a host not in ``allowed_hosts``, both before the body
is read; 400 when the body is not JSON; 413 beyond ``max_body_bytes``
(declared ``Content-Length`` or bytes received); 422 with FastAPI's
``{"detail": [{"type", "loc", "msg", "input"}]}`` naming each field at
fault (at most 20): a missing or unknown feature, a value that is not a
finite number (a string, a boolean, null, NaN, an array...) or is beyond
the compute dtype's range, an empty batch or one over ``max_batch``, a body
that is neither an object nor a batch, outputs that overflow.
"""

from typing import Any

from xlogreg.serve._limits import (
    MAX_BATCH,
    MAX_BODY_BYTES,
    TIMEOUT_KEEP_ALIVE,
    TIMEOUT_REQUEST,
)

__all__ = [
    "MAX_BATCH",
    "MAX_BODY_BYTES",
    "TIMEOUT_KEEP_ALIVE",
    "TIMEOUT_REQUEST",
    "create_app",
    "deadline_protocol",
]


def __getattr__(name: str) -> Any:
    # create_app needs FastAPI, deadline_protocol uvicorn, an optional extra: imported
    # on first use, so that the command line can show the limits and explain how to
    # install it.
    if name == "create_app":
        from xlogreg.serve._app import create_app

        return create_app
    if name == "deadline_protocol":
        from xlogreg.serve._protocol import deadline_protocol

        return deadline_protocol
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
