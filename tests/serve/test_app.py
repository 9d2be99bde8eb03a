"""xlogreg serve: the HTTP service in-process (FastAPI's TestClient) and as a real server.

Answers are compared with the served model's own methods on the same rows:
they are the same computation, so equality is exact. The real server is
``python -m xlogreg serve`` on 127.0.0.1, started once for the module.
"""

import json
import math
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

import xlogreg
from tests.backends import RAISIN_CSV
from tests.cli_helpers import stop_process
from xlogreg import LinearRegression, LogisticRegression, StandardScaler
from xlogreg._backend import to_numpy
from xlogreg.card import model_card
from xlogreg.cli import main
from xlogreg.cli._data import read_table
from xlogreg.exceptions import NotFittedError
from xlogreg.serve import create_app
from xlogreg.serve._requests import MAX_PROBLEMS
from xlogreg.serve._schemas import BatchResponse, HealthResponse, Prediction

with warnings.catch_warnings():
    # Starlette asks for the httpx2 fork at import; httpx, which the test extra installs, works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

WORKTREE = Path(__file__).resolve().parents[2]
MAX_BATCH = 50  # small, so that a batch over the limit stays small

# Seed 004's request.
SEED_ROW = {
    "Area": 87524,
    "MajorAxisLength": 442.24,
    "MinorAxisLength": 253.29,
    "Eccentricity": 0.8197,
    "ConvexArea": 90546,
    "Extent": 0.7586,
    "Perimeter": 1184.04,
}


# --- models -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raisin():
    """Seed 004's model: the Raisin CSV, features by name, string classes, threshold 0.4."""
    table = read_table(RAISIN_CSV, target="Class")
    model = LogisticRegression(standardize=True, threshold=0.4).fit(
        table.X, table.y, feature_names=table.feature_names
    )
    return model, table.X


@pytest.fixture(scope="module")
def raisin_file(raisin, tmp_path_factory):
    """The model saved as a recorded run would be: the file and a card.json beside it."""
    folder = tmp_path_factory.mktemp("run")
    path = folder / "model.safetensors"
    raisin[0].save(path)
    card = model_card(raisin[0], run_id="run-7", metrics={"val_accuracy": 0.87})
    (folder / "card.json").write_text(json.dumps(card))
    return path


@pytest.fixture(scope="module")
def raisin_client(raisin):
    return TestClient(create_app(raisin[0], max_batch=MAX_BATCH))


