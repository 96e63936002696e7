"""Category need: probability that a customer buys from each category next period.

One standardised logistic regression per category (one-vs-rest) over customer
features and category spend shares. Explanations are coefficient × standardised
value, the exact additive decomposition of the log-odds.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from analytics.features import category_labels, category_spend_shares, customer_features
from analytics.predict.explain import top_factors

logger = logging.getLogger(__name__)


def make_category_dataset(
    transactions: pd.DataFrame, cutoff: pd.Timestamp | str, horizon_days: int = 90
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(features before ``cutoff`` incl. spend shares, 0/1 bought-category labels after it)."""
    X = customer_features(transactions, cutoff)
    if X.empty:
        raise ValueError(f"no customer has a purchase before {pd.Timestamp(cutoff).date()}")
    X = X.join(category_spend_shares(transactions, cutoff)).fillna(0.0)
    Y = category_labels(transactions, cutoff, horizon_days).reindex(X.index, fill_value=0)
    return X, Y


class CategoryNeedModel(BaseEstimator):
    """Per-category logistic regressions with log1p-scaled count features.

    Parameters
    ----------
    C: inverse L2 strength.
    """

    def __init__(self, C: float = 0.5) -> None:
        self.C = C

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        values = X[list(self.feature_names_in_)].to_numpy(dtype=float)
        return self.scaler_.transform(np.sign(values) * np.log1p(np.abs(values)))

    def fit(self, X: pd.DataFrame, Y: pd.DataFrame) -> CategoryNeedModel:
        """``X``: numeric features per customer; ``Y``: 0/1 DataFrame, one column per category."""
        if not isinstance(X, pd.DataFrame) or not isinstance(Y, pd.DataFrame):
            raise ValueError("X and Y must be DataFrames")
        if X.empty or Y.shape[1] == 0:
            raise ValueError("need at least one customer and one category")
        if not X.index.equals(Y.index):
            raise ValueError("X and Y must share the same index")
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        values = X.to_numpy(dtype=float)
        self.scaler_ = StandardScaler().fit(np.sign(values) * np.log1p(np.abs(values)))
        Z = self._matrix(X)
        self.categories_ = list(Y.columns)
        self.models_: dict[str, LogisticRegression | float] = {}
        for cat in self.categories_:
            y = Y[cat].to_numpy(dtype=int)
            if y.min() == y.max():
                self.models_[cat] = float(y.mean())  # one class only: a constant rate
            else:
                self.models_[cat] = LogisticRegression(C=self.C, max_iter=2000).fit(Z, y)
        return self

    def predict_proba(self, X: pd.DataFrame) -> pd.DataFrame:
        """Customers × categories probabilities."""
        check_is_fitted(self, "models_")
        Z = self._matrix(X)
        cols = {}
        for cat, model in self.models_.items():
            cols[cat] = np.full(len(X), model) if isinstance(model, float) else model.predict_proba(Z)[:, 1]
        return pd.DataFrame(cols, index=X.index)

    def explain(self, X: pd.DataFrame, category: str, top_n: int = 3) -> pd.DataFrame:
        """Top factors (coefficient × standardised value, on the log-odds) for one category."""
        check_is_fitted(self, "models_")
        if category not in self.models_:
            raise ValueError(f"unknown category {category!r}")
        model = self.models_[category]
        names = list(self.feature_names_in_)
        if isinstance(model, float):
            effects = pd.DataFrame(0.0, index=X.index, columns=names)
        else:
            effects = pd.DataFrame(self._matrix(X) * model.coef_[0], index=X.index, columns=names)
        return top_factors(effects, X[names], top_n, what=f"the need for {category} (log-odds)")
