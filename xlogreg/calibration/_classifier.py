"""CalibratedClassifier: checks, the held-out split and the fitted state."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

from xlogreg._backend import (
    check_random_state,
    dataframe_rows,
    host_floats,
    host_generator,
    host_list,
    integer_dtype,
    resolve,
)
from xlogreg._fitted import check_fitted_array, check_fitted_classes
from xlogreg._splits import stratified_split
from xlogreg._target_validation import check_class_target, check_sample_weight, check_vector
from xlogreg._validation import check_choice, check_features, check_number
from xlogreg.base import BaseEstimator
from xlogreg.calibration._calibrators import METHODS, Scores, calibrated_proba
from xlogreg.linear_model import LogisticRegression
from xlogreg.metrics import accuracy_score, expected_calibration_error

__all__ = ["CalibratedClassifier"]


class CalibratedClassifier(BaseEstimator):
    """A classifier whose probabilities are calibrated on held-out data.

    A model's probabilities can rank well and still misstate frequencies (an
    over-confident model says 0.99 where 0.8 of the cases are positive).
    This meta-estimator learns a monotone map from the model's scores to
    calibrated probabilities on data the model did not train on, and applies
    it at prediction time, in the input's library, device and dtype.

    Two ways to fit:

    * ``estimator`` already fitted: ``fit(X_calib, y_calib)`` fits only the
      calibrator, on that held-out data (scikit-learn's ``cv="prefit"`` or
      ``FrozenEstimator``). The estimator is used as it is, never modified.
    * ``estimator`` not fitted: ``fit(X, y)`` holds out
      ``validation_fraction`` of the rows of every class (a stratified split
      drawn on the host from ``random_state``, so every backend gets the same
      split), fits a copy of the estimator on the rest and the calibrator on
      the held-out rows. ``estimator`` itself stays unfitted.

    Parameters
    ----------
    estimator : classifier or None, default=None
        A classifier with ``predict_proba`` and, once fitted, ``classes_``,
        such as :class:`~xlogreg.LogisticRegression` (binary or multinomial);
        ``None`` means ``LogisticRegression()``. Its ``decision_function`` is
        calibrated where it has one, else its ``predict_proba``.
    method : {"platt", "temperature", "isotonic"}, default="platt"
        ``"platt"``: Platt's sigmoid ``1 / (1 + exp(a·f + b))`` of the
        decision function ``f``, fitted as scikit-learn's
        ``CalibratedClassifierCV(method="sigmoid")`` does (targets smoothed by
        Platt's prior correction). ``"temperature"``: the softmax of the
        logits divided by one temperature ``T > 0`` shared by all classes
        (``σ(f / T)`` for two classes); it changes no prediction, only the
        confidence. ``"isotonic"``: an increasing piecewise-linear map fitted
        by isotonic regression, scikit-learn's ``IsotonicRegression(
        out_of_bounds="clip")``; the most flexible, it needs the most data
        (about a thousand held-out samples or more). With three classes or
        more, ``"platt"`` and ``"isotonic"`` calibrate each class against the
        rest and divide each row by its sum (rows summing to zero become
        uniform), as scikit-learn does.
    validation_fraction : float, default=0.2
        Share of every class's rows held out for the calibrator when
        ``estimator`` is not fitted, in ``(0, 1)``; each class keeps at least
        one row on each side.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of that split; ``None`` draws a fresh split at every fit.

    Attributes
    ----------
    estimator_ : classifier
        The fitted model whose scores are calibrated: ``estimator`` itself
        when it came fitted, else the copy fitted here.
    classes_ : array of shape (n_classes,)
        The model's labels.
    n_features_in_ : int
        The model's width, where it records one.
    a_, b_ : arrays of shape (1,) or (n_classes,)
        ``method="platt"``: per calibrated column (the positive class's for
        two classes, one per class otherwise), the slope and offset of
        ``p = 1 / (1 + exp(a·f + b))``, scikit-learn's signs (``a < 0`` when
        larger scores mean the class).
    temperature_ : 0-d array
        ``method="temperature"``: the fitted ``T``.
    thresholds_x_, thresholds_y_ : arrays of shape (1, n) or (n_classes, n)
        ``method="isotonic"``: per calibrated column, the scores and
        calibrated probabilities between which predictions interpolate
        (scikit-learn's ``X_thresholds_`` and ``y_thresholds_``); a row with
        fewer than ``n`` thresholds repeats its last one.
    n_thresholds_ : tuple of int
        ``method="isotonic"``: the number of thresholds of each row.
    ece_before_, ece_after_ : 0-d arrays
        Expected calibration error (:func:`xlogreg.metrics.expected_calibration_error`,
        10 uniform bins, with the sample weights) of the model's probabilities
        and of the calibrated ones on the calibration data: of the positive
        class's probability for two classes, of the top-label confidence
        otherwise. ``ece_after_`` is in-sample for the calibrator, which was
        fitted on those rows: judge the calibration on other data.

    Notes
    -----
    The calibrators are fitted in the scores' dtype, on their device:
    Platt's two parameters and the inverse temperature ``1 / T`` (the log loss
    is convex in it) by Newton's method (:func:`xlogreg.solvers.minimize`
    with :class:`~xlogreg.objectives.Binomial` on soft targets and
    :class:`~xlogreg.objectives.Temperature`), run until the Newton decrement
    is at the loss's rounding, whatever the scale of the scores. Scores that
    do worse than chance make temperature scaling raise: the best ``1 / T``
    is then not positive. The isotonic fit reads the
    calibration scores, sorted on the device, back to the host and runs
    pool-adjacent-violators in pure Python (about 2 s per million rows); its
    predictions interpolate on the device.

    scikit-learn's temperature scaling turns a binary decision function ``f``
    into the logits ``(−f, f)``, so its temperature is twice ours on the same
    model; for three or more classes they agree.

    ``predict`` applies ``threshold`` (or the model's own ``threshold``
    attribute, when it has one) to the *calibrated* probability of the
    positive class. A model passed fitted makes ``fit`` calibrate only; note
    that ``sklearn.base.clone`` returns an unfitted copy of it, which ``fit``
    then trains on a split. There is no ``decision_function``: the model's
    own scores stay available as ``estimator_.decision_function``, and an
    isotonic map has no finite logits where it reaches 0 or 1.

    Examples
    --------
    >>> import numpy as np
    >>> from xlogreg import CalibratedClassifier, LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((2000, 3))
    >>> y = (X[:, 0] + rng.logistic(size=2000) > 0).astype(int)
    >>> model = LogisticRegression().fit(X[:1000], y[:1000])
    >>> model.coef_, model.intercept_ = 3 * model.coef_, 3 * model.intercept_  # over-confident
    >>> calibrated = CalibratedClassifier(model, method="temperature").fit(X[1000:], y[1000:])
    >>> round(float(calibrated.temperature_), 1)
    3.4
    >>> round(float(calibrated.ece_before_), 3), round(float(calibrated.ece_after_), 3)
    (0.175, 0.023)
    >>> calibrated.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])

    With an unfitted model, ``fit`` holds out a calibration split itself:

    >>> calibrated = CalibratedClassifier(method="isotonic", random_state=0).fit(X, y)
    >>> calibrated.thresholds_x_.shape, calibrated.predict(X[:4])
    ((1, 22), array([1, 1, 1, 0]))
    """

    _estimator_role = "classifier"
    _fitted_attributes = ("estimator_", "classes_")

    def __init__(
        self,
        estimator: Any = None,
        method: str = "platt",
        *,
        validation_fraction: float = 0.2,
        random_state: Any = None,
    ) -> None:
        self.estimator = estimator
        self.method = method
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def _checked_estimator(self) -> Any:
        """The estimator to calibrate (``LogisticRegression()`` for ``None``), checked."""
        check_choice(self.method, "method", tuple(METHODS))
        check_number(
            self.validation_fraction,
            "validation_fraction",
            low=0.0,
            high=1.0,
            low_open=True,
            high_open=True,
        )
        check_random_state(self.random_state)
        estimator = LogisticRegression() if self.estimator is None else self.estimator
        if not callable(getattr(estimator, "predict_proba", None)):
            raise TypeError(
                "estimator must be a classifier with predict_proba, such as "
                f"xlogreg.LogisticRegression(); got {estimator!r}"
            )
        if not _is_fitted(estimator) and not (
            callable(getattr(estimator, "fit", None))
            and callable(getattr(estimator, "get_params", None))
        ):
            raise TypeError(
                f"estimator {estimator!r} is not fitted and offers no fit and get_params "
                "to fit a copy of it"
            )
        return estimator

    def _validate_params(self) -> None:
        self._checked_estimator()

    def _check_fitted_state(self) -> None:
        """See :meth:`BaseEstimator._check_fitted_state`: a fitted classifier with the same
        classes, and the parameters of one calibration method, one set per calibrated column."""
        if not (isinstance(self.estimator_, BaseEstimator) and _is_fitted(self.estimator_)):
            raise TypeError("estimator_ must be a fitted classifier")
        n_classes = check_fitted_classes(self.classes_)
        if host_list(self.classes_) != host_list(self.estimator_.classes_):
            raise ValueError("classes_ differ from estimator_.classes_")
        width = getattr(self.estimator_, "n_features_in_", None)
        if getattr(self, "n_features_in_", None) != width:
            raise ValueError(f"n_features_in_ must be estimator_'s ({width})")
        for name in ("ece_before_", "ece_after_"):
            check_fitted_array(getattr(self, name), name, shape=(), low=0.0)
        fitted = [name for name, m in METHODS.items() if hasattr(self, m.attributes[0])]
        if len(fitted) != 1 or not all(hasattr(self, a) for a in METHODS[fitted[0]].attributes):
            raise ValueError(f"the fitted state must hold the parameters of one of {list(METHODS)}")
        columns = 1 if n_classes == 2 else n_classes
        if fitted == ["platt"]:
            check_fitted_array(self.a_, "a_", shape=(columns,))
            check_fitted_array(self.b_, "b_", shape=(columns,))
        elif fitted == ["temperature"]:
            check_fitted_array(self.temperature_, "temperature_", shape=(), low=0.0, low_open=True)
        else:
            check_fitted_array(self.thresholds_x_, "thresholds_x_", ndim=2)
            shape = (columns, max(1, self.thresholds_x_.shape[1]))
            check_fitted_array(self.thresholds_x_, "thresholds_x_", shape=shape)
            check_fitted_array(self.thresholds_y_, "thresholds_y_", shape=shape, low=0.0)
            counts = self.n_thresholds_
            if not (
                isinstance(counts, tuple)
                and len(counts) == columns
                and all(type(n) is int and 1 <= n <= shape[1] for n in counts)
            ):
                raise ValueError(f"n_thresholds_ must be {columns} counts from 1 to {shape[1]}")

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> CalibratedClassifier:
        """Fit the calibrator, and a copy of ``estimator`` first if it is not fitted.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Held-out data for a fitted ``estimator``; else all the data, of
            which ``validation_fraction`` is held out.
        y : array of shape (n_samples,)
            Labels; for a fitted ``estimator``, samples of each of its
            classes and of no other.
        sample_weight : array of shape (n_samples,) or float, optional
            Non-negative weights, for the calibrator's loss and, when a copy
            is fitted, passed on to its ``fit``.

        Returns
        -------
        CalibratedClassifier
            The fitted calibrated classifier.

        Raises
        ------
        TypeError
            ``estimator`` is not a classifier, or inputs mix array libraries.
        ValueError
            Invalid parameters, shapes or weights; labels the fitted
            ``estimator`` does not know, or a class missing from the
            calibration data; a class with fewer than two rows to split. A
            failed fit leaves an earlier fitted state untouched.
        """
        estimator = self._checked_estimator()
        fitted = _is_fitted(estimator)
        given = {"classes_": estimator.classes_} if fitted else {}
        xp, device = resolve(X=X, y=y, sample_weight=sample_weight, **given)
        checked = check_features(X, xp=xp, device=device)
        n_samples = checked.shape[0]
        weights_given = sample_weight is not None
        sample_weight = check_sample_weight(
            sample_weight, xp=xp, device=device, n_samples=n_samples, dtype=checked.dtype
        )
        if fitted:
            # The model reads X as given (a DataFrame keeps its column names), as in predict.
            y = check_vector(y, "y", xp=xp, device=device, n_samples=n_samples)
            _check_labels(y, estimator.classes_, xp=xp)
        else:
            given_X, X = X, checked
            y, classes = check_class_target(y, xp=xp, device=device, n_samples=n_samples)
            train, held_out = stratified_split(
                y,
                classes,
                self.validation_fraction,
                host_generator(self.random_state),
                xp=xp,
                device=device,
            )
            # Weights reach the estimator's fit only when given: not every
            # classifier's fit takes them.
            weighted = {"sample_weight": xp.take(sample_weight, train)} if weights_given else {}
            estimator = type(estimator)(**estimator.get_params())
            # A DataFrame's rows keep its column names for the copy, as its predict will see them.
            frame = dataframe_rows(given_X, host_list(train))
            training = xp.take(X, train, axis=0) if frame is None else frame
            estimator.fit(training, xp.take(y, train), **weighted)
            X, y = xp.take(X, held_out, axis=0), xp.take(y, held_out)
            sample_weight = xp.take(sample_weight, held_out)
        return self._calibrate(estimator, X, y, sample_weight, xp=xp)

    def _calibrate(
        self, estimator: Any, X: Any, y: Any, sample_weight: Any, *, xp: ModuleType
    ) -> CalibratedClassifier:
        """Fit the calibrator of ``method`` on the held-out ``X``, ``y`` and store everything."""
        scores = Scores.of(estimator, X)
        dtype = scores.values.dtype
        one_hot = xp.astype(y[:, None] == estimator.classes_[None, :], dtype)
        weight = xp.astype(sample_weight, dtype)
        parameters = METHODS[self.method].fit(scores, one_hot, weight, xp=xp)
        proba = calibrated_proba(self.method, scores, parameters, xp=xp)
        ece_before = _calibration_error(estimator.predict_proba(X), one_hot, weight, xp=xp)
        ece_after = _calibration_error(proba, one_hot, weight, xp=xp)
        # What an earlier fit learned and this one does not set would be stale.
        for name in ("n_features_in_", *(a for m in METHODS.values() for a in m.attributes)):
            self.__dict__.pop(name, None)
        extra = {}
        if hasattr(estimator, "n_features_in_"):
            extra["n_features_in_"] = estimator.n_features_in_
        self._set_fitted(
            estimator_=estimator,
            classes_=estimator.classes_,
            ece_before_=ece_before,
            ece_after_=ece_after,
            **parameters,
            **extra,
        )
        return self

    def _fitted_method(self) -> str:
        """The method of the last fit (``method`` may have been set since)."""
        self._check_is_fitted()
        return next(name for name, m in METHODS.items() if hasattr(self, m.attributes[0]))

    def predict_proba(self, X: Any) -> Any:
        """Calibrated class probabilities, shape (n_samples, n_classes), ordered as ``classes_``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Data in the library and on the device of the fitted model.

        Returns
        -------
        array of shape (n_samples, n_classes)
            Rows sum to one; isotonic calibration may give exact zeros.
        """
        method = self._fitted_method()
        scores = Scores.of(self.estimator_, X)
        parameters = {name: getattr(self, name) for name in METHODS[method].attributes}
        xp = array_api_compat.array_namespace(scores.values)
        return calibrated_proba(method, scores, parameters, xp=xp)

    def predict(self, X: Any, threshold: float | None = None) -> Any:
        """Predicted labels from ``classes_``: the most probable after calibration.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Data in the library and on the device of the fitted model.
        threshold : float, optional
            Two classes only: predict ``classes_[1]`` when its calibrated
            probability is ``>= threshold``. By default the fitted model's
            ``threshold`` attribute when it has one that is not ``None``,
            else the most probable class (``> 0.5`` for two classes).

        Returns
        -------
        array of shape (n_samples,)
        """
        self._check_is_fitted()
        if threshold is None:
            threshold = getattr(self.estimator_, "threshold", None)
        if threshold is not None:
            check_number(threshold, "threshold", low=0.0, high=1.0)
            if self.classes_.shape[0] != 2:
                raise ValueError(
                    f"threshold applies to two classes only; this model has "
                    f"{self.classes_.shape[0]} and predicts the most probable"
                )
        proba = self.predict_proba(X)
        xp = array_api_compat.array_namespace(proba)
        if threshold is None:
            return xp.take(self.classes_, xp.argmax(proba, axis=1))
        index = integer_dtype(xp, array_api_compat.device(proba))
        return xp.take(self.classes_, xp.astype(proba[:, 1] >= threshold, index))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean (weighted) accuracy of ``predict(X)`` against ``y``, as a Python float."""
        predicted = self.predict(X)
        accuracy = accuracy_score(y, predicted, sample_weight=sample_weight)
        (value,) = host_floats(array_api_compat.array_namespace(accuracy), accuracy)
        return value


def _is_fitted(estimator: Any) -> bool:
    return hasattr(estimator, "classes_")


def _check_labels(y: Any, classes: Any, *, xp: ModuleType) -> None:
    """Check that calibration labels hold every class of a fitted model and no other."""
    present, known = host_list(xp.unique_values(y)), host_list(classes)
    unknown = [label for label in present if label not in known]
    if unknown:
        raise ValueError(
            f"y holds labels {unknown} that the fitted estimator does not know "
            f"(its classes_ are {known})"
        )
    missing = [label for label in known if label not in present]
    if missing:
        raise ValueError(
            f"y has no samples of classes {missing}: calibration needs held-out "
            f"samples of every class of the estimator ({known})"
        )


def _calibration_error(proba: Any, one_hot: Any, weight: Any, *, xp: ModuleType) -> Any:
    """ECE of the positive class's probability (two classes) or of the top-label confidence."""
    if proba.shape[1] == 2:
        hit, confidence = one_hot[:, 1] > 0, proba[:, 1]
    else:
        hit = xp.argmax(proba, axis=1) == xp.argmax(one_hot, axis=1)
        confidence = xp.max(proba, axis=1)
    return expected_calibration_error(hit, confidence, sample_weight=weight).ece
