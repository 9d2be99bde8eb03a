"""uvicorn's HTTP/1.1 protocol (h11) with deadlines on the client's side of each request.

uvicorn times out a connection only while it is idle after a response
(``timeout_keep_alive``): a connection that never sends a byte, or stops in
the middle of its headers or its body, stays open for ever, and so do the
coroutine and the memory it holds (uvicorn's httptools protocol is no
different). This protocol adds

- the keep-alive timeout from the moment a connection opens, not only after a
  response;
- a deadline on each request: from its first byte, the client has
  ``request_timeout`` seconds to send all of it, headers and body, however
  slowly it trickles (a total, not a timeout between reads, which a client
  sending one byte a second would never reach). Past it the connection is
  closed without an answer; the time the model takes to answer is not counted.

Each connection closed in the middle of a request, by the client or by the
deadline, is one line on the ``xlogreg.serve`` logger, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from xlogreg._validation import check_number
from xlogreg.serve._limits import TIMEOUT_REQUEST

__all__ = ["DeadlineProtocol", "deadline_protocol", "logger"]

logger = logging.getLogger("xlogreg.serve")


def deadline_protocol(request_timeout: float = TIMEOUT_REQUEST) -> type[DeadlineProtocol]:
    """The protocol class to give ``uvicorn.run(app, http=...)``, with its request deadline.

    Parameters
    ----------
    request_timeout : float, default=10.0
        Seconds a client has from the first byte of a request to its last.

    Returns
    -------
    type
        A subclass of :class:`DeadlineProtocol` (uvicorn builds one instance
        per connection, so the deadline is a class attribute).

    Raises
    ------
    ValueError
        If ``request_timeout`` is not a positive finite number.
    """
    check_number(request_timeout, "request_timeout", low=0.0, low_open=True)
    check_number(request_timeout, "request_timeout", high=math.inf, high_open=True)
    return type(
        DeadlineProtocol.__name__, (DeadlineProtocol,), {"request_timeout": request_timeout}
    )


class DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a keep-alive timeout from the start and a request deadline."""

    request_timeout: float = TIMEOUT_REQUEST

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._expired = False

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        # uvicorn arms the keep-alive timer after each response only; the first
        # byte of a request cancels it (data_received), as it does later on.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()  # a pipelined request may have started, or the body still be owed

    def connection_lost(self, exc: Exception | None) -> None:
        if self._owes() and not self._expired:
            logger.info(
                "%s - the client closed the connection in the middle of a request", self._who()
            )
        self._cancel()
        super().connection_lost(exc)

    def _owes(self) -> bool:
        """Whether the client is in the middle of sending a request (headers or body)."""
        state = self.conn.their_state
        return state is h11.SEND_BODY or (state is h11.IDLE and bool(self.conn.trailing_data[0]))

    def _watch(self) -> None:
        if not self._owes():
            self._cancel()
            return
        if self.timeout_keep_alive_task is not None:
            # Not idle: a pipelined request read from the buffer after a response
            # sends no byte that would cancel the keep-alive timer (data_received).
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None
        if self._deadline is None and not self.transport.is_closing():
            self._deadline = self.loop.call_later(self.request_timeout, self._expire)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self._owes() and not self.transport.is_closing():
            self._expired = True
            logger.info(
                "%s - closed: the request did not arrive in full within %g s (--timeout-request)",
                self._who(),
                self.request_timeout,
            )
            self.transport.close()

    def _who(self) -> str:
        if not self.client:
            return "a client"
        host, port = self.client
        return f"{host}:{port}"
