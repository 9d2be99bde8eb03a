"""``xlogreg demo``: the main job's numbers agree with the library, and seed 000's lesson."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import pytest
from typer.testing import CliRunner

from tests.backends import jax_x64
from xlogreg import LogisticRegression, metrics
from xlogreg._backend import compute_target, library_devices, synchronize, to_numpy
from xlogreg.cli import app, main
from xlogreg.cli._options import Backend, Device, Dtype, Target
from xlogreg.datasets import make_classification

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SMALL = ["--n-samples", "2000", "--n-features", "8"]


def _invoke(*args):
    result = runner.invoke(app, ["demo", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def _direct(device, dtype):
    """The demo's computation with the library: 2000 × 8, seed 0, the last fifth held out."""
    X, y, _, _ = make_classification(2000, 8, random_state=0, device=device, dtype=dtype)
    model = LogisticRegression().fit(X[:1600, :], y[:1600])
    X_val, y_val = X[1600:, :], y[1600:]
    proba = model.predict_proba(X_val)[:, 1]
    return model, {
        "train_log_loss": float(
            metrics.log_loss_from_logits(y[:1600], model.decision_function(X[:1600, :]))
        ),
        "log_loss": float(metrics.log_loss_from_logits(y_val, model.decision_function(X_val))),
        "roc_auc": float(metrics.roc_auc_score(y_val, proba)),
        "f1": float(metrics.f1_score(y_val, model.predict(X_val))),
        "ece": float(metrics.expected_calibration_error(y_val, proba).ece),
        "optimal": metrics.select_threshold(y_val, proba, cost_fp=18, cost_fn=120),
    }


