"""The README's promises: CI runs its test command verbatim, and its quickstart runs."""

import re
from pathlib import Path

import pytest

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


def _run(block, name):
    namespace = {}
    exec(compile(block, name, "exec"), namespace)
    return namespace


def test_quickstart_runs():
    pytest.importorskip("torch")
    quickstart, _, _, _ = _blocks("python")
    namespace = _run(quickstart, "README quickstart")
    assert namespace["proba"].shape == (1000, 2)
    assert namespace["labels"].shape == (1000,)


def test_multinomial_example_gives_what_its_comment_says():
    _, example, _, _ = _blocks("python")
    namespace = _run(example, "README multinomial example")
    model, X = namespace["model"], namespace["X"]
    assert model.coef_.shape == (3, 4)
    assert model.predict_proba(X).sum(axis=1)[:3].round(12).tolist() == [1.0, 1.0, 1.0]


def test_minibatch_example_streams_a_memory_map_to_torch():
    torch = pytest.importorskip("torch")
    _, _, example, _ = _blocks("python")
    namespace = _run(example, "README mini-batch example")
    model = namespace["model"]
    assert isinstance(model.coef_, torch.Tensor) and model.coef_.device.type == "cpu"
    assert model.converged_ and model.validation_loss_history_ is not None


def test_metrics_example_prints_what_its_comments_say():
    _, _, _, example = _blocks("python")
    namespace = _run(example, "README metrics example")
    metrics, labels, scores = namespace["metrics"], namespace["labels"], namespace["scores"]
    assert float(metrics.roc_auc_score(labels, scores)) == 0.8125
    assert round(float(namespace["ece"]), 3) == 0.139
    assert namespace["sweep"].cost.tolist() == [36, 138, 240]
    choice = metrics.select_threshold(labels, scores, cost_fp=18, cost_fn=120)
    assert float(choice.threshold) == 0.244
