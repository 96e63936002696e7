"""Per-customer features from transactions, as of a cut-off date.

Every function takes a transactions DataFrame in the canonical layout:

=============  =========================================================
customer_id    any hashable id; missing (NaN/None) means a guest checkout
order_id       invoice / order number
product_id     stock code
category       optional product category
quantity       units bought (> 0 after cleaning)
unit_price     price per unit (> 0 after cleaning)
order_date     datetime64
description    optional product name (used in reason strings)
=============  =========================================================

Only rows with ``order_date < cutoff`` are used for features (strictly before:
no leakage). Labels (churn, category need) look at ``[cutoff, cutoff + horizon)``.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("customer_id", "order_id", "product_id", "quantity", "unit_price", "order_date")

RFM_COLUMNS = ["recency_days", "frequency", "monetary"]


def validate_transactions(transactions: pd.DataFrame, *, drop_guests: bool = True) -> pd.DataFrame:
    """Check the canonical columns and return a cleaned copy.

    Raises ``ValueError`` with a clear message for missing columns or a non-DataFrame.
    Guest rows (missing ``customer_id``) are dropped when ``drop_guests`` is true.
    """
    if not isinstance(transactions, pd.DataFrame):
        raise ValueError(f"transactions must be a pandas DataFrame, got {type(transactions).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in transactions.columns]
    if missing:
        raise ValueError(f"transactions lack required columns: {missing}")
    df = transactions.copy()
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["quantity"] = pd.to_numeric(df["quantity"], errors="coerce")
    df["unit_price"] = pd.to_numeric(df["unit_price"], errors="coerce")
    df = df.dropna(subset=["order_id", "product_id", "quantity", "unit_price", "order_date"])
    if drop_guests:
        df = df[df["customer_id"].notna()]
    df["amount"] = df["quantity"] * df["unit_price"]
    return df


def history_before(transactions: pd.DataFrame, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """Rows strictly before ``cutoff`` (validated, guests dropped)."""
    df = validate_transactions(transactions)
    return df[df["order_date"] < pd.Timestamp(cutoff)]


def _orders(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (customer, order): date, value and item count."""
    return (
        df.groupby(["customer_id", "order_id"], sort=False)
        .agg(order_date=("order_date", "min"), value=("amount", "sum"), items=("quantity", "sum"))
        .reset_index()
    )


