"""solvers/_line_search.py: the strong Wolfe step satisfies both conditions."""

from xlogreg.solvers._line_search import strong_wolfe


def test_strong_wolfe_step_satisfies_both_conditions():
    def phi(t):  # (t - 3)² along a line
        return (t - 3.0) ** 2, 2.0 * (t - 3.0), t

    step, value, slope, point = strong_wolfe(phi, 9.0, -6.0, 1.0)
    assert value <= 9.0 + 1e-4 * step * -6.0
    assert abs(slope) <= 0.9 * 6.0
    assert point == step
