"""Class weights of :class:`~xlogreg.LogisticRegression`: each class's factor, multiplied
into the sample weights with the target's encoding."""

from __future__ import annotations

import math
from typing import Any

from xlogreg._backend import host_list
from xlogreg._validation import check_number

__all__ = ["class_factors", "encoded_target"]


def class_factors(
    class_weight: str | dict, classes: Any, class_sums: Any, *, dtype: Any, device: Any, xp: Any
) -> Any:
    """Each class's factor from ``class_weight`` (``"balanced"`` or a dict, not ``None``).

    Parameters
    ----------
    class_weight : "balanced" or dict
        The estimator's parameter.
    classes : array of shape (n_classes,)
        The sorted labels.
    class_sums : array of shape (n_classes,)
        Each class's sample-weight sum.
    dtype, device, xp
        Of the returned factors.

    Returns
    -------
    array of shape (n_classes,)

    Raises
    ------
    ValueError
        A ``"balanced"`` class without weight, labels not in ``classes``,
        invalid factors, or factors that leave no weight or overflow.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.linear_model._class_weight import class_factors
    >>> class_factors("balanced", np.array([0, 1]), np.array([3.0, 1.0]),
    ...               dtype=np.float64, device="cpu", xp=np)
    array([0.66666667, 2.        ])
    """
    labels = host_list(classes)
    sums = [float(total) for total in host_list(class_sums)]
    if class_weight == "balanced":
        empty = [label for label, total in zip(labels, sums, strict=True) if total <= 0.0]
        if empty:
            raise ValueError(
                "class_weight='balanced' needs a positive sample_weight sum in every "
                f"class; classes {empty} have none"
            )
        per_class = [sum(sums) / (len(labels) * total) for total in sums]
    else:
        unknown = [key for key in class_weight if key not in labels]
        if unknown:
            raise ValueError(f"class_weight has labels {unknown} that are not in y ({labels})")
        per_class = [class_weight.get(label, 1.0) for label in labels]
        for label, weight in zip(labels, per_class, strict=True):
            check_number(weight, f"class_weight[{label!r}]", low=0.0, finite=True)
        total = sum(w * t for w, t in zip(per_class, sums, strict=True))
        if total <= 0.0:
            raise ValueError("class_weight gives every sample a weight of zero")
        if math.isinf(total):
            raise ValueError(
                "class_weight times sample_weight sums to more than a float holds: "
                "divide the class weights (or sample_weight) by a common factor"
            )
    return xp.asarray(per_class, dtype=dtype, device=device)


def encoded_target(
    y: Any, sample_weight: Any, *, classes: Any, class_factors: Any, xp: Any
) -> tuple[Any, Any]:
    """The target in ``sample_weight``'s dtype and the weights times the class factors.

    The target is the positive class's indicator for two classes (without a
    one-hot matrix when there are no class factors) and the one-hot matrix
    otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg.linear_model._class_weight import encoded_target
    >>> encoded_target(np.array([0, 1, 1]), np.ones(3), classes=np.array([0, 1]),
    ...                class_factors=np.array([2.0, 1.0]), xp=np)
    (array([0., 1., 1.]), array([2., 1., 1.]))
    """
    dtype = sample_weight.dtype
    if classes.shape[0] == 2 and class_factors is None:
        return xp.astype(y == classes[1], dtype), sample_weight
    one_hot = xp.astype(y[:, None] == classes[None, :], dtype)
    if class_factors is not None:
        sample_weight = sample_weight * (one_hot @ class_factors)
    return (one_hot[:, 1] if classes.shape[0] == 2 else one_hot), sample_weight
