"""``xlogreg serve MODEL``: answer predictions over HTTP (FastAPI on uvicorn)."""

from __future__ import annotations

import copy
import ipaddress
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from xlogreg.cli._app import app
from xlogreg.cli._options import (
    Backend,
    BackendOption,
    Device,
    DeviceOption,
    Dtype,
    DtypeOption,
    Target,
)
from xlogreg.drift import DRIFT_THRESHOLD
from xlogreg.serve import MAX_BATCH, MAX_BODY_BYTES, TIMEOUT_KEEP_ALIVE, TIMEOUT_REQUEST

__all__ = ["serve"]

# The packages of the serve extra (and what they bring), as ImportError names them.
_EXTRA = ("fastapi", "starlette", "pydantic", "uvicorn")


@app.command()
def serve(
    model: Annotated[
        Path,
        typer.Argument(
            help="A model file (xlogreg fit --model-out, model.save); a card.json beside it "
            "(a recorded run) is served by GET /model.",
            show_default=False,
        ),
    ],
    host: Annotated[
        str, typer.Option(help="Address to listen on; the default answers this machine only.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    max_batch: Annotated[int, typer.Option(min=1, help="Most rows in one request.")] = MAX_BATCH,
    max_body_bytes: Annotated[
        int, typer.Option(min=1, help="Largest request body; larger ones get 413.")
    ] = MAX_BODY_BYTES,
    drift_threshold: Annotated[
        float,
        typer.Option(min=0.0, help="Drift threshold of each feature's |z-shift| in batch reports."),
    ] = DRIFT_THRESHOLD,
    timeout_request: Annotated[
        float,
        typer.Option(
            help="Seconds a client has from the first byte of a request to its last "
            "(headers and body); slower ones are disconnected."
        ),
    ] = TIMEOUT_REQUEST,
    timeout_keep_alive: Annotated[
        float,
        typer.Option(
            help="Seconds a connection may stay idle before its first request or between two."
        ),
    ] = TIMEOUT_KEEP_ALIVE,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="A host name requests may carry in their Host header (repeatable; '*' for "
            "any). localhost and IP addresses are always accepted; other names are refused "
            "against DNS rebinding.",
            show_default=False,
        ),
    ] = None,
    backend: BackendOption = Backend.numpy,
    device: DeviceOption = Device.auto,
    dtype: DtypeOption = Dtype.float64,
) -> None:
    """Serve a model over HTTP: /healthz, /model and /predict.

    GET /healthz, GET /model, POST /predict[?explain=true]. POST /predict
    takes one row keyed by feature name ({"Area": 87524, ...}) or a batch
    ({"rows": [...]}) and answers label, probability and logit (and
    contributions with ?explain=true; a batch also gets its drift report).
    The model loads once; each request is one array operation on the chosen
    backend and device. POST bodies must be sent as Content-Type:
    application/json (415 otherwise); a Host header other than localhost, an
    IP address or an --allowed-host gets 400; a client that takes longer than
    --timeout-request to send a request, or stays idle longer than
    --timeout-keep-alive, is disconnected. Stop with Ctrl-C.
    """
    for value, option in (
        (timeout_request, "--timeout-request"),
        (timeout_keep_alive, "--timeout-keep-alive"),
    ):
        if not 0 < value < math.inf:
            raise ValueError(f"{option} must be a positive number of seconds, got {value}")
    uvicorn, create_app, deadline_protocol = _serve_extra()
    target = Target.resolve(backend, device, dtype)
    if not model.is_file():
        raise FileNotFoundError(f"{model}: no such file")
    import xlogreg

    fitted = xlogreg.load(model, device=target.spec())
    card_path = model.with_name("card.json")
    card = _read_card(card_path) if card_path.is_file() else None
    application = create_app(
        fitted,
        card=card,
        max_batch=max_batch,
        max_body_bytes=max_body_bytes,
        drift_threshold=drift_threshold,
        dtype=target.dtype,
        allowed_hosts=_allowed_hosts(host, allowed_host or []),
    )
    if not _is_loopback(host):
        print(
            f"warning: --host {host} is not a loopback address: anyone who can reach this "
            "machine can query the model (no authentication, no TLS)",
            file=sys.stderr,
        )
    recorded = f", card {card_path}" if card is not None else ""
    print(
        f"serving {type(fitted).__name__} from {model} ({len(fitted.feature_names_in_)} "
        f"features) with {target.describe()}{recorded}",
        file=sys.stderr,
    )
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="info",
        log_config=_log_config(uvicorn),
        http=deadline_protocol(timeout_request),
        timeout_keep_alive=timeout_keep_alive,
    )


def _serve_extra() -> tuple[Any, Any, Any]:
    """uvicorn, :func:`xlogreg.serve.create_app` and :func:`xlogreg.serve.deadline_protocol`,
    or the one-line way to install them."""
    try:
        import uvicorn

        from xlogreg.serve import create_app, deadline_protocol
    except ImportError as error:
        if error.name not in _EXTRA:
            raise
        raise ValueError(
            f"xlogreg serve needs FastAPI and uvicorn ({error.name} is missing): "
            "pip install 'xlogreg[serve]'"
        ) from None
    return uvicorn, create_app, deadline_protocol


def _allowed_hosts(host: str, names: list[str]) -> list[str]:
    """localhost, the name the service listens on (when ``--host`` is a name) and ``names``.

    Examples
    --------
    >>> from xlogreg.cli._serve import _allowed_hosts
    >>> _allowed_hosts("127.0.0.1", []), _allowed_hosts("raisin.lan", ["*"])
    (['localhost'], ['localhost', 'raisin.lan', '*'])
    """
    try:
        ipaddress.ip_address(host)
    except ValueError:
        own = [host] if host != "localhost" else []
    else:
        own = []
    return ["localhost", *own, *names]


def _log_config(uvicorn: Any) -> dict[str, Any]:
    """uvicorn's logging, extended to the service's own logger (connections closed
    in the middle of a request, one line each)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["xlogreg.serve"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def _read_card(path: Path) -> dict[str, Any]:
    """A recorded model card: a JSON object."""
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a JSON model card ({error})") from None
    if not isinstance(card, dict):
        raise ValueError(f"{path}: a model card is a JSON object, got {type(card).__name__}")
    return card


def _is_loopback(host: str) -> bool:
    """Whether ``host`` answers this machine only (an IP address on loopback, or localhost).

    Examples
    --------
    >>> from xlogreg.cli._serve import _is_loopback
    >>> _is_loopback("127.0.0.1"), _is_loopback("::1"), _is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False
