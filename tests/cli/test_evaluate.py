"""``xlogreg evaluate MODEL DATA``: the report, its files and its one-line errors.

Models are fitted here with the library (the Raisin CSV and generated data),
saved, and evaluated through the command line; every number in
``report.json`` is checked against :func:`classifier_report` on the loaded
model and against scikit-learn.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from sklearn import metrics as sk
from typer.testing import CliRunner

import xlogreg
from tests.backends import RAISIN_CSV
from tests.cli_helpers import with_ids_csv
from xlogreg import LinearRegression, LogisticRegression, runs
from xlogreg.card import model_card
from xlogreg.cli import app, main
from xlogreg.cli._data import read_table
from xlogreg.cli._evaluate import _run_record_losses
from xlogreg.cli._report import classifier_report, encode_labels, model_outputs
from xlogreg.datasets import make_classification

ROOT = Path(__file__).resolve().parents[2]
PLOTS = [
    "roc.png",
    "precision_recall.png",
    "reliability.png",
    "score_histogram.png",
    "confusion_matrix.png",
]
runner = CliRunner()


@pytest.fixture(scope="module")
def raisin_model(tmp_path_factory):
    table = read_table(RAISIN_CSV, target="Class")
    model = LogisticRegression(standardize=True, threshold=0.4).fit(
        table.X, table.y, feature_names=table.feature_names
    )
    path = tmp_path_factory.mktemp("model") / "raisin.safetensors"
    model.save(path)
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A numeric-label model and its data as .npz (the library's generator, 500 × 5)."""
    X, y, _, _ = make_classification(500, 5, random_state=3)
    folder = tmp_path_factory.mktemp("generated")
    names = np.array([f"f{j}" for j in range(5)])
    np.savez(folder / "data.npz", X=X, y=y, feature_names=names)
    model = LogisticRegression().fit(X, y, feature_names=list(names))
    model.save(folder / "model.safetensors")
    return folder / "model.safetensors", folder / "data.npz"


@pytest.fixture
def no_plots(monkeypatch):
    """For tests of the numbers: drawing five PNGs costs about a second per run."""
    monkeypatch.setattr("xlogreg.cli._report_dir.plots_available", lambda: False)