def _generated(n_classes, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((300, 4)) * [1.0, 5.0, 0.1, 2.0]
    y = np.argmax(X[:, :n_classes] / [1.0, 5.0, 0.1][:n_classes], axis=1)
    return X, y


def _rows(X, names):
    return [dict(zip(names, map(float, row), strict=True)) for row in X]


JSON = {"Content-Type": "application/json"}


def _post(client, body, explain=False):
    """POST /predict; ``body`` as bytes is sent as it is (NaN literals, broken JSON)."""
    params = {"explain": "true"} if explain else None
    if isinstance(body, bytes):
        return client.post("/predict", content=body, params=params, headers=JSON)
    return client.post("/predict", json=body, params=params)


# --- the service in-process ---------------------------------------------------------------


def test_health_and_model_card(raisin):
    model = raisin[0]
    recorded = {"run_id": "run-7", "metrics": {"val_log_loss": 0.33}, "arrays": "stale"}
    client = TestClient(create_app(model, card=recorded))
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {
        "status": "ok",
        "estimator": "LogisticRegression",
        "xlogreg": xlogreg.__version__,
    }
    HealthResponse.model_validate(health.json())
    card = client.get("/model").json()
    # The recorded card's own entries, and the served model's description where both speak.
    assert card == json.loads(json.dumps({**recorded, **model_card(model)}))
    assert card["run_id"] == "run-7" and card["arrays"] == "numpy array, float64"
    assert card["features"] == list(SEED_ROW) and card["classes"] == ["Besni", "Kecimen"]
    assert TestClient(create_app(model)).get("/model").json() == json.loads(
        json.dumps(model_card(model))
    )


def test_seed_request_gets_the_models_answer(raisin, raisin_client):
    model = raisin[0]
    response = _post(raisin_client, SEED_ROW)
    assert response.status_code == 200
    x = np.array([list(SEED_ROW.values())], dtype=float)
    assert response.json() == {
        "label": model.predict(x)[0],
        "probability": model.predict_proba(x)[0, 1],
        "logit": model.decision_function(x)[0],
    }
    # The first row of the CSV, a Kecimen, is one of the model's mistakes: P(Kecimen) = 0.35.
    assert response.json()["label"] == "Besni"
    Prediction.model_validate(response.json())


def _threshold_rows(model, X):
    """Rows labelled differently at the model's threshold 0.4 than at 0.5, and others."""
    p = model.predict_proba(X)[:, 1]
    between = np.flatnonzero((p >= 0.4) & (p < 0.5))
    assert between.size > 0
    return np.r_[between[:5], np.arange(30)]


def test_batch_gets_the_models_answers_at_its_threshold_and_the_drift(raisin, raisin_client):
    model, X = raisin
    batch = X[_threshold_rows(model, X)]
    # Keys in another order than the model's features: rows are read by name.
    rows = [dict(reversed(row.items())) for row in _rows(batch, SEED_ROW)]
    response = _post(raisin_client, {"rows": rows})
    assert response.status_code == 200
    answer = response.json()
    BatchResponse.model_validate(answer)
    labels = model.predict(batch)
    assert [p["label"] for p in answer["predictions"]] == labels.tolist()
    assert labels[0] == "Kecimen"  # probability in [0.4, 0.5): positive at the model's threshold
    assert [p["probability"] for p in answer["predictions"]] == model.predict_proba(batch)[
        :, 1
    ].tolist()
    assert [p["logit"] for p in answer["predictions"]] == model.decision_function(batch).tolist()
    report = model.drift(batch)
    assert answer["drift"] == {
        "score": float(report.score),
        "drifted": bool(report.drifted),
        "threshold": 0.25,
        "z_shift": dict(zip(SEED_ROW, report.z_shift.tolist(), strict=True)),
        "drifted_features": list(report.drifted_features()),
    }


def test_a_shifted_batch_is_flagged_as_drifted(raisin, raisin_client):
    X = raisin[1]
    calm = _post(raisin_client, {"rows": _rows(X[::20], SEED_ROW)}).json()["drift"]
    shifted = X[::20] + np.r_[np.zeros(6), 2 * X[:, 6].std()]  # Perimeter, 2 std
    moved = _post(raisin_client, {"rows": _rows(shifted, SEED_ROW)}).json()["drift"]
    assert not calm["drifted"] and moved["drifted"]
    assert calm["drifted_features"] == [] and moved["drifted_features"] == ["Perimeter"]
    assert moved["z_shift"]["Perimeter"] == pytest.approx(calm["z_shift"]["Perimeter"] + 2, 1e-12)


def test_explain_adds_up_to_the_logit(raisin, raisin_client):
    model, X = raisin
    batch = X[:10]
    single = _post(raisin_client, SEED_ROW, explain=True).json()
    answers = [
        single,
        *_post(raisin_client, {"rows": _rows(batch, SEED_ROW)}, True).json()["predictions"],
    ]
    contributions, intercept = model.explain(np.vstack([list(SEED_ROW.values()), batch]))
    for answer, expected in zip(answers, contributions, strict=True):
        assert answer["contributions"] == dict(zip(SEED_ROW, expected.tolist(), strict=True))
        assert answer["intercept"] == float(intercept)
        terms = [*answer["contributions"].values(), answer["intercept"]]
        assert math.fsum(terms) == pytest.approx(answer["logit"], rel=1e-12, abs=1e-12)
        assert list(answer) == ["label", "probability", "logit", "contributions", "intercept"]


def test_multinomial_answers_are_keyed_by_class():
    X, y = _generated(3)
    model = LogisticRegression().fit(X, y, feature_names=["a", "b", "c", "d"])
    client = TestClient(create_app(model))
    response = _post(client, {"rows": _rows(X[:20], "abcd")}, explain=True)
    assert response.status_code == 200
    predictions = response.json()["predictions"]
    proba, logits = model.predict_proba(X[:20]), model.decision_function(X[:20])
    contributions, intercept = model.explain(X[:20])
    for i, answer in enumerate(predictions):
        assert answer["label"] == model.predict(X[:20])[i]
        assert answer["probability"] == {str(c): proba[i, c] for c in range(3)}
        assert answer["logit"] == {str(c): logits[i, c] for c in range(3)}
        assert answer["intercept"] == {str(c): intercept[c] for c in range(3)}
        for c in range(3):
            terms = answer["contributions"][str(c)]
            assert terms == dict(zip("abcd", contributions[i, c].tolist(), strict=True))
            total = math.fsum([*terms.values(), answer["intercept"][str(c)]])
            assert total == pytest.approx(logits[i, c], rel=1e-12, abs=1e-12)
    assert sum(predictions[0]["probability"].values()) == pytest.approx(1.0, abs=1e-15)


def test_regressor_answers_predictions():
    X, _ = _generated(2)
    y = X @ [1.0, -0.5, 3.0, 0.25] + 4.0
    model = LinearRegression().fit(X, y)
    client = TestClient(create_app(model))
    single = _post(
        client, dict(zip(model.feature_names_in_, X[0].tolist(), strict=True)), explain=True
    ).json()
    assert single["prediction"] == model.predict(X[:1])[0]
    contributions, intercept = model.explain(X[:1])
    assert single["contributions"] == dict(
        zip(("x0", "x1", "x2", "x3"), contributions[0], strict=True)
    )
    assert single["intercept"] == float(intercept)
    assert set(single) == {"prediction", "contributions", "intercept"}
    Y = np.column_stack([y, -y])  # two targets: lists
    two = LinearRegression().fit(X, Y)
    batch = _post(TestClient(create_app(two)), {"rows": _rows(X[:3], two.feature_names_in_)})
    assert [p["prediction"] for p in batch.json()["predictions"]] == two.predict(X[:3]).tolist()


def test_every_backend_serves_the_models_answers(backend):
    """The app computes where the model lives: each library, device and dtype."""
    X, y = _generated(2, seed=1)
    model = LogisticRegression().fit(backend.asarray(X), backend.asarray(y))
    client = TestClient(create_app(model))
    batch = X[:25]
    response = _post(client, {"rows": _rows(batch, model.feature_names_in_)}, explain=True)
    assert response.status_code == 200
    answer = response.json()
    on_device = backend.asarray(batch)
    assert [p["label"] for p in answer["predictions"]] == to_numpy(
        model.predict(on_device)
    ).tolist()
    for name, method in [("probability", model.predict_proba), ("logit", model.decision_function)]:
        expected = to_numpy(method(on_device))
        expected = expected[:, 1] if expected.ndim == 2 else expected
        assert [p[name] for p in answer["predictions"]] == expected.tolist()
    contributions = to_numpy(model.explain(on_device).contributions)
    got = [list(p["contributions"].values()) for p in answer["predictions"]]
    assert got == contributions.tolist()
    assert answer["drift"]["z_shift"] == dict(
        zip(model.feature_names_in_, to_numpy(model.drift(on_device).z_shift).tolist(), strict=True)
    )


def test_float32_requests(raisin):
    model, X = raisin
    client = TestClient(create_app(model, dtype="float32"))
    answer = _post(client, {"rows": _rows(X[:5], SEED_ROW)}).json()
    expected = model.predict_proba(X[:5].astype(np.float32))[:, 1]
    assert expected.dtype == np.float32
    assert [p["probability"] for p in answer["predictions"]] == expected.tolist()
    response = _post(client, {**SEED_ROW, "Area": 1e39})  # beyond float32
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "out_of_range",
            "loc": ["body", "Area"],
            "msg": "out of the range of float32",
            "input": 1e39,
        }
    ]


