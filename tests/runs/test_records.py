"""Run records (xlogreg/runs/_records.py) and ``xlogreg runs list|show|promote``: run ids,
runs written whole or not at all and read back, listed, shown, promoted, found and removed.
The registry file's errors: test_record_files.py; MLflow: test_mlflow.py."""

import datetime
import json
import re

import numpy as np
import pytest

import xlogreg
from tests.cli_helpers import assert_fails, invoke, three_classes_csv
from tests.runs.folders import fit_run
from xlogreg import ConvergenceWarning, LogisticRegression, runs


def _small_model(**params):
    X = np.random.default_rng(0).standard_normal((60, 2))
    return LogisticRegression(**params).fit(X, (X[:, 0] > 0).astype(int))


def _strict_json(text):
    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def test_run_ids_sort_by_time():
    early = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    late = datetime.datetime(
        2026, 1, 2, 4, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    first, second = runs.new_run_id(early), runs.new_run_id(late)
    assert re.fullmatch(r"20260102-030405-[0-9a-f]{6}", first)
    assert second.startswith("20260102-020000-")  # UTC
    assert sorted([first, second]) == [second, first]
    assert runs.new_run_id(early) != first  # the random suffix


def test_write_run_round_trip_in_strict_json(tmp_path):
    with pytest.warns(ConvergenceWarning, match="separable"):  # x0 > 0 separates the labels
        model = _small_model(C=float("inf"))
    steps = [runs.Iteration(0, 0.69, 0.4, 0.001), runs.Iteration(1, 0.3, 0.01, 0.002)]
    scores = {"train": {"log_loss": 0.3}, "validation": {"log_loss": 0.35}}
    run = runs.write_run(
        tmp_path,
        model,
        params={"C": float("inf"), "seed": 3},
        iterations=steps,
        metrics=scores,
        data={"path": "toy.csv"},
        split={"seed": 3},
        run_id="20260101-000000-abcdef",
    )
    assert run.path == tmp_path / "20260101-000000-abcdef"
    params = _strict_json((run.path / "params.json").read_text())
    assert params == {"C": "inf", "seed": 3}
    card = _strict_json((run.path / "card.json").read_text())
    assert (
        card["params"]["C"] == "inf"
        and card["metrics"] == scores
        and card["data"] == {"path": "toy.csv"}
    )
    lines = [_strict_json(line) for line in (run.path / "metrics.jsonl").read_text().splitlines()]
    assert lines == [step._asdict() for step in steps] + [{"final": True, **scores}]
    assert runs.read_iterations(run) == steps
    assert runs.read_run(tmp_path, run.run_id) == run
    assert runs.list_runs(tmp_path) == [run]
    np.testing.assert_array_equal(xlogreg.load(run.model_path).coef_, model.coef_)
    with pytest.raises(FileExistsError, match="a run with this id exists"):
        runs.write_run(
            tmp_path, model, params={}, iterations=[], metrics=scores, data={}, split={},
            run_id=run.run_id,
        )  # fmt: skip


def test_a_failed_write_leaves_no_run(tmp_path, monkeypatch):
    model = _small_model()

    def fail(self, path):
        raise OSError("disk full")

    monkeypatch.setattr(LogisticRegression, "save", fail)
    with pytest.raises(OSError, match="disk full"):
        runs.write_run(tmp_path, model, params={}, iterations=[], metrics={}, data={}, split={})
    assert list(tmp_path.iterdir()) == []  # nor the hidden staging folder
    assert runs.list_runs(tmp_path) == []


def test_runs_list_marks_production(fresh):
    runs_dir, good, worse = fresh
    assert invoke("runs", "promote", good, "--runs-dir", runs_dir).code == 0
    outcome = invoke("runs", "list", "--runs-dir", runs_dir)
    assert outcome.code == 0 and outcome.stderr == ""
    rows = {line.split("│")[2].strip(): line for line in outcome.stdout.splitlines() if "│" in line}
    assert set(rows) == {good, worse}
    loss = runs.metric_value(runs.read_run(runs_dir, good), "validation_log_loss")
    auc = runs.metric_value(runs.read_run(runs_dir, good), "validation_auc")
    assert rows[good].split("│")[1].strip() == "*" and rows[worse].split("│")[1].strip() == ""
    assert f"{loss:.4f}" in rows[good] and f"{auc:.4f}" in rows[good] and "raisin.csv" in rows[good]
    assert "2 runs in" in outcome.stdout


def test_runs_show_prints_params_and_card(fresh):
    runs_dir, good, _ = fresh
    outcome = invoke("runs", "show", good, "--runs-dir", runs_dir)
    document = json.loads(outcome.stdout)
    assert document["run_id"] == good and document["production"] is False
    assert document["params"] == json.loads((runs_dir / good / "params.json").read_text())
    assert document["card"] == json.loads((runs_dir / good / "card.json").read_text())
    invoke("runs", "promote", good, "--runs-dir", runs_dir)
    shown = json.loads(invoke("runs", "show", "production", "--runs-dir", runs_dir).stdout)
    assert shown["run_id"] == good and shown["production"] is True


def test_promote_refuses_a_worse_run_unless_forced(fresh):
    runs_dir, good, worse = fresh
    registry = runs_dir / "registry.json"
    first = invoke("runs", "promote", worse, "--runs-dir", runs_dir)  # the first always works
    assert first.code == 0 and f"{worse} is now the production run" in first.stdout
    better = invoke("runs", "promote", good, "--runs-dir", runs_dir)
    assert better.code == 0 and f"replacing {worse}" in better.stdout
    saved = registry.read_bytes()
    refused = invoke("runs", "promote", worse, "--runs-dir", runs_dir)
    good_loss, worse_loss = (
        runs.metric_value(runs.read_run(runs_dir, run), "validation_log_loss")
        for run in (good, worse)
    )
    assert_fails(
        refused,
        f"run {worse} has validation_log_loss {worse_loss:.6g}, worse than production run "
        f"{good}'s {good_loss:.6g}",
    )
    assert "--force" in refused.stderr and registry.read_bytes() == saved
    by_auc = invoke("runs", "promote", worse, "--metric", "validation_auc", "--runs-dir", runs_dir)
    assert_fails(by_auc, "validation_auc")
    forced = invoke("runs", "promote", worse, "--force", "--runs-dir", runs_dir)
    assert forced.code == 0 and "(forced)" in forced.stdout
    content = _strict_json(registry.read_text())
    assert content["production"] == worse == runs.production_run(runs_dir)
    history = content["history"]
    assert [entry["run_id"] for entry in history] == [worse, good, worse]
    assert [entry["forced"] for entry in history] == [False, False, True]
    assert history[2]["previous"] == good and history[2]["value"] == worse_loss
    assert history[2]["previous_value"] == good_loss
    again = invoke("runs", "promote", worse, "--runs-dir", runs_dir)
    assert again.code == 0 and "already the production run" in again.stdout
    assert len(_strict_json(registry.read_text())["history"]) == 3


def test_promote_by_a_metric_a_run_lacks(tmp_path):
    runs_dir = tmp_path / "runs"
    binary = fit_run(runs_dir)
    outcome = invoke(
        "fit", three_classes_csv(tmp_path / "kinds.csv"), "--target", "kind", "--runs-dir",
        runs_dir, "--quiet",
    )  # fmt: skip
    multinomial = outcome.stdout.strip()
    invoke("runs", "promote", binary, "--runs-dir", runs_dir)
    assert_fails(
        invoke(
            "runs", "promote", multinomial, "--metric", "validation_auc", "--runs-dir", runs_dir
        ),
        f"run {multinomial} has no validation_auc",
    )
    forced = invoke(
        "runs", "promote", multinomial, "--metric", "validation_auc", "--force", "--runs-dir",
        runs_dir,
    )  # fmt: skip
    assert forced.code == 0 and runs.production_run(runs_dir) == multinomial
    last = _strict_json((runs_dir / "registry.json").read_text())["history"][-1]
    assert last["value"] is None and last["forced"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "20990101-000000-000000"], "no run '20990101-000000-000000'"),
        (["promote", "nope"], "no run 'nope'"),
        (["promote", "../elsewhere"], "'../elsewhere' is not a run id"),
        (["show", "production"], "no run has been promoted to production"),
        (["promote", "{good}", "--metric", "f1"], "metric must be one of validation_log_loss"),
    ],
)
def test_runs_bad_input_fails_in_one_line(fresh, args, message):
    runs_dir, good, _ = fresh
    args = [arg.format(good=good) for arg in args]
    assert_fails(invoke("runs", *args, "--runs-dir", runs_dir), message)
    assert not (runs_dir / "registry.json").exists()


