"""The progress of a LogisticRegression fit (xlogreg/linear_model/_progress.py): verbose
prints every iterate, and fit(callback=...) sees every iterate, the last included, as
loss_history_ holds them."""

import warnings

import pytest

from tests.linear_model.problems import synthetic
from xlogreg import LogisticRegression
from xlogreg.exceptions import ConvergenceWarning


def test_verbose_prints_progress(capsys):
    X, y, _, _ = synthetic("plain")
    LogisticRegression(verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines and lines[0].startswith("iter     0  loss 0.6931471806")


@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton", "gd"])
def test_fit_callback_sees_every_iterate(solver, capsys):
    """fit(callback=...) feeds progress bars and run records: every iterate, the last included."""
    X, y, _, _ = synthetic("plain")
    seen = []
    model = LogisticRegression(solver=solver, max_iter=40, verbose=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # gd stops at max_iter
        model.fit(X, y, callback=lambda *report: seen.append(report))
    iterations, losses, norms = zip(*seen, strict=True)
    assert iterations == tuple(range(model.n_iter_ + 1))
    assert losses == model.loss_history_
    assert all(type(value) is float for value in losses + norms)
    assert norms[0] > norms[-1] > 0.0
    assert len(capsys.readouterr().out.splitlines()) == len(seen)  # verbose sees them too
