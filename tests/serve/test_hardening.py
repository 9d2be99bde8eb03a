"""xlogreg serve against hostile and careless clients: browsers' cross-origin POSTs,
DNS rebinding, connections that stall or trickle, clients that leave mid-body.

The header checks run in-process (FastAPI's TestClient, or the ASGI application
called directly to see what it reads); the connection-level behaviour runs
against ``python -m xlogreg serve`` on 127.0.0.1 with 1-second timeouts, over
raw sockets, with its log read back.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx
import numpy as np
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from tests.cli_helpers import stop_process
from xlogreg import LogisticRegression
from xlogreg.serve import create_app

with warnings.catch_warnings():
    # Starlette asks for the httpx2 fork at import; httpx, which the test extra installs, works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

WORKTREE = Path(__file__).resolve().parents[2]
FEATURES = ["age", "dose"]
ROW = {"age": 1.0, "dose": 0.5}
BODY = json.dumps(ROW).encode()
TIMEOUT = 1  # --timeout-request and --timeout-keep-alive of the real server
WAIT = 5  # the most any test waits for the server to close a connection


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    return LogisticRegression().fit(X, (X[:, 0] + X[:, 1] > 0).astype(int), feature_names=FEATURES)


@pytest.fixture(scope="module")
def client(model):
    return TestClient(create_app(model))


# --- Content-Type: application/json or 415 ---------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        None,  # fetch() with a string body and no headers sends text/plain; a raw client, none
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/json",
        "application/json-seq",
    ],
)
def test_a_post_not_declared_json_gets_415(client, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = client.post("/predict", content=BODY, headers=headers)
    assert response.status_code == 415
    got = "none" if content_type is None else repr(content_type)
    detail = "POST /predict takes a JSON body: send Content-Type: application/json"
    assert response.json() == {"detail": f"{detail} (got {got})"}
    assert response.headers["accept-post"] == "application/json"


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON ; charset=UTF-8"],
)
def test_a_post_declared_json_is_answered(client, model, content_type):
    response = client.post("/predict", content=BODY, headers={"Content-Type": content_type})
    assert response.status_code == 200
    assert response.json()["logit"] == model.decision_function(np.array([[1.0, 0.5]]))[0]


def test_two_content_types_get_415(client):
    headers = [("Content-Type", "application/json"), ("Content-Type", "text/plain")]
    response = client.post("/predict", content=BODY, headers=headers)
    assert response.status_code == 415
    assert "(got 'application/json', 'text/plain')" in response.json()["detail"]


def test_every_post_is_checked_and_gets_need_no_content_type(client):
    assert client.post("/healthz", content=BODY).status_code == 415  # before routing (405)
    assert client.get("/healthz").status_code == 200
    assert client.get("/model", headers={"Content-Type": "text/plain"}).status_code == 200


def _call(app, scope_headers, receive, method="POST", path="/predict"):
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


def test_415_and_bad_host_are_answered_before_the_body_is_read(model):
    async def receive():
        raise AssertionError("the body was read")

    app = create_app(model, allowed_hosts=["localhost"])
    length = (b"content-length", str(len(BODY)).encode())
    sent = _call(app, [(b"host", b"localhost"), (b"content-type", b"text/plain"), length], receive)
    assert sent[0]["status"] == 415
    json_ = (b"content-type", b"application/json")
    sent = _call(app, [(b"host", b"evil.example"), json_, length], receive)
    assert sent[0]["status"] == 400


# --- Host: localhost, an IP address or an allowed name -------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "http://localhost:8000",
        "http://LocalHost.",
        "http://127.0.0.1:8000",
        "http://[::1]:8000",
        "http://10.1.2.3",
        "http://raisin.lan:8000",
    ],
)
def test_allowed_hosts_and_ip_addresses_are_answered(model, base_url):
    client = TestClient(create_app(model, allowed_hosts=["localhost", "Raisin.lan"]), base_url)
    assert client.get("/healthz").status_code == 200
    assert client.post("/predict", json=ROW).status_code == 200


@pytest.mark.parametrize(
    "base_url", ["http://evil.example:8000", "http://localhost.evil.example", "http://lan"]
)
def test_other_host_names_get_400_as_dns_rebinding_would(model, base_url):
    """A page on evil.example whose name now resolves to 127.0.0.1 sends Host: evil.example."""
    client = TestClient(create_app(model, allowed_hosts=["localhost", "raisin.lan"]), base_url)
    for response in (client.get("/healthz"), client.post("/predict", json=ROW)):
        assert response.status_code == 400
        detail = response.json()["detail"]
        assert detail.startswith(
            f"Host '{httpx.URL(base_url).netloc.decode()}' is not this service's"
        )
        assert detail.endswith(
            "localhost, raisin.lan or an IP address (xlogreg serve --allowed-host)"
        )


def test_a_missing_host_gets_400_and_any_host_is_the_default(model):
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    sent = _call(
        create_app(model, allowed_hosts=["localhost"]), [], receive, method="GET", path="/healthz"
    )
    assert sent[0]["status"] == 400
    assert TestClient(create_app(model)).get("/healthz").status_code == 200  # Host: testserver
    wildcard = TestClient(create_app(model, allowed_hosts=["*"]), "http://anything.example")
    assert wildcard.get("/healthz").status_code == 200


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
        _call(create_app(model), headers, receive)  # raised ClientDisconnect before
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
