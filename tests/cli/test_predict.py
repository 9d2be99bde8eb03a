"""``xlogreg predict``: the CSV it writes equals the loaded model's own outputs."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import xlogreg
from tests.backends import RAISIN_CSV
from tests.cli_helpers import (
    assert_fails,
    generated,
    generated_csv,
    invoke,
    three_classes_csv,
    with_ids_csv,
    write_csv,
)
from xlogreg import LinearRegression, runs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Models written by ``xlogreg fit``: Raisin (a run), generated (threshold 0.3), 3 classes."""
    folder = tmp_path_factory.mktemp("models")
    generated_path = generated_csv(folder / "generated.csv")
    kinds = three_classes_csv(folder / "kinds.csv")
    fits = {
        "raisin": [RAISIN_CSV, "--target", "Class", "--runs-dir", folder / "runs"],
        "generated": [generated_path, "--target", "y", "--threshold", "0.3"],
        "kinds": [kinds, "--target", "kind"],
    }
    paths = {"data": {"raisin": RAISIN_CSV, "generated": generated_path, "kinds": kinds}}
    for name, args in fits.items():
        out = folder / f"{name}.safetensors"
        assert invoke("fit", *args, "--model-out", out).code == 0
        paths[name] = out
    paths["runs"] = folder / "runs"
    return paths


def _read(path):
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    return rows[0], rows[1:]


def _column(header, rows, name, kind=float):
    j = header.index(name)
    return np.array([kind(row[j]) for row in rows])


def _features(model, data):
    """The model's features from a CSV, by name, as NumPy floats."""
    header = Path(data).read_text().splitlines()[0].split(",")
    table = np.loadtxt(data, delimiter=",", skiprows=1, dtype=str)
    return np.column_stack(
        [table[:, header.index(name)].astype(float) for name in model.feature_names_in_]
    )


def test_predict_writes_the_models_outputs(models, tmp_path):
    out = tmp_path / "preds.csv"
    outcome = invoke("predict", models["raisin"], RAISIN_CSV, "--out", out, "--explain")
    assert outcome.code == 0 and outcome.stderr == ""
    assert f"900 rows, 12 columns -> {out}" in outcome.stdout
    header, rows = _read(out)
    model = xlogreg.load(models["raisin"])
    names = list(model.feature_names_in_)
    assert header == [
        "proba_Besni",
        "proba_Kecimen",
        "label",
        "logit",
        *[f"contrib_{name}" for name in names],
        "contrib_intercept",
    ]
    X = _features(model, RAISIN_CSV)
    proba = np.column_stack([_column(header, rows, f"proba_{c}") for c in model.classes_])
    # Written with repr: the floats read back exactly.
    np.testing.assert_array_equal(proba, model.predict_proba(X))
    np.testing.assert_array_equal(_column(header, rows, "label", str), model.predict(X))
    np.testing.assert_array_equal(_column(header, rows, "logit"), model.decision_function(X))
    contributions, intercept = model.explain(X)
    explained = np.column_stack([_column(header, rows, f"contrib_{name}") for name in names])
    np.testing.assert_array_equal(explained, contributions)
    np.testing.assert_array_equal(_column(header, rows, "contrib_intercept"), intercept)
    total = explained.sum(axis=1) + _column(header, rows, "contrib_intercept")
    np.testing.assert_allclose(total, _column(header, rows, "logit"), rtol=1e-12, atol=1e-12)


def test_predict_labels_at_the_models_threshold(models, tmp_path):
    out = tmp_path / "preds.csv"
    assert (
        invoke("predict", models["generated"], models["data"]["generated"], "--out", out).code == 0
    )
    header, rows = _read(out)
    assert header == ["proba_0", "proba_1", "label", "logit"]
    model = xlogreg.load(models["generated"])
    labels, positive = _column(header, rows, "label", int), _column(header, rows, "proba_1")
    np.testing.assert_array_equal(labels, (positive >= 0.3).astype(int))
    assert 0 < np.sum((positive >= 0.3) & (positive < 0.5))  # the threshold matters here
    np.testing.assert_array_equal(labels, model.predict(generated()[0]))


