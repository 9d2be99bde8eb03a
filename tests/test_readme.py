"""The README's promises: CI runs its test command verbatim, and its quickstart runs."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from backends import jax_x64

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_ci_runs_the_readme_test_command_verbatim():
    setup = [block.strip() for block in _blocks("bash")[:2]]
    assert len(setup) == 2, "the Set up section has exactly two commands"
    ci_lines = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci_lines == [setup[1]]


# The README's python examples, in order of appearance.
EXAMPLES = (
    "quickstart",
    "jax",
    "multinomial",
    "mini-batch",
    "dask",
    "metrics",
    "save/load",
    "feature names, explanations, drift",
    "inference",
    "calibration",
    "raisin model for xlogreg evaluate",
)


def _example(name):
    """The README's python example ``name`` (its place in :data:`EXAMPLES`)."""
    blocks = _blocks("python")
    assert len(blocks) == len(EXAMPLES), "tests/test_readme.py: name every python example"
    return blocks[EXAMPLES.index(name)]


def _run(block, name):
    namespace = {}
    exec(compile(block, name, "exec"), namespace)
    return namespace


def test_quickstart_runs():
    pytest.importorskip("torch")
    namespace = _run(_example("quickstart"), "README quickstart")
    assert namespace["proba"].shape == (1000, 2)
    assert namespace["labels"].shape == (1000,)


def test_jax_example_fits_in_float32_then_in_float64():
    jax = pytest.importorskip("jax")
    with jax_x64(False):
        namespace = _run(_example("jax"), "README JAX example")
        model, model64 = namespace["model"], namespace["model64"]
        assert isinstance(namespace["proba"], jax.Array)
        assert model.coef_.dtype == namespace["proba"].dtype == namespace["auc"].dtype
        assert str(model.coef_.dtype) == "float32" and str(model64.coef_.dtype) == "float64"
        assert namespace["auc"].shape == ()
    np.testing.assert_allclose(model.coef_, model64.coef_, rtol=1e-4)


def test_multinomial_example_gives_what_its_comment_says():
    namespace = _run(_example("multinomial"), "README multinomial example")
    model, X = namespace["model"], namespace["X"]
    assert model.coef_.shape == (3, 4)
    assert model.predict_proba(X).sum(axis=1)[:3].round(12).tolist() == [1.0, 1.0, 1.0]


def test_dask_example_fits_on_a_local_cluster():
    pytest.importorskip("distributed")
    namespace = _run(_example("dask"), "README Dask example")
    model = namespace["model"]
    assert model.converged_ and model.coef_.shape == (1, 8)
    assert model.coef_[0, 0] > 1.0 and model.coef_[0, 1] < -1.0
    assert 0.4 < namespace["positive_rate"] < 0.6
    assert 0.85 < float(namespace["auc"]) < 0.95  # noise of unit variance on x0 - x1


def test_minibatch_example_streams_a_memory_map_to_torch():
    torch = pytest.importorskip("torch")
    namespace = _run(_example("mini-batch"), "README mini-batch example")
    model = namespace["model"]
    assert isinstance(model.coef_, torch.Tensor) and model.coef_.device.type == "cpu"
    assert model.converged_ and model.validation_loss_history_ is not None


def test_metrics_example_prints_what_its_comments_say():
    namespace = _run(_example("metrics"), "README metrics example")
    metrics, labels, scores = namespace["metrics"], namespace["labels"], namespace["scores"]
    assert float(metrics.roc_auc_score(labels, scores)) == 0.8125
    assert round(float(namespace["ece"]), 3) == 0.139
    assert namespace["sweep"].cost.tolist() == [36, 138, 240]
    choice = metrics.select_threshold(labels, scores, cost_fp=18, cost_fn=120)
    assert float(choice.threshold) == 0.244


def test_save_load_example_round_trips():
    pytest.importorskip("torch")
    namespace = _run(_example("save/load"), "README save/load example")
    assert namespace["identical"]
    assert namespace["close"] < 1e-12


def test_feature_names_example_gives_what_its_comments_say():
    namespace = _run(_example("feature names, explanations, drift"), "README features example")
    model, report = namespace["model"], namespace["report"]
    assert model.feature_names_in_ == ("Area", "Perimeter", "Extent")
    assert namespace["contributions"].shape == (1000, 3)
    assert report.z_shift.round(2).tolist() == [0.04, 1.05, -0.02]
    assert bool(report.drifted) and report.drifted_features() == ("Perimeter",)


def test_inference_example_reports_standard_errors():
    namespace = _run(_example("inference"), "README inference example")
    summary = namespace["summary"]
    assert summary.names == ("intercept", "x0", "x1", "x2")
    assert namespace["stderr"].shape == (1, 3)
    assert (summary.p_value[1:3] < 1e-6).all()  # the two features the labels depend on


def test_calibration_example_gives_what_its_comments_say():
    namespace = _run(_example("calibration"), "README calibration example")
    assert round(float(namespace["calibrated"].temperature_), 2) == 2.9
    before, after = namespace["before"], namespace["after"]
    assert round(float(before.ece), 3) == 0.147 and round(float(after.ece), 3) == 0.019
    platt = namespace["platt"]
    assert platt.a_.round(3).tolist() == [-1.058] and platt.b_.round(3).tolist() == [-0.085]


def test_raisin_model_example_saves_a_model_that_evaluate_reads(tmp_path, monkeypatch):
    """The evaluate section's model, fitted from the shared Raisin CSV in a scratch folder."""
    from typer.testing import CliRunner

    from xlogreg.cli import app

    raisin = ROOT.parent / "shared" / "data" / "raisin.csv"
    monkeypatch.chdir(tmp_path)
    example = _example("raisin model for xlogreg evaluate")
    _run(example.replace("../shared/data/raisin.csv", str(raisin)), "README raisin model")
    result = CliRunner().invoke(
        app, ["evaluate", "raisin.safetensors", str(raisin), "--target", "Class", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert round(json.loads(result.stdout)["metrics"]["roc_auc"], 4) == 0.9297
