"""Summary, and InferenceMixin: the standard errors and summary() of a fitted model."""

from __future__ import annotations

from types import ModuleType
from typing import Any, NamedTuple

import array_api_compat

from xlogreg._backend import accumulation_dtype, host_list
from xlogreg._validation import check_number
from xlogreg.exceptions import NotFittedError
from xlogreg.inference._covariance import FittedCovariance
from xlogreg.inference._distributions import (
    normal_quantile,
    normal_two_sided,
    student_t_quantile,
    student_t_two_sided,
)

__all__ = ["InferenceMixin", "Summary"]


class Summary(NamedTuple):
    """Coefficients with their standard errors, test statistics, p-values and intervals.

    Every array lives in the model's library, on its device, in its dtype.
    Entries follow statsmodels' order with ``add_constant``: the intercept
    first (when fitted), then the features. A model with one row of
    coefficients (two classes, one target) gives arrays of shape
    ``(n_params,)``; one with several (three or more classes, several
    targets) gives ``(n_outputs, n_params)``, one row per entry of
    ``outputs``. ``str(summary)`` renders a text table on the host.

    Attributes
    ----------
    names : tuple of str
        ``"intercept"``, then ``feature_names_in_`` or ``x0, x1, …``.
    coef : array
        The estimates: ``intercept_`` and ``coef_``.
    stderr : array
        Their standard errors.
    statistic : array
        ``coef / stderr``: a z statistic for logistic regression, a t
        statistic for linear regression.
    p_value : array
        Two-sided p-value of the hypothesis that the coefficient is zero, from
        the standard normal (z) or Student's t with ``df_resid`` degrees of
        freedom (t).
    ci_lower, ci_upper : array
        Bounds of the ``1 − alpha`` confidence interval ``coef ± q·stderr``,
        ``q`` the ``1 − alpha/2`` quantile of that distribution.
    alpha : float
        One minus the confidence level.
    df_resid : float or None
        Residual degrees of freedom ``Σ sample_weight − n_params`` of a t
        statistic; ``None`` for a z statistic.
    outputs : tuple of str or None
        What each row is (``"class a"``, …, or ``"target 0"``, …) when there
        are several rows, else ``None``.
    penalty : str or None
        The L2 penalty of the fit (``"C=1.0"``, ``"alpha=0.5"``), ``None``
        when unpenalized. Only then are the p-values and intervals valid.
    """

    names: tuple[str, ...]
    coef: Any
    stderr: Any
    statistic: Any
    p_value: Any
    ci_lower: Any
    ci_upper: Any
    alpha: float
    df_resid: float | None
    outputs: tuple[str, ...] | None
    penalty: str | None

    def to_string(self) -> str:
        """The summary as a text table (statsmodels' layout), one block per output row."""
        symbol = "z" if self.df_resid is None else "t"
        low, high = f"[{self.alpha / 2:.4g}", f"{1 - self.alpha / 2:.4g}]"
        width = max(10, *(len(name) for name in self.names))
        header = f"{'':<{width}}" + "".join(
            f"{title:>12}" for title in ("coef", "std err", symbol, f"P>|{symbol}|", low, high)
        )
        rule = "-" * len(header)
        fields = (self.coef, self.stderr, self.statistic, self.p_value)
        values = [_host_rows(a) for a in (*fields, self.ci_lower, self.ci_upper)]
        lines = []
        for row in range(len(values[0])):
            if self.outputs is not None:
                lines.append(f"{self.outputs[row]}:")
            lines += [header, rule]
            for j, name in enumerate(self.names):
                numbers = "".join(f"{v[row][j]:>12.4g}" for v in values)
                lines.append(f"{name:<{width}}{numbers}")
            lines.append(rule)
        if self.df_resid is not None:
            lines.append(f"t statistics with {self.df_resid:.10g} residual degrees of freedom.")
        if self.penalty is not None:
            lines.append(
                f"Fitted with an L2 penalty ({self.penalty}): standard errors are the "
                "sandwich H_λ⁻¹ H H_λ⁻¹; p-values and intervals are valid only unpenalized."
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_string()


def _host_rows(a: Any) -> list[list[float]]:
    """A summary field as host floats, one list per output row."""
    values = host_list(a)
    return values if a.ndim == 2 else [values]


class InferenceMixin:
    """``coef_stderr_``, ``intercept_stderr_``, ``coef_covariance_`` and ``summary()``.

    For estimators whose ``fit`` stores a covariance in ``_inference`` when
    built with ``inference=True`` (and ``None`` otherwise); each accessor
    raises :class:`~xlogreg.exceptions.NotFittedError` (an ``AttributeError``,
    so ``hasattr`` is false) when there is none.
    """

    _inference: FittedCovariance | None

    def _fitted_inference(self) -> FittedCovariance:
        self._check_is_fitted()
        record = getattr(self, "_inference", None)
        if record is None:
            raise NotFittedError(
                f"This {type(self).__name__} was fitted with inference=False: standard "
                "errors cost one more Hessian (O(n·d²)) and are computed only by a fit "
                "with inference=True; set_params(inference=True) and fit again"
            )
        return record

    @property
    def coef_covariance_(self) -> Any:
        """Covariance of the estimates, intercept first then the features in each output.

        Shape ``(n_params, n_params)`` for one output row, ``(n_classes,
        n_params, n_classes, n_params)`` for the multinomial model (classes are
        correlated), ``(n_targets, n_params, n_params)`` for several regression
        targets (each its own regression); ``n_params = n_features +
        fit_intercept``.
        """
        return self._fitted_inference().covariance

    @property
    def coef_stderr_(self) -> Any:
        """Standard errors of ``coef_``, of its shape."""
        record = self._fitted_inference()
        xp = array_api_compat.array_namespace(record.stderr)
        return xp.reshape(record.stderr[:, int(record.fit_intercept) :], self.coef_.shape)

    @property
    def intercept_stderr_(self) -> Any:
        """Standard errors of ``intercept_``, of its shape (zeros without ``fit_intercept``)."""
        record = self._fitted_inference()
        xp = array_api_compat.array_namespace(record.stderr)
        if not record.fit_intercept:
            return xp.zeros_like(self.intercept_)
        return xp.reshape(record.stderr[:, 0], self.intercept_.shape)

    def summary(self, alpha: float = 0.05) -> Summary:
        """Estimates with standard errors, test statistics, p-values and confidence intervals.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the confidence level of the intervals, in ``(0, 1)``.

        Returns
        -------
        Summary
            Arrays on the model's device; ``print`` it for a table.

        Raises
        ------
        NotFittedError
            If the model is not fitted, or was fitted with ``inference=False``.
        ValueError
            If ``alpha`` is not in ``(0, 1)``.

        Examples
        --------
        Seed 003's replay on array-api-strict: every array stays in its library.

        >>> import array_api_strict as xp
        >>> from xlogreg import LinearRegression
        >>> x = xp.asarray([[1.0], [2.0], [3.0], [4.0], [5.0]])
        >>> y = xp.asarray([118.0, 141.0, 162.0, 181.0, 198.0])
        >>> summary = LinearRegression(inference=True).fit(x, y).summary(alpha=0.1)
        >>> summary.names, summary.df_resid
        (('intercept', 'x0'), 3.0)
        >>> summary.p_value
        Array([2.56016497e-05, 8.75124609e-05], dtype=array_api_strict.float64)
        >>> summary.ci_lower
        Array([94.66801727, 18.39234672], dtype=array_api_strict.float64)
        >>> summary.ci_upper
        Array([105.33198273,  21.60765328], dtype=array_api_strict.float64)
        """
        check_number(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
        record = self._fitted_inference()
        xp = array_api_compat.array_namespace(record.stderr)
        n_rows, width = record.stderr.shape
        coef = xp.reshape(self.coef_, (n_rows, -1))
        if record.fit_intercept:
            coef = xp.concat([xp.reshape(self.intercept_, (n_rows, 1)), coef], axis=1)
        statistic = coef / record.stderr
        if record.df_resid is None:
            p_value = _in_accurate_dtype(normal_two_sided, statistic, xp=xp)
            quantile = normal_quantile(1.0 - alpha / 2)
        else:
            p_value = _in_accurate_dtype(
                lambda t, xp: student_t_two_sided(t, record.df_resid, xp=xp), statistic, xp=xp
            )
            quantile = student_t_quantile(1.0 - alpha / 2, record.df_resid)
        margin = quantile * record.stderr
        arrays = [coef, record.stderr, statistic, p_value, coef - margin, coef + margin]
        if n_rows == 1:
            arrays = [a[0, :] for a in arrays]
        features = getattr(self, "feature_names_in_", None)
        if features is None:
            features = [f"x{j}" for j in range(width - int(record.fit_intercept))]
        names = ("intercept",) * record.fit_intercept + tuple(str(name) for name in features)
        return Summary(
            names,
            *arrays,
            alpha=alpha,
            df_resid=record.df_resid,
            outputs=record.outputs,
            penalty=record.penalty,
        )


def _in_accurate_dtype(tail: Any, statistic: Any, *, xp: ModuleType) -> Any:
    """``tail(statistic)`` computed in float64 where the device has it, in ``statistic``'s dtype.

    A tail probability's relative error is about ``statistic²·eps`` of the
    dtype it is evaluated in: float32 statistics are widened first.
    """
    device = array_api_compat.device(statistic)
    wide = accumulation_dtype(xp, device)
    return xp.astype(tail(xp.astype(statistic, wide), xp=xp), statistic.dtype)
