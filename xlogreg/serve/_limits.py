"""The service's default request limits, importable without the ``serve`` extra
(the command line shows them in ``xlogreg serve --help``)."""

__all__ = ["MAX_BATCH", "MAX_BODY_BYTES"]

MAX_BATCH = 1000
"""Default most rows per request."""

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Default largest request body: a full batch of 1,000 rows of 64 features
(about 2.5 MB of JSON) fits."""
