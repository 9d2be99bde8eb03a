"""Binary and multinomial logistic regression, fitted on whatever array library holds the data."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xlogreg._backend import is_chunked, resolve
from xlogreg.base import BaseEstimator
from xlogreg.inference import InferenceMixin
from xlogreg.inference._covariance import logistic_covariance
from xlogreg.inference._separation import warn_if_separated
from xlogreg.linear_model._logistic_fit import (
    check_threshold_classes,
    checked_training_data,
    fit_on_chunks,
    logistic_layout,
    smooth_strength,
    solve,
    store_result,
)
from xlogreg.linear_model._minibatch import fit_minibatch
from xlogreg.linear_model._monitoring import MonitoringMixin
from xlogreg.linear_model._params import check_logistic_params
from xlogreg.linear_model._predict import LogisticPredictMixin
from xlogreg.linear_model._state import check_logistic_state
from xlogreg.objectives import Binomial, Multinomial
from xlogreg.solvers._stochastic import STOCHASTIC_METHODS

__all__ = ["LogisticRegression"]


class LogisticRegression(LogisticPredictMixin, InferenceMixin, MonitoringMixin, BaseEstimator):
    """L2-penalized logistic regression on NumPy, PyTorch, CuPy or any array-API library.

    The fit runs where the data lives: pass NumPy arrays, torch tensors (CPU,
    CUDA, MPS) or CuPy arrays, and the learned attributes and every prediction
    come back in the same library, on the same device, in the same floating
    dtype (integer inputs compute in float64, or float32 on devices without it).
    The objective is scikit-learn's, so coefficients match
    ``sklearn.linear_model.LogisticRegression`` with the same ``C``: the
    binomial log loss for two classes, the softmax cross-entropy
    (multinomial) for three or more, with the L2, L1 or elastic-net penalty
    over every class's coefficients. A shift common to every class leaves
    the softmax unchanged; the reported multinomial solution is the centred
    one (coefficients and intercepts summing to zero over the classes),
    except that with an L1 part (``l1_ratio > 0``), which a shift changes,
    only the intercepts are centred.

    Parameters
    ----------
    C : float, default=1.0
        Inverse penalty strength, ``> 0``; ``float("inf")`` means no penalty.
        The objective is the weighted mean log loss plus
        ``(l1_ratio·‖coef‖₁ + (1 − l1_ratio)·‖coef‖²/2) / (C·Σ sample_weight)``:
        scikit-learn's ``LogisticRegression(C, l1_ratio)`` (its ``saga``
        solver for ``l1_ratio > 0``), divided by ``C·Σ sample_weight``.
    l1_ratio : float, default=0.0
        Elastic-net mixing in ``[0, 1]``: ``0`` is the L2 (ridge) penalty,
        ``1`` the L1 (lasso) penalty, whose solutions have exact zeros in
        ``coef_``. Above 0, the solver is proximal Newton or FISTA (see
        ``solver``) and ``inference`` is unavailable (the standard errors
        assume a smooth penalty). See the user guide's page on sparse models.
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
    solver : {"auto", "lbfgs", "newton", "gd", "fista", "sgd", "adam"}, default="auto"
        ``"newton"`` (IRLS with a line search) converges in a few iterations at
        any conditioning and suits many samples and up to a few hundred
        features; ``"lbfgs"`` suits many features; ``"gd"`` is plain full-batch
        gradient descent with ``learning_rate`` and ``momentum``. ``"auto"``
        runs L-BFGS, and hands a fit still unfinished after 10 iterations to
        Newton when there are at most 200 parameters and more samples than
        parameters; on ill-conditioned data with many samples per parameter it
        runs subsampled Newton instead (see :func:`xlogreg.solvers.auto_plan`). ``"sgd"``
        (with ``momentum``) and ``"adam"`` train on mini-batches of
        ``batch_size`` rows, for data too large for one device (see
        ``device``) or to stop early on a validation split; see Notes.
        ``"fista"`` is accelerated proximal gradient. With ``l1_ratio > 0``,
        only ``"auto"``, ``"newton"`` (then proximal Newton on a working set
        of features, see :func:`xlogreg.solvers.proximal_newton.proximal_newton`)
        and ``"fista"``; ``"auto"`` runs proximal Newton up to 2048 features
        and FISTA above.
    tol : float, default=1e-6
        Stop when the max-norm of the objective's gradient is at most ``tol``;
        with ``l1_ratio > 0``, the max-norm of its minimum-norm subgradient
        (zero exactly at the minimizer).
        L-BFGS and Newton also stop when no relative decrease above
        ``64·eps`` of the dtype is possible. ``"sgd"`` and ``"adam"`` count an
        epoch as an improvement when the monitored loss falls by more than
        ``tol`` below its best (the training loss: or below the previous
        epoch's); see ``n_iter_no_change``.
    max_iter : int, default=1000
        Most solver iterations; epochs (passes over the training rows) for
        ``"sgd"`` and ``"adam"``.
    learning_rate : float, default=0.1
        Step size of ``"gd"``, and the initial step size of ``"sgd"`` and
        ``"adam"`` (halved whenever the training loss stalls, see Notes).
        Adam moves each coefficient by about this much per step.
    momentum : float, default=0.0
        Heavy-ball momentum of ``"gd"`` and ``"sgd"``, in ``[0, 1)``.
    batch_size : int, default=256
        Rows per mini-batch of ``"sgd"`` and ``"adam"`` (at most the number of
        training rows). When streaming to a GPU, batches of 10⁴–10⁶ rows keep
        the copies efficient; the device holds two batches at a time.
    early_stopping : bool, default=False
        ``"sgd"`` and ``"adam"`` only: hold out ``validation_fraction`` of the
        rows, stop when their (weighted, unpenalized) log loss has not
        improved by more than ``tol`` for ``n_iter_no_change`` epochs, and
        keep the coefficients of the epoch with the lowest validation loss.
    validation_fraction : float, default=0.1
        Share of the rows held out with ``early_stopping``, in ``(0, 1)``.
    n_iter_no_change : int, default=5
        Epochs without improvement before ``"sgd"`` and ``"adam"`` stop: of the
        validation loss with ``early_stopping``, of the training loss without.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the shuffling and of the validation split of ``"sgd"`` and
        ``"adam"``: the same seed gives the same coefficients on the same
        backend. ``None`` draws a fresh seed at every fit.
    device : None or str, default=None
        ``"sgd"`` and ``"adam"`` only: where to compute when ``X`` is a NumPy
        array (a memory map from ``numpy.load(path, mmap_mode="r")``
        included): ``"torch:cpu"``, ``"torch:cuda"``, ``"torch:cuda:N"``,
        ``"torch:mps"``, ``"cupy"``, ``"cupy:N"``, ``"jax:cpu"``, ``"jax:gpu"``,
        ``"jax:gpu:N"`` or ``"numpy"``. Row batches are
        gathered on the host and copied there, one batch ahead by a background
        thread for a GPU or a memory map, so ``X`` never has to fit on the
        device. ``None`` computes where ``X`` lives, as every other solver
        does.
    threshold : None or float, default=None
        Two classes only: the probability of ``classes_[1]`` at or above which
        :meth:`predict` answers ``classes_[1]`` (the model's operating point,
        say from :func:`xlogreg.metrics.select_threshold`), in ``[0, 1]``.
        ``None`` keeps scikit-learn's rule, a positive logit. A call's own
        ``threshold`` overrides it; fitting three or more classes with a
        threshold set raises ``ValueError``.
    class_weight : None, "balanced" or dict, default=None
        Weights multiplied into ``sample_weight`` per class: a dict maps labels
        to weights (missing labels weigh 1); ``"balanced"`` weighs each class by
        ``Σ sample_weight / (n_classes · its weight sum)``.
    warm_start : bool, default=False
        Start from the previous solution when refitting data of the same width
        on the same library and device.
    verbose : int, default=0
        Print the loss and gradient norm at each solver check when positive
        (the epoch's losses and step size for ``"sgd"`` and ``"adam"``).
    inference : bool, default=False
        End ``fit`` by computing the covariance of the coefficients from the
        Hessian at the solution, on the device (one more ``O(n·d²)`` product
        and a ``d×d`` inverse), for ``coef_stderr_``, ``intercept_stderr_``,
        ``coef_covariance_`` and :meth:`summary`; see Notes. Full-batch
        solvers only.

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
        Solver iterations of the last fit (epochs for ``"sgd"`` and ``"adam"``).
    n_features_in_ : int
    converged_ : bool
        Whether the solver met a stopping rule (otherwise a
        :class:`~xlogreg.exceptions.ConvergenceWarning` was issued).
    loss_history_ : tuple of float
        Objective value at the start and after every iteration; for ``"sgd"``
        and ``"adam"``, each epoch's training objective averaged over its
        batches.
    validation_loss_history_ : tuple of float or None
        Each epoch's validation log loss with ``early_stopping``, else ``None``.
    coef_stderr_, intercept_stderr_ : arrays of the shapes of ``coef_``, ``intercept_``
        Standard errors, with ``inference=True`` (accessing them otherwise
        raises :class:`~xlogreg.exceptions.NotFittedError`).
    coef_covariance_ : array
        Covariance of the estimates, each class's intercept first: shape
        ``(n_features + 1, n_features + 1)`` for two classes,
        ``(n_classes, n_features + 1, n_classes, n_features + 1)`` otherwise
        (without the ``+ 1`` when ``fit_intercept=False``); with ``inference=True``.
    feature_names_in_ : tuple of str
        The names of the features: ``fit``'s ``feature_names``, else the
        columns of a pandas or polars DataFrame ``X``, else ``("x0", "x1", …)``.
    training_profile_ : TrainingProfile
        Mean, standard deviation, minimum and maximum of each raw training
        feature (unweighted) and the row count, for :meth:`drift`; see
        :class:`xlogreg.drift.TrainingProfile`. With ``device``, computed on
        the host and stored on that device.

    Notes
    -----
    **Mini-batch training** (``solver="sgd"`` or ``"adam"``). Each step uses
    one batch's unbiased estimate of the objective: the batch's weighted loss
    scaled by ``n_train / (batch_size · Σ sample_weight)`` plus the batch's
    share of the exact penalty, so sample and class weights and ``C`` mean
    what they mean for the full-batch solvers. Batches are made of contiguous
    segments of ``batch_size // 16`` rows visited in a new random order every
    epoch (a memory map is then read in runs of rows, not row by row), drawn
    on the host from ``random_state``: every backend, and a NumPy array or a
    memory map of it, sees the same batches. The step size starts at
    ``learning_rate`` and halves after every 2 epochs in a row without an
    improvement of the training loss by more than ``tol``; an epoch whose
    loss is not finite is undone and retried with half the step. Only one or
    two scalars per epoch are read back from the device.

    The minimizer is reached up to the noise of the last steps: on
    standardized data with ``tol`` between ``1e-6`` and ``1e-8``, coefficients
    come within about ``1e-3`` (relative) of the full-batch solution and the
    objective within about ``1e-6`` of its minimum (measured: ``1e-7`` on
    200k × 32 rows in 44 to 99 epochs). Where the data fit on the device,
    the full-batch solvers reach the exact minimizer faster: 0.1 s against
    0.7 s for SGD with batches of 4096 rows on that problem, 12 s with 256
    (``benchmarks/test_minibatch.py``, NumPy, 2 cores).

    With ``device="torch:cuda"`` (say) the fitted ``coef_``, ``intercept_``
    and ``classes_`` live on that device, the one exception to "results in the
    input's library" (labels must then be numbers or booleans). Predictions
    accept arrays on that device, and NumPy arrays, which are computed on the
    host with host copies of the coefficients and answered in NumPy.

    **Statistical inference** (``inference=True``, see :meth:`summary`). With
    ``H`` the Hessian of the unpenalized log-likelihood summed over the
    samples, at the solution (the observed Fisher information), and ``H_λ =
    H + I/C`` on the coefficients, the covariance is the sandwich ``H_λ⁻¹ H
    H_λ⁻¹``: the covariance of the penalized estimator, and for ``C=inf`` the
    inverse Fisher information ``H⁻¹`` of statsmodels' ``Logit`` (matched to
    1e-9 in float64). Sample and class weights count as frequency weights (a
    weight of 2 is a repeated row). The p-values test each coefficient against
    zero with the normal distribution and, like the intervals, **are valid
    only for an unpenalized fit** (``C=inf``): a penalty shrinks the estimates
    toward zero, and the summary table says so. With ``standardize=True`` the
    covariance is carried to the original features by the linear map of the
    coefficients. With three or more classes it is the covariance of the
    centred coefficients (summing to zero over the classes), computed in the
    coordinates of differences from the first class, where the model is
    identified; mapped back to those differences it is ``MNLogit``'s.
    The fit raises ``ValueError`` instead of returning meaningless numbers
    when ``H_λ`` is singular or too ill-conditioned to invert in the dtype
    (a relative Cholesky pivot of the equilibrated matrix below
    ``sqrt(eps)``; the message names the culprit columns: constant,
    duplicated or collinear ones), and when ``C=inf`` and the fitted
    coefficients classify every training sample correctly (the classes are
    separable: the maximum-likelihood estimate does not exist).

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

    Standard errors, z statistics, p-values and 95% intervals, as statsmodels'
    ``Logit`` gives them:

    >>> model = LogisticRegression(C=float("inf"), tol=1e-10, inference=True).fit(X, y)
    >>> np.round(model.coef_stderr_, 3), np.round(model.intercept_stderr_, 3)
    (array([[2.516, 1.038]]), array([3.359]))
    >>> print(model.summary())
                      coef     std err           z       P>|z|      [0.025      0.975]
    ----------------------------------------------------------------------------------
    intercept       -4.916       3.359      -1.464      0.1433       -11.5       1.667
    x0               3.414       2.516       1.357      0.1748      -1.517       8.346
    x1             -0.9636       1.038      -0.928      0.3534      -2.999       1.072
    ----------------------------------------------------------------------------------
    """

    _estimator_role = "classifier"
    _fitted_attributes = (
        "coef_",
        "intercept_",
        "classes_",
        "feature_names_in_",
        "training_profile_",
    )

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
        batch_size: int = 256,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        random_state: Any = None,
        device: str | None = None,
        threshold: float | None = None,
        class_weight: str | dict | None = None,
        warm_start: bool = False,
        verbose: int = 0,
        inference: bool = False,
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
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.device = device
        self.threshold = threshold
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.verbose = verbose
        self.inference = inference

    def _validate_params(self) -> None:
        """See :func:`check_logistic_params`."""
        check_logistic_params(self)

    def _check_fitted_state(self) -> None:
        """See :meth:`BaseEstimator._check_fitted_state` and :func:`check_logistic_state`."""
        check_logistic_state(self)
        check_threshold_classes(self, self.classes_)

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        feature_names: Any = None,
        callback: Callable[[int, float, float], None] | None = None,
    ) -> LogisticRegression:
        """Fit the model on ``X`` and class labels ``y``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features), a DataFrame, or a Dask array
            Training data; any supported array library and device. A pandas
            or polars DataFrame is converted to NumPy, its string columns
            naming the features. A Dask array (NumPy or CuPy chunks of rows,
            possibly on a ``dask.distributed`` cluster) is fitted where its
            chunks live (see the README's Dask section); ``y`` and
            ``sample_weight`` may then be Dask or NumPy arrays.
        y : array of shape (n_samples,)
            At least two distinct labels (numbers, booleans, or strings for
            NumPy): the binomial loss for two, the softmax for more.
        sample_weight : array of shape (n_samples,) or float, optional
            Non-negative weights; default all ones.
        feature_names : sequence of str, optional
            Unique names of the features (``feature_names_in_``); by default
            the DataFrame's string columns, else ``("x0", "x1", …)``.
        callback : callable, optional
            ``callback(n_iter, loss, grad_norm)``, with host floats, for every
            iterate of a full-batch solver from the start (``n_iter=0``) to
            the last: the objective (as in ``loss_history_``) and its
            gradient's max-norm. For progress bars and run records; gradient
            descent on an accelerator reports every 10th iterate and the last.
            ``"sgd"`` and ``"adam"`` take none.

        Returns
        -------
        LogisticRegression
            The fitted estimator.

        Raises
        ------
        TypeError
            Non-numeric ``X``, inputs from different array libraries, or
            feature names that are not strings.
        ValueError
            Invalid hyper-parameters, shapes, non-finite values, values
            whose squares or column statistics overflow the dtype (naming
            the column), missing labels, a single class, invalid weights
            (or weights whose sum overflows), ``threshold`` with more than
            two classes, or feature names that repeat, are too few or too
            many, or differ from the DataFrame's columns. A failed fit
            leaves an earlier fitted state untouched.
        """
        self._validate_params()
        if callback is not None and self.solver in STOCHASTIC_METHODS:
            raise ValueError(
                f"callback reports full-batch iterations; solver={self.solver!r} has none"
            )
        if is_chunked(X):
            return fit_on_chunks(self, X, y, sample_weight, feature_names, callback=callback)
        X, feature_names = self._fit_input(X, feature_names, y=y, sample_weight=sample_weight)
        if self.solver in STOCHASTIC_METHODS:
            return fit_minibatch(self, X, y, sample_weight, feature_names=feature_names)
        xp, device = resolve(X=X, y=y, sample_weight=sample_weight)
        X, target, sample_weight, classes, scaler, profile = checked_training_data(
            self, X, y, sample_weight, xp=xp, device=device
        )
        loss = Binomial if classes.shape[0] == 2 else Multinomial
        objective = loss(
            X,
            target,
            sample_weight,
            l2=smooth_strength(self),
            fit_intercept=self.fit_intercept,
            xp=xp,
        )
        layout = logistic_layout(
            X.shape[1], classes.shape[0], fit_intercept=self.fit_intercept, xp=xp
        )
        result = solve(self, objective, layout, X, scaler=scaler, callback=callback)
        inference = None
        if self.inference:
            inference = logistic_covariance(
                X,
                target,
                sample_weight,
                result.x,
                C=float(self.C),
                fit_intercept=self.fit_intercept,
                scaler=scaler,
                classes=classes,
                xp=xp,
            )
        elif math.isinf(self.C):
            warn_if_separated(
                X,
                target,
                sample_weight,
                result.x,
                fit_intercept=self.fit_intercept,
                classes=classes,
                xp=xp,
            )
        return store_result(
            self,
            result,
            n_features=X.shape[1],
            classes=classes,
            scaler=scaler,
            inference=inference,
            feature_names=feature_names,
            profile=profile,
        )
