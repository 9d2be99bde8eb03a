"""Multinomial (objectives/_multinomial.py): its Hessian stays regular where the softmax loss
is flat along "every class alike". Its values and derivatives against the formula are checked
with SquaredError's in test_objectives.py."""

import numpy as np

from tests.objectives.problems import output_objective
from xlogreg._backend import to_numpy


def test_multinomial_hessian_is_regular_where_the_loss_is_flat(backend64):
    objective, w, _ = output_objective("multinomial", backend64, l2=0.0, fit_intercept=True)
    eigenvalues = np.linalg.eigvalsh(to_numpy(objective.hessian(backend64.asarray(w))))
    assert eigenvalues.min() > 1e-3 * eigenvalues.max()