def customer_features(transactions: pd.DataFrame, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """RFM and behavioural features per customer, using only rows before ``cutoff``.

    Returns a DataFrame indexed by ``customer_id`` (customers with at least one
    order before the cut-off) with columns:

    recency_days, frequency (distinct orders), monetary (total spend), tenure_days,
    avg_order_value, avg_items_per_order, n_products, n_categories,
    mean_days_between_orders, orders_last_30d, orders_last_90d, spend_last_90d,
    recent_order_share (orders in the last 90 days / all orders).

    An empty history gives an empty DataFrame with these columns.
    """
    cutoff = pd.Timestamp(cutoff)
    df = history_before(transactions, cutoff)
    columns = [
        "recency_days",
        "frequency",
        "monetary",
        "tenure_days",
        "avg_order_value",
        "avg_items_per_order",
        "n_products",
        "n_categories",
        "mean_days_between_orders",
        "orders_last_30d",
        "orders_last_90d",
        "spend_last_90d",
        "recent_order_share",
    ]
    if df.empty:
        logger.warning("no transactions before %s: empty feature table", cutoff)
        return pd.DataFrame(columns=columns, index=pd.Index([], name="customer_id"), dtype=float)

    orders = _orders(df)
    age = (cutoff - orders["order_date"]).dt.total_seconds() / 86400.0
    orders = orders.assign(age_days=age)
    g = orders.groupby("customer_id")
    out = pd.DataFrame(
        {
            "recency_days": g["age_days"].min(),
            "frequency": g.size().astype(float),
            "monetary": g["value"].sum(),
            "tenure_days": g["age_days"].max(),
            "avg_order_value": g["value"].mean(),
            "avg_items_per_order": g["items"].mean(),
        }
    )
    span = out["tenure_days"] - out["recency_days"]
    gaps = span / (out["frequency"] - 1).where(out["frequency"] > 1)
    # A single-order customer has no gap yet: use the tenure as a pessimistic stand-in.
    out["mean_days_between_orders"] = gaps.fillna(out["tenure_days"])
    items = df.groupby("customer_id")
    out["n_products"] = items["product_id"].nunique().astype(float)
    if "category" in df.columns:
        out["n_categories"] = items["category"].nunique().astype(float)
    else:
        out["n_categories"] = 0.0
    recent30 = orders[orders["age_days"] <= 30].groupby("customer_id").size()
    recent90 = orders[orders["age_days"] <= 90]
    out["orders_last_30d"] = recent30.reindex(out.index, fill_value=0).astype(float)
    out["orders_last_90d"] = recent90.groupby("customer_id").size().reindex(out.index, fill_value=0).astype(float)
    out["spend_last_90d"] = recent90.groupby("customer_id")["value"].sum().reindex(out.index, fill_value=0.0)
    out["recent_order_share"] = out["orders_last_90d"] / out["frequency"]
    out.index.name = "customer_id"
    return out[columns].astype(float).sort_index()


def rfm_features(transactions: pd.DataFrame, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """Only the three RFM columns of :func:`customer_features`."""
    return customer_features(transactions, cutoff)[RFM_COLUMNS]


def category_spend_shares(transactions: pd.DataFrame, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """Share of each customer's spend per category before ``cutoff`` (rows sum to 1)."""
    df = history_before(transactions, cutoff)
    if "category" not in df.columns:
        raise ValueError("transactions have no 'category' column")
    table = df.pivot_table(index="customer_id", columns="category", values="amount", aggfunc="sum", fill_value=0.0)
    table.columns = [f"share_{c}" for c in table.columns]
    return table.div(table.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0).sort_index()


def churn_labels(transactions: pd.DataFrame, cutoff: pd.Timestamp | str, horizon_days: int = 90) -> pd.Series:
    """1 when a customer seen before ``cutoff`` buys nothing in ``[cutoff, cutoff + horizon)``."""
    cutoff = pd.Timestamp(cutoff)
    df = validate_transactions(transactions)
    known = df.loc[df["order_date"] < cutoff, "customer_id"].unique()
    window = df[(df["order_date"] >= cutoff) & (df["order_date"] < cutoff + pd.Timedelta(days=horizon_days))]
    active = set(window["customer_id"].unique())
    labels = pd.Series([0 if c in active else 1 for c in known], index=pd.Index(known, name="customer_id"))
    return labels.astype(int).sort_index().rename("churned")


def category_labels(transactions: pd.DataFrame, cutoff: pd.Timestamp | str, horizon_days: int = 90) -> pd.DataFrame:
    """0/1 table (customers seen before ``cutoff`` × categories): bought in the next ``horizon_days``."""
    cutoff = pd.Timestamp(cutoff)
    df = validate_transactions(transactions)
    if "category" not in df.columns:
        raise ValueError("transactions have no 'category' column")
    known = pd.Index(np.sort(df.loc[df["order_date"] < cutoff, "customer_id"].unique()), name="customer_id")
    categories = sorted(df["category"].dropna().unique())
    window = df[(df["order_date"] >= cutoff) & (df["order_date"] < cutoff + pd.Timedelta(days=horizon_days))]
    bought = pd.crosstab(window["customer_id"], window["category"]).clip(upper=1)
    return bought.reindex(index=known, columns=categories, fill_value=0).astype(int)


def clv_summary(transactions: pd.DataFrame, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """BG/NBD-style summary per customer, in days (the ``lifetimes`` convention).

    frequency: repeat purchase days (distinct purchase days - 1); recency: days between
    the first and last purchase day; T: days between the first purchase day and the
    cut-off; monetary_value: mean spend of the repeat purchase days (0 if none).
    """
    cutoff = pd.Timestamp(cutoff)
    df = history_before(transactions, cutoff)
    if df.empty:
        return pd.DataFrame(
            columns=["frequency", "recency", "T", "monetary_value"], index=pd.Index([], name="customer_id"), dtype=float
        )
    days = df.assign(day=df["order_date"].dt.normalize()).groupby(["customer_id", "day"])["amount"].sum()
    days = days.reset_index().sort_values(["customer_id", "day"])
    g = days.groupby("customer_id")
    first, last = g["day"].min(), g["day"].max()
    n_days = g.size()
    is_first = days["day"].eq(days["customer_id"].map(first))
    repeat_value = days[~is_first].groupby("customer_id")["amount"].mean()
    out = pd.DataFrame(
        {
            "frequency": (n_days - 1).astype(float),
            "recency": (last - first).dt.days.astype(float),
            "T": (cutoff.normalize() - first).dt.days.astype(float),
            "monetary_value": repeat_value.reindex(n_days.index, fill_value=0.0),
        }
    )
    out.index.name = "customer_id"
    return out.sort_index()


def future_purchases(transactions: pd.DataFrame, cutoff: pd.Timestamp | str, horizon_days: int) -> pd.DataFrame:
    """Purchase days and spend per customer in ``[cutoff, cutoff + horizon)`` (for evaluation)."""
    cutoff = pd.Timestamp(cutoff)
    df = validate_transactions(transactions)
    window = df[(df["order_date"] >= cutoff) & (df["order_date"] < cutoff + pd.Timedelta(days=horizon_days))]
    days = window.assign(day=window["order_date"].dt.normalize()).groupby(["customer_id", "day"])["amount"].sum()
    g = days.groupby(level="customer_id")
    return pd.DataFrame({"purchases": g.size().astype(float), "spend": g.sum()})
