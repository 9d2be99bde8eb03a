"""``xlogreg fit --cv``: the search it runs, reports, records and draws, and the model it saves,
against :class:`xlogreg.LogisticRegressionCV` fitted in Python on the same training rows."""

import json

import numpy as np
import pytest
from sklearn.metrics import log_loss

import xlogreg
from tests.backends import RAISIN_CSV
from tests.cli_helpers import (
    assert_fails,
    generated,
    generated_csv,
    invoke,
    three_classes_csv,
    validation_rows,
)
from xlogreg.cli._plots import validation_curve_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _raisin():
    header = RAISIN_CSV.read_text().splitlines()[0].split(",")
    X = np.loadtxt(RAISIN_CSV, delimiter=",", skiprows=1, usecols=range(len(header) - 1))
    y = np.loadtxt(RAISIN_CSV, delimiter=",", skiprows=1, usecols=len(header) - 1, dtype=str)
    return X, y, tuple(header[:-1])


def _only_run(runs_dir):
    (folder,) = [entry for entry in runs_dir.iterdir() if entry.is_dir()]
    return folder


def _split(y, fraction=0.2, seed=0):
    held = validation_rows(y, fraction, seed=seed)
    return np.setdiff1d(np.arange(y.size), held), held


def _check_search(record, reference, scoring):
    """search.json against the estimator's attributes, fold for fold."""
    assert record["scoring"] == scoring
    assert (record["C_"], record["l1_ratio_"]) == (reference.C_, reference.l1_ratio_)
    np.testing.assert_array_equal(record["Cs_"], reference.Cs_)
    np.testing.assert_array_equal(record["l1_ratios_"], reference.l1_ratios_)
    np.testing.assert_array_equal(record["n_iter_"], reference.n_iter_)
    scores = np.asarray(record["scores_"])
    assert scores.shape == reference.scores_.shape
    np.testing.assert_allclose(scores, reference.scores_, rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(record["mean"], scores.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(record["std"], scores.std(axis=0), rtol=1e-15)


def test_fit_cv_chooses_records_and_saves_what_the_estimator_does(tmp_path):
    """Raisin, 5 folds of the training split, 4 Cs, neg_log_loss: the chosen C, every fold's
    score and iterations as LogisticRegressionCV's on the same rows; the saved model predicts
    as the estimator does; the validation curve is a PNG."""
    runs_dir, model_out = tmp_path / "runs", tmp_path / "cv.safetensors"
    outcome = invoke(
        "fit", RAISIN_CSV, "--target", "Class", "--cv", "5", "--Cs", "0.01,0.1,1,10",
        "--scoring", "neg_log_loss", "--runs-dir", runs_dir, "--model-out", model_out,
    )  # fmt: skip
    assert outcome.code == 0, outcome
    assert outcome.stderr == ""
    X, y, names = _raisin()
    train, held = _split(y)
    reference = xlogreg.LogisticRegressionCV(
        Cs=[0.01, 0.1, 1, 10], cv=5, scoring="neg_log_loss", standardize=True, max_iter=1000
    ).fit(X[train], y[train])

    folder = _only_run(runs_dir)
    assert {"search.json", "validation_curve.png", "model.safetensors"} <= {
        path.name for path in folder.iterdir()
    }
    record = json.loads((folder / "search.json").read_text())
    _check_search(record, reference, "neg_log_loss")
    assert record["cv"] == 5 and record["refit"]["converged"] is True
    params = json.loads((folder / "params.json").read_text())
    assert params["cv"] == 5 and params["Cs"] == [0.01, 0.1, 1.0, 10.0]
    assert params["scoring"] == "neg_log_loss" and params["l1_ratios"] == [0.0]
    assert (params["C_"], params["l1_ratio_"]) == (reference.C_, reference.l1_ratio_)
    assert (folder / "validation_curve.png").read_bytes()[:8] == PNG_SIGNATURE

    # The report: one row per C, the chosen one marked, then the refit's metrics.
    c = [0.01, 0.1, 1.0, 10.0].index(reference.C_)
    mean, std = record["mean"][0][c], record["std"][0][c]
    assert f"{reference.C_:>12.6g}   {mean:.6f} ± {std:.6f} *\n" in outcome.stdout
    assert outcome.stdout.count(" *\n") == 1
    assert "5-fold cross-validation of 4 C x 1 l1_ratio (20 models)" in outcome.stdout
    assert f"chosen      C {reference.C_:.6g}, l1_ratio 0 " in outcome.stdout

    # The saved model (and the run's) is the refit, as a LogisticRegression that loads and
    # predicts as the estimator does; its state is a plain fit's, attribute for attribute.
    for path in (model_out, folder / "model.safetensors"):
        model = xlogreg.load(path)
        assert type(model) is xlogreg.LogisticRegression
        assert (model.C, model.l1_ratio, model.standardize) == (reference.C_, 0.0, True)
        assert model.feature_names_in_ == names and model.converged_
        np.testing.assert_array_equal(model.predict(X), reference.predict(X))
        np.testing.assert_array_equal(model.predict_proba(X), reference.predict_proba(X))
        assert model.n_iter_ == len(model.loss_history_) - 1 >= 1
    plain = xlogreg.LogisticRegression(C=reference.C_, standardize=True).fit(X[train], y[train])
    assert set(vars(model)) == set(vars(plain))
    # The validation metrics are the saved model's on the held-out rows.
    card = json.loads((folder / "card.json").read_text())
    expected = log_loss(y[held], model.predict_proba(X[held]), labels=model.classes_)
    assert card["metrics"]["validation"]["log_loss"] == pytest.approx(expected, rel=1e-12)


def test_fit_cv_grid_of_l1_ratios_and_a_count_of_cs_on_three_classes(tmp_path):
    """--Cs 3 (the estimator's log-spaced count) and --l1-ratios 0,1 on three string classes:
    the multinomial search as LogisticRegressionCV's, both l1_ratio columns in the table."""
    data = three_classes_csv(tmp_path / "kinds.csv")
    runs_dir, model_out = tmp_path / "runs", tmp_path / "cv.safetensors"
    outcome = invoke(
        "fit", data, "--target", "kind", "--cv", "3", "--Cs", "3", "--l1-ratios", "0,1",
        "--scoring", "neg_log_loss", "--runs-dir", runs_dir, "--model-out", model_out,
    )  # fmt: skip
    assert outcome.code == 0, outcome
    table = np.loadtxt(data, delimiter=",", skiprows=1, dtype=str)
    X, y = table[:, :3].astype(float), table[:, 3]
    train, _ = _split(y)
    reference = xlogreg.LogisticRegressionCV(
        Cs=3, l1_ratios=[0.0, 1.0], cv=3, scoring="neg_log_loss", standardize=True, max_iter=1000
    ).fit(X[train], y[train])
    record = json.loads((_only_run(runs_dir) / "search.json").read_text())
    _check_search(record, reference, "neg_log_loss")
    assert np.asarray(record["scores_"]).shape == (3, 2, 3)
    np.testing.assert_allclose(record["Cs_"], [1e-4, 1.0, 1e4], rtol=1e-15)
    assert "l1_ratio 0: mean ± std" in outcome.stdout and "l1_ratio 1: mean ± std" in outcome.stdout
    model = xlogreg.load(model_out)
    assert (model.C, model.l1_ratio) == (reference.C_, reference.l1_ratio_)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    np.testing.assert_array_equal(model.predict_proba(X), reference.predict_proba(X))


def test_fit_cv_on_torch_float32_searches_where_the_data_lives(tmp_path):
    """The grid in float32 (``Cs_`` holds 0.1 as float32 does), the choice still marked."""
    import torch

    data, runs_dir = generated_csv(tmp_path / "data.csv"), tmp_path / "runs"
    outcome = invoke(
        "fit", data, "--target", "y", "--cv", "3", "--Cs", "0.1,1,10", "--backend", "torch",
        "--dtype", "float32", "--runs-dir", runs_dir, "--model-out", tmp_path / "m.safetensors",
    )  # fmt: skip
    assert outcome.code == 0, outcome
    X, y = generated()
    train, _ = _split(y)
    reference = xlogreg.LogisticRegressionCV(Cs=[0.1, 1, 10], cv=3, standardize=True, max_iter=1000)
    reference.fit(torch.asarray(X[train], dtype=torch.float32), torch.asarray(y[train]))
    record = json.loads((_only_run(runs_dir) / "search.json").read_text())
    assert record["Cs_"] == [float(np.float32(0.1)), 1.0, 10.0]
    assert (record["C_"], record["l1_ratio_"]) == (reference.C_, reference.l1_ratio_)
    assert record["best"] == {"l1_ratio": 0, "C": [0.1, 1, 10].index(reference.C_)}
    np.testing.assert_allclose(record["scores_"], reference.scores_.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(record["n_iter_"], reference.n_iter_.numpy())
    assert outcome.stdout.count(" *\n") == 1
    model = xlogreg.load(tmp_path / "m.safetensors")
    np.testing.assert_allclose(model.coef_, reference.coef_.numpy(), rtol=1e-6)


def test_fit_cv_without_matplotlib_records_the_search_and_says_how_to_get_the_plot(
    tmp_path, monkeypatch
):
    monkeypatch.setattr("xlogreg.cli._cv.plots_available", lambda: False)
    data = generated_csv(tmp_path / "data.csv")
    outcome = invoke("fit", data, "--target", "y", "--cv", "3", "--Cs", "0.1,1", "--runs-dir",
                     tmp_path / "runs")  # fmt: skip
    assert outcome.code == 0, outcome
    folder = _only_run(tmp_path / "runs")
    assert not (folder / "validation_curve.png").exists()
    record = json.loads((folder / "search.json").read_text())
    assert record["plots"] == "plots need matplotlib: pip install 'xlogreg[plots]'"
    X, y = generated()
    train, _ = _split(y)
    reference = xlogreg.LogisticRegressionCV(Cs=[0.1, 1], cv=3, standardize=True, max_iter=1000)
    _check_search(record, reference.fit(X[train], y[train]), "accuracy")


def test_a_failed_search_record_leaves_no_run(tmp_path, monkeypatch):
    def full_disk(folder, record, figure):
        raise OSError(f"{folder}: disk full")

    monkeypatch.setattr("xlogreg.cli._fit.write_search_files", full_disk)
    runs_dir = tmp_path / "runs"
    data = generated_csv(tmp_path / "data.csv")
    outcome = invoke("fit", data, "--target", "y", "--cv", "3", "--Cs", "1", "--runs-dir", runs_dir)
    assert_fails(outcome, "disk full")
    assert not [entry for entry in runs_dir.iterdir() if entry.is_dir()]


def _no_fit(*args, **kwargs):
    raise AssertionError("fitted despite a bad option")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cv", "1"], "--cv must be >= 2, got 1"),
        (["--cv", "2.5"], "Invalid value for '--cv'"),
        (["--cv", "500"], "--cv 500: class 1 has 115 rows in the training split"),
        (["--cv", "3", "--Cs", ""], "--Cs: an empty value in ''"),
        (["--cv", "3", "--Cs", "0.1,,1"], "--Cs: an empty value in '0.1,,1'"),
        (["--cv", "3", "--Cs", "0.1,-1"], "--Cs must be > 0.0, got -1.0"),
        (["--cv", "3", "--Cs", "0.1,0"], "--Cs must be > 0.0, got 0.0"),
        (["--cv", "3", "--Cs", "0"], "--Cs (a number of values) must be >= 1, got 0"),
        (["--cv", "3", "--Cs", "1,abc"], "--Cs: 'abc' is not a number"),
        (["--cv", "3", "--Cs", "nan"], "--Cs must not be NaN"),
        (["--cv", "3", "--l1-ratios", "0,1.5"], "--l1-ratios must be <= 1.0, got 1.5"),
        (["--cv", "3", "--scoring", "bogus"], "--scoring bogus is not a known scorer"),
        (["--cv", "3", "--scoring", "r2"], "--scoring r2 is a regressor's score"),
        (["--Cs", "0.1,1"], "--Cs sets up a cross-validated search: give --cv K too"),
        (["--scoring", "roc_auc"], "--scoring sets up a cross-validated search"),
        (["--cv", "3", "--C", "1"], "--C: the search chooses C; give the grid with --Cs"),
        (["--cv", "3", "--l1-ratio", "0.5"], "--l1-ratio: the search chooses it"),
        (["--cv", "3", "--solver", "lbfgs"], "--solver: a search fits every model"),
        (["--cv", "3", "--inference"], "--inference: a search refits without standard"),
        (["--cv", "3", "--threshold", "0.3"], "--threshold: a search scores the most probable"),
    ],
)
def test_bad_search_options_fail_naming_the_option_before_any_fit(
    tmp_path, monkeypatch, args, message
):
    monkeypatch.setattr(xlogreg.LogisticRegressionCV, "fit", _no_fit)
    monkeypatch.setattr(xlogreg.LogisticRegression, "fit", _no_fit)
    data = generated_csv(tmp_path / "data.csv")
    before = sorted(tmp_path.iterdir())
    outcome = invoke(
        "fit", data, "--target", "y", *args, "--runs-dir", tmp_path / "runs",
        "--model-out", tmp_path / "m.safetensors",
    )  # fmt: skip
    assert_fails(outcome, message)
    assert sorted(tmp_path.iterdir()) == before


def test_a_scoring_that_does_not_fit_the_classes_fails_before_any_fit(tmp_path, monkeypatch):
    monkeypatch.setattr(xlogreg.LogisticRegressionCV, "fit", _no_fit)
    data = three_classes_csv(tmp_path / "kinds.csv")
    outcome = invoke("fit", data, "--target", "kind", "--cv", "3", "--scoring", "roc_auc")
    assert_fails(outcome, "--scoring roc_auc scores two classes, and y has 3")


def test_validation_curve_figure_draws_each_l1_ratio_on_a_log_axis_and_marks_the_choice():
    scores = np.array([[[0.7, 0.8, 0.75], [0.6, 0.85, 0.7]], [[0.72, 0.84, 0.7], [0.62, 0.9, 0.6]]])
    figure = validation_curve_figure(
        [10.0, 0.1, 1.0], [0.0, 1.0], scores, best=(1, 1), scoring="roc_auc", subject="d"
    )
    (axes,) = figure.axes
    assert axes.get_xscale() == "log" and axes.get_title() == "Validation curve: d"
    assert axes.get_ylabel() == "roc_auc: mean ± 1 std over 2 folds"
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend == ["l1_ratio 0", "l1_ratio 1", "chosen: C = 0.1, l1_ratio 1"]
    first, second, star = (line for line in axes.get_lines() if line.get_label() in legend)
    np.testing.assert_array_equal(first.get_xdata(), [0.1, 1.0, 10.0])  # sorted by C
    np.testing.assert_allclose(first.get_ydata(), [0.82, 0.725, 0.71])
    np.testing.assert_allclose(second.get_ydata(), [0.875, 0.65, 0.61])
    np.testing.assert_allclose([star.get_xdata()[0], star.get_ydata()[0]], [0.1, 0.875])
    # The ±1 std bands: one filled area per l1_ratio, from min(mean - std) to max(mean + std).
    first_band, second_band = (band.get_paths()[0].vertices[:, 1] for band in axes.collections)
    np.testing.assert_allclose([first_band.min(), first_band.max()], [0.70, 0.84])
    np.testing.assert_allclose([second_band.min(), second_band.max()], [0.60, 0.90])
