"""Linear models: estimators that validate, build an objective and call a solver; their
cross-validated searches, fitted as batches of models; and regularization paths."""

from xlogreg.linear_model._elastic_net import ElasticNet, Lasso
from xlogreg.linear_model._elastic_net_cv import ElasticNetCV, LassoCV
from xlogreg.linear_model._enet_path import enet_path, lasso_path
from xlogreg.linear_model._linear import LinearRegression
from xlogreg.linear_model._logistic import LogisticRegression
from xlogreg.linear_model._logistic_cv import LogisticRegressionCV
from xlogreg.linear_model._logistic_path import logistic_regression_path
from xlogreg.linear_model._ridge_cv import RidgeCV

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "LinearRegression",
    "LogisticRegression",
    "LogisticRegressionCV",
    "RidgeCV",
    "enet_path",
    "lasso_path",
    "logistic_regression_path",
]
