"""Logistic regression with ``C`` (and ``l1_ratio``) chosen by cross-validation, the whole
grid over every fold fitted as one batched problem on the data's device."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

from xlogreg._backend import integer_dtype
from xlogreg._validation import check_bool, check_number
from xlogreg.base import BaseEstimator
from xlogreg.exceptions import ConvergenceWarning
from xlogreg.linear_model._cv_scores import best_candidate
from xlogreg.linear_model._logistic import LogisticRegression
from xlogreg.linear_model._logistic_fit import logistic_layout, store_solution
from xlogreg.linear_model._logistic_grid import Candidate, centred_solutions, fit_grid, path_rows
from xlogreg.linear_model._monitoring import MonitoringMixin
from xlogreg.linear_model._predict import LogisticPredictMixin
from xlogreg.linear_model._search_data import search_data
from xlogreg.linear_model._state import check_logistic_state
from xlogreg.model_selection import check_scoring

__all__ = ["REFIT_STATE", "LogisticRegressionCV", "check_Cs", "check_grid"]

# The grid of an integer Cs, as scikit-learn's: logspace(-4, 4, Cs).
_CS_RANGE = (-4.0, 4.0)

# The fitted attributes copied from the refit LogisticRegression.
REFIT_STATE = (
    "coef_",
    "intercept_",
    "classes_",
    "scaler_",
    "n_features_in_",
    "feature_names_in_",
    "training_profile_",
    "converged_",
    "loss_history_",
    "validation_loss_history_",
    "_host_parameters",
    "_inference",
)


def check_grid(values: Any, name: str, *, low_open: bool, high: float | None) -> list[float]:
    """A non-empty sequence of numbers in range, as host floats; a ValueError naming ``name``.

    Examples
    --------
    >>> check_grid([0.1, 1], "Cs", low_open=True, high=None)
    [0.1, 1.0]
    """
    try:
        grid = [float(v) for v in values]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if not grid:
        raise ValueError(f"{name} must hold one value at least, got an empty grid")
    for value in grid:
        check_number(value, name, low=0.0, low_open=low_open, high=high)
    return grid


def check_Cs(Cs: Any) -> list[float]:
    """The grid of ``C`` as host floats: ``logspace(-4, 4, Cs)`` for an integer, as in
    scikit-learn, else the values, each ``> 0``; a ValueError naming ``Cs``.

    Examples
    --------
    >>> check_Cs(3), check_Cs([0.5, float("inf")])
    ([0.0001, 1.0, 10000.0], [0.5, inf])
    """
    if isinstance(Cs, numbers.Integral) and not isinstance(Cs, bool):
        check_number(Cs, "Cs", integer=True, low=1)
        low, high = _CS_RANGE
        if Cs == 1:
            return [10.0**low]
        step = (high - low) / (Cs - 1)
        return [10.0 ** (low + k * step) for k in range(Cs)]
    return check_grid(Cs, "Cs", low_open=True, high=None)


class LogisticRegressionCV(LogisticPredictMixin, MonitoringMixin, BaseEstimator):
    """Logistic regression whose ``C`` and ``l1_ratio`` are chosen by cross-validation.

    scikit-learn's ``LogisticRegressionCV``, fitted differently: every
    (fold, ``l1_ratio``, ``C``) model of the grid advances together, as one
    batched problem (:class:`~xlogreg.objectives.BatchedLogistic`), each
    iteration reading ``X`` once for all of them (a matrix product where one
    fit has a matrix-vector one). Folds are columns of sample weights, never
    copies of ``X``; each model stops on its own criterion and leaves the
    batch; the scores come from xlogreg's metrics on the data's device; the
    best model is refitted on all the data, warm-started from its folds'
    mean. The minimized objectives are :class:`~xlogreg.LogisticRegression`'s.

    Parameters
    ----------
    Cs : int or sequence of float, default=10
        The inverse penalty strengths, each ``> 0`` (``inf``: no penalty); an
        integer ``k`` means ``logspace(-4, 4, k)``, as in scikit-learn.
    l1_ratios : sequence of float, default=(0.0,)
        The elastic-net mixing values, each in ``[0, 1]``: ``0`` is the L2
        penalty, ``1`` the lasso (see :class:`~xlogreg.LogisticRegression`).
    fit_intercept : bool, default=True
        Whether to fit unpenalized intercepts.
    cv : int, splitter, iterable of (train, test) pairs or None, default=None
        The folds (:func:`~xlogreg.model_selection.check_folds`): ``None``
        is 5; an integer ``k`` gives scikit-learn's ``StratifiedKFold(k)``.
    scoring : str, callable or None, default=None
        How a fold's model is scored on its test rows
        (:func:`~xlogreg.model_selection.check_scoring`): one of
        scikit-learn's scorer names that xlogreg's metrics compute
        (``"neg_log_loss"``, ``"roc_auc"``, ``"accuracy"``, ``"f1"``, …), or a
        callable ``scoring(estimator, X, y)``. ``None`` is accuracy, as in
        scikit-learn 1.9. Scores are weighted by ``sample_weight`` when given.
    refit : bool, default=True
        Refit the best (``C``, ``l1_ratio``) on all the data (the highest
        score summed over the folds). Otherwise ``coef_`` is the mean over
        the folds of each fold's best model, and ``C_`` and ``l1_ratio_``
        the means of their parameters, as in scikit-learn.
    class_weight : dict, "balanced" or None, default=None
        Per-class weight factors, computed once on all of ``y``.
    standardize : bool, default=False
        Fit on standardized features (the statistics of all the training
        data, for every fold), reporting coefficients on the original ones,
        as :class:`~xlogreg.LogisticRegression` does.
    tol : float, default=1e-6
        Each model stops when its gradient's max-norm (the minimum-norm
        subgradient's with an L1 part) is at most ``tol``.
    max_iter : int, default=100
        Most iterations of each model, and of the refit.
    max_batch_memory : float, default=0.5
        The extra memory of one batch of models, at most this multiple of
        the bytes of ``X``: a grid larger than that is fitted a batch at a
        time, each batch warm-started from the last along the path of ``C``.
    verbose : int, default=0
        Passed to the refit.

    Attributes
    ----------
    coef_ : array of shape (1, n_features) or (n_classes, n_features)
    intercept_ : array of shape (1,) or (n_classes,)
    classes_ : array of shape (n_classes,)
    C_ : float
        The chosen ``C`` (with ``refit=False``, the mean of each fold's best).
    l1_ratio_ : float
        The chosen ``l1_ratio``.
    Cs_ : array of shape (n_cs,)
    l1_ratios_ : array of shape (n_l1_ratios,)
    scores_ : array of shape (n_folds, n_l1_ratios, n_cs)
        Each model's score on its fold's test rows.
    coefs_paths_ : array of shape (n_folds, n_l1_ratios, n_cs, n_outputs, n_dof)
        Each model's coefficients followed by its intercept (``n_dof =
        n_features + fit_intercept``), one row per class (one for two classes).
    n_iter_ : array of shape (n_folds, n_l1_ratios, n_cs)
        Each model's iterations.
    converged_ : bool
        Whether the refit converged (every grid model that did not is named
        in a :class:`~xlogreg.ConvergenceWarning`).

    These are the shapes of scikit-learn 1.9's ``LogisticRegressionCV`` with
    ``use_legacy_attributes=False`` (its default from 1.10), in the input's
    namespace and device, ``scores_`` and ``coefs_paths_`` in its dtype.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from xlogreg import LogisticRegressionCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = LogisticRegressionCV(Cs=5, standardize=True, scoring="neg_log_loss").fit(X, y)
    >>> model.scores_.shape, model.coefs_paths_.shape
    ((5, 1, 5), (5, 1, 5, 1, 31))
    >>> float(model.C_), model.converged_
    (1.0, True)
    """

    _estimator_role = "classifier"
    _fitted_attributes = (
        "coef_",
        "intercept_",
        "classes_",
        "feature_names_in_",
        "training_profile_",
    )
    # Predictions follow the most probable class (no decision threshold).
    threshold = None

    def __init__(
        self,
        *,
        Cs: int | Any = 10,
        l1_ratios: Any = (0.0,),
        fit_intercept: bool = True,
        cv: Any = None,
        scoring: Any = None,
        refit: bool = True,
        class_weight: str | dict | None = None,
        standardize: bool = False,
        tol: float = 1e-6,
        max_iter: int = 100,
        max_batch_memory: float = 0.5,
        verbose: int = 0,
    ) -> None:
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.class_weight = class_weight
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.max_batch_memory = max_batch_memory
        self.verbose = verbose

    def _grid(self) -> tuple[list[float], list[float]]:
        """``Cs_`` and ``l1_ratios_`` as host floats, checked."""
        return check_Cs(self.Cs), check_grid(self.l1_ratios, "l1_ratios", low_open=False, high=1.0)

    def _validate_params(self) -> None:
        self._grid()
        check_bool(self.fit_intercept, "fit_intercept")
        check_bool(self.refit, "refit")
        check_bool(self.standardize, "standardize")
        check_number(self.tol, "tol", low=0.0, finite=True)
        check_number(self.max_iter, "max_iter", integer=True, low=1)
        check_number(self.max_batch_memory, "max_batch_memory", low=0.0, low_open=True)
        check_number(self.verbose, "verbose", integer=True, low=0)
        check_scoring(self.scoring)

    def _check_fitted_state(self) -> None:
        check_logistic_state(self)

    def _refit_model(self, C: float, l1_ratio: float, n_classes: int) -> LogisticRegression:
        # From the folds' mean, Newton: "auto"'s L-BFGS steps first would leave the centred
        # coefficients of a multinomial fit, where Newton's step along their common shift
        # is too short (90 iterations without converging on wine at C=21.5; Newton alone 7).
        solver = "newton" if n_classes > 2 and l1_ratio == 0.0 else "auto"
        return LogisticRegression(
            C=C,
            l1_ratio=l1_ratio,
            solver=solver,
            fit_intercept=self.fit_intercept,
            standardize=self.standardize,
            tol=self.tol,
            max_iter=self.max_iter,
            class_weight=self.class_weight,
            verbose=self.verbose,
        )

    def _shell(self) -> LogisticRegression:
        """A LogisticRegression carrying the search's data options, for the data checks."""
        return LogisticRegression(
            fit_intercept=self.fit_intercept,
            standardize=self.standardize,
            class_weight=self.class_weight,
        )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegressionCV:
        """Score every (``C``, ``l1_ratio``) on every fold, then fit the best on all the data.

        Parameters
        ----------
        X : array of shape (n_samples, n_features) or a DataFrame
            Training data of any supported array library and device, or a
            Dask array (the grid evaluated where its chunks live; ``cv``
            must then be an integer or None).
        y : array of shape (n_samples,)
            Class labels, two or more.
        sample_weight : array of shape (n_samples,), optional
            Non-negative weights, in the fits and in the scores.

        Returns
        -------
        LogisticRegressionCV
            The fitted estimator.

        Raises
        ------
        ValueError
            Before any fit: an empty grid or a value out of range (``Cs``,
            ``l1_ratios``), a ``cv`` below 2 or above the smallest class's
            count, a fold whose training rows leave a class out, an unknown
            ``scoring`` name or one that does not fit the classes, and
            every error of :meth:`LogisticRegression.fit
            <xlogreg.LogisticRegression.fit>`. A failed fit leaves an earlier
            fitted state untouched.

        Warns
        -----
        ConvergenceWarning
            Once, naming every model of the grid that did not converge (it is
            still scored), and from the refit.
        """
        self._validate_params()
        Cs, l1_ratios = self._grid()
        scorer = check_scoring(self.scoring)
        search = search_data(self._shell(), X, y, sample_weight, scorer, cv=self.cv)
        xp, device, classes, scaler = search.xp, search.device, search.classes, search.scaler
        n_features = search.grid.shape[1]
        order = sorted(range(len(Cs)), key=lambda k: Cs[k])
        candidates = [
            Candidate(fold, l1_ratio, Cs[k])
            for fold in range(search.n_folds)
            for l1_ratio in l1_ratios
            for k in order
        ]
        grid = fit_grid(
            search.grid,
            candidates,
            tol=self.tol,
            max_iter=self.max_iter,
            max_batch_memory=self.max_batch_memory,
        )
        unconverged = grid.unconverged(candidates)
        if unconverged:
            warnings.warn(
                f"{len(unconverged)} of the {len(candidates)} models of the grid did not "
                f"converge and were scored as they stopped: {'; '.join(unconverged)}. "
                "Increase max_iter, or standardize the features.",
                ConvergenceWarning,
                stacklevel=2,
            )
        # The grid ran over sorted Cs; the attributes follow the order of Cs.
        n_folds, n_l1, n_cs = search.n_folds, len(l1_ratios), len(Cs)
        rank = {k: r for r, k in enumerate(order)}
        rows = [
            (f * n_l1 + r) * n_cs + rank[c]
            for f in range(n_folds)
            for r in range(n_l1)
            for c in range(n_cs)
        ]
        index = xp.asarray(rows, dtype=integer_dtype(xp, device), device=device)
        layout = logistic_layout(
            n_features, classes.shape[0], fit_intercept=self.fit_intercept, xp=xp
        )
        l1_of_row = [l1_ratios[(r // n_cs) % n_l1] for r in range(len(rows))]
        solutions = centred_solutions(xp.take(grid.x, index, axis=0), layout, l1_of_row, xp=xp)
        shape = (n_folds, n_l1, n_cs)

        def fitted(w: Any, C: float, l1_ratio: float, **diagnostics: Any) -> LogisticRegression:
            shell = LogisticRegression(C=C, l1_ratio=l1_ratio, fit_intercept=self.fit_intercept)
            return store_solution(
                shell,
                w,
                n_features=n_features,
                classes=classes,
                scaler=scaler,
                loss_history_=(),
                validation_loss_history_=None,
                feature_names_in_=search.feature_names,
                training_profile_=search.profile,
                **diagnostics,
            )

        scores = xp.reshape(search.scores(scorer, solutions, fitted), shape)
        best = best_candidate(scores, Cs, l1_ratios, self.refit)
        grid_rows = xp.reshape(solutions, (*shape, layout.n_params))
        mean = xp.mean(xp.stack([grid_rows[f, r, c, :] for f, r, c in best.rows]), axis=0)
        converged = all(
            grid.status[rows[(f * n_l1 + r) * n_cs + c]] == "converged" for f, r, c in best.rows
        )
        source = fitted(mean, best.C, best.l1_ratio, n_iter_=0, converged_=converged)
        if self.refit:
            model = self._refit_model(best.C, best.l1_ratio, classes.shape[0])
            model.coef_, model.intercept_ = source.coef_, source.intercept_
            model.warm_start = True
            source = model.fit(
                search.raw_X, search.y, sample_weight, feature_names=search.feature_names
            )
        paths = path_rows(solutions, layout, scaler, xp=xp)
        self._set_fitted(
            **{name: getattr(source, name) for name in REFIT_STATE},
            C_=best.C,
            l1_ratio_=best.l1_ratio,
            Cs_=xp.asarray(Cs, dtype=search.dtype, device=device),
            l1_ratios_=xp.asarray(l1_ratios, dtype=search.dtype, device=device),
            scores_=scores,
            coefs_paths_=xp.reshape(paths, (*shape, *paths.shape[1:])),
            n_iter_=xp.reshape(
                xp.asarray(
                    [grid.n_iter[r] for r in rows], dtype=integer_dtype(xp, device), device=device
                ),
                shape,
            ),
        )
        return self

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """The ``scoring`` of the fitted model on ``(X, y)``, as a Python float.

        As scikit-learn's ``LogisticRegressionCV.score``: the metric the search
        chose ``C`` by (accuracy when ``scoring`` is None), computed as each
        fold's models were scored, weighted by ``sample_weight`` when given.

        Examples
        --------
        >>> from sklearn.datasets import load_breast_cancer
        >>> from xlogreg import LogisticRegressionCV
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> model = LogisticRegressionCV(Cs=[0.1, 1.0], standardize=True, scoring="neg_log_loss")
        >>> round(model.fit(X, y).score(X, y), 3)
        -0.053
        """
        self._check_is_fitted()
        return float(check_scoring(self.scoring)(self, X, y, sample_weight))
