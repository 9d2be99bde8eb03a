"""SquaredError (objectives/_squared.py): the loss and gradient at zero on the seed_003 data
(five points, one feature) equal the hand-computed values to round-off on every backend, as
LinearRegression's first gradient step in tests/linear_model/test_linear.py needs them. Its
values and derivatives against the formula are checked with Multinomial's in
test_objectives.py."""

from tests.backends import assert_close, rtol_for
from xlogreg.objectives import SquaredError


def test_squared_error_reproduces_seed_003_first_step(backend):
    X = backend.asarray([[1.0], [2.0], [3.0], [4.0], [5.0]])
    y = backend.asarray([118.0, 141.0, 162.0, 181.0, 198.0])
    objective = SquaredError(
        X,
        y,
        backend.xp.ones(5, dtype=backend.dtype, device=backend.device),
        alpha=0.0,
        fit_intercept=True,
        xp=backend.xp,
    )
    loss, grad = objective.loss_grad(backend.asarray([0.0, 0.0]))
    assert_close(loss, 26402.8, backend, rtol=rtol_for(backend, float64=1e-15, float32=1e-6))
    rtol = rtol_for(backend, float64=1e-15, float32=1e-6)
    assert_close(grad, [-1040.0, -320.0], backend, rtol=rtol)  # (slope, intercept)