def test_outputs_that_overflow_are_refused_naming_the_row(raisin, raisin_client):
    model, _ = raisin
    huge = dict.fromkeys(SEED_ROW, 1e308)
    with np.errstate(over="ignore", invalid="ignore"):
        assert not np.isfinite(model.decision_function(np.full((1, 7), 1e308)))[0]
    response = _post(raisin_client, {"rows": [SEED_ROW, huge]})
    assert response.status_code == 422
    assert [(d["loc"], d["type"]) for d in response.json()["detail"]] == [
        (["body", "rows", 1], "output_overflow")
    ]


# (body, the location of the one problem, its type); bytes are sent as they are.
INVALID = {
    "missing feature": (
        {k: v for k, v in SEED_ROW.items() if k != "Extent"},
        ["body", "Extent"],
        "missing",
    ),
    "unknown feature": ({**SEED_ROW, "Colour": 3}, ["body", "Colour"], "extra_forbidden"),
    "string": ({**SEED_ROW, "Area": "87524"}, ["body", "Area"], "float_type"),
    "boolean": ({**SEED_ROW, "Area": True}, ["body", "Area"], "float_type"),
    "null": ({**SEED_ROW, "Area": None}, ["body", "Area"], "float_type"),
    "array": ({**SEED_ROW, "Area": [1.0]}, ["body", "Area"], "float_type"),
    "NaN": (
        json.dumps({**SEED_ROW, "Extent": float("nan")}).encode(),
        ["body", "Extent"],
        "finite_number",
    ),
    "infinity": (
        json.dumps({**SEED_ROW, "Perimeter": float("-inf")}).encode(),
        ["body", "Perimeter"],
        "finite_number",
    ),
    "empty batch": ({"rows": []}, ["body", "rows"], "too_short"),
    "batch too large": ({"rows": [SEED_ROW] * (MAX_BATCH + 1)}, ["body", "rows"], "too_long"),
    "row of a batch": (
        {"rows": [SEED_ROW, {**SEED_ROW, "Area": "x"}]},
        ["body", "rows", 1, "Area"],
        "float_type",
    ),
    "row not an object": ({"rows": [SEED_ROW, 3]}, ["body", "rows", 1], "dict_type"),
    "rows not a list": ({"rows": SEED_ROW}, ["body", "rows"], "list_type"),
    "key beside rows": (
        {"rows": [SEED_ROW], "model": "v2"},
        ["body", "model"],
        "extra_forbidden",
    ),
    "body a list": ([SEED_ROW], ["body"], "dict_type"),
    "body a number": (b"42", ["body"], "dict_type"),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_invalid_requests_are_refused_naming_the_field(case, raisin_client):
    body, loc, kind = INVALID[case]
    response = _post(raisin_client, body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(d["loc"], d["type"]) for d in detail] == [(loc, kind)]
    assert detail[0]["msg"]
    if kind in ("float_type", "extra_forbidden") and loc != ["body"]:  # the value is echoed
        assert detail[0].get("input") == _value_at(body, loc)


def _value_at(body, loc):
    value = body
    for key in loc[1:]:
        value = value[key]
    return value if not isinstance(value, list | dict) else None


def test_messages_say_what_is_wrong(raisin_client):
    detail = _post(raisin_client, {**SEED_ROW, "Colour": "red", "Area": None}).json()["detail"]
    messages = {d["loc"][-1]: d["msg"] for d in detail}
    assert messages == {
        "Area": "must be a number, got null",
        "Colour": "unknown feature; the model's 7 features are Area, MajorAxisLength, "
        "MinorAxisLength, Eccentricity, ConvexArea, Extent, Perimeter (GET /model)",
    }
    detail = _post(raisin_client, {"rows": [SEED_ROW] * (MAX_BATCH + 1)}).json()["detail"]
    assert detail[0]["msg"] == f"the batch holds more than {MAX_BATCH} rows (--max-batch)"


def test_problems_are_capped(raisin_client):
    rows = [{"Area": 1.0}] * MAX_BATCH  # six features missing in each row
    detail = _post(raisin_client, {"rows": rows}).json()["detail"]
    assert len(detail) == MAX_PROBLEMS
    assert detail[0]["loc"] == ["body", "rows", 0, "MajorAxisLength"]


def test_malformed_json_and_bad_query(raisin_client):
    response = _post(raisin_client, b'{"Area": 87524,')
    assert response.status_code == 400
    assert response.json()["detail"].startswith("the body is not valid JSON: ")
    assert _post(raisin_client, b"\xff\xfe\x00").status_code == 400  # not UTF-8 text
    response = raisin_client.post("/predict", json=SEED_ROW, params={"explain": "maybe"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "explain"]


def test_bodies_over_the_limit_get_413(raisin):
    limit = len(json.dumps(SEED_ROW)) + 10
    client = TestClient(create_app(raisin[0], max_body_bytes=limit))
    assert _post(client, SEED_ROW).status_code == 200
    too_large = {"rows": [SEED_ROW, SEED_ROW]}
    declared = _post(client, too_large)  # refused on its Content-Length
    assert declared.status_code == 413
    assert declared.json() == {
        "detail": f"the body is larger than {limit} bytes (--max-body-bytes)"
    }
    data = json.dumps(too_large).encode()
    chunks = (data[i : i + 16] for i in range(0, len(data), 16))  # chunked: no Content-Length
    assert client.post("/predict", content=chunks, headers=JSON).status_code == 413


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"max_batch": 0}, ValueError, "max_batch"),
        ({"max_body_bytes": 1.5}, TypeError, "max_body_bytes"),
        ({"drift_threshold": -1.0}, ValueError, "drift_threshold"),
        ({"dtype": "float16"}, ValueError, "dtype"),
        ({"card": ["run-7"]}, TypeError, "card must be a mapping"),
        ({"card": {"auc": float("nan")}}, ValueError, "not JSON-ready"),
        ({"allowed_hosts": "localhost"}, TypeError, "allowed_hosts must be a sequence"),
        ({"allowed_hosts": ["localhost", 8000]}, TypeError, "allowed_hosts must hold strings"),
        ({"allowed_hosts": [" "]}, ValueError, "allowed_hosts holds an empty host name"),
    ],
)
def test_create_app_refuses_bad_arguments(raisin, arguments, error, message):
    with pytest.raises(error, match=message):
        create_app(raisin[0], **arguments)


