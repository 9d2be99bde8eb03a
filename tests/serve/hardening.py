"""What the hardening tests of xlogreg serve (tests/serve/test_guard.py and
tests/serve/test_protocol.py) share: the model's features, one request body, and one call
of the ASGI application."""

import asyncio
import json

FEATURES = ["age", "dose"]
ROW = {"age": 1.0, "dose": 0.5}
BODY = json.dumps(ROW).encode()


def call(app, scope_headers, receive, method="POST", path="/predict"):
    """Call the ASGI application once; the messages it sent."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": scope_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = []

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent
