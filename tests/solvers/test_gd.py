"""solvers/gd.py: gradient descent keeps its last finite iterate when it diverges, and checks
convergence every few iterations on accelerators."""

import numpy as np
import pytest

from tests.solvers.problems import binomial
from xlogreg import ConvergenceWarning, LogisticRegression
from xlogreg.objectives import Binomial


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_divergent_gradient_descent_keeps_the_last_finite_iterate():
    X, y = binomial()
    with pytest.warns(ConvergenceWarning, match="non-finite.*learning_rate 1e\\+30 too large"):
        model = LogisticRegression(solver="gd", learning_rate=1e30, max_iter=50).fit(X * 1e10, y)
    assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.intercept_).all()
    assert not model.converged_


def test_gradient_descent_checks_every_few_iterations_on_accelerators():
    from xlogreg.solvers.gd import gd

    X, y = binomial(scales=1.0)
    import array_api_compat

    xp = array_api_compat.array_namespace(X)
    objective = Binomial(X, y, np.ones(300), l2=1.0, fit_intercept=True, xp=xp)
    every = gd(objective, np.zeros(6), tol=1e-6, max_iter=20_000, learning_rate=0.01)
    sparse = gd(
        objective, np.zeros(6), tol=1e-6, max_iter=20_000, learning_rate=0.01, check_every=10
    )
    assert every.converged and sparse.converged
    assert sparse.n_iter % 10 == 0 and every.n_iter <= sparse.n_iter < every.n_iter + 10
    np.testing.assert_allclose(sparse.x, every.x, rtol=1e-4)