def test_create_app_refuses_what_it_cannot_serve():
    with pytest.raises(TypeError, match="LogisticRegression or a LinearRegression, got Standard"):
        create_app(StandardScaler().fit(np.ones((3, 2))))
    with pytest.raises(NotFittedError):
        create_app(LogisticRegression())


# --- the command, in-process (uvicorn.run replaced) ------------------------------------------


@pytest.fixture
def launched(monkeypatch):
    """Run ``xlogreg serve`` with a uvicorn.run that records its call instead of serving."""
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    return calls


def _main(argv, capsys):
    try:
        main(argv)
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def test_command_loads_the_model_and_runs_uvicorn_on_loopback(raisin_file, launched, capsys):
    code, _, err = _main(["serve", str(raisin_file), "--max-batch", "7"], capsys)
    assert code == 0
    ((application, options),) = launched
    protocol, log_config = options.pop("http"), options.pop("log_config")
    assert options == {
        "host": "127.0.0.1",
        "port": 8000,
        "log_level": "info",
        "timeout_keep_alive": xlogreg.serve.TIMEOUT_KEEP_ALIVE,
    }
    assert protocol.request_timeout == xlogreg.serve.TIMEOUT_REQUEST == 10.0
    assert log_config["loggers"]["xlogreg.serve"]["handlers"] == ["default"]
    assert "warning" not in err
    assert f"serving LogisticRegression from {raisin_file} (7 features) with numpy on cpu" in err
    client = TestClient(application, "http://localhost:8000")
    card = client.get("/model").json()
    assert card["run_id"] == "run-7" and card["metrics"] == {"val_accuracy": 0.87}
    response = _post(client, {"rows": [SEED_ROW] * 8})
    assert response.json()["detail"][0]["type"] == "too_long"  # --max-batch 7 reached the app


