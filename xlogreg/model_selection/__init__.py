"""Model selection: the pieces of cross-validation, checked before any fit.

:func:`check_folds` turns ``cv`` (a number of folds, a scikit-learn splitter,
or (train, test) pairs) into each fold's training and test rows, computed on
the host from the labels, fold for fold as scikit-learn's ``StratifiedKFold``
and ``KFold`` make them.
"""

from xlogreg.model_selection._folds import check_folds

__all__ = ["check_folds"]
