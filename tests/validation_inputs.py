"""The six-sample binary problem that the input-validation tests (tests/test_validation.py,
tests/test_target_validation.py, tests/linear_model/test_params.py and
tests/linear_model/test_class_weight.py) spoil one value at a time."""

import numpy as np

X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 3.0], [1.0, 2.0], [0.5, 0.5]])
Y = np.array([0, 1, 0, 1, 1, 0])


def changed(array, index, value):
    """A float copy of ``array`` holding ``value`` at ``index``."""
    copy = np.array(array, dtype=float)
    copy[index] = value
    return copy
