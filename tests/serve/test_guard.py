"""The requests xlogreg serve refuses before routing, from their headers alone
(xlogreg/serve/_guard.py): a POST not declared JSON gets 415 and a Host that is not the
service's gets 400 (browsers' cross-origin POSTs, DNS rebinding), before the body is read.
In-process, with FastAPI's TestClient or the ASGI application called directly to see what
it reads; the same refusals over HTTP from the real server are in test_protocol.py."""

import warnings

import httpx
import numpy as np
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from tests.serve.hardening import BODY, ROW, call
from xlogreg.serve import create_app

with warnings.catch_warnings():
    # Starlette asks for the httpx2 fork at import; httpx, which the test extra installs, works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


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


def test_415_and_bad_host_are_answered_before_the_body_is_read(model):
    async def receive():
        raise AssertionError("the body was read")

    app = create_app(model, allowed_hosts=["localhost"])
    length = (b"content-length", str(len(BODY)).encode())
    sent = call(app, [(b"host", b"localhost"), (b"content-type", b"text/plain"), length], receive)
    assert sent[0]["status"] == 415
    json_ = (b"content-type", b"application/json")
    sent = call(app, [(b"host", b"evil.example"), json_, length], receive)
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

    sent = call(
        create_app(model, allowed_hosts=["localhost"]), [], receive, method="GET", path="/healthz"
    )
    assert sent[0]["status"] == 400
    assert TestClient(create_app(model)).get("/healthz").status_code == 200  # Host: testserver
    wildcard = TestClient(create_app(model, allowed_hosts=["*"]), "http://anything.example")
    assert wildcard.get("/healthz").status_code == 200
