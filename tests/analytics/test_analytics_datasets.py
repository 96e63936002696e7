"""Checks on the shared public data sets; skipped with a reason when ../shared/datasets is absent."""

from __future__ import annotations

import pandas as pd
from analytics_factories import require_dataset

from analytics.features import customer_features
from bench.analytics.importing import is_product_code, read_import_csv


def test_online_retail_import_cleaning_is_complete():
    path = require_dataset("online_retail/online_retail_2010-12-01_2011-10-31.csv.gz")
    tx, report = read_import_csv(path, keep_guests=False)
    dropped = sum(
        report[k]
        for k in (
            "cancellations",
            "non_positive_quantity",
            "non_positive_price",
            "non_product_codes",
            "bad_dates",
            "guest_rows",
        )
    )
    assert report["rows_out"] == report["rows_in"] - dropped == len(tx)
    assert not tx["order_id"].str.upper().str.startswith("C").any()
    assert (tx["quantity"] > 0).all() and (tx["unit_price"] > 0).all()
    assert tx["product_id"].map(is_product_code).all()
    features = customer_features(tx, tx["order_date"].max() + pd.Timedelta(days=1))
    assert len(features) == tx["customer_id"].nunique()
    assert features.notna().all().all()


def test_telco_encoding_has_no_missing_values():
    path = require_dataset("telco_churn/Telco-Customer-Churn.csv")
    from bench.analytics.churn_telco import telco_features

    X, y = telco_features(pd.read_csv(path))
    assert len(X) == len(y) == len(pd.read_csv(path))
    assert X.notna().all().all()
    assert set(y.unique()) == {0, 1}
