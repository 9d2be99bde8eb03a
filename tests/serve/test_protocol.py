"""xlogreg serve's HTTP/1.1 protocol (xlogreg/serve/_protocol.py) against clients that
stall, trickle or leave mid-body: against ``python -m xlogreg serve`` on 127.0.0.1 with
1-second timeouts, over raw sockets, with its log read back, every stalled connection is
closed at the keep-alive timeout or the request deadline, a request within the deadlines is
answered, and a client leaving mid-body is one log line. Also in-process: a client leaving
mid-body raises nothing (the application's handler); and over HTTP, the real server refuses
other hosts and content types (the guard of test_guard.py behind this protocol)."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.cli_helpers import stop_process
from tests.serve.hardening import BODY, call
from xlogreg.serve import create_app

WORKTREE = Path(__file__).resolve().parents[2]
TIMEOUT = 1  # --timeout-request and --timeout-keep-alive of the real server
WAIT = 5  # the most any test waits for the server to close a connection


# --- a client that leaves mid-body, in-process --------------------------------------------------


def test_a_client_leaving_mid_body_raises_nothing_and_logs_no_error(model, caplog):
    messages = iter(
        [
            {"type": "http.request", "body": BODY[:5], "more_body": True},
            {"type": "http.disconnect"},
        ]
    )

    async def receive():
        return next(messages)

    headers = [(b"host", b"localhost"), (b"content-type", b"application/json")]
    headers.append((b"content-length", b"1000"))
    with caplog.at_level("DEBUG"):
        call(create_app(model), headers, receive)  # raised ClientDisconnect before
    assert [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []
    assert all(r.exc_info is None for r in caplog.records)


# --- a real server ------------------------------------------------------------------------


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(model, tmp_path_factory):
    """``python -m xlogreg serve`` with 1-second timeouts: its port and its log file."""
    folder = tmp_path_factory.mktemp("hardening")
    model.save(folder / "model.safetensors")
    port = _free_port()
    log = folder / "server.log"
    command = [sys.executable, "-m", "xlogreg", "serve", str(folder / "model.safetensors")]
    command += ["--port", str(port), "--timeout-request", str(TIMEOUT)]
    command += ["--timeout-keep-alive", str(TIMEOUT)]
    env = {**os.environ, "PYTHONPATH": str(WORKTREE)}
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=WORKTREE, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while "Uvicorn running on" not in log.read_text():
            assert process.poll() is None, f"the server exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"the server did not start:\n{log.read_text()}"
            time.sleep(0.1)
        yield port, log
    finally:
        stop_process(process)


HEAD = (
    b"POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n"
)


def _connect(port, data=b""):
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(data)
    return connection


def _until_closed(connection, deadline):
    """What the server sent until it closed the connection (None if it is still open
    at ``deadline``), and when it closed it."""
    received = b""
    while True:
        connection.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            chunk = connection.recv(65536)
        except TimeoutError:
            return None, time.monotonic()
        except ConnectionResetError:
            return received, time.monotonic()
        if not chunk:
            return received, time.monotonic()
        received += chunk


def _answer(port, request):
    with _connect(port, request) as connection:
        received, _ = _until_closed(connection, time.monotonic() + WAIT)
    return received


def _response(connection):
    """One whole HTTP response (Content-Length delimited) read from ``connection``."""
    connection.settimeout(WAIT)
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(head.lower().partition(b"content-length: ")[2].partition(b"\r\n")[0])
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def _predict(body=BODY):
    return (
        b"POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )


def test_stalled_connections_are_closed(server):
    """70 connections that stall at every stage, each closed after the timeout: the
    idle ones by the keep-alive timeout, the others by the request deadline (they
    were all still open after 6 s before)."""
    port, log = server
    before = len(log.read_text())
    stalls = {
        "no byte": b"",
        "half a request line": b"POST /pre",
        "headers unfinished": HEAD[:-2],
        "10 of 1000 body bytes": HEAD + BODY[:10],
        "chunked body unfinished": HEAD.replace(
            b"Content-Length: 1000", b"Transfer-Encoding: chunked"
        )
        + b'5\r\n{"age',
        # Answered 415 at once; the client still owes the body it declared.
        "body after a 415": HEAD.replace(b"application/json", b"text/plain") + b"0123",
        # An answered request, then half of the next one on the same connection.
        "second request unfinished": HEAD.replace(b"1000", str(len(BODY)).encode())
        + BODY
        + HEAD[:20],
    }
    start = time.monotonic()
    connections = [(name, _connect(port, data)) for name, data in stalls.items() for _ in range(10)]
    deadline = start + WAIT
    for name, connection in connections:
        with connection:
            received, closed = _until_closed(connection, deadline)
        assert received is not None, f"{name}: still open after {WAIT} s"
        assert closed - start >= TIMEOUT * 0.99, f"{name}: closed before the timeout"
        if name == "body after a 415":
            assert received.startswith(b"HTTP/1.1 415 ")
        if name == "second request unfinished":
            assert received.startswith(b"HTTP/1.1 200 ") and received.count(b"HTTP/1.1") == 1
    assert b'"logit"' in _answer(port, _predict())  # the server still answers
    new = log.read_text()[before:]
    assert "Traceback" not in new and "ERROR" not in new
    # One line for each connection closed in the middle of a request (all but "no byte").
    assert new.count(f"closed: the request did not arrive in full within {TIMEOUT} s") == 60


def test_a_request_trickling_in_is_closed_at_the_deadline(server):
    """A deadline on the whole request, not on each read: one byte every 0.2 s never
    leaves the connection idle, and is closed all the same."""
    port, _ = server
    request = _predict()
    with _connect(port) as connection:
        start = time.monotonic()
        sent = 0
        try:
            while sent < len(request) and time.monotonic() < start + WAIT:
                connection.sendall(request[sent : sent + 1])
                sent += 1
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass
        received, closed = _until_closed(connection, start + WAIT + 1)
    assert received == b"", "the trickling request was answered"
    assert sent < len(request) and closed - start < WAIT
    assert sent * 0.2 >= TIMEOUT * 0.99  # it kept sending until the deadline


def test_a_request_within_the_deadlines_is_answered(server, model):
    """Headers, a pause, the body; then, on the same connection after a pause, another."""
    port, _ = server
    keep = _predict().replace(b"Connection: close\r\n", b"")
    head, body = keep.split(b"\r\n\r\n")
    with _connect(port, head + b"\r\n\r\n") as connection:
        time.sleep(TIMEOUT / 4)
        connection.sendall(body)
        connection.settimeout(WAIT)
        first = _response(connection)
        time.sleep(TIMEOUT / 4)
        connection.sendall(_predict())
        second, _ = _until_closed(connection, time.monotonic() + WAIT)
    logit = model.decision_function(np.array([[1.0, 0.5]]))[0]
    for answer in (first, second):
        assert answer.startswith(b"HTTP/1.1 200 ")
        assert json.loads(answer.partition(b"\r\n\r\n")[2]) == {
            "label": int(model.predict(np.array([[1.0, 0.5]]))[0]),
            "probability": model.predict_proba(np.array([[1.0, 0.5]]))[0, 1],
            "logit": logit,
        }


def test_a_client_leaving_mid_body_is_one_log_line(server):
    port, log = server
    before = log.read_text()
    with _connect(port, HEAD + b"0123456789"):
        time.sleep(0.1)  # the application is waiting for the body when the client leaves
    line = "the client closed the connection in the middle of a request"
    deadline = time.monotonic() + WAIT
    while (new := log.read_text()[len(before) :]).count(line) < 1:
        assert "Traceback" not in new, new  # what it logged before: ClientDisconnect's traceback
        assert time.monotonic() < deadline, f"nothing logged:\n{new}"
        time.sleep(0.05)
    assert b'"logit"' in _answer(port, _predict())  # and the access line of this request
    new = log.read_text()[len(before) :]
    assert "Traceback" not in new and "Exception" not in new
    assert new.count(line) == 1 and len(new.splitlines()) == 2, new


def test_other_hosts_and_content_types_are_refused_over_http(server):
    port, _ = server
    rebound = _predict().replace(b"Host: localhost", b"Host: evil.example:8000")
    assert _answer(port, rebound).startswith(b"HTTP/1.1 400 ")
    for host in (b"127.0.0.1", b"[::1]:8000", b"LOCALHOST"):
        request = _predict().replace(b"localhost", host)
        assert _answer(port, request).startswith(b"HTTP/1.1 200 "), host
    plain = _predict().replace(b"application/json", b"text/plain")
    assert _answer(port, plain).startswith(b"HTTP/1.1 415 ")
