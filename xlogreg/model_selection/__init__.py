"""Model selection: the pieces of cross-validation, checked before any fit.

:func:`check_folds` turns ``cv`` (a number of folds, a scikit-learn splitter,
or (train, test) pairs) into each fold's training and test rows, computed on
the host from the labels, fold for fold as scikit-learn's ``StratifiedKFold``
and ``KFold`` make them.

:func:`check_scoring` turns ``scoring`` (one of scikit-learn's scorer names, a
callable, or ``None``) into a :class:`Scorer`, which names the output of a
fitted model it reads (labels, probabilities or the decision function) and
scores a fold with :mod:`xlogreg.metrics` on the device, as scikit-learn's
scorer of that name does.
"""

from xlogreg.model_selection._folds import check_folds
from xlogreg.model_selection._scoring import Scorer, check_scoring

__all__ = ["Scorer", "check_folds", "check_scoring"]
