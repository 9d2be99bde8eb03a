"""What every estimator shares: parameters, fitted-state bookkeeping, input checks."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from typing import Any

from xlogreg._backend import as_array, is_chunked, map_row_chunks, resolve, split_dataframe
from xlogreg._validation import (
    check_feature_names,
    check_features,
    check_matrix_shape,
    column_names,
)
from xlogreg.exceptions import NotFittedError

__all__ = ["BaseEstimator", "row_chunkwise"]


def row_chunkwise(method: Callable) -> Callable:
    """Let a method of ``X`` with one result per row take a Dask array, lazily.

    Given a Dask array, the decorated method returns a Dask array with the
    same row chunks, each computed by the method itself on its chunk where the
    chunk lives, when the result is computed. Errors that do not depend on the
    values (not fitted, wrong width, wrong library, bad arguments) are raised
    at the call: the method is first run on one row of zeros.
    """

    @functools.wraps(method)
    def chunkwise(self: Any, X: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_chunked(X):
            return method(self, X, *args, **kwargs)
        check_matrix_shape(X)
        return map_row_chunks(lambda chunk: method(self, chunk, *args, **kwargs), X)

    return chunkwise


class BaseEstimator:
    """Parameter protocol of scikit-learn estimators, without depending on it.

    Constructor arguments are stored unchanged under their own names;
    ``get_params`` and ``set_params`` read and write them, so
    ``sklearn.base.clone`` and grid searches work. Learned attributes end in
    ``_`` and are written all at once by :meth:`_set_fitted`, only after a fit
    succeeded, so a failed ``fit`` leaves an earlier fitted state untouched.
    """

    _fitted_attributes: tuple[str, ...] = ()
    #: scikit-learn's role: "classifier", "regressor" or "transformer".
    _estimator_role: str = "transformer"
    #: Whether ``fit`` takes a 2-D target of several outputs.
    _multi_output: bool = False

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags, for ``check_estimator``, ``is_classifier`` and the search tools.

        scikit-learn is imported here, when scikit-learn asks, so it stays an
        optional dependency. The inputs are dense 2-D arrays of any array-API
        library (no NaN, no sparse matrices); every estimator needs ``fit``.
        """
        from sklearn.utils import (
            ClassifierTags,
            InputTags,
            RegressorTags,
            Tags,
            TargetTags,
            TransformerTags,
        )

        role = self._estimator_role
        return Tags(
            estimator_type=None if role == "transformer" else role,
            target_tags=TargetTags(required=role != "transformer", multi_output=self._multi_output),
            transformer_tags=TransformerTags() if role == "transformer" else None,
            classifier_tags=ClassifierTags() if role == "classifier" else None,
            regressor_tags=RegressorTags() if role == "regressor" else None,
            input_tags=InputTags(two_d_array=True, allow_nan=False, sparse=False),
            array_api_support=True,
        )

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` has succeeded (scikit-learn's ``check_is_fitted`` asks this)."""
        return all(hasattr(self, name) for name in self._fitted_attributes)

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(name for name in signature.parameters if name != "self")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor parameters by name.

        Parameters
        ----------
        deep : bool
            Accepted for scikit-learn compatibility; these estimators hold no
            sub-estimators.

        Returns
        -------
        dict
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> BaseEstimator:
        """Set constructor parameters by name and return the estimator.

        Raises
        ------
        ValueError
            If a name is not a parameter of this estimator.
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"{name!r} is not a parameter of {type(self).__name__}; valid: {valid}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()
        }
        changed = [
            f"{name}={value!r}"
            for name, value in self.get_params().items()
            if not _same(value, defaults[name])
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def save(self, path: str | os.PathLike) -> None:
        """Write the estimator to the file ``path``, atomically; read it with :func:`xlogreg.load`.

        One safetensors file holds the parameters, the fitted state (if any)
        and the library version; never a pickle. See :func:`xlogreg.io.save`.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write; an earlier file there is replaced whole, or
            left intact if the save fails.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from xlogreg import StandardScaler, load
        >>> scaler = StandardScaler().fit(np.array([[1.0], [3.0]]))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     scaler.save(os.path.join(folder, "scaler.safetensors"))
        ...     load(os.path.join(folder, "scaler.safetensors")).mean_
        array([2.])
        """
        from xlogreg.io import save  # the io module imports the estimator classes

        save(self, path)

    def _validate_params(self) -> None:
        """Check the constructor parameters as ``fit`` does; estimators with parameters override it.

        Raises
        ------
        TypeError or ValueError
            Naming the parameter and the problem.
        """

    def _check_fitted_state(self) -> None:
        """Check the fitted attributes as ``fit`` leaves them; estimators override it.

        Called by :meth:`_check_state` once every name of
        ``_fitted_attributes`` is set, for a state that ``fit`` did not
        write (a loaded model, one with attributes set by hand).

        Raises
        ------
        TypeError or ValueError
            Naming the attribute and the problem.
        """

    def _check_state(self) -> None:
        """Check the parameters and any fitted state as ``fit`` would have left them.

        :func:`xlogreg.save` writes, and :func:`xlogreg.load` returns, only
        estimators that pass. Nested estimators check their own.

        Raises
        ------
        TypeError or ValueError
            Naming the parameter or attribute and the problem.
        """
        self._validate_params()
        missing = [name for name in self._fitted_attributes if not hasattr(self, name)]
        if missing and len(missing) < len(self._fitted_attributes):
            raise ValueError(f"the fitted state is incomplete: {missing} missing")
        if not missing:
            self._check_fitted_state()

    def _set_fitted(self, **attributes: Any) -> None:
        for name, value in attributes.items():
            setattr(self, name, value)

    def _check_is_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call "
                "'fit' with appropriate arguments before using this method."
            )

    def _check_predict_input(self, X: Any) -> tuple[Any, Any, Any]:
        """Validate ``X`` for a fitted model: same library, device and width as ``fit``.

        Returns
        -------
        X, xp, coef
            ``X`` in its compute dtype, its namespace, and ``coef_`` in that dtype.
        """
        self._check_is_fitted()
        X, xp = self._check_fitted_input(X, coef_=self.coef_)
        return X, xp, xp.astype(self.coef_, X.dtype, copy=False)

    def _check_fitted_input(self, X: Any, **fitted: Any) -> tuple[Any, Any]:
        """Check ``X`` against a fitted estimator (callers check that it is
        fitted first): the library and device of the ``fitted`` arrays, the
        width seen in ``fit``, and the columns of a DataFrame against
        ``feature_names_in_``.

        Returns
        -------
        X, xp
            ``X`` in its compute dtype, and its namespace.
        """
        X = self._named_input(X)
        xp, device = resolve(X=X, **fitted)
        X = check_features(X, xp=xp, device=device)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input (the width seen in fit)"
            )
        return X, xp

    def _fit_input(self, X: Any, feature_names: Any, **arrays: Any) -> tuple[Any, tuple[str, ...]]:
        """``X`` for a fit and the names of its features, checked before any work.

        A pandas or polars DataFrame becomes a NumPy array and its string
        columns the names (see :func:`~xlogreg._validation.check_feature_names`);
        ``arrays`` are the fit's other inputs, whose library an array-like
        ``X`` (a list, say) is converted to, as ``check_features`` would.
        """
        X, columns = split_dataframe(X)
        xp, device = resolve(X=X, **arrays)
        X = as_array(X, xp=xp, device=device, name="X")
        check_matrix_shape(X)
        return X, check_feature_names(feature_names, n_features=X.shape[1], columns=columns)

    def _named_input(self, X: Any) -> Any:
        """``X``, a DataFrame converted to NumPy once its columns match ``feature_names_in_``.

        Plain arrays carry no names and pass unchecked, as do DataFrames whose
        column labels are not strings.
        """
        X, columns = split_dataframe(X)
        names = column_names(columns)
        if names is None or names == self.feature_names_in_:
            return X
        fitted = self.feature_names_in_
        missing = [name for name in fitted if name not in names]
        unexpected = [name for name in names if name not in fitted]
        if missing or unexpected:
            detail = f"missing {missing[:5]}, unexpected {unexpected[:5]}"
        else:
            detail = "the same names in another order"
        raise ValueError(
            f"X's columns differ from the feature names seen in fit ({detail}); "
            f"select them as X[list(model.feature_names_in_)], or pass an array "
            f"whose columns are in the order {list(fitted[:5])}" + ("…" if len(fitted) > 5 else "")
        )


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b
