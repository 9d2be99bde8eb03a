"""Linear models: estimators that validate, build an objective and call a solver."""

from xlogreg.linear_model._elastic_net import ElasticNet, Lasso
from xlogreg.linear_model._linear import LinearRegression
from xlogreg.linear_model._logistic import LogisticRegression
from xlogreg.linear_model._logistic_cv import LogisticRegressionCV

__all__ = ["ElasticNet", "Lasso", "LinearRegression", "LogisticRegression", "LogisticRegressionCV"]
