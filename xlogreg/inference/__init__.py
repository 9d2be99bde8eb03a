"""Standard errors, test statistics, p-values and confidence intervals of fitted linear models.

An estimator built with ``inference=True`` ends its ``fit`` by computing, on
the device, the covariance of its coefficients from the Hessian of the
objective at the solution (one more ``O(n·d²)`` product, which is why it is
opt-in); :class:`InferenceMixin` gives it ``coef_stderr_``,
``intercept_stderr_``, ``coef_covariance_`` and ``summary()``.
"""

from xlogreg.inference._summary import InferenceMixin, Summary

__all__ = ["InferenceMixin", "Summary"]
