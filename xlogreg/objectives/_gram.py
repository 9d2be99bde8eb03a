"""The weighted Gram matrix of a design with an implicit column of ones."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

__all__ = ["augmented_gram"]


def augmented_gram(X: Any, weight: Any, *, fit_intercept: bool, l2: Any, xp: ModuleType) -> Any:
    """``[X, 1]ᵀ diag(weight) [X, 1] + l2·I`` without copying ``X`` to add the ones.

    The ones column (and its row and column of the result) is left out when
    ``fit_intercept`` is false; the penalty ``l2`` is added to the coefficients'
    diagonal only, never to the intercept's.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Design matrix.
    weight : array of shape (n_samples,)
        Non-negative weights.
    fit_intercept : bool
        Whether to add the ones column.
    l2 : float or 0-d array
        Ridge added to the coefficients' diagonal.
    xp : module
        Array namespace of the arrays.

    Returns
    -------
    array of shape (n_features + fit_intercept, n_features + fit_intercept)

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from xlogreg.objectives._gram import augmented_gram
    >>> X = xp.asarray([[1.0], [2.0]])
    >>> augmented_gram(X, xp.asarray([1.0, 1.0]), fit_intercept=True, l2=0.5, xp=xp)
    Array([[5.5, 3. ],
           [3. , 2. ]], dtype=array_api_strict.float64)
    """
    root = xp.sqrt(weight)
    scaled = X * root[:, None]
    # A product of a matrix with its own transpose lets BLAS use syrk.
    gram = scaled.T @ scaled
    n_features = X.shape[1]
    eye = xp.eye(n_features, dtype=gram.dtype, device=array_api_compat.device(gram))
    gram = gram + l2 * eye
    if not fit_intercept:
        return gram
    cross = root @ scaled
    corner = xp.reshape(xp.sum(weight), (1, 1))
    top = xp.concat([gram, cross[:, None]], axis=1)
    bottom = xp.concat([cross[None, :], corner], axis=1)
    return xp.concat([top, bottom], axis=0)
