"""``xlogreg fit``: the run record it writes, the model it saves, the metrics it reports."""

import hashlib
import io
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

import xlogreg
from tests.backends import RAISIN_CSV
from tests.cli_helpers import (
    assert_fails,
    generated,
    generated_csv,
    invoke,
    three_classes_csv,
    validation_rows,
    with_ids_csv,
    write_csv,
)
from xlogreg.cli._fit import _Progress


def _raisin():
    header = RAISIN_CSV.read_text().splitlines()[0].split(",")
    X = np.loadtxt(RAISIN_CSV, delimiter=",", skiprows=1, usecols=range(len(header) - 1))
    y = np.loadtxt(RAISIN_CSV, delimiter=",", skiprows=1, usecols=len(header) - 1, dtype=str)
    return X, y


def _only_run(runs_dir):
    (folder,) = [entry for entry in runs_dir.iterdir() if entry.is_dir()]
    return folder


def _jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _check_metrics(model, X, y, reported):
    """The reported metrics of a split, recomputed with scikit-learn from the saved model."""
    proba = model.predict_proba(X)
    assert reported["accuracy"] == pytest.approx(accuracy_score(y, model.predict(X)), abs=1e-15)
    expected = log_loss(y, proba, labels=model.classes_)
    assert reported["log_loss"] == pytest.approx(expected, rel=1e-12)
    if len(model.classes_) == 2:
        auc = roc_auc_score(y == model.classes_[1], proba[:, 1])
        assert reported["auc"] == pytest.approx(auc, rel=1e-12)
    else:
        assert "auc" not in reported


def test_fit_records_a_complete_run_on_the_raisin_data(tmp_path):
    runs_dir, model_out = tmp_path / "runs", tmp_path / "model.safetensors"
    outcome = invoke(
        "fit", RAISIN_CSV, "--target", "Class", "--runs-dir", runs_dir, "--model-out", model_out
    )
    assert outcome.code == 0, outcome
    assert outcome.stderr == ""
    folder = _only_run(runs_dir)
    assert sorted(p.name for p in folder.iterdir()) == [
        "card.json",
        "metrics.jsonl",
        "model.safetensors",
        "params.json",
    ]
    run_id = folder.name
    assert run_id in outcome.stdout and "2 classes (Besni, Kecimen)" in outcome.stdout

    params = json.loads((folder / "params.json").read_text())
    assert params["data"]["sha256"] == hashlib.sha256(RAISIN_CSV.read_bytes()).hexdigest()
    assert params["data"]["path"] == str(RAISIN_CSV.resolve()) and params["data"]["rows"] == 900
    assert params["data"]["features"][0] == "Area" and len(params["data"]["features"]) == 7
    assert (params["backend"], params["device"], params["dtype"]) == ("numpy", "cpu", "float64")
    assert params["seed"] == 0 and params["validation_fraction"] == 0.2
    assert params["standardize"] is True and params["C"] == 1.0

    model = xlogreg.load(folder / "model.safetensors")
    same = xlogreg.load(model_out)
    np.testing.assert_array_equal(same.coef_, model.coef_)
    lines = _jsonl(folder / "metrics.jsonl")
    steps, final = lines[:-1], lines[-1]
    assert [step["iteration"] for step in steps] == list(range(model.n_iter_ + 1))
    assert tuple(step["loss"] for step in steps) == model.loss_history_
    assert all(set(step) == {"iteration", "loss", "grad_norm", "elapsed"} for step in steps)
    elapsed = [step["elapsed"] for step in steps]
    assert elapsed == sorted(elapsed) and elapsed[0] >= 0.0
    assert steps[-1]["grad_norm"] <= 1e-6 and model.converged_
    assert final["final"] is True and set(final) == {"final", "train", "validation"}

    card = json.loads((folder / "card.json").read_text())
    assert card["run_id"] == run_id and card["classes"] == ["Besni", "Kecimen"]
    assert card["metrics"] == {"train": final["train"], "validation": final["validation"]}
    assert card["split"] == {
        "validation_fraction": 0.2,
        "seed": 0,
        "stratified": True,
        "train_rows": 720,
        "validation_rows": 180,
    }
    assert card["data"] == params["data"]

    X, y = _raisin()
    held = validation_rows(y, 0.2, seed=0)
    trained = np.setdiff1d(np.arange(900), held)
    _check_metrics(model, X[held], y[held], card["metrics"]["validation"])
    _check_metrics(model, X[trained], y[trained], card["metrics"]["train"])
    # The report prints the same numbers.
    assert f"{final['validation']['log_loss']:.6f}" in outcome.stdout


