"""solvers/newton.py: Newton's method survives a singular Hessian."""

import numpy as np

from tests.solvers.problems import binomial
from xlogreg import LogisticRegression


def test_newton_survives_a_singular_hessian():
    """Unpenalized, with a duplicated column: the Hessian is singular everywhere."""
    X, y = binomial(1, scales=1.0)
    duplicated = np.c_[X, X[:, :1]]
    single = LogisticRegression(C=float("inf"), solver="newton", tol=1e-10).fit(X, y)
    double = LogisticRegression(C=float("inf"), solver="newton", tol=1e-10).fit(duplicated, y)
    np.testing.assert_allclose(
        double.decision_function(duplicated), single.decision_function(X), rtol=1e-7, atol=1e-9
    )
