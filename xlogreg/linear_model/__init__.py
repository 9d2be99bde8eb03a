"""Linear models: estimators that validate, build an objective and call a solver."""

from xlogreg.linear_model._elastic_net import ElasticNet, Lasso
from xlogreg.linear_model._linear import LinearRegression
from xlogreg.linear_model._logistic import LogisticRegression
from xlogreg.linear_model._logistic_cv import LogisticRegressionCV
from xlogreg.linear_model._logistic_path import logistic_regression_path

__all__ = [
    "ElasticNet",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "LogisticRegressionCV",
    "logistic_regression_path",
]