def _invoke(*args):
    result = runner.invoke(app, ["evaluate", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def _fails(capsys, *args):
    """Run the console script's entry point; return its one line on standard error."""
    with pytest.raises(SystemExit) as done:
        main(["evaluate", *map(str, args)])
    assert done.value.code == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    return captured.err


def _assert_png(path):
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    assert matplotlib.image.imread(path).shape[:2] == (528, 704)


def test_raisin_report_equals_the_library_and_scikit_learn(raisin_model, tmp_path):
    result = _invoke(raisin_model, RAISIN_CSV, "--target", "Class", "--report-dir", tmp_path)
    document = json.loads((tmp_path / "report.json").read_text())
    model = xlogreg.load(raisin_model)
    table = read_table(RAISIN_CSV, target="Class", features=model.feature_names_in_)
    codes = encode_labels(table.y, model.classes_.tolist(), source="raisin")
    expected = classifier_report(model, model_outputs(model, table.X), codes)
    assert document["metrics"] == expected.metrics
    assert document["threshold_table"] == expected.to_dict()["threshold_table"]
    assert document["calibration_bins"] == expected.calibration
    assert document["classes"] == ["Besni", "Kecimen"] and document["target"] == "Class"
    assert document["model_threshold"] == 0.4 and document["n_samples"] == 900
    proba = model.predict_proba(table.X)[:, 1]
    predicted = np.where(proba >= 0.4, "Kecimen", "Besni")
    assert document["metrics"]["log_loss"] == pytest.approx(sk.log_loss(table.y, proba), 1e-12)
    assert document["metrics"]["roc_auc"] == pytest.approx(sk.roc_auc_score(table.y, proba), 1e-12)
    assert document["metrics"]["f1"] == pytest.approx(
        sk.f1_score(table.y, predicted, pos_label="Kecimen"), 1e-12
    )
    assert document["confusion_matrix"] == sk.confusion_matrix(table.y, predicted).tolist()
    assert document["files"] == ["report.json", *PLOTS, "loss_curve.png"]
    for name in document["files"][1:]:
        _assert_png(tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(document["files"])
    assert f"Report written to {tmp_path}" in result.stdout
    assert f"{expected.metrics['roc_auc']:.4f}" in result.stdout
    assert "flag p(Kecimen) >= t" in result.stdout


def test_json_output_is_the_report_file(raisin_model, tmp_path, no_plots):
    result = _invoke(
        raisin_model, RAISIN_CSV, "--target", "Class", "--report-dir", tmp_path, "--json"
    )
    printed = json.loads(result.stdout)
    assert printed == json.loads((tmp_path / "report.json").read_text())
    assert printed["report_dir"] == str(tmp_path)


def test_costs_reach_the_threshold_table(raisin_model, tmp_path, no_plots):
    args = (raisin_model, RAISIN_CSV, "--target", "Class", "--report-dir", tmp_path)
    document = json.loads(_invoke(*args, "--cost-fp", "1", "--cost-fn", "2", "--json").stdout)
    assert document["costs"] == {"fp": 1.0, "fn": 2.0}
    for row in document["threshold_table"]:
        assert row["cost"] == row["fp"] + 2 * row["fn"]


@pytest.mark.parametrize("record", ["card.json", "params.json"])
def test_the_target_comes_from_the_run_record(raisin_model, tmp_path, no_plots, record):
    run = tmp_path / "run"
    run.mkdir()
    model = xlogreg.load(raisin_model)
    model.save(run / "model.safetensors")
    entry = model_card(model, target="Class") if record == "card.json" else {"target": "Class"}
    (run / record).write_text(json.dumps(entry))
    document = json.loads(_invoke(run / "model.safetensors", RAISIN_CSV, "--json").stdout)
    assert document["target"] == "Class" and document["n_samples"] == 900


def test_a_run_recorded_by_fit_evaluates_without_target_and_draws_its_losses(tmp_path, no_plots):
    """fit --runs-dir then evaluate: the run record names the target and holds the losses."""
    fitted = runner.invoke(
        app, ["fit", str(RAISIN_CSV), "--target", "Class", "--runs-dir", str(tmp_path), "--quiet"]
    )
    assert fitted.exit_code == 0, fitted.output
    model = tmp_path / fitted.stdout.strip() / "model.safetensors"
    document = json.loads(_invoke(model, RAISIN_CSV, "--json").stdout)
    assert document["target"] == "Class" and document["n_samples"] == 900
    losses = _run_record_losses(model)
    assert losses and len(losses[0].values) == xlogreg.load(model).n_iter_ + 1


def test_models_are_found_by_run_as_predict_finds_them(tmp_path, no_plots):
    """A run folder, a run id with --runs-dir, and 'production' with --runs-dir: the report
    of the model file itself, the target named by the run record."""
    runs_dir = tmp_path / "runs"
    fitted = runner.invoke(
        app, ["fit", str(RAISIN_CSV), "--target", "Class", "--runs-dir", str(runs_dir), "--quiet"]
    )
    assert fitted.exit_code == 0, fitted.output
    (run,) = runs.list_runs(runs_dir)
    runs.promote(runs_dir, run.run_id)

    def report(*args):
        document = json.loads(_invoke(*args, RAISIN_CSV, "--json").stdout)
        del document["report_dir"]
        return document

    expected = report(run.path / "model.safetensors")
    assert expected["model"] == str(run.path / "model.safetensors")
    assert expected["target"] == "Class" and expected["n_samples"] == 900
    assert report(run.path) == expected
    for spec in (run.run_id, "production"):
        assert report(spec, "--runs-dir", runs_dir) == expected


def test_id_columns_are_never_features(raisin_model, tmp_path, no_plots):
    data = with_ids_csv(RAISIN_CSV, tmp_path / "ids.csv")
    args = ("--target", "Class", "--json")
    plain = json.loads(_invoke(raisin_model, RAISIN_CSV, *args).stdout)
    named = json.loads(_invoke(raisin_model, data, *args, "--id-column", "id").stdout)
    assert named["metrics"] == plain["metrics"]
    assert named["threshold_table"] == plain["threshold_table"]


def test_the_loss_curve_reads_the_run_record(raisin_model, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    xlogreg.load(raisin_model).save(run / "model.safetensors")
    lines = [
        {"iteration": 1, "loss": 0.5, "grad_norm": 1e-1, "elapsed": 0.01},
        {"iteration": 2, "loss": 0.4, "grad_norm": 1e-4, "elapsed": 0.02},
        {"final": True, "validation": {"log_loss": 0.3}},
    ]
    (run / "metrics.jsonl").write_text("\n".join(map(json.dumps, lines)) + "\n")
    loss, gradient = _run_record_losses(run / "model.safetensors")
    assert (list(loss.iterations), list(loss.values)) == ([1, 2], [0.5, 0.4])
    assert gradient.gradient and list(gradient.values) == [1e-1, 1e-4]
    out = tmp_path / "out"
    _invoke(run / "model.safetensors", RAISIN_CSV, "--target", "Class", "--report-dir", out)
    _assert_png(out / "loss_curve.png")


def test_a_run_record_that_is_not_utf8_names_itself(raisin_model, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    xlogreg.load(raisin_model).save(run / "model.safetensors")
    text = '{"iteration": 1, "loss": 0.5, "note": "caf\u00e9"}\n'
    (run / "metrics.jsonl").write_bytes(text.encode("latin-1"))
    with pytest.raises(ValueError) as raised:
        _run_record_losses(run / "model.safetensors")
    offset = text.encode("latin-1").index(0xE9)
    assert str(raised.value) == f"{run / 'metrics.jsonl'}: not UTF-8 text (byte offset {offset})"


def test_multinomial_report(tmp_path):
    """A three-class model: its report holds scikit-learn's numbers, prints the 3 × 3
    confusion matrix, and draws it."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 3))
    y = np.argmax(X + rng.gumbel(size=(300, 3)), axis=1)
    rows = ["a,b,c,kind", *(f"{a},{b},{c},{'xyz'[k]}" for (a, b, c), k in zip(X, y, strict=True))]
    (tmp_path / "three.csv").write_text("\n".join(rows) + "\n")
    model = LogisticRegression().fit(X, np.array(list("xyz"))[y], feature_names=["a", "b", "c"])
    model.save(tmp_path / "three.safetensors")
    out = tmp_path / "out"
    result = _invoke(
        tmp_path / "three.safetensors",
        tmp_path / "three.csv",
        "--target",
        "kind",
        "--report-dir",
        out,
    )
    assert "No threshold table: thresholds and costs apply to two classes" in result.stdout
    document = json.loads((out / "report.json").read_text())
    proba = model.predict_proba(X)
    predicted = np.argmax(proba, axis=1)
    confusion = sk.confusion_matrix(y, predicted)
    assert document["kind"] == "multinomial" and document["classes"] == ["x", "y", "z"]
    assert document["confusion_matrix"] == confusion.tolist()
    scores = document["metrics"]
    assert scores["log_loss"] == pytest.approx(sk.log_loss(y, proba), rel=1e-12)
    for average in ("macro", "weighted"):
        assert scores[f"f1_{average}"] == pytest.approx(
            sk.f1_score(y, predicted, average=average), rel=1e-12
        )
        assert scores[f"roc_auc_ovr_{average}"] == pytest.approx(
            sk.roc_auc_score(y, proba, multi_class="ovr", average=average), rel=1e-12
        )
    assert [row["roc_auc"] for row in document["per_class"]] == pytest.approx(
        sk.roc_auc_score(y, proba, multi_class="ovr", average=None), rel=1e-12
    )
    assert [row["f1"] for row in document["per_class"]] == pytest.approx(
        sk.f1_score(y, predicted, average=None), rel=1e-12
    )
    assert "Confusion matrix (most probable class)" in result.stdout
    for label, counts in zip("xyz", confusion, strict=True):
        cells = r"\s+│\s+".join([label, *map(str, counts)])
        assert re.search(rf"│ {cells}\s+│", result.stdout), label
    assert document["files"] == ["report.json", "confusion_matrix.png", "loss_curve.png"]
    for name in document["files"][1:]:
        _assert_png(out / name)


@pytest.mark.parametrize(("dtype", "rtol"), [("float64", 1e-12), ("float32", 1e-5)])
def test_torch_gives_the_numbers_of_numpy(generated, tmp_path, no_plots, dtype, rtol):
    pytest.importorskip("torch")
    model, data = generated
    numpy_run = json.loads(
        _invoke(model, data, "--target", "y", "--json", "--report-dir", tmp_path / "n").stdout
    )
    torch_run = json.loads(
        _invoke(
            model,
            data,
            "--target",
            "y",
            "--json",
            "--report-dir",
            tmp_path / "t",
            "--backend",
            "torch",
            "--dtype",
            dtype,
        ).stdout
    )
    assert torch_run["compute"] == f"torch on cpu, {dtype}"
    for name, value in numpy_run["metrics"].items():
        assert torch_run["metrics"][name] == pytest.approx(value, rel=rtol), name
    assert torch_run["confusion_matrix"] == numpy_run["confusion_matrix"]


def test_without_matplotlib_the_report_says_how_to_get_plots(raisin_model, tmp_path, no_plots):
    result = _invoke(raisin_model, RAISIN_CSV, "--target", "Class", "--report-dir", tmp_path)
    assert "plots need matplotlib: pip install 'xlogreg[plots]'" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["files"] == ["report.json"] and "pip install" in document["plots"]


BAD_INPUTS = (
    "missing model",
    "corrupt model",
    "not a classifier",
    "unfitted model",
    "missing data",
    "unknown target",
    "missing feature",
    "unknown labels",
    "one class",
    "string classes on torch",
    "no target",
    "negative cost",
    "nan cost",
    "zero costs",
    "report dir is a file",
    "no cupy",
    "run id without runs dir",
    "unknown run",
    "id column is a feature",
    "unknown id column",
)


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory, raisin_model):
    """Each bad input by name: the command's arguments, and a piece of its one-line message."""
    folder = tmp_path_factory.mktemp("bad")
    strange = RAISIN_CSV.read_text().replace("Kecimen\n", "Sultana\n", 1)
    (folder / "strange.csv").write_text(strange)
    (folder / "corrupt.safetensors").write_bytes(raisin_model.read_bytes()[:200])
    LinearRegression().fit(np.eye(3), np.arange(3.0)).save(folder / "linear.safetensors")
    LogisticRegression().save(folder / "unfitted.safetensors")
    (folder / "a-file").write_text("")
    lines = RAISIN_CSV.read_text().splitlines()
    (folder / "one-class.csv").write_text("\n".join(lines[:300]) + "\n")
    narrow = "\n".join(line.split(",", 1)[1] for line in RAISIN_CSV.read_text().splitlines())
    (folder / "narrow.csv").write_text(narrow + "\n")
    csv = str(RAISIN_CSV)
    model = str(raisin_model)
    cases = {
        "missing model": (
            [folder / "nope.safetensors", csv, "--target", "Class"],
            "no such model file",
        ),
        "corrupt model": ([folder / "corrupt.safetensors", csv, "--target", "Class"], "truncated"),
        "not a classifier": (
            [folder / "linear.safetensors", csv, "--target", "Class"],
            "holds a LinearRegression, not a classifier",
        ),
        "unfitted model": (
            [folder / "unfitted.safetensors", csv, "--target", "Class"],
            "is not fitted",
        ),
        "missing data": (
            [model, folder / "nope.csv", "--target", "Class"],
            "nope.csv: no such file",
        ),
        "unknown target": ([model, csv, "--target", "Klass"], "no column 'Klass'"),
        "missing feature": (
            [model, folder / "narrow.csv", "--target", "Class"],
            "no column 'Area'",
        ),
        "unknown labels": (
            [model, folder / "strange.csv", "--target", "Class"],
            "labels ['Sultana'] are not classes of the model (classes: Besni, Kecimen)",
        ),
        "one class": (
            [model, folder / "one-class.csv", "--target", "Class"],
            "column 'Class' holds only 'Kecimen'; ranking, calibration and threshold costs",
        ),
        "string classes on torch": (
            [model, csv, "--target", "Class", "--backend", "torch"],
            "the model's classes are strings (Besni, Kecimen), which torch arrays cannot hold: "
            "evaluate it with --backend numpy",
        ),
        "no target": ([model, csv], "--target is required"),
        "negative cost": (
            [model, csv, "--target", "Class", "--cost-fp", "-1"],
            "--cost-fp must be a finite number >= 0",
        ),
        "nan cost": (
            [model, csv, "--target", "Class", "--cost-fn", "nan"],
            "--cost-fn must be a finite number >= 0, got nan",
        ),
        "zero costs": (
            [model, csv, "--target", "Class", "--cost-fp", "0", "--cost-fn", "0"],
            "both 0",
        ),
        "report dir is a file": (
            [model, csv, "--target", "Class", "--report-dir", folder / "a-file"],
            "exists and is not a folder",
        ),
        "no cupy": ([model, csv, "--target", "Class", "--backend", "cupy"], "--backend cupy"),
        "run id without runs dir": (["production", csv], "needs the runs folder, --runs-dir"),
        "unknown run": (["20260101-nope", csv, "--runs-dir", folder], "20260101-nope"),
        "id column is a feature": (
            [model, csv, "--target", "Class", "--id-column", "Area"],
            "the id column 'Area' cannot also be a feature",
        ),
        "unknown id column": (
            [model, csv, "--target", "Class", "--id-column", "id"],
            "no column 'id'",
        ),
    }

    assert tuple(cases) == BAD_INPUTS
    return cases


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_inputs_fail_in_one_line_and_write_nothing(
    bad_inputs, case, tmp_path, capsys, monkeypatch
):
    # torch counts as installed, so that its error is the one about string classes.
    installed = [("numpy", "cpu"), ("torch", "cpu")]
    monkeypatch.setattr(
        "xlogreg.cli._options.library_devices",
        lambda only=None: [pair for pair in installed if only in (None, pair[0])],
    )
    args, message = bad_inputs[case]
    out = tmp_path / "out"
    if "--report-dir" not in args:
        args = [*args, "--report-dir", out]
    assert message in _fails(capsys, *args)
    assert list(tmp_path.iterdir()) == []


def test_the_installed_entry_point_evaluates(raisin_model, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "xlogreg",
            "evaluate",
            str(raisin_model),
            str(RAISIN_CSV),
            "--target",
            "Class",
            "--json",
            "--report-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["files"] == ["report.json", *PLOTS, "loss_curve.png"]
    assert 0.9 < document["metrics"]["roc_auc"] < 1.0
