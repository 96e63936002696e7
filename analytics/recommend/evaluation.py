"""Temporal-split evaluation of recommenders: HR@k, NDCG@k and catalogue coverage."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analytics.features import validate_transactions
from analytics.recommend.base import BaseRecommender

logger = logging.getLogger(__name__)


def temporal_split(
    transactions: pd.DataFrame, cutoff: pd.Timestamp | str, *, new_items_only: bool = True
) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """Train rows (before ``cutoff``) and, per customer seen in training, the products
    bought on or after ``cutoff`` (only those not bought before when ``new_items_only``)."""
    cutoff = pd.Timestamp(cutoff)
    df = validate_transactions(transactions)
    df = df.assign(customer_id=df["customer_id"].astype(str), product_id=df["product_id"].astype(str))
    train = df[df["order_date"] < cutoff]
    later = df[(df["order_date"] >= cutoff) & df["customer_id"].isin(set(train["customer_id"]))]
    seen = train.groupby("customer_id")["product_id"].agg(set).to_dict()
    truth: dict[str, set[str]] = {}
    for cid, items in later.groupby("customer_id")["product_id"]:
        wanted = set(items) - seen.get(cid, set()) if new_items_only else set(items)
        if wanted:
            truth[cid] = wanted
    return train, truth


def evaluate_recommender(
    model: BaseRecommender, truth: dict[str, set[str]], k: int = 10, *, exclude_bought: bool = True
) -> dict[str, float]:
    """HR@k (share of customers with at least one hit), NDCG@k (binary gains) and
    catalogue coverage (distinct recommended products / products known to the model)."""
    if not truth:
        raise ValueError("no test customers to evaluate")
    customers = sorted(truth)
    recs = model.recommend(customers, k=k, exclude_bought=exclude_bought)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    hits, ndcgs = [], []
    grouped = recs.groupby("customer_id")["product_id"].agg(list)
    for cid in customers:
        items = grouped.get(cid, [])
        relevant = truth[cid]
        gains = np.array([1.0 if p in relevant else 0.0 for p in items[:k]])
        hits.append(float(gains.any()))
        dcg = float((gains * discounts[: len(gains)]).sum())
        ideal = float(discounts[: min(len(relevant), k)].sum())
        ndcgs.append(dcg / ideal if ideal > 0 else 0.0)
    return {
        f"hr@{k}": float(np.mean(hits)),
        f"ndcg@{k}": float(np.mean(ndcgs)),
        "coverage": float(recs["product_id"].nunique() / len(model.items_)),
        "customers": len(customers),
    }
