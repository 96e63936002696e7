"""Per-customer top factors, so the bot can say *why*.

``baseline_contributions`` is a permutation-free, model-agnostic attribution
("SHAP-lite"): for each feature, the prediction for the customer minus the
prediction with that one feature set to its training baseline (median for
numbers, most frequent value for categories). A positive effect means the
customer's value pushes the prediction up compared with a typical customer.
It costs one batch prediction per feature and ignores interactions, which is
enough to phrase a reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

FACTOR_COLUMNS = ["id", "rank", "feature", "value", "effect", "text"]


def training_baseline(X: pd.DataFrame) -> pd.Series:
    """Median of numeric columns and mode of the others."""
    values = {}
    for col in X.columns:
        s = X[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            values[col] = float(s.median()) if s.notna().any() else 0.0
        else:
            mode = s.mode(dropna=True)
            values[col] = mode.iloc[0] if len(mode) else None
    return pd.Series(values, dtype=object)


def baseline_contributions(
    predict: Callable[[pd.DataFrame], np.ndarray],
    X: pd.DataFrame,
    baseline: pd.Series,
    features: list[str] | None = None,
) -> pd.DataFrame:
    """Effects table (rows of ``X`` × features): ``predict(X) - predict(X with feature := baseline)``."""
    features = list(features) if features is not None else list(X.columns)
    reference = np.asarray(predict(X), dtype=float)
    effects = {}
    for col in features:
        Xb = X.copy()
        value = baseline[col]
        if isinstance(Xb[col].dtype, pd.CategoricalDtype):
            Xb[col] = pd.Categorical([value] * len(Xb), categories=Xb[col].cat.categories)
        else:
            Xb[col] = value
            if pd.api.types.is_numeric_dtype(X[col]):
                Xb[col] = Xb[col].astype(X[col].dtype)
        effects[col] = reference - np.asarray(predict(Xb), dtype=float)
    return pd.DataFrame(effects, index=X.index)


def _fmt(value: object) -> str:
    if isinstance(value, float | np.floating):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) >= 1 else f"{value:.2g}"
    return str(value)


def top_factors(
    effects: pd.DataFrame, X: pd.DataFrame, top_n: int = 3, *, what: str = "the score", only_positive: bool = False
) -> pd.DataFrame:
    """Long table of the ``top_n`` largest absolute effects per row, with a sentence each.

    Columns: id (the index of ``X``), rank, feature, value, effect, text. With
    ``only_positive`` only factors that raise the prediction are listed.
    """
    records = []
    values = effects.to_numpy(dtype=float)
    cols = np.asarray(effects.columns)
    for i, idx in enumerate(effects.index):
        row = values[i]
        key = row if only_positive else np.abs(row)
        order = np.argsort(-key, kind="stable")
        chosen = [j for j in order[:top_n] if row[j] != 0 and not (only_positive and row[j] <= 0)]
        for rank, j in enumerate(chosen, start=1):
            feature, effect = cols[j], float(row[j])
            value = X.at[idx, feature] if feature in X.columns else None
            direction = "raises" if effect > 0 else "lowers"
            text = f"{feature} = {_fmt(value)} {direction} {what} by {abs(effect):.3g}"
            records.append((idx, rank, feature, value, effect, text))
    return pd.DataFrame.from_records(records, columns=FACTOR_COLUMNS)
