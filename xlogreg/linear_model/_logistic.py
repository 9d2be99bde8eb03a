"""Binary logistic regression, fitted on whatever array library holds the data."""

from __future__ import annotations

from typing import Any

import array_api_compat

from xlogreg._backend import host_floats, host_list, resolve
from xlogreg._math import log_sigmoid, sigmoid
from xlogreg._validation import (
    check_binary_target,
    check_bool,
    check_choice,
    check_features,
    check_number,
    check_sample_weight,
    check_vector,
)
from xlogreg.linear_model._base import BaseEstimator
from xlogreg.objectives import Binomial
from xlogreg.solvers import METHODS, minimize

__all__ = ["LogisticRegression"]


class LogisticRegression(BaseEstimator):
    """L2-penalized binary logistic regression on NumPy, PyTorch, CuPy or any array-API library.

    The fit runs where the data lives: pass NumPy arrays, torch tensors (CPU,
    CUDA, MPS) or CuPy arrays, and the learned attributes and every prediction
    come back in the same library, on the same device, in the same floating
    dtype (integer inputs compute in float64, or float32 on devices without it).
    The objective is scikit-learn's, so coefficients match
    ``sklearn.linear_model.LogisticRegression`` with the same ``C``.

    Parameters
    ----------
    C : float, default=1.0
        Inverse L2 penalty strength, ``> 0``; ``float("inf")`` means no penalty.
        The objective is the weighted mean log loss plus
        ``‖coef‖² / (2·C·Σ sample_weight)``.
    l1_ratio : float, default=0.0
        Elastic-net mixing; only ``0.0`` (pure L2) is supported.
    fit_intercept : bool, default=True
        Whether to fit an unpenalized intercept.
    solver : {"auto", "lbfgs", "newton", "gd"}, default="auto"
        ``"newton"`` (IRLS with a line search) converges in a few iterations at
        any conditioning and suits many samples and up to a few hundred
        features; ``"lbfgs"`` suits many features; ``"gd"`` is plain full-batch
        gradient descent with ``learning_rate`` and ``momentum``. ``"auto"``
        picks Newton for at most 200 parameters and more samples than
        parameters, L-BFGS otherwise (see :func:`xlogreg.solvers.choose_method`).
    tol : float, default=1e-6
        Stop when the max-norm of the objective's gradient is at most ``tol``.
        L-BFGS and Newton also stop when no relative decrease above
        ``64·eps`` of the dtype is possible.
    max_iter : int, default=1000
        Most solver iterations.
    learning_rate : float, default=0.1
        Step size of ``solver="gd"``.
    momentum : float, default=0.0
        Heavy-ball momentum of ``solver="gd"``, in ``[0, 1)``.
    class_weight : None, "balanced" or dict, default=None
        Weights multiplied into ``sample_weight`` per class: a dict maps labels
        to weights (missing labels weigh 1); ``"balanced"`` weighs each class by
        ``Σ sample_weight / (2 · its weight sum)``.
    warm_start : bool, default=False
        Start from the previous solution when refitting data of the same width
        on the same library and device.
    verbose : int, default=0
        Print the loss and gradient norm at each solver check when positive.

    Attributes
    ----------
    coef_ : array of shape (1, n_features)
    intercept_ : array of shape (1,)
        Zero when ``fit_intercept=False``.
    classes_ : array of shape (2,)
        The two labels, sorted; ``classes_[1]`` is the positive class.
    n_iter_ : int
        Solver iterations of the last fit.
    n_features_in_ : int
    converged_ : bool
        Whether the solver met a stopping rule (otherwise a
        :class:`~xlogreg.exceptions.ConvergenceWarning` was issued).
    loss_history_ : tuple of float
        Objective value at the start and after every iteration.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import LogisticRegression
    >>> X = np.array([[1.0, 1.0], [1.5, 2.0], [2.0, 3.0], [3.5, 6.0],
    ...               [4.0, 7.0], [4.5, 5.0], [2.8, 4.0], [3.2, 8.0]])
    >>> y = np.array([0, 0, 1, 1, 1, 1, 0, 0])
    >>> model = LogisticRegression(C=float("inf"), tol=1e-10).fit(X, y)
    >>> np.round(model.coef_, 3), np.round(model.intercept_, 3)
    (array([[ 3.414, -0.964]]), array([-4.916]))
    >>> model.predict(X)
    array([0, 0, 0, 1, 1, 1, 1, 0])
    """

    _fitted_attributes = ("coef_", "intercept_", "classes_")

    def __init__(
        self,
        C: float = 1.0,
        *,
        l1_ratio: float = 0.0,
        fit_intercept: bool = True,
        solver: str = "auto",
        tol: float = 1e-6,
        max_iter: int = 1000,
        learning_rate: float = 0.1,
        momentum: float = 0.0,
        class_weight: str | dict | None = None,
        warm_start: bool = False,
        verbose: int = 0,
    ) -> None:
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.verbose = verbose

    def _validate_params(self) -> None:
        check_number(self.C, "C", low=0.0, low_open=True)
        check_number(self.l1_ratio, "l1_ratio")
        if self.l1_ratio != 0.0:
            raise ValueError(
                f"l1_ratio={self.l1_ratio!r} is not supported: only 0.0 (pure L2 penalty) is"
            )
        check_bool(self.fit_intercept, "fit_intercept")
        check_choice(self.solver, "solver", METHODS)
        check_number(self.tol, "tol", low=0.0)
        check_number(self.max_iter, "max_iter", integer=True, low=1)
        check_number(self.learning_rate, "learning_rate", low=0.0, low_open=True)
        check_number(self.momentum, "momentum", low=0.0, high=1.0, high_open=True)
        if not (
            self.class_weight is None
            or self.class_weight == "balanced"
            or isinstance(self.class_weight, dict)
        ):
            raise ValueError(
                f"class_weight must be None, 'balanced' or a dict, got {self.class_weight!r}"
            )
        check_bool(self.warm_start, "warm_start")
        check_number(self.verbose, "verbose", integer=True, low=0)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model on ``X`` and binary labels ``y``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Training data; any supported array library and device.
        y : array of shape (n_samples,)
            Two distinct labels (numbers, booleans, or strings for NumPy).
        sample_weight : array of shape (n_samples,) or float, optional
            Non-negative weights; default all ones.

        Returns
        -------
        LogisticRegression
            The fitted estimator.

        Raises
        ------
        TypeError
            Non-numeric ``X`` or inputs from different array libraries.
        ValueError
            Invalid hyper-parameters, shapes, non-finite values, not exactly two
            classes, or invalid weights. A failed fit leaves an earlier fitted
            state untouched.
        """
        self._validate_params()
        xp, device = resolve(X=X, y=y, sample_weight=sample_weight)
        X = check_features(X, xp=xp, device=device)
        n_samples, n_features = X.shape
        y, classes = check_binary_target(y, xp=xp, device=device, n_samples=n_samples)
        sample_weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype
        )
        y01 = xp.astype(y == classes[1], X.dtype)
        sample_weight = sample_weight * self._class_weights(y01, classes, sample_weight, xp=xp)
        objective = Binomial(
            X,
            y01,
            sample_weight,
            l2=1.0 / self.C,
            fit_intercept=self.fit_intercept,
            xp=xp,
        )
        result = minimize(
            objective,
            self._initial_params(objective, X, xp=xp),
            method=self.solver,
            tol=self.tol,
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            callback=_print_progress if self.verbose else None,
        )
        intercept = (
            result.x[n_features:]
            if self.fit_intercept
            else xp.zeros(1, dtype=X.dtype, device=device)
        )
        self._set_fitted(
            coef_=xp.reshape(result.x[:n_features], (1, n_features)),
            intercept_=intercept,
            classes_=classes,
            n_iter_=result.n_iter,
            n_features_in_=n_features,
            converged_=result.converged,
            loss_history_=result.loss_history,
        )
        return self

    def _class_weights(self, y01: Any, classes: Any, sample_weight: Any, *, xp: Any) -> Any:
        """Per-sample factor from ``class_weight`` (1 when it is ``None``)."""
        if self.class_weight is None:
            return 1.0
        if self.class_weight == "balanced":
            positive, total = host_floats(xp, sample_weight @ y01, xp.sum(sample_weight))
            if not 0.0 < positive < total:
                raise ValueError(
                    "class_weight='balanced' needs a positive sample_weight sum in both "
                    f"classes, got {total - positive:g} and {positive:g}"
                )
            weight_neg, weight_pos = total / (2.0 * (total - positive)), total / (2.0 * positive)
        else:
            labels = host_list(classes)
            unknown = [key for key in self.class_weight if key not in labels]
            if unknown:
                raise ValueError(f"class_weight has labels {unknown} that are not in y ({labels})")
            weight_neg, weight_pos = (self.class_weight.get(label, 1.0) for label in labels)
            check_number(weight_neg, f"class_weight[{labels[0]!r}]", low=0.0)
            check_number(weight_pos, f"class_weight[{labels[1]!r}]", low=0.0)
            positive, total = host_floats(xp, sample_weight @ y01, xp.sum(sample_weight))
            if weight_pos * positive + weight_neg * (total - positive) <= 0.0:
                raise ValueError("class_weight gives every sample a weight of zero")
        return y01 * weight_pos + (1.0 - y01) * weight_neg

    def _initial_params(self, objective: Binomial, X: Any, *, xp: Any) -> Any:
        zeros = xp.zeros(objective.n_params, dtype=X.dtype, device=array_api_compat.device(X))
        if not (self.warm_start and hasattr(self, "coef_")):
            return zeros
        try:
            resolve(X=X, coef_=self.coef_)
        except (TypeError, ValueError):
            return zeros  # fitted elsewhere: no usable starting point here
        if self.coef_.shape[1] != objective.n_features:
            return zeros
        previous = [self.coef_[0, :], self.intercept_] if self.fit_intercept else [self.coef_[0, :]]
        return xp.astype(xp.concat(previous), X.dtype)

    def _logits(self, X: Any) -> tuple[Any, Any]:
        X, xp, coef = self._check_predict_input(X)
        return X @ coef[0, :] + xp.astype(self.intercept_, X.dtype), xp

    def decision_function(self, X: Any) -> Any:
        """Logits ``X @ coef_[0] + intercept_``, shape (n_samples,), in ``X``'s library."""
        return self._logits(X)[0]

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities, shape (n_samples, 2), ordered as ``classes_``."""
        z, xp = self._logits(X)
        return xp.stack([sigmoid(-z, xp=xp), sigmoid(z, xp=xp)], axis=1)

    def predict_log_proba(self, X: Any) -> Any:
        """Log class probabilities, shape (n_samples, 2), finite for any logit."""
        z, xp = self._logits(X)
        return xp.stack([log_sigmoid(-z, xp=xp), log_sigmoid(z, xp=xp)], axis=1)

    def predict(self, X: Any, threshold: float | None = None) -> Any:
        """Predicted labels from ``classes_``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Data in the library and on the device of the fit.
        threshold : float, optional
            Predict ``classes_[1]`` when its probability is ``>= threshold``
            (seed 000's operating rule). By default the positive class needs a
            positive logit, as in scikit-learn (probability ``> 0.5``).

        Returns
        -------
        array of shape (n_samples,)
        """
        if threshold is not None:
            check_number(threshold, "threshold", low=0.0, high=1.0)
        z, xp = self._logits(X)
        positive = z > 0 if threshold is None else sigmoid(z, xp=xp) >= threshold
        return xp.take(self.classes_, xp.astype(positive, xp.int64))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean (weighted) accuracy of ``predict(X)`` against ``y``, as a Python float."""
        predicted = self.predict(X)
        xp, device = resolve(predicted=predicted, y=y, sample_weight=sample_weight)
        y = check_vector(y, "y", xp=xp, device=device, n_samples=predicted.shape[0])
        weight = check_sample_weight(
            sample_weight,
            xp=xp,
            device=device,
            n_samples=predicted.shape[0],
            dtype=self.coef_.dtype,
        )
        hits = xp.astype(predicted == y, weight.dtype)
        (accuracy,) = host_floats(xp, (weight @ hits) / xp.sum(weight))
        return accuracy


def _print_progress(n_iter: int, loss: float, grad_norm: float) -> None:
    print(f"iter {n_iter:5d}  loss {loss:.10g}  grad max-norm {grad_norm:.3e}")
