"""A runs folder changed by several processes at once: promotions race, none is lost."""

import json
import multiprocessing

import filelock
import numpy as np
import pytest

from xlogreg import LogisticRegression, runs
from xlogreg.cli import main

PROCESSES = 4
ROUNDS = 25


def _runs_folder(runs_dir, count):
    """``count`` runs of one model, all with the same validation log loss: every promotion
    among them is accepted (an equal value is not worse)."""
    X = np.random.default_rng(0).standard_normal((40, 2))
    model = LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))
    return [
        runs.write_run(
            runs_dir, model, params={}, iterations=[], data={}, split={},
            metrics={"validation": {"log_loss": 0.5}}, run_id=f"20260101-000000-{index:06x}",
        ).run_id
        for index in range(count)
    ]  # fmt: skip


def _promote_in_turn(runs_dir, mine, rounds, via_cli, barrier):
    """Promote this process's two runs in turn, starting when every process is ready: each
    promotion replaces another run (its own other run, or another process's)."""
    barrier.wait()
    for index in range(rounds):
        run = mine[index % 2]
        if via_cli:
            main(["runs", "promote", run, "--runs-dir", str(runs_dir)])
        else:
            runs.promote(runs_dir, run)


def test_promotions_racing_in_processes_all_land_in_the_history(tmp_path):
    """Four processes (two through the API, two through ``xlogreg runs promote``) promote at
    the same moment: without the lock, processes read the same registry and the last write
    drops the others' promotions (the issue lost 20 of 20 rounds)."""
    ids = _runs_folder(tmp_path, 2 * PROCESSES)
    mine = [ids[2 * worker : 2 * worker + 2] for worker in range(PROCESSES)]
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as separate commands
    barrier = context.Barrier(PROCESSES)
    workers = [
        context.Process(
            target=_promote_in_turn, args=(tmp_path, mine[worker], ROUNDS, worker % 2, barrier)
        )
        for worker in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    registry = json.loads((tmp_path / "registry.json").read_text())
    history = registry["history"]
    assert len(history) == PROCESSES * ROUNDS
    # One chain: each promotion replaced the run that the one before it made production.
    assert history[0]["previous"] is None
    assert [entry["previous"] for entry in history[1:]] == [
        entry["run_id"] for entry in history[:-1]
    ]
    assert registry["production"] == history[-1]["run_id"]
    for own in mine:  # each process's promotions, in its order
        assert [entry["run_id"] for entry in history if entry["run_id"] in own] == [
            own[index % 2] for index in range(ROUNDS)
        ]


def test_promote_waits_for_the_lock_and_gives_up_naming_it(tmp_path, monkeypatch):
    """While another process holds the lock, promote changes nothing; after the timeout it
    says which lock file is held."""
    first, second = _runs_folder(tmp_path, 2)
    runs.promote(tmp_path, first)
    before = (tmp_path / "registry.json").read_bytes()
    monkeypatch.setattr("xlogreg.runs._record_files.LOCK_TIMEOUT", 0.2)
    with filelock.FileLock(tmp_path / "registry.json.lock"):
        with pytest.raises(TimeoutError, match=r"registry\.json\.lock: another process has held"):
            runs.promote(tmp_path, second)
        with pytest.raises(TimeoutError, match=r"registry\.json\.lock"):
            runs.remove_run(tmp_path, second)
    assert (tmp_path / "registry.json").read_bytes() == before
    assert runs.promote(tmp_path, second).previous == first  # the lock released, it works
    assert runs.production_run(tmp_path) == second