def test_find_model(fresh, tmp_path):
    runs_dir, good, worse = fresh
    model = runs_dir / good / "model.safetensors"
    assert runs.find_model(model) == model
    assert runs.find_model(runs_dir / good) == model
    assert runs.find_model(good, runs_dir=runs_dir) == model
    runs.promote(runs_dir, worse)
    assert (
        runs.find_model("production", runs_dir=runs_dir) == runs_dir / worse / "model.safetensors"
    )
    with pytest.raises(FileNotFoundError, match="a run id or 'production' needs the runs folder"):
        runs.find_model(good)
    with pytest.raises(FileNotFoundError, match=r"a folder without model\.safetensors"):
        runs.find_model(tmp_path)


def _competitor(folder):
    """Another process's run, complete, under ``folder``'s name."""
    folder.mkdir()
    (folder / "params.json").write_text('{"winner": "the other process"}')


def test_a_run_id_taken_while_the_run_is_written(tmp_path, monkeypatch):
    """Of two processes naming a run alike at the same moment, one gets the name: the other
    refuses a chosen id, or draws a new one, and never touches the first one's run."""
    model, taken = _small_model(), "20260101-000000-aaaaaa"
    save = LogisticRegression.save

    def save_while_another_process_finishes(self, path):
        save(self, path)
        if not (tmp_path / taken).exists():
            _competitor(tmp_path / taken)

    monkeypatch.setattr(LogisticRegression, "save", save_while_another_process_finishes)
    record = {"params": {}, "iterations": [], "metrics": {}, "data": {}, "split": {}}
    with pytest.raises(FileExistsError, match="a run with this id exists"):
        runs.write_run(tmp_path, model, run_id=taken, **record)
    assert [entry.name for entry in tmp_path.iterdir()] == [taken]  # no staging folder left
    assert json.loads((tmp_path / taken / "params.json").read_text()) == {
        "winner": "the other process"
    }
    (tmp_path / taken / "params.json").unlink()
    (tmp_path / taken).rmdir()
    drawn = iter([taken, "20260101-000000-bbbbbb"])
    monkeypatch.setattr("xlogreg.runs._records.new_run_id", lambda: next(drawn))
    run = runs.write_run(tmp_path, model, **record)
    assert run.run_id == "20260101-000000-bbbbbb" == run.card["run_id"]
    assert runs.read_run(tmp_path, run.run_id).card["run_id"] == run.run_id
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [taken, run.run_id]
    assert (tmp_path / taken / "params.json").read_text() == '{"winner": "the other process"}'