def test_predict_three_classes(models, tmp_path):
    out = tmp_path / "preds.csv"
    data = models["data"]["kinds"]
    assert invoke("predict", models["kinds"], data, "--out", out, "--explain").code == 0
    header, rows = _read(out)
    model = xlogreg.load(models["kinds"])
    assert header[:4] == ["proba_ant", "proba_bee", "proba_cat", "label"] and "logit" not in header
    assert header[4:8] == [
        "contrib_ant_a",
        "contrib_ant_b",
        "contrib_ant_c",
        "contrib_ant_intercept",
    ]
    X = _features(model, data)
    proba = np.column_stack([_column(header, rows, f"proba_{c}") for c in model.classes_])
    np.testing.assert_array_equal(proba, model.predict_proba(X))
    np.testing.assert_array_equal(_column(header, rows, "label", str), model.predict(X))
    logits = model.decision_function(X)
    for k, label in enumerate(model.classes_):
        terms = [_column(header, rows, f"contrib_{label}_{name}") for name in "abc"]
        total = np.sum(terms, axis=0) + _column(header, rows, f"contrib_{label}_intercept")
        np.testing.assert_allclose(total, logits[:, k], rtol=1e-12, atol=1e-12)


def test_predict_reads_features_by_name(models, tmp_path):
    """Columns in another order, extra columns and a missing target make no difference."""
    X, _ = generated()
    shuffled = write_csv(
        tmp_path / "shuffled.csv",
        ["note", "x3", "x1", "x0", "x2"],
        [["n/a", row[3], row[1], row[0], row[2]] for row in X.tolist()],
    )
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert invoke("predict", models["generated"], shuffled, "--out", first).code == 0
    assert (
        invoke("predict", models["generated"], models["data"]["generated"], "--out", second).code
        == 0
    )
    assert first.read_text() == second.read_text()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_predict_on_torch(models, tmp_path, dtype):
    out = tmp_path / "preds.csv"
    data = models["data"]["generated"]
    outcome = invoke(
        "predict", models["generated"], data, "--out", out, "--explain", "--backend", "torch",
        "--dtype", dtype,
    )  # fmt: skip
    assert outcome.code == 0 and f"torch on cpu, {dtype}" in outcome.stdout
    header, rows = _read(out)
    model = xlogreg.load(models["generated"], device="torch:cpu")
    X = torch.from_numpy(generated()[0]).to(getattr(torch, dtype))
    proba = np.column_stack([_column(header, rows, "proba_0"), _column(header, rows, "proba_1")])
    np.testing.assert_array_equal(proba, model.predict_proba(X).numpy())
    np.testing.assert_array_equal(
        _column(header, rows, "logit"), model.decision_function(X).numpy()
    )
    np.testing.assert_array_equal(
        _column(header, rows, "contrib_x0"), model.explain(X)[0][:, 0].numpy()
    )
    host = xlogreg.load(models["generated"]).predict_proba(generated()[0])
    np.testing.assert_allclose(proba, host, rtol=1e-12 if dtype == "float64" else 1e-5)


def test_predict_finds_models_by_run(models, tmp_path):
    runs_dir = models["runs"]
    (run,) = runs.list_runs(runs_dir)
    expected = tmp_path / "by-file.csv"
    assert invoke("predict", models["raisin"], RAISIN_CSV, "--out", expected).code == 0
    runs.promote(runs_dir, run.run_id)
    for spec, extra in (
        (run.path, []),
        (run.run_id, ["--runs-dir", runs_dir]),
        ("production", ["--runs-dir", runs_dir]),
    ):
        out = tmp_path / "by-run.csv"
        assert invoke("predict", spec, RAISIN_CSV, "--out", out, *extra).code == 0
        assert out.read_text() == expected.read_text()


