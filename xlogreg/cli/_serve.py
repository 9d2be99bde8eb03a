"""``xlogreg serve MODEL``: answer predictions over HTTP (FastAPI on uvicorn)."""

from __future__ import annotations

import ipaddress
import json
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
from xlogreg.serve import MAX_BATCH, MAX_BODY_BYTES

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
    backend and device. Stop with Ctrl-C.
    """
    uvicorn, create_app = _serve_extra()
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
    uvicorn.run(application, host=host, port=port, log_level="info")


def _serve_extra() -> tuple[Any, Any]:
    """uvicorn and :func:`xlogreg.serve.create_app`, or the one-line way to install them."""
    try:
        import uvicorn

        from xlogreg.serve import create_app
    except ImportError as error:
        if error.name not in _EXTRA:
            raise
        raise ValueError(
            f"xlogreg serve needs FastAPI and uvicorn ({error.name} is missing): "
            "pip install 'xlogreg[serve]'"
        ) from None
    return uvicorn, create_app


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