def _break(folder, problem):
    if problem == "no params.json":
        (folder / "params.json").unlink()
    elif problem == "card.json not JSON":
        (folder / "card.json").write_text("{not json")
    elif problem == "card.json metrics":
        card = json.loads((folder / "card.json").read_text())
        (folder / "card.json").write_text(json.dumps({**card, "metrics": [0.5]}))
    elif problem == "params.json not UTF-8":
        (folder / "params.json").write_bytes(b'{"C": "\xe9"}')  # Latin-1


_BROKEN = {
    "20990101-000000-00000a": ("no params.json", "params.json: no such file"),
    "20990101-000000-00000b": ("card.json not JSON", "card.json: not valid JSON"),
    "20990101-000000-00000c": (
        "card.json metrics",
        "card.json: 'metrics' is not an object of per-split objects",
    ),
    "20990101-000000-00000d": (
        "params.json not UTF-8",
        "params.json: not UTF-8 text (byte 7 is 0xe9)",
    ),
}


def test_broken_run_folders_are_left_out_of_the_list_and_named(fresh):
    import shutil

    runs_dir, good, worse = fresh
    for name, (problem, _) in _BROKEN.items():
        shutil.copytree(runs_dir / good, runs_dir / name)
        _break(runs_dir / name, problem)
    (runs_dir / "notes").mkdir()  # a folder without a run record is not a run
    runs.promote(runs_dir, good)
    outcome = invoke("runs", "list", "--runs-dir", runs_dir)
    assert outcome.code == 0, outcome
    rows = {line.split("│")[2].strip() for line in outcome.stdout.splitlines() if "│" in line}
    assert rows == {good, worse} and "2 runs in" in outcome.stdout
    warned = outcome.stderr.splitlines()
    assert len(warned) == len(_BROKEN)
    for line, (name, (_, message)) in zip(warned, _BROKEN.items(), strict=True):
        assert line.startswith(f"warning: run {name} left out: {runs_dir / name}/"), line
        assert message in line
    with pytest.warns(runs.RunRecordWarning) as caught:
        listed = runs.list_runs(runs_dir)
    assert [run.run_id for run in listed] == sorted([good, worse])
    assert len(caught) == len(_BROKEN)
    for name, (_, message) in _BROKEN.items():
        with pytest.raises((FileNotFoundError, ValueError), match=re.escape(message)):
            runs.read_run(runs_dir, name)
        assert_fails(invoke("runs", "show", name, "--runs-dir", runs_dir), message)
        assert_fails(invoke("runs", "promote", name, "--runs-dir", runs_dir), message)
    assert_fails(invoke("runs", "show", "notes", "--runs-dir", runs_dir), "no run 'notes'")
    assert runs.production_run(runs_dir) == good


def test_remove_run_refuses_the_production_run(fresh):
    runs_dir, good, worse = fresh
    runs.promote(runs_dir, good)
    with pytest.raises(ValueError, match=f"run {good} is the production run"):
        runs.remove_run(runs_dir, good)
    runs.remove_run(runs_dir, worse)
    assert [run.run_id for run in runs.list_runs(runs_dir)] == [good]
    assert not any(entry.name.startswith(f".{worse}") for entry in runs_dir.iterdir())
    with pytest.raises(FileNotFoundError, match=f"no run '{worse}'"):
        runs.remove_run(runs_dir, worse)