def test_command_answers_localhost_ip_addresses_and_the_allowed_hosts(
    raisin_file, launched, capsys
):
    """Against DNS rebinding: Host must be localhost, an IP address, the --host name or
    an --allowed-host; the timeouts reach uvicorn and the protocol."""
    argv = ["serve", str(raisin_file), "--allowed-host", "raisin.lan", "--allowed-host", "x.lan"]
    argv += ["--timeout-request", "2.5", "--timeout-keep-alive", "0.5"]
    assert _main(argv, capsys)[0] == 0
    assert _main(["serve", str(raisin_file), "--host", "model.lan"], capsys)[0] == 0
    assert _main(["serve", str(raisin_file), "--allowed-host", "*"], capsys)[0] == 0
    (allowed, options), (named, _), (wildcard, _) = launched
    assert options["http"].request_timeout == 2.5 and options["timeout_keep_alive"] == 0.5

    def status(application, host):
        client = TestClient(application, f"http://{host}:8000")
        return client.post("/predict", json=SEED_ROW).status_code

    for host in ("localhost", "127.0.0.1", "[::1]", "raisin.lan", "X.lan"):
        assert status(allowed, host) == 200, host
    for host in ("evil.example", "testserver", "model.lan"):
        assert status(allowed, host) == 400, host
    assert status(named, "model.lan") == 200 and status(named, "raisin.lan") == 400
    assert status(wildcard, "evil.example") == 200


