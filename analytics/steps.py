"""The scoring steps of the analytics job, written once for both backends.

A step works on a *partition*: transactions of a set of customers holding all of each
customer's rows (the pandas backend has one partition, all customers; the Dask backend
partitions customers by id range). Every per-customer table depends only on the customer's
own rows, so a partition's tables equal the rows of the whole-data tables for its customers.

- :func:`customer_tables`  partition -> features, churn training set, CLV summary, category sets
- :func:`combine_tables`   tables of several partitions -> one set (the training sample)
- :func:`fit_models`       combined tables -> fitted segmentation, churn, CLV, category-need models
- :func:`apply_models`     fitted models x a partition's tables -> scores, reasons, category need

The models are fitted once (on every customer, or on a sample above a size limit) and
then applied partition by partition; the Dask backend broadcasts them to its workers.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import numpy as np
import pandas as pd

from analytics.features import clv_summary, customer_features, validate_transactions
from analytics.predict.category_need import CategoryNeedModel, make_category_dataset
from analytics.predict.churn import ChurnClassifier, make_churn_dataset
from analytics.predict.clv import BGNBDGammaGamma
from analytics.segmentation import RFMSegmenter

logger = logging.getLogger(__name__)

REASON_COLUMNS = ["customer_id", "model", "rank", "feature", "value", "effect", "text"]


def history(transactions: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Validated rows strictly before ``as_of``."""
    tx = validate_transactions(transactions)
    return tx[tx["order_date"] < as_of]


def customer_tables(tx: pd.DataFrame, *, as_of: pd.Timestamp, horizon_days: int) -> dict[str, Any]:
    """Per-customer tables of one partition; ``tx`` is already :func:`history` (rows before ``as_of``)."""
    label_cut = as_of - pd.Timedelta(days=horizon_days)
    tables: dict[str, Any] = {
        "features": customer_features(tx, as_of),
        "clv": clv_summary(tx, as_of),
        "dates": (tx["order_date"].min(), tx["order_date"].max()) if len(tx) else (pd.NaT, pd.NaT),
    }
    with contextlib.suppress(ValueError):  # no history before the label cut-off: no churn model
        tables["churn_X"], tables["churn_y"] = make_churn_dataset(tx, label_cut, horizon_days)
    if "category" in tx.columns:
        try:
            tables["category_X"], tables["category_Y"] = make_category_dataset(tx, label_cut, horizon_days)
            tables["category_now"], _ = make_category_dataset(tx, as_of, horizon_days)
        except ValueError:
            pass
    return tables


def _concat_wide(frames: list[pd.DataFrame], lead: list[str]) -> pd.DataFrame:
    """Rows of several partitions; columns one partition lacks (a category) are 0, as in the whole table."""
    out = pd.concat(frames).fillna(0.0).sort_index()
    rest = sorted(c for c in out.columns if c not in lead)
    return out[[c for c in lead if c in out.columns] + rest]


