"""The service's default request limits and timeouts, importable without the ``serve``
extra (the command line shows them in ``xlogreg serve --help``)."""

__all__ = ["MAX_BATCH", "MAX_BODY_BYTES", "TIMEOUT_KEEP_ALIVE", "TIMEOUT_REQUEST"]

MAX_BATCH = 1000
"""Default most rows per request."""

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Default largest request body: a full batch of 1,000 rows of 64 features
(about 2.5 MB of JSON) fits."""

TIMEOUT_KEEP_ALIVE = 5.0
"""Default seconds a connection may stay idle, before its first request or
between two (uvicorn's own default)."""

TIMEOUT_REQUEST = 10.0
"""Default seconds a client has from the first byte of a request to its last
(headers and body): a full 4 MiB body needs about 3.4 Mbit/s."""
