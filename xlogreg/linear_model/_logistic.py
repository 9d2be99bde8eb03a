"""Binary and multinomial logistic regression, fitted on whatever array library holds the data."""

from __future__ import annotations

from typing import Any

import array_api_compat

from xlogreg._backend import host_floats, host_list, resolve
from xlogreg._math import log_sigmoid, log_softmax, sigmoid
from xlogreg._validation import (
    check_bool,
    check_choice,
    check_class_target,
    check_features,
    check_number,
    check_sample_weight,
    check_vector,
)
from xlogreg.linear_model._base import BaseEstimator
from xlogreg.objectives import Binomial, Multinomial
from xlogreg.preprocessing import (
    StandardScaler,
    _standardize_for_fit,
    _to_original_scale,
    _to_standardized_scale,
)
from xlogreg.solvers import METHODS, minimize

__all__ = ["LogisticRegression"]


class LogisticRegression(BaseEstimator):
    """L2-penalized logistic regression on NumPy, PyTorch, CuPy or any array-API library.

    The fit runs where the data lives: pass NumPy arrays, torch tensors (CPU,
    CUDA, MPS) or CuPy arrays, and the learned attributes and every prediction
    come back in the same library, on the same device, in the same floating
    dtype (integer inputs compute in float64, or float32 on devices without it).
    The objective is scikit-learn's, so coefficients match
    ``sklearn.linear_model.LogisticRegression`` with the same ``C``: the
    binomial log loss for two classes, the softmax cross-entropy
    (multinomial) for three or more, with the L2 penalty over every class's
    coefficients. A shift common to every class leaves the softmax
    unchanged; the reported multinomial solution is the centred one
    (coefficients and intercepts summing to zero over the classes).

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
    standardize : bool, default=False
        Fit on standardized features (a :class:`~xlogreg.StandardScaler`
        fitted with ``sample_weight`` on the training data, centring only
        with an intercept), as ``make_pipeline(StandardScaler(), model)``
        would, and report ``coef_`` and ``intercept_`` on the original
        features: predictions take raw ``X``. The penalty then applies to
        the standardized coefficients, and the solvers see well-scaled
        columns. The fit holds one standardized copy of ``X``.
    solver : {"auto", "lbfgs", "newton", "gd"}, default="auto"
        ``"newton"`` (IRLS with a line search) converges in a few iterations at
        any conditioning and suits many samples and up to a few hundred
        features; ``"lbfgs"`` suits many features; ``"gd"`` is plain full-batch
        gradient descent with ``learning_rate`` and ``momentum``. ``"auto"``
        runs L-BFGS, and hands a fit still unfinished after 10 iterations to
        Newton when there are at most 200 parameters and more samples than
        parameters (see :func:`xlogreg.solvers.auto_plan`).
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
        ``Σ sample_weight / (n_classes · its weight sum)``.
    warm_start : bool, default=False
        Start from the previous solution when refitting data of the same width
        on the same library and device.
    verbose : int, default=0
        Print the loss and gradient norm at each solver check when positive.

    Attributes
    ----------
    coef_ : array of shape (1, n_features) or (n_classes, n_features)
        One row for two classes (the positive class's), one per class otherwise.
    intercept_ : array of shape (1,) or (n_classes,)
        Zero when ``fit_intercept=False``.
    scaler_ : StandardScaler or None
        The training statistics when ``standardize=True``.
    classes_ : array of shape (n_classes,)
        The labels, sorted; with two, ``classes_[1]`` is the positive class.
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

    Three or more classes fit the softmax; probabilities sum to one per row:

    >>> y3 = np.array([0, 0, 1, 1, 2, 2, 1, 2])
    >>> model = LogisticRegression().fit(X, y3)
    >>> model.coef_.shape, model.predict_proba(X[:2]).sum(axis=1)
    ((3, 2), array([1., 1.]))
    """

    _fitted_attributes = ("coef_", "intercept_", "classes_")

    def __init__(
        self,
        C: float = 1.0,
        *,
        l1_ratio: float = 0.0,
        fit_intercept: bool = True,
        standardize: bool = False,
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
        self.standardize = standardize
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
        check_bool(self.standardize, "standardize")
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
        y, classes = check_class_target(y, xp=xp, device=device, n_samples=n_samples)
        sample_weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=X.dtype
        )
        scaler = None
        if self.standardize:
            X, scaler = _standardize_for_fit(X, sample_weight, center=self.fit_intercept)
        one_hot = xp.astype(y[:, None] == classes[None, :], X.dtype)
        sample_weight = sample_weight * self._class_weights(one_hot, classes, sample_weight, xp=xp)
        binary = classes.shape[0] == 2
        loss = Binomial if binary else Multinomial
        objective = loss(
            X,
            one_hot[:, 1] if binary else one_hot,
            sample_weight,
            l2=1.0 / self.C,
            fit_intercept=self.fit_intercept,
            xp=xp,
        )
        result = minimize(
            objective,
            self._initial_params(objective, X, n_classes=classes.shape[0], scaler=scaler, xp=xp),
            method=self.solver,
            tol=self.tol,
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            callback=_print_progress if self.verbose else None,
        )
        n_rows = 1 if binary else classes.shape[0]
        rows = xp.reshape(result.x, (n_rows, n_features + int(self.fit_intercept)))
        coef = rows[:, :n_features]
        intercept = (
            rows[:, n_features]
            if self.fit_intercept
            else xp.zeros(n_rows, dtype=X.dtype, device=device)
        )
        if not binary:
            # The softmax is unchanged by a shift common to every class: report
            # the centred solution, scikit-learn's convention.
            coef = coef - xp.mean(coef, axis=0)
            intercept = intercept - xp.mean(intercept)
        if scaler is not None:
            coef, intercept = _to_original_scale(coef, intercept, scaler)
        self._set_fitted(
            coef_=coef,
            intercept_=intercept,
            scaler_=scaler,
            classes_=classes,
            n_iter_=result.n_iter,
            n_features_in_=n_features,
            converged_=result.converged,
            loss_history_=result.loss_history,
        )
        return self

    def _class_weights(self, one_hot: Any, classes: Any, sample_weight: Any, *, xp: Any) -> Any:
        """Per-sample factor from ``class_weight`` (1 when it is ``None``)."""
        if self.class_weight is None:
            return 1.0
        labels = host_list(classes)
        sums = [float(total) for total in host_list(sample_weight @ one_hot)]
        if self.class_weight == "balanced":
            empty = [label for label, total in zip(labels, sums, strict=True) if total <= 0.0]
            if empty:
                raise ValueError(
                    "class_weight='balanced' needs a positive sample_weight sum in every "
                    f"class; classes {empty} have none"
                )
            per_class = [sum(sums) / (len(labels) * total) for total in sums]
        else:
            unknown = [key for key in self.class_weight if key not in labels]
            if unknown:
                raise ValueError(f"class_weight has labels {unknown} that are not in y ({labels})")
            per_class = [self.class_weight.get(label, 1.0) for label in labels]
            for label, weight in zip(labels, per_class, strict=True):
                check_number(weight, f"class_weight[{label!r}]", low=0.0)
            if sum(w * t for w, t in zip(per_class, sums, strict=True)) <= 0.0:
                raise ValueError("class_weight gives every sample a weight of zero")
        device = array_api_compat.device(one_hot)
        return one_hot @ xp.asarray(per_class, dtype=one_hot.dtype, device=device)

    def _initial_params(
        self, objective: Any, X: Any, *, n_classes: int, scaler: StandardScaler | None, xp: Any
    ) -> Any:
        zeros = xp.zeros(objective.n_params, dtype=X.dtype, device=array_api_compat.device(X))
        if not (self.warm_start and hasattr(self, "coef_")):
            return zeros
        try:
            resolve(X=X, coef_=self.coef_)
        except (TypeError, ValueError):
            return zeros  # fitted elsewhere: no usable starting point here
        n_rows = 1 if n_classes == 2 else n_classes
        if tuple(self.coef_.shape) != (n_rows, objective.n_features):
            return zeros
        coef, intercept = self.coef_, self.intercept_
        if scaler is not None:
            coef, intercept = _to_standardized_scale(coef, intercept, scaler)
        rows = xp.concat([coef, intercept[:, None]], axis=1) if self.fit_intercept else coef
        return xp.astype(xp.reshape(rows, (objective.n_params,)), X.dtype)

    def _logits(self, X: Any) -> tuple[Any, Any]:
        """Logits of shape (n_samples,) for two classes, (n_samples, n_classes) otherwise."""
        X, xp, coef = self._check_predict_input(X)
        z = X @ coef.T + xp.astype(self.intercept_, X.dtype)
        return (z[:, 0] if self.classes_.shape[0] == 2 else z), xp

    def decision_function(self, X: Any) -> Any:
        """Logits ``X @ coef_.T + intercept_`` in ``X``'s library.

        Shape (n_samples,) for two classes (the positive class's logit), as in
        scikit-learn, and (n_samples, n_classes) otherwise.
        """
        return self._logits(X)[0]

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities, shape (n_samples, n_classes), ordered as ``classes_``.

        Rows sum to one: the sigmoid for two classes, the softmax otherwise.
        """
        z, xp = self._logits(X)
        if z.ndim == 1:
            return xp.stack([sigmoid(-z, xp=xp), sigmoid(z, xp=xp)], axis=1)
        return xp.exp(log_softmax(z, axis=1, xp=xp))

    def predict_log_proba(self, X: Any) -> Any:
        """Log class probabilities, shape (n_samples, n_classes), finite for any logit."""
        z, xp = self._logits(X)
        if z.ndim == 1:
            return xp.stack([log_sigmoid(-z, xp=xp), log_sigmoid(z, xp=xp)], axis=1)
        return log_softmax(z, axis=1, xp=xp)

    def predict(self, X: Any, threshold: float | None = None) -> Any:
        """Predicted labels from ``classes_``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Data in the library and on the device of the fit.
        threshold : float, optional
            Two classes only: predict ``classes_[1]`` when its probability is
            ``>= threshold`` (seed 000's operating rule). By default the
            positive class needs a positive logit, as in scikit-learn
            (probability ``> 0.5``); with more classes, the most probable wins.

        Returns
        -------
        array of shape (n_samples,)
        """
        if threshold is not None:
            check_number(threshold, "threshold", low=0.0, high=1.0)
            self._check_is_fitted()
            if self.classes_.shape[0] != 2:
                raise ValueError(
                    f"threshold applies to two classes only; this model has "
                    f"{self.classes_.shape[0]} and predicts the most probable"
                )
        z, xp = self._logits(X)
        if z.ndim == 2:
            return xp.take(self.classes_, xp.argmax(z, axis=1))
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