def combine_tables(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Join the tables of several partitions (customers are disjoint) in customer order."""
    combined: dict[str, Any] = {
        "features": pd.concat([p["features"] for p in parts]).sort_index(),
        "clv": pd.concat([p["clv"] for p in parts]).sort_index(),
    }
    starts = [p["dates"][0] for p in parts if pd.notna(p["dates"][0])]
    ends = [p["dates"][1] for p in parts if pd.notna(p["dates"][1])]
    combined["dates"] = (min(starts), max(ends)) if starts else (pd.NaT, pd.NaT)
    churn = [p for p in parts if "churn_X" in p]
    if churn:
        combined["churn_X"] = pd.concat([p["churn_X"] for p in churn]).sort_index()
        combined["churn_y"] = pd.concat([p["churn_y"] for p in churn]).reindex(combined["churn_X"].index)
    cat = [p for p in parts if "category_X" in p]
    if cat:
        lead = list(parts[0]["features"].columns)
        combined["category_X"] = _concat_wide([p["category_X"] for p in cat], lead)
        combined["category_Y"] = _concat_wide([p["category_Y"] for p in cat], [])
        combined["category_now"] = _concat_wide([p["category_now"] for p in cat], lead)
    return combined


def sample_tables(tables: dict[str, Any], limit: int | None, random_state: int) -> dict[str, Any]:
    """At most ``limit`` customers of each training table, drawn with a fixed seed (all when fewer)."""
    if limit is None:
        return tables
    out = dict(tables)
    rng = np.random.RandomState(random_state)
    for name, partner in (("features", None), ("clv", None), ("churn_X", "churn_y"), ("category_X", "category_Y")):
        frame = tables.get(name)
        if frame is None or len(frame) <= limit:
            continue
        keep = np.sort(rng.choice(len(frame), limit, replace=False))
        out[name] = frame.iloc[keep]
        if partner:
            out[partner] = tables[partner].iloc[keep]
    return out


def fit_models(
    tables: dict[str, Any], *, random_state: int = 0, churn_params: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit every model the tables allow; return (models, metrics). A model that cannot be
    trained (too few customers, one class) is skipped with a warning and listed in ``metrics['skipped']``."""
    features = tables["features"]
    metrics: dict[str, Any] = {"skipped": []}
    models: dict[str, Any] = {}
    try:
        seg = RFMSegmenter(random_state=random_state).fit(features)
        metrics["segment_silhouette"] = seg.silhouette_
        models["segmentation"] = seg
    except ValueError as exc:
        logger.warning("segmentation skipped: %s", exc)
        metrics["skipped"].append("segmentation")
    try:
        if "churn_X" not in tables:
            raise ValueError("no customer has a purchase before the label cut-off")
        X, y = tables["churn_X"], tables["churn_y"]
        if len(X) < 20 or y.nunique() < 2 or y.value_counts().min() < 5:
            raise ValueError("too few labelled customers for a churn model")
        params = {"model": "hgb", "random_state": random_state, **(churn_params or {})}
        models["churn"] = ChurnClassifier(**params).fit(X, y)
    except ValueError as exc:
        logger.warning("churn model skipped: %s", exc)
        metrics["skipped"].append("churn")
    try:
        models["clv"] = BGNBDGammaGamma().fit(tables["clv"])
    except ValueError as exc:
        logger.warning("CLV model skipped: %s", exc)
        metrics["skipped"].append("clv")
    if "category_X" in tables:
        try:
            models["category_need"] = CategoryNeedModel().fit(tables["category_X"], tables["category_Y"])
        except ValueError as exc:
            logger.warning("category need skipped: %s", exc)
            metrics["skipped"].append("category_need")
    return models, metrics


def apply_models(
    models: dict[str, Any], tables: dict[str, Any], *, horizon_days: int = 90, top_n: int = 3
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """(scores, reasons, category need) of one partition's customers; row-wise, so any
    partitioning of the customers gives the same rows."""
    features = tables["features"]
    scores = features[["recency_days", "frequency", "monetary"]].copy()
    reasons: list[pd.DataFrame] = []
    seg = models.get("segmentation")
    scores["segment"] = seg.predict_names(features) if seg is not None and len(features) else None
    scores["churn_probability"] = np.nan
    churn = models.get("churn")
    if churn is not None and len(features):
        scores["churn_probability"] = churn.predict_proba(features)[:, 1]
        reasons.append(churn.explain(features, top_n).assign(model="churn"))
    clv = models.get("clv")
    if clv is not None and len(tables["clv"]):
        summary = tables["clv"]
        scores = scores.join(clv.predict(summary, days=horizon_days))
        reasons.append(clv.explain(summary, days=horizon_days, top_n=top_n).assign(model="next_purchase"))
    need = None
    cat_model = models.get("category_need")
    if cat_model is not None and "category_now" in tables:
        now = tables["category_now"].reindex(columns=list(cat_model.feature_names_in_), fill_value=0.0)
        wide = cat_model.predict_proba(now)
        need = wide.rename_axis(index="customer_id", columns="category").stack().rename("probability").reset_index()
    reason_frame = (
        pd.concat(reasons, ignore_index=True).rename(columns={"id": "customer_id"})
        if reasons
        else pd.DataFrame(columns=REASON_COLUMNS)
    )
    return scores.reset_index(), reason_frame, need
