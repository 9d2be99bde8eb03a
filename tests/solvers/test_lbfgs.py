"""solvers/lbfgs.py: L-BFGS on badly scaled features reaches the optimum whatever the
summation order."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from xlogreg._backend import to_numpy
from xlogreg.objectives import Binomial
from xlogreg.solvers import minimize


@pytest.mark.parametrize("order", range(6))
def test_lbfgs_on_badly_scaled_features_whatever_the_summation_order(backend, order):
    """Feature scales 1e-2…1e2 make the Hessian's condition number ~1e7. Unscaled,
    float32 L-BFGS crawled and stalled up to 0.45 away (relative) for about one
    row order in four: which orders depends on each library's summation (CuPy's
    hit one on the GPU). Scaled by the Hessian's diagonal, every order converges."""
    rng = np.random.default_rng(0)
    scales = np.logspace(-2, 2, 6)
    X = rng.standard_normal((400, 6)) * scales
    logits = X @ (rng.standard_normal(6) / scales) + 0.3
    y = (rng.random(400) < 1.0 / (1.0 + np.exp(-logits))).astype(float)
    rows = np.random.default_rng(order).permutation(400) if order else np.arange(400)
    X, y = X[rows], y[rows]
    reference = SkLogisticRegression(C=10.0, solver="newton-cholesky", tol=1e-12).fit(X, y)
    expected = np.r_[reference.coef_[0], reference.intercept_]
    objective = Binomial(
        backend.asarray(X),
        backend.asarray(y),
        backend.xp.ones(400, dtype=backend.dtype, device=backend.device),
        l2=0.1,
        fit_intercept=True,
        xp=backend.xp,
    )
    w0 = backend.xp.zeros(7, dtype=backend.dtype, device=backend.device)
    # float32 gradients resolve about 1e-7 here: the default tol, not float64's 1e-10.
    result = minimize(objective, w0, method="lbfgs", tol=1e-10 if backend.has_float64 else 1e-6)
    assert result.converged
    error = np.linalg.norm(to_numpy(result.x) - expected) / np.linalg.norm(expected)
    assert error <= (1e-6 if backend.has_float64 else 1e-3)