@pytest.mark.parametrize("option", ["--timeout-request", "--timeout-keep-alive"])
@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan"])
def test_command_refuses_timeouts_that_are_not_positive(
    raisin_file, launched, capsys, option, value
):
    code, out, err = _main(["serve", str(raisin_file), option, value], capsys)
    assert (code, out) == (1, "")
    assert err == f"error: {option} must be a positive number of seconds, got {float(value)}\n"
    assert launched == []


def test_command_warns_off_loopback(raisin_file, launched, capsys):
    code, _, err = _main(["serve", str(raisin_file), "--host", "0.0.0.0", "--port", "9001"], capsys)
    assert code == 0 and launched[0][1]["host"] == "0.0.0.0" and launched[0][1]["port"] == 9001
    assert err.startswith("warning: --host 0.0.0.0 is not a loopback address")


def test_command_computes_where_asked(raisin_file, launched, capsys):
    code, _, _ = _main(["serve", str(raisin_file), "--dtype", "float32"], capsys)
    assert code == 0
    client = TestClient(launched[0][0], "http://127.0.0.1:8000")
    x = np.array([list(SEED_ROW.values())], dtype=np.float32)
    model = xlogreg.load(raisin_file)
    assert _post(client, SEED_ROW).json()["probability"] == model.predict_proba(x)[0, 1]


def test_command_errors_are_one_line(raisin_file, tmp_path, launched, capsys, monkeypatch):
    def error_of(argv):
        code, out, err = _main(argv, capsys)
        assert code == 1 and out == "" and len(err.splitlines()) == 1, (code, err)
        return err

    assert error_of(["serve", str(tmp_path / "none.safetensors")]) == (
        f"error: {tmp_path / 'none.safetensors'}: no such file\n"
    )
    scaler = tmp_path / "scaler.safetensors"
    StandardScaler().fit(np.ones((3, 2))).save(scaler)
    assert "serves a LogisticRegression or a LinearRegression" in error_of(["serve", str(scaler)])
    not_a_model = tmp_path / "model.csv"
    not_a_model.write_text("a,b\n1,2\n")
    assert error_of(["serve", str(not_a_model)]).startswith("error: ")
    broken = tmp_path / "run"
    broken.mkdir()
    raisin_file_copy = broken / "model.safetensors"
    raisin_file_copy.write_bytes(raisin_file.read_bytes())
    (broken / "card.json").write_text("{not json")
    assert "card.json: not a JSON model card" in error_of(["serve", str(raisin_file_copy)])
    # String class labels exist in NumPy only (or torch is not installed): refused before serving.
    assert error_of(["serve", str(raisin_file), "--backend", "torch"]).startswith("error: ")
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # the serve extra is not installed
    assert "pip install 'xlogreg[serve]'" in error_of(["serve", str(raisin_file)])
    assert launched == []


def test_command_usage_errors_fail_in_one_line(raisin_file, launched, capsys):
    for argv in (["serve"], ["serve", str(raisin_file), "--port", "0"]):
        code, out, err = _main(argv, capsys)
        assert (code, out) == (1, "") and err.startswith("error: ") and err.count("\n") == 1
    assert launched == []