def test_fit_reads_csv_parquet_and_npz_alike(tmp_path):
    """The same data in three formats gives the same split and the same model."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    X, y = generated()
    columns = {f"x{j}": X[:, j] for j in range(X.shape[1])}
    paths = [generated_csv(tmp_path / "data.csv"), tmp_path / "data.parquet", tmp_path / "data.npz"]
    pq.write_table(pa.table({**columns, "y": y}), paths[1])
    np.savez(paths[2], X=X, y=y)
    models = []
    for path in paths:
        out = tmp_path / f"{path.suffix[1:]}.safetensors"
        outcome = invoke("fit", path, "--target", "y", "--model-out", out, "--tol", "1e-10")
        assert outcome.code == 0, outcome
        models.append(xlogreg.load(out))
    for model in models[1:]:
        np.testing.assert_array_equal(model.coef_, models[0].coef_)
        np.testing.assert_array_equal(model.intercept_, models[0].intercept_)
    assert models[0].feature_names_in_ == ("x0", "x1", "x2", "x3")
    np.testing.assert_array_equal(models[0].classes_, [0, 1])


def test_fit_on_torch_splits_and_fits_as_numpy_does(tmp_path):
    path = generated_csv(tmp_path / "data.csv")
    records = {}
    for backend, dtype in (("numpy", "float64"), ("torch", "float64"), ("torch", "float32")):
        runs_dir = tmp_path / f"{backend}-{dtype}"
        outcome = invoke(
            "fit", path, "--target", "y", "--runs-dir", runs_dir, "--backend", backend,
            "--dtype", dtype, "--tol", "1e-9",
        )  # fmt: skip
        assert outcome.code == 0, outcome
        assert f"{backend} on cpu, {dtype}" in outcome.stdout
        records[backend, dtype] = _only_run(runs_dir)
    cards = {key: json.loads((folder / "card.json").read_text()) for key, folder in records.items()}
    reference = cards["numpy", "float64"]
    assert cards["torch", "float64"]["arrays"].startswith("torch")
    for key, rtol in ((("torch", "float64"), 1e-9), (("torch", "float32"), 1e-4)):
        np.testing.assert_allclose(
            cards[key]["coefficients"]["coef"], reference["coefficients"]["coef"], rtol=rtol
        )
        for split in ("train", "validation"):
            for name, value in reference["metrics"][split].items():
                assert cards[key]["metrics"][split][name] == pytest.approx(value, rel=rtol)
    # The run's model file loads on NumPy and reproduces the reported metrics.
    X, y = generated()
    held = validation_rows(y, 0.2, seed=0)
    model = xlogreg.load(records["torch", "float64"] / "model.safetensors")
    _check_metrics(model, X[held], y[held], cards["torch", "float64"]["metrics"]["validation"])


def test_fit_three_string_classes(tmp_path):
    path = three_classes_csv(tmp_path / "kinds.csv")
    outcome = invoke("fit", path, "--target", "kind", "--runs-dir", tmp_path / "runs")
    assert outcome.code == 0, outcome
    assert "AUC" not in outcome.stdout and "3 classes (ant, bee, cat)" in outcome.stdout
    folder = _only_run(tmp_path / "runs")
    card = json.loads((folder / "card.json").read_text())
    model = xlogreg.load(folder / "model.safetensors")
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=str)
    X, y = data[:, :3].astype(float), data[:, 3]
    held = validation_rows(y, 0.2, seed=0)
    assert card["split"]["validation_rows"] == held.size
    _check_metrics(model, X[held], y[held], card["metrics"]["validation"])


def test_fit_options_reach_the_model(tmp_path):
    path = generated_csv(tmp_path / "data.csv")
    out = tmp_path / "model.safetensors"
    outcome = invoke(
        "fit", path, "--target", "y", "--features", "x2,x0", "--model-out", out,
        "--threshold", "0.3", "--C", "inf", "--no-standardize", "--solver", "newton",
        "--inference", "--validation-fraction", "0.5", "--seed", "4",
    )  # fmt: skip
    assert outcome.code == 0, outcome
    model = xlogreg.load(out)
    assert model.feature_names_in_ == ("x2", "x0") and model.threshold == 0.3
    assert model.C == float("inf") and model.standardize is False and model.solver == "newton"
    assert "split       150 train, 150 validation (stratified, seed 4)" in outcome.stdout
    assert str(model.summary()) in outcome.stdout  # --inference prints the coefficient table
    X, y = generated()
    held = validation_rows(y, 0.5, seed=4)
    train = np.setdiff1d(np.arange(y.size), held)
    reference = xlogreg.LogisticRegression(C=float("inf"), solver="newton")
    reference.fit(X[train][:, [2, 0]], y[train])
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-10)


def test_fit_l1_ratio_gives_the_sparse_model_of_the_library(tmp_path):
    """--l1-ratio 1 --C 0.05 on Raisin: the lasso's exact zeros, the same model as
    LogisticRegression(C=0.05, l1_ratio=1) fitted in Python on the training rows (standardized,
    as fit's default is), the mixing recorded in params.json, and the report counts the nonzero
    coefficients."""
    runs_dir, out = tmp_path / "runs", tmp_path / "lasso.safetensors"
    outcome = invoke(
        "fit", RAISIN_CSV, "--target", "Class", "--l1-ratio", "1", "--C", "0.05",
        "--runs-dir", runs_dir, "--model-out", out,
    )  # fmt: skip
    assert outcome.code == 0, outcome
    assert outcome.stderr == ""
    model = xlogreg.load(out)
    assert model.l1_ratio == 1.0 and model.C == 0.05 and model.converged_
    X, y = _raisin()
    train = np.setdiff1d(np.arange(y.size), validation_rows(y, 0.2, seed=0))
    reference = xlogreg.LogisticRegression(C=0.05, l1_ratio=1, standardize=True)
    reference.fit(X[train], y[train])
    np.testing.assert_array_equal(model.coef_ == 0.0, reference.coef_ == 0.0)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=1e-12)
    nonzero = int(np.count_nonzero(model.coef_))
    assert 0 < nonzero < model.coef_.size  # some, not all, coefficients are exactly zero
    assert f"nonzero     {nonzero} of {model.coef_.size} coefficients\n" in outcome.stdout
    params = json.loads((_only_run(runs_dir) / "params.json").read_text())
    assert params["l1_ratio"] == 1.0 and params["C"] == 0.05 and params["solver"] == "auto"
    # Without an L1 part the report has no such line, and the record holds l1_ratio 0.
    plain = invoke("fit", RAISIN_CSV, "--target", "Class", "--runs-dir", tmp_path / "plain")
    assert plain.code == 0, plain
    assert "nonzero" not in plain.stdout
    assert json.loads((_only_run(tmp_path / "plain") / "params.json").read_text())["l1_ratio"] == 0


def test_fit_fista_takes_an_elastic_net(tmp_path):
    path = generated_csv(tmp_path / "data.csv")
    out = tmp_path / "model.safetensors"
    outcome = invoke(
        "fit", path, "--target", "y", "--model-out", out, "--solver", "fista",
        "--l1-ratio", "0.5", "--C", "0.1", "--tol", "1e-8", "--max-iter", "10000",
    )  # fmt: skip
    assert outcome.code == 0, outcome
    model = xlogreg.load(out)
    assert model.solver == "fista" and model.l1_ratio == 0.5 and model.converged_
    X, y = generated()
    train = np.setdiff1d(np.arange(y.size), validation_rows(y, 0.2, seed=0))
    reference = xlogreg.LogisticRegression(
        C=0.1, l1_ratio=0.5, standardize=True, solver="newton", tol=1e-10
    )
    reference.fit(X[train], y[train])
    np.testing.assert_array_equal(model.coef_ == 0.0, reference.coef_ == 0.0)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-6, atol=1e-8)


def test_fit_quiet_prints_only_the_run_id_and_warns_in_one_line(tmp_path):
    path = generated_csv(tmp_path / "data.csv")
    outcome = invoke(
        "fit", path, "--target", "y", "--runs-dir", tmp_path / "runs", "--quiet",
        "--solver", "gd", "--max-iter", "3",
    )  # fmt: skip
    assert outcome.code == 0
    assert outcome.stdout == f"{_only_run(tmp_path / 'runs').name}\n"
    (warning,) = outcome.stderr.splitlines()
    assert warning.startswith("warning: gd did not converge: reached max_iter=3")
    card = json.loads((_only_run(tmp_path / "runs") / "card.json").read_text())
    assert card["converged"] is False and card["n_iter"] == 3
    lines = _jsonl(_only_run(tmp_path / "runs") / "metrics.jsonl")
    assert [line.get("iteration") for line in lines] == [0, 1, 2, 3, None]


def test_progress_bar_follows_the_solver():
    """Drawn on a terminal; CliRunner's captured output is none, so the commands show no bar."""
    text = io.StringIO()
    console = Console(file=text, force_terminal=True, width=120)
    with _Progress(5, show=True, console=console) as progress:
        for n_iter, loss, grad in [(0, 0.69, 0.5), (1, 0.4, 0.1), (2, 0.3512, 0.0123)]:
            progress(n_iter, loss, grad)
    final = text.getvalue().split("\r")[-1]
    assert "2/5" in final and "loss 0.3512" in final and "grad 1.23e-02" in final
    assert [step.iteration for step in progress.iterations] == [0, 1, 2]
    assert progress.seconds >= progress.iterations[-1].elapsed
    with _Progress(5, show=False) as hidden:
        hidden(0, 0.69, 0.5)
    assert hidden.bar is None and hidden.iterations[0].loss == 0.69


def test_fit_draws_no_bar_when_output_is_not_a_terminal(tmp_path):
    outcome = invoke("fit", generated_csv(tmp_path / "data.csv"), "--target", "y")
    assert outcome.code == 0 and "━" not in outcome.stdout and "fit         " in outcome.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--target", "y"], "missing.csv: no such file"),
        (["{data}", "--target", "label"], "no column 'label'"),
        (["{data}", "--target", "y", "--features", "x0,x9"], "no column 'x9'"),
        (["{data}", "--target", "y", "--features", "x0,,x1"], "--features: an empty column"),
        (["{bad}", "--target", "y"], "column 'x1' row 2 is not a number: 'abc'"),
        (["{one}", "--target", "y"], "target 'y' holds 1 class (1); a classifier needs two"),
        (["{data}", "--target", "x0"], "target 'x0' holds non-integer numbers"),
        (["{kinds}", "--target", "kind", "--threshold", "0.4"], "--threshold needs a binary"),
        (["{kinds}", "--target", "kind", "--backend", "torch"], "--backend torch: target 'kind'"),
        (["{data}", "--target", "y", "--validation-fraction", "1.5"], "--validation-fraction"),
        (["{data}", "--target", "y", "--C", "-1"], "C must be > 0.0, got -1.0"),
        (["{data}", "--target", "y", "--max-iter", "0"], "max_iter must be >= 1, got 0"),
        (["{data}", "--target", "y", "--l1-ratio", "1.5"], "l1_ratio must be <= 1.0, got 1.5"),
        (["{data}", "--target", "y", "--l1-ratio", "-0.5"], "l1_ratio must be >= 0.0, got -0.5"),
        (
            ["{data}", "--target", "y", "--solver", "lbfgs", "--l1-ratio", "0.5"],
            "solver='lbfgs' does not support an L1 penalty (l1_ratio=0.5)",
        ),
        (
            ["{data}", "--target", "y", "--inference", "--l1-ratio", "1"],
            "inference=True is not available with an L1 penalty (l1_ratio=1.0)",
        ),
        (["{data}", "--target", "y", "--threshold", "2"], "threshold must be <= 1.0"),
        (["{data}", "--target", "y", "--seed", "-3"], "--seed must be >= 0"),
        (["{data}", "--target", "y", "--model-out", "no/m.safetensors"], "--model-out"),
        (["{data}", "--target", "y", "--model-out", "."], "--model-out .: a folder, not a file"),
        (["{data}", "--target", "y", "--runs-dir", "{data}"], "--runs-dir"),
        (["{data}", "--target", "y", "--runs-dir", "{data}/runs"], "data.csv is not a folder"),
        (["{data}", "--target", "y", "--device", "mps"], "--device mps: numpy has no such"),
        (["{ids}", "--target", "Class"], "column 'id' row 1 is not a number: 'row-001'"),
        (["{ids}", "--target", "Class", "--id-column", "idd"], "no column 'idd'"),
        (
            ["{ids}", "--target", "Class", "--id-column", "Class"],
            "the target 'Class' cannot also be an id column",
        ),
        (
            ["{ids}", "--target", "Class", "--id-column", "id", "--features", "Area,id"],
            "the id column 'id' cannot also be a feature",
        ),
    ],
)
def test_bad_input_fails_in_one_line_and_writes_nothing(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    files = {
        "data": generated_csv(tmp_path / "data.csv"),
        "bad": write_csv(tmp_path / "bad.csv", ["x0", "x1", "y"], [[1, 2, 0], [3, "abc", 1]]),
        "one": write_csv(tmp_path / "one.csv", ["x0", "y"], [[1.0, 1], [2.0, 1], [3.0, 1]]),
        "kinds": three_classes_csv(tmp_path / "kinds.csv"),
        "ids": with_ids_csv(RAISIN_CSV, tmp_path / "ids.csv"),
    }
    before = sorted(tmp_path.iterdir())
    args = [arg.format(**files) for arg in args]
    if "--runs-dir" not in args:
        args += ["--runs-dir", "runs"]
    if "--model-out" not in args:
        args += ["--model-out", "model.safetensors"]
    assert_fails(invoke("fit", *args), message)
    assert sorted(tmp_path.iterdir()) == before


def test_fit_with_mlflow_but_without_mlflow_installed(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # import mlflow fails
    data = generated_csv(tmp_path / "data.csv")
    runs_dir = tmp_path / "runs"
    outcome = invoke("fit", data, "--target", "y", "--mlflow", "--runs-dir", runs_dir)
    assert_fails(outcome, "logging to MLflow needs mlflow, which is not installed")
    assert_fails(invoke("fit", data, "--target", "y", "--mlflow"), "--mlflow logs a run record")
    assert not runs_dir.exists()


def test_id_columns_are_left_out_of_the_features_and_recorded(tmp_path):
    """String columns that name rows need no --features listing every other column."""
    data = with_ids_csv(RAISIN_CSV, tmp_path / "ids.csv")
    runs_dir, model_out = tmp_path / "runs", tmp_path / "ids.safetensors"
    outcome = invoke(
        "fit", data, "--target", "Class", "--id-column", "id", "--id-column", "batch",
        "--runs-dir", runs_dir, "--model-out", model_out,
    )  # fmt: skip
    assert outcome.code == 0, outcome
    assert f"data        {data}: 900 rows, 7 features, id column id, batch\n" in outcome.stdout
    plain = tmp_path / "plain.safetensors"
    assert invoke("fit", RAISIN_CSV, "--target", "Class", "--model-out", plain).code == 0
    model, reference = xlogreg.load(model_out), xlogreg.load(plain)
    assert model.feature_names_in_ == reference.feature_names_in_
    assert "id" not in model.feature_names_in_ and len(model.feature_names_in_) == 7
    np.testing.assert_array_equal(model.coef_, reference.coef_)
    params = json.loads((_only_run(runs_dir) / "params.json").read_text())
    assert params["data"]["id_columns"] == ["id", "batch"]
    assert params["data"]["features"] == list(model.feature_names_in_)


def test_fit_refuses_an_unwritable_output_folder_before_any_work(tmp_path, monkeypatch):
    data = generated_csv(tmp_path / "data.csv")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):
        # root writes in read-only folders: the operating system answers as it would
        # for any other user, so the test runs (CI runs as root) instead of skipping.
        access = os.access
        monkeypatch.setattr(
            os, "access", lambda path, mode: access(path, mode) and Path(path) != locked
        )
    try:
        for args, message in [
            (["--model-out", locked / "m.safetensors"], f"the folder {locked} is not writable"),
            (["--runs-dir", locked / "runs"], f"--runs-dir {locked / 'runs'}: the folder {locked}"),
        ]:
            outcome = invoke("fit", data, "--target", "y", "--runs-dir", tmp_path / "runs", *args)
            assert_fails(outcome, message)
            assert sorted(path.name for path in tmp_path.iterdir()) == ["data.csv", "locked"]
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


def test_a_failed_model_save_leaves_no_run(tmp_path, monkeypatch):
    """A failure the checks cannot foresee (a full disk...) while saving --model-out: the run
    recorded a moment before is removed, and the command fails."""
    data = generated_csv(tmp_path / "data.csv")
    runs_dir, model_out = tmp_path / "runs", tmp_path / "m.safetensors"
    save = xlogreg.LogisticRegression.save

    def save_but_not_model_out(self, path):
        if path == model_out:
            raise OSError(f"{path}: disk full")
        save(self, path)

    monkeypatch.setattr(xlogreg.LogisticRegression, "save", save_but_not_model_out)
    outcome = invoke("fit", data, "--target", "y", "--runs-dir", runs_dir, "--model-out", model_out)
    assert_fails(outcome, "m.safetensors: disk full")
    assert xlogreg.runs.list_runs(runs_dir) == []
    assert not [entry for entry in runs_dir.iterdir() if entry.is_dir()]  # nor a hidden one
    assert not model_out.exists()
