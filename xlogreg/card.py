"""A model card: what a fitted model is, in plain JSON-ready Python values.

The command line writes it beside every recorded run, ``xlogreg serve``
answers ``GET /model`` with it, and a reviewer can read it without xlogreg.
"""

from __future__ import annotations

import platform
from typing import Any

from xlogreg._backend import describe, host_list
from xlogreg.base import BaseEstimator
from xlogreg.io import FORMAT_VERSION

__all__ = ["model_card"]


def model_card(model: BaseEstimator, **extra: Any) -> dict[str, Any]:
    """Describe a fitted estimator: its kind, inputs, outputs, training data and versions.

    Parameters
    ----------
    model : LogisticRegression or LinearRegression
        A fitted model.
    **extra
        More entries (metrics, data source, run id...), added as they are.

    Returns
    -------
    dict
        ``estimator``, ``params``, ``arrays`` (library and dtype of the
        coefficients), ``features`` (names, in order), ``classes`` (for
        classifiers), ``threshold``, ``coefficients`` (``intercept`` and one
        entry per feature), ``training_profile`` (``count``, ``rows`` and per
        feature ``mean``, ``std``, ``min``, ``max``), ``n_iter``,
        ``converged``, ``versions`` (xlogreg, model file format, Python), then
        ``extra``. Everything is a str, number, bool, None, list or dict.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import LogisticRegression
    >>> from xlogreg.card import model_card
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> card = model_card(LogisticRegression().fit(X, np.array([0, 0, 1, 1])), data="toy")
    >>> card["estimator"], card["features"], card["classes"], card["data"]
    ('LogisticRegression', ['x0'], [0, 1], 'toy')
    """
    from xlogreg import __version__

    model._check_is_fitted()
    names = list(model.feature_names_in_)
    coef, intercept = host_list(model.coef_), host_list(model.intercept_)
    card: dict[str, Any] = {
        "estimator": type(model).__name__,
        "params": {k: v for k, v in model.get_params().items() if _plain(v)},
        "arrays": f"{describe(model.coef_)}, {model.coef_.dtype}",
        "features": names,
    }
    if hasattr(model, "classes_"):
        card["classes"] = host_list(model.classes_)
    card["threshold"] = getattr(model, "threshold", None)
    card["coefficients"] = {"intercept": intercept, "coef": coef}
    profile = model.training_profile_
    stats = {stat: host_list(getattr(profile, stat)) for stat in ("mean", "std", "min", "max")}
    card["training_profile"] = {
        "count": profile.count,
        "rows": profile.rows,
        "features": {
            name: {stat: values[j] for stat, values in stats.items()}
            for j, name in enumerate(names)
        },
    }
    card["n_iter"] = getattr(model, "n_iter_", None)
    converged = getattr(model, "converged_", None)
    card["converged"] = None if converged is None else bool(converged)
    card["versions"] = {
        "xlogreg": __version__,
        "model_format": FORMAT_VERSION,
        "python": platform.python_version(),
    }
    card.update(extra)
    return card


def _plain(value: Any) -> bool:
    """Whether ``value`` is JSON-ready as it is (parameters such as a Generator are left out)."""
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False