# --- a real server -----------------------------------------------------------------------------


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(raisin_file, tmp_path_factory):
    """``python -m xlogreg serve`` on 127.0.0.1 and a free port, stopped whatever happens."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, "PYTHONPATH": str(WORKTREE)}
    command = [sys.executable, "-m", "xlogreg", "serve", str(raisin_file), "--port", str(port)]
    command += ["--max-batch", str(MAX_BATCH)]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=WORKTREE, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, f"the server exited:\n{log.read_text()}"
                assert time.monotonic() < deadline, f"no /healthz:\n{log.read_text()}"
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield client, log
    finally:
        stop_process(process)


def test_real_server_answers(server, raisin):
    client, log = server
    model, X = raisin
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/model").json()["run_id"] == "run-7"
    x = np.array([list(SEED_ROW.values())])
    single = client.post("/predict", json=SEED_ROW, params={"explain": "true"}).json()
    contributions, intercept = model.explain(x)
    assert single == {
        "label": "Besni",
        "probability": model.predict_proba(x)[0, 1],
        "logit": model.decision_function(x)[0],
        "contributions": dict(zip(SEED_ROW, contributions[0].tolist(), strict=True)),
        "intercept": float(intercept),
    }
    batch = X[_threshold_rows(model, X)]
    answer = client.post("/predict", json={"rows": _rows(batch, SEED_ROW)}).json()
    assert [p["label"] for p in answer["predictions"]] == model.predict(batch).tolist()
    assert [p["logit"] for p in answer["predictions"]] == model.decision_function(batch).tolist()
    assert answer["drift"]["score"] == float(model.drift(batch).score)
    assert "Uvicorn running on http://127.0.0.1:" in log.read_text()


def test_real_server_refuses_what_the_app_refuses(server, raisin_client):
    """Every refusal over real HTTP is the in-process one, byte for byte."""
    client, _ = server
    cases = [body for body, _, _ in INVALID.values()] + [b'{"Area": 87524,', b"\xff\xfe\x00"]
    for body in cases:
        real, local = _post(client, body), _post(raisin_client, body)
        assert (real.status_code, real.json()) == (local.status_code, local.json())
        assert real.status_code in (400, 422)
    limit = xlogreg.serve.MAX_BODY_BYTES
    too_large = client.post("/predict", content=b" " * (limit + 1), headers=JSON)
    assert too_large.status_code == 413


def test_real_server_under_load(server, raisin):
    """2,000 sequential requests on one connection: no error, every answer right."""
    client, _ = server
    model, X = raisin
    expected = model.predict(X).tolist()
    rows = _rows(X, SEED_ROW)
    order = np.random.default_rng(0).integers(0, len(rows), 2000)
    latencies = []
    for i in order:
        start = time.perf_counter()
        response = client.post("/predict", json=rows[i])
        latencies.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
        assert response.json()["label"] == expected[i]
    p50, p99 = np.percentile(np.array(latencies) * 1e3, [50, 99])
    print(
        f"\n2000 single-row requests: p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
        f"{len(latencies) / sum(latencies):.0f} requests/s"
    )
    assert np.isfinite(p50) and np.isfinite(p99) and 0 < p50 <= p99


def test_a_feature_named_rows_is_still_a_feature():
    X, y = _generated(2)
    model = LogisticRegression().fit(X, y, feature_names=["rows", "b", "c", "d"])
    client = TestClient(create_app(model))
    row = dict(zip(model.feature_names_in_, X[0].tolist(), strict=True))
    single = _post(client, row).json()
    assert single["logit"] == model.decision_function(X[:1])[0]
    batch = _post(client, {"rows": [row, row]}).json()
    expected = model.decision_function(np.vstack([X[0], X[0]])).tolist()
    assert [p["logit"] for p in batch["predictions"]] == expected


def test_the_readme_batch_answer_is_what_the_service_gives(raisin_client):
    """README, "Serving": the two-row batch's answer, and the features that flag its drift."""
    rows = [
        {"Area": 87524, "MajorAxisLength": 442.24, "MinorAxisLength": 253.29,
         "Eccentricity": 0.8197, "ConvexArea": 90546, "Extent": 0.7586, "Perimeter": 1184.04},
        {"Area": 75166, "MajorAxisLength": 406.69, "MinorAxisLength": 243.03,
         "Eccentricity": 0.8018, "ConvexArea": 78789, "Extent": 0.6841, "Perimeter": 1121.79},
    ]  # fmt: skip
    answer = _post(raisin_client, {"rows": rows}).json()
    assert [p["label"] for p in answer["predictions"]] == ["Besni", "Kecimen"]
    assert answer["predictions"][1]["probability"] == pytest.approx(0.511518108370864, rel=1e-9)
    drift = answer["drift"]
    assert drift["score"] == pytest.approx(0.4087330054352668, rel=1e-9)
    assert drift["drifted"] and drift["drifted_features"] == ["Eccentricity", "Extent"]
    assert drift["z_shift"]["Area"] == pytest.approx(-0.16570177728512392, rel=1e-9)