@pytest.mark.parametrize(
    ("backend", "dtype", "device"),
    [
        ("numpy", "float64", "numpy"),
        ("torch", "float64", "torch:cpu"),
        ("torch", "float32", "torch:cpu"),
        ("jax", "float32", "jax:cpu"),
    ],
)
def test_demo_numbers_agree_with_the_library(tmp_path, monkeypatch, backend, dtype, device):
    if backend != "numpy":
        pytest.importorskip(backend)
        # Plots are tested on the NumPy row; here they would only cost time.
        monkeypatch.setattr("xlogreg.cli._report_dir.plots_available", lambda: False)
    result = _invoke(*SMALL, "--backend", backend, "--dtype", dtype, "--report-dir", tmp_path)
    model, expected = _direct(device, dtype)
    document = json.loads((tmp_path / "report.json").read_text())
    rtol = 1e-12 if dtype == "float64" else 1e-6
    assert document["fit"] == {"n_iter": model.n_iter_, "converged": True, "solver": "auto"}
    assert document["split"] == {"train": 1600, "validation": 400}
    assert document["compute"] == f"{backend} on cpu, {dtype}"
    assert document["train_log_loss"] == pytest.approx(expected["train_log_loss"], rel=rtol)
    for name in ("log_loss", "roc_auc", "f1", "ece"):
        assert document["metrics"][name] == pytest.approx(expected[name], rel=rtol), name
    (optimal,) = [row for row in document["threshold_table"] if row["note"] == "cost-optimal"]
    assert optimal["threshold"] == float(expected["optimal"].threshold)
    assert optimal["cost"] == float(expected["optimal"].cost)
    out = result.stdout
    assert f"xlogreg demo: 2,000 × 8 generated rows (seed 0) on {backend} on cpu, {dtype}" in out
    train, validation = document["train_log_loss"], document["metrics"]["log_loss"]
    assert re.search(rf"log loss\s+│\s+{train:.4f}\s+│\s+{validation:.4f}", out)
    for label, name in (("ROC AUC", "roc_auc"), ("F1", "f1"), ("ECE \\(10 bins\\)", "ece")):
        assert re.search(rf"{label}\s+│\s+│\s+{document['metrics'][name]:.4f}", out), label
    assert f"LogisticRegression(solver='auto'): {model.n_iter_} iterations, converged" in out
    for phase in ("generate", "fit", "predict", "metrics", "plots", "total"):
        assert re.search(rf"│ {phase}\s+│\s+\d+\.\d{{3}} │", out), phase
    assert f"Report written to {tmp_path}: report.json" in out
    if backend == "numpy":
        assert document["files"] == [
            "report.json",
            "roc.png",
            "precision_recall.png",
            "reliability.png",
            "score_histogram.png",
            "confusion_matrix.png",
            "loss_curve.png",
        ]
        for name in document["files"][1:]:
            assert (tmp_path / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
            assert matplotlib.image.imread(tmp_path / name).shape[:2] == (528, 704)


def test_the_default_report_folder_is_a_new_temporary_one(monkeypatch):
    monkeypatch.setattr("xlogreg.cli._report_dir.plots_available", lambda: False)
    out = _invoke(*SMALL).stdout
    folder = Path(re.search(r"Report written to (\S+): report\.json", out).group(1))
    try:
        assert folder.name.startswith("xlogreg-demo-")
        assert json.loads((folder / "report.json").read_text())["report_dir"] == str(folder)
    finally:
        shutil.rmtree(folder)


SEED_LINES = [
    "after_epoch=   1 loss=0.6830 w=[0.    0.069 0.075]",
    "after_epoch= 201 loss=0.4648 w=[-2.205  1.615 -0.462]",
    "after_epoch= 501 loss=0.4206 w=[-3.524  2.452 -0.686]",
    "after_epoch=1001 loss=0.4092 w=[-4.356  3.023 -0.85 ]",
    "after_epoch=3000 loss=0.4072 w=[-4.894  3.399 -0.959]",
    "Final weights (w0, w1, w2): [-4.894  3.399 -0.959]",
    "Probabilities: [0.079 0.153 0.274 0.777 0.88  0.996 0.687 0.156]",
    "Confusion @ 0.5: {'tp': 3, 'fp': 1, 'fn': 1, 'tn': 3}",
    "Precision / recall / F1: (0.75, 0.75, 0.75)",
    "Training ECE (4 bins): 0.268",
]
SEED_VALIDATION_LINES = [
    "validation scores: [0.061 0.169 0.595 0.624 0.971 0.325 0.99  0.244]",
    "t=0.20 precision=0.667 recall=1.000 f1=0.800 cost=$36",
    "t=0.50 precision=0.750 recall=0.750 f1=0.750 cost=$138",
    "t=0.80 precision=1.000 recall=0.500 f1=0.667 cost=$240",
    "cost-optimal threshold over every score: t=0.244 cost=$36",
    "validation AUC: 0.812 (16 positive-negative pairs)",
    "[0.00, 0.25) n=3 avg_p=0.158 frac_pos=0.333",
    "[0.25, 0.50) n=1 avg_p=0.325 frac_pos=0.000",
    "[0.50, 0.75) n=2 avg_p=0.609 frac_pos=0.500",
    "[0.75, 1.00) n=2 avg_p=0.980 frac_pos=1.000",
    "validation ECE: 0.139",
    "base     f1=0.750 ece=0.139",
    "one flip f1=0.889 ece=0.209",
]


@pytest.mark.parametrize(
    ("backend", "dtype"), [("numpy", "float64"), ("torch", "float64"), ("torch", "float32")]
)
def test_seed_example_prints_the_lessons_numbers(backend, dtype):
    if backend == "torch":
        pytest.importorskip("torch")
    lines = _invoke("--seed-example", "--backend", backend, "--dtype", dtype).stdout.splitlines()
    assert lines[0].endswith(f"({backend} on cpu, {dtype})")
    assert lines[2:12] == SEED_LINES
    assert re.fullmatch(
        r"exact optimum \(\d+ iterations\): w = \[-4\.916  3\.414 -0\.964\]; .*", lines[12]
    )
    expected = SEED_VALIDATION_LINES
    if dtype == "float32":
        # (0.595 + 0.624) / 2 is 0.6095 exactly: float64 rounds it down, float32 up.
        expected = [line.replace("avg_p=0.609", "avg_p=0.610") for line in expected]
    assert lines[15:] == expected


def test_seed_example_costs_are_the_options():
    lines = _invoke("--seed-example", "--cost-fp", "50", "--cost-fn", "60").stdout.splitlines()
    assert "t=0.20 precision=0.667 recall=1.000 f1=0.800 cost=$100" in lines
    assert "t=0.80 precision=1.000 recall=0.500 f1=0.667 cost=$120" in lines


def test_every_backend_fits_the_same_problem_everywhere():
    out = _invoke(*SMALL, "--every-backend").stdout
    model, expected = _direct("numpy", "float64")
    rows = re.findall(
        r"│ (\w+)\s+│ (\w+)\s+│ (float\d\d) │\s+[\d.]+ │\s+(\d+) │\s+([\d.]+) │\s+(\S+) │", out
    )
    # Every pair in float64 where its device has it (not MPS, not JAX without x64), and float32.
    assert [row[:3] for row in rows] == [
        (library, device, dtype)
        for library, device in library_devices()
        for dtype in ("float64", "float32")
        if dtype == "float32" or Target(library, device, dtype).has_float64()
    ]
    for library, _, dtype, _, loss, difference in rows:
        assert float(loss) == pytest.approx(expected["log_loss"], abs=1e-6), library
        assert float(difference) < (1e-12 if dtype == "float64" else 1e-4), (library, dtype)
    assert rows[0][3] == str(model.n_iter_) and float(rows[0][5]) == 0.0


def test_jax_computes_in_float64_only_with_x64():
    """--dtype float64 on JAX without x64 is float32, as on MPS, and the target says so."""
    pytest.importorskip("jax")
    with jax_x64(False):
        assert Target.resolve(Backend.jax, Device.auto, Dtype.float64) == ("jax", "cpu", "float32")
    with jax_x64(True):
        assert Target.resolve(Backend.jax, Device.cpu, Dtype.float64) == ("jax", "cpu", "float64")


def test_synchronize_is_a_no_op_on_the_host():
    for spec in ("numpy", "torch:cpu"):
        xp, device = compute_target(spec)
        assert synchronize(xp, device) is None


@pytest.mark.gpu
def test_demo_on_a_gpu(tmp_path):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch has no CUDA device here")
    _invoke(*SMALL, "--backend", "torch", "--device", "cuda", "--report-dir", tmp_path)
    _, expected = _direct("torch:cuda", "float64")
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["compute"] == "torch on cuda, float64"
    assert document["metrics"]["log_loss"] == pytest.approx(expected["log_loss"], rel=1e-10)
    xp, device = compute_target("torch:cuda")
    assert to_numpy(xp.ones(1, device=device)).tolist() == [1.0]
    synchronize(xp, device)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--n-samples", "5"], "--n-samples must be at least 20, got 5"),
        (["--n-features", "0"], "--n-features must be at least 1, got 0"),
        (["--seed", "-1"], "--seed must be >= 0, got -1"),
        (["--seed-example", "--every-backend"], "--seed-example and --every-backend are separate"),
        (["--cost-fp", "-3"], "--cost-fp must be a finite number >= 0, got -3.0"),
        (["--cost-fn", "inf"], "--cost-fn must be a finite number >= 0, got inf"),
    ],
)
def test_bad_options_fail_in_one_line(capsys, args, message):
    with pytest.raises(SystemExit) as done:
        main(["demo", *args])
    assert done.value.code == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(f"error: {message}")