def test_predict_carries_the_id_columns_through(models, tmp_path):
    """The rows' own names come first in the output, as they were read; the rest is what
    the same rows without them give."""
    data = with_ids_csv(RAISIN_CSV, tmp_path / "ids.csv")
    plain, named = tmp_path / "plain.csv", tmp_path / "named.csv"
    assert invoke("predict", models["raisin"], RAISIN_CSV, "--out", plain, "--explain").code == 0
    outcome = invoke(
        "predict", models["raisin"], data, "--out", named, "--explain",
        "--id-column", "id", "--id-column", "batch",
    )  # fmt: skip
    assert outcome.code == 0, outcome
    assert outcome.stdout.startswith("900 rows, 14 columns -> ")
    header, rows = _read(named)
    expected_header, expected_rows = _read(plain)
    assert header == ["id", "batch", *expected_header]
    assert [row[:2] for row in rows[:3]] == [["row-001", "B"], ["row-002", "A"], ["row-003", "B"]]
    assert [row[2:] for row in rows] == expected_rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.safetensors", "{raisin_csv}"], "missing.safetensors: no such model file"),
        (["production", "{raisin_csv}", "--runs-dir", "{empty}"], "no run has been promoted"),
        (["{raisin}", "missing.csv"], "missing.csv: no such file"),
        (["{raisin}", "{no_area}"], "no column 'Area'"),
        (["{raisin}", "{text}"], "column 'Area' row 1 is not a number: 'big'"),
        (["{not_a_model}", "{raisin_csv}"], "not_a_model.safetensors"),
        (["{linear}", "{raisin_csv}"], "holds a LinearRegression, not a LogisticRegression"),
        (
            ["{raisin}", "{raisin_csv}", "--backend", "torch"],
            "classes are strings (Besni, Kecimen)",
        ),
        (["{raisin}", "{raisin_csv}", "--out", "no/where.csv"], "--out no/where.csv: no folder"),
        (["{raisin}", "{ids}", "--id-column", "idd"], "no column 'idd'"),
        (
            ["{raisin}", "{raisin_csv}", "--id-column", "Area"],
            "the id column 'Area' cannot also be a feature",
        ),
        (["{raisin}", "{labelled}", "--id-column", "label"], "output columns ['label'] would"),
    ],
)
def test_bad_input_fails_in_one_line_and_leaves_the_output_alone(
    models, tmp_path, monkeypatch, args, message
):
    monkeypatch.chdir(tmp_path)
    header = RAISIN_CSV.read_text().splitlines()[0].split(",")
    (tmp_path / "empty").mkdir()
    files = {
        "raisin": models["raisin"],
        "raisin_csv": RAISIN_CSV,
        "empty": tmp_path / "empty",
        "no_area": write_csv(tmp_path / "no_area.csv", header[1:], [[1.0] * 6 + ["Besni"]]),
        "text": write_csv(tmp_path / "text.csv", header, [["big", *[1.0] * 6, "Besni"]]),
        "not_a_model": tmp_path / "not_a_model.safetensors",
        "linear": tmp_path / "linear.safetensors",
        "ids": with_ids_csv(RAISIN_CSV, tmp_path / "ids.csv"),
        "labelled": tmp_path / "labelled.csv",
    }
    files["labelled"].write_text(RAISIN_CSV.read_text().replace(",Class\n", ",label\n", 1))
    files["not_a_model"].write_bytes(b"\x00" * 64)
    LinearRegression().fit(np.eye(3), np.arange(3.0)).save(files["linear"])
    out = tmp_path / "preds.csv"
    out.write_text("earlier predictions\n")
    args = [str(arg).format(**files) for arg in args]
    if "--out" not in args:
        args += ["--out", out]
    assert_fails(invoke("predict", *args), message)
    assert out.read_text() == "earlier predictions\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_fit_then_predict_in_a_real_process(tmp_path):
    """The command line as a user runs it: a new Python process, python -m xlogreg."""
    data = generated_csv(tmp_path / "small.csv", n_samples=120, n_features=3)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "xlogreg", *map(str, args)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    fitted = run("fit", data, "--target", "y", "--runs-dir", tmp_path / "runs", "--quiet")
    assert fitted.returncode == 0, fitted.stderr
    run_id = fitted.stdout.strip()
    out = tmp_path / "preds.csv"
    predicted = run("predict", run_id, data, "--runs-dir", tmp_path / "runs", "--out", out)
    assert predicted.returncode == 0, predicted.stderr
    assert predicted.stdout.startswith("120 rows, 4 columns")
    header, rows = _read(out)
    model = xlogreg.load(tmp_path / "runs" / run_id / "model.safetensors")
    X = np.loadtxt(data, delimiter=",", skiprows=1)[:, :3]
    np.testing.assert_array_equal(_column(header, rows, "proba_1"), model.predict_proba(X)[:, 1])
