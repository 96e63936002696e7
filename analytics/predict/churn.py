"""Churn: a generic tabular classifier and the transactional dataset builder.

``ChurnClassifier`` takes any DataFrame of numeric and categorical columns:

- ``model="hgb"``: HistGradientBoosting with native categorical support, calibrated
  with ``CalibratedClassifierCV`` (isotonic by default);
- ``model="logit"``: one-hot + standardised (optionally spline-expanded) numbers into
  a logistic regression;
- ``model="blend"``: the mean of both probabilities.

``make_churn_dataset`` turns transactions into (features before the cut-off, label =
no purchase in the ``horizon_days`` after it).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, SplineTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted

from analytics.features import churn_labels, customer_features
from analytics.predict.explain import baseline_contributions, top_factors, training_baseline

logger = logging.getLogger(__name__)


def make_churn_dataset(
    transactions: pd.DataFrame, cutoff: pd.Timestamp | str, horizon_days: int = 90
) -> tuple[pd.DataFrame, pd.Series]:
    """Features of customers seen before ``cutoff`` and their churn label (1 = no purchase
    in ``[cutoff, cutoff + horizon_days)``). Raises ``ValueError`` on an empty history."""
    X = customer_features(transactions, cutoff)
    if X.empty:
        raise ValueError(f"no customer has a purchase before {pd.Timestamp(cutoff).date()}")
    y = churn_labels(transactions, cutoff, horizon_days).reindex(X.index)
    return X, y


def _split_columns(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])]
    numeric = [c for c in X.columns if c not in categorical]
    return numeric, categorical


class ChurnClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated churn probability over a mixed-type DataFrame, with per-row top factors.

    Parameters
    ----------
    model: "hgb", "logit" or "blend".
    calibration: "isotonic" or "sigmoid" (for the gradient-boosting part).
    cv: folds of the calibration.
    C: inverse L2 strength of the logistic regression.
    splines: expand numeric columns with cubic splines in the logistic model.
    learning_rate, max_iter, max_leaf_nodes, l2_regularization: gradient-boosting settings.
    random_state: seed.
    """

    def __init__(
        self,
        model: str = "hgb",
        calibration: str = "isotonic",
        cv: int = 3,
        C: float = 1.0,
        splines: bool = True,
        learning_rate: float = 0.05,
        max_iter: int = 200,
        max_leaf_nodes: int = 15,
        l2_regularization: float = 1.0,
        random_state: int = 0,
    ) -> None:
        self.model = model
        self.calibration = calibration
        self.cv = cv
        self.C = C
        self.splines = splines
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def _logit(self, numeric: list[str], categorical: list[str]):
        num_steps = [SimpleImputer(strategy="median"), StandardScaler()]
        if self.splines:
            num_steps.append(SplineTransformer(n_knots=5, degree=3, extrapolation="linear"))
        pre = ColumnTransformer(
            [
                ("num", make_pipeline(*num_steps), numeric),
                ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
            ],
            remainder="drop",
        )
        return make_pipeline(pre, LogisticRegression(C=self.C, max_iter=5000))

    def _hgb(self, numeric: list[str], categorical: list[str]):
        pre = ColumnTransformer(
            [
                (
                    "cat",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
                    ),
                    categorical,
                ),
                ("num", "passthrough", numeric),
            ],
            remainder="drop",
        )
        hgb = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization,
            random_state=self.random_state,
            categorical_features=list(range(len(categorical))),
        )
        return CalibratedClassifierCV(make_pipeline(pre, hgb), method=self.calibration, cv=self.cv)

    def fit(self, X: pd.DataFrame, y) -> ChurnClassifier:
        """Fit on a DataFrame and 0/1 labels (both classes must be present)."""
        if not isinstance(X, pd.DataFrame):
            raise ValueError("ChurnClassifier expects a pandas DataFrame")
        y = np.asarray(y).astype(int)
        if len(X) != len(y):
            raise ValueError("X and y have different lengths")
        if len(X) == 0:
            raise ValueError("cannot fit a churn model on zero rows")
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("churn labels contain a single class; need churners and stayers")
        if self.model not in {"hgb", "logit", "blend"}:
            raise ValueError(f"unknown model {self.model!r}")
        numeric, categorical = _split_columns(X)
        X = self._prepare(X, categorical)
        self.numeric_features_, self.categorical_features_ = numeric, categorical
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.estimators_ = []
        if self.model in {"logit", "blend"}:
            self.estimators_.append(self._logit(numeric, categorical).fit(X, y))
        if self.model in {"hgb", "blend"}:
            self.estimators_.append(self._hgb(numeric, categorical).fit(X, y))
        self.baseline_ = training_baseline(X)
        return self

    @staticmethod
    def _prepare(X: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
        X = X.copy()
        for c in categorical:
            X[c] = X[c].astype(str).where(X[c].notna(), None).astype(object)
        return X

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise ValueError(f"X lacks columns: {missing}")
        X = self._prepare(X[list(self.feature_names_in_)], self.categorical_features_)
        p = np.mean([est.predict_proba(X)[:, 1] for est in self.estimators_], axis=0)
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def explain(self, X: pd.DataFrame, top_n: int = 3) -> pd.DataFrame:
        """Top factors per row (see :mod:`analytics.predict.explain`), churn-raising first."""
        check_is_fitted(self, "estimators_")
        X = X[list(self.feature_names_in_)]
        effects = baseline_contributions(lambda d: self.predict_proba(d)[:, 1], X, self.baseline_)
        return top_factors(effects, X, top_n, what="churn risk")