def test_a_report_dir_that_is_a_file_is_refused_before_any_work(capsys, tmp_path):
    (tmp_path / "taken").write_text("")
    with pytest.raises(SystemExit):
        main(["demo", *SMALL, "--report-dir", str(tmp_path / "taken")])
    assert (
        capsys.readouterr().err
        == f"error: --report-dir {tmp_path / 'taken'}: exists and is not a folder\n"
    )
    assert (tmp_path / "taken").read_text() == ""


def test_the_installed_entry_point_runs_the_demo(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "xlogreg", "demo", *SMALL, "--report-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "xlogreg demo: 2,000 × 8 generated rows (seed 0) on numpy on cpu, float64" in done.stdout
    document = json.loads((tmp_path / "report.json").read_text())
    _, expected = _direct("numpy", "float64")
    assert document["metrics"]["roc_auc"] == pytest.approx(expected["roc_auc"], rel=1e-12)
    assert len(document["files"]) == 7


def test_the_console_script_installed_beside_python_runs():
    """``pip install`` puts an ``xlogreg`` script beside the interpreter (CI installs the
    package into its environment): the README's main-job command exists and starts."""
    script = Path(sys.executable).with_name("xlogreg")
    assert script.is_file(), f"{script}: the package is not installed (pip install -e .)"
    done = subprocess.run(
        [str(script), "demo", "--seed-example"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Final weights (w0, w1, w2): [-4.894  3.399 -0.959]" in done.stdout
