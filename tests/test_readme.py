"""The README's promises: CI runs its test command verbatim, and its python examples (the
quickstart, model selection) run.

The other examples live on the documentation's pages, as doctests that
``nox -s docs`` runs.
"""

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


# The README's python examples, in order of appearance.
EXAMPLES = ("quickstart", "model selection")


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


def test_model_selection_runs():
    namespace = _run(_example("model selection"), "README model selection")
    search = namespace["search"]
    assert search.scores_.shape == (5, 2, 10)
    assert search.C_ in search.Cs_.tolist() and search.l1_ratio_ in (0.0, 1.0)
    assert search.converged_
