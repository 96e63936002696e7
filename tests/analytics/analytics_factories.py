"""Small synthetic transaction sets, generated in the tests (no shared data needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATASETS = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"


def make_transactions(
    n_customers: int = 150,
    n_products: int = 40,
    n_categories: int = 4,
    days: int = 360,
    seed: int = 0,
    start: str = "2024-01-01",
) -> pd.DataFrame:
    """Customers with different purchase rates and lifetimes; products in categories; each
    order holds products of the customer's favourite category, often in fixed pairs."""
    rng = np.random.default_rng(seed)
    start_ts = pd.Timestamp(start)
    categories = [f"cat{c}" for c in range(n_categories)]
    product_cat = np.arange(n_products) % n_categories
    prices = rng.uniform(2, 50, n_products).round(2)
    rows = []
    order_no = 100000
    for c in range(n_customers):
        favourite = rng.integers(n_categories)
        rate = rng.gamma(1.5, 1.0 / 20)  # orders per day
        first = rng.integers(0, days - 30)
        life = rng.exponential(days / 1.5)
        t = float(first)
        while t < min(days, first + life):
            order_no += 1
            same = np.flatnonzero(product_cat == favourite)
            anchor = rng.choice(same)
            items = {int(anchor), int((anchor + n_categories) % n_products)}
            for _ in range(rng.integers(0, 3)):
                items.add(int(rng.choice(same) if rng.random() < 0.8 else rng.integers(n_products)))
            date = start_ts + pd.Timedelta(days=t) + pd.Timedelta(hours=int(rng.integers(8, 20)))
            for p in sorted(items):
                rows.append(
                    (
                        f"C{c:04d}",
                        f"O{order_no}",
                        f"P{p:03d}",
                        categories[product_cat[p]],
                        int(rng.integers(1, 5)),
                        float(prices[p]),
                        date,
                        f"product {p}",
                    )
                )
            t += rng.exponential(1.0 / max(rate, 1e-3))
    return pd.DataFrame(
        rows,
        columns=[
            "customer_id",
            "order_id",
            "product_id",
            "category",
            "quantity",
            "unit_price",
            "order_date",
            "description",
        ],
    )


def require_dataset(relative: str) -> Path:
    """Path of a shared data set, or skip the test with the reason."""
    path = DATASETS / relative
    if not path.exists():
        pytest.skip(f"shared data set {relative} not found at {path.resolve()} (needs ../shared/datasets)")
    return path
