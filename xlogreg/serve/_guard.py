"""Requests refused before routing, from their headers alone: a body that is not declared
JSON (415), and a ``Host`` that is not the service's (400).

Both close a browser's ways into a service on this machine. A web page may send
a cross-origin POST without asking the server first (a CORS "simple" request)
only with ``text/plain``, ``multipart/form-data`` or
``application/x-www-form-urlencoded`` bodies, or no content type at all:
requiring ``application/json`` turns every such POST into one the browser must
preflight, which this service never allows. DNS rebinding (a page on
``evil.example`` whose name then resolves to 127.0.0.1) reaches the service
with its own name in ``Host``: refusing names the service was not given stops it.
An IP address in ``Host`` is always accepted, since a rebinding page can only
be reached by a name.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from starlette.responses import JSONResponse

__all__ = ["RequestGuard", "host_name"]

# Methods whose body, if any, the service never reads.
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})
_JSON = "application/json"


def host_name(value: str) -> str:
    """The host of a ``Host`` header, lower-cased, without port, brackets or final dot.

    Examples
    --------
    >>> from xlogreg.serve._guard import host_name
    >>> host_name("LocalHost:8000"), host_name("[::1]:8000"), host_name("example.com.")
    ('localhost', '::1', 'example.com')
    """
    value = value.strip().lower()
    if value.startswith("["):  # an IPv6 address, with or without a port
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


class RequestGuard:
    """ASGI middleware: 415 for a request with a body not declared JSON, 400 for a
    ``Host`` that is not allowed; both answered without reading the body.

    Parameters
    ----------
    app : ASGI application
        The application the accepted requests go to.
    allowed_hosts : iterable of str or None
        Host names a request's ``Host`` may carry (any port; an IP address is
        always accepted). None accepts every ``Host``.
    """

    def __init__(self, app: Any, *, allowed_hosts: Iterable[str] | None) -> None:
        self.app = app
        self.allowed_hosts = (
            None if allowed_hosts is None else frozenset(map(host_name, allowed_hosts))
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Any) -> JSONResponse | None:
        headers: dict[bytes, list[str]] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.lower(), []).append(value.decode("latin-1"))
        if self.allowed_hosts is not None:
            hosts = headers.get(b"host", [])
            if len(hosts) != 1 or not self._allows(host_name(hosts[0])):
                got = ", ".join(map(repr, hosts)) or "none"
                return JSONResponse(
                    {
                        "detail": f"Host {got} is not this service's: it answers "
                        f"{', '.join(sorted(self.allowed_hosts))} or an IP address "
                        "(xlogreg serve --allowed-host)"
                    },
                    status_code=400,
                )
        if scope["method"] not in _BODILESS:
            types = headers.get(b"content-type", [])
            if len(types) != 1 or types[0].partition(";")[0].strip().lower() != _JSON:
                got = ", ".join(map(repr, types)) or "none"
                return JSONResponse(
                    {
                        "detail": f"{scope['method']} {scope['path']} takes a JSON body: "
                        f"send Content-Type: {_JSON} (got {got})"
                    },
                    status_code=415,
                    headers={"Accept-Post": _JSON},
                )
        return None

    def _allows(self, host: str) -> bool:
        if self.allowed_hosts is None or host in self.allowed_hosts:
            return True
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True
