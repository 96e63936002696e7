from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from analytics.features import (
    category_labels,
    churn_labels,
    clv_summary,
    customer_features,
    rfm_features,
    validate_transactions,
)
from analytics.predict import ChurnClassifier, make_churn_dataset
from bench.analytics.importing import clean_import_rows


def test_rfm_matches_hand_computation():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b"],
            "order_id": ["1", "1", "2", "3"],
            "product_id": ["x", "y", "x", "z"],
            "quantity": [1, 2, 1, 5],
            "unit_price": [10.0, 5.0, 10.0, 1.0],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05"]),
        }
    )
    f = rfm_features(tx, "2024-01-21")
    assert f.loc["a", "frequency"] == 2
    assert f.loc["a", "monetary"] == 1 * 10.0 + 2 * 5.0 + 10.0
    assert f.loc["a", "recency_days"] == 10
    assert f.loc["b", "recency_days"] == 16


def test_features_use_only_rows_before_cutoff(transactions, cutoff):
    before = customer_features(transactions, cutoff)
    altered = transactions.copy()
    future = altered["order_date"] >= cutoff
    altered.loc[future, "quantity"] = altered.loc[future, "quantity"] * 100
    altered.loc[future, "customer_id"] = np.random.default_rng(0).permutation(altered.loc[future, "customer_id"])
    pd.testing.assert_frame_equal(before, customer_features(altered, cutoff))
    # A row exactly at the cut-off is future, not history.
    at_cutoff = transactions.iloc[[0]].assign(order_date=cutoff, customer_id="late")
    assert "late" not in customer_features(pd.concat([transactions, at_cutoff]), cutoff).index


def test_shuffling_the_future_does_not_improve_the_score(transactions, cutoff):
    """Leakage guard: the churn score measured against the true labels must not change
    (let alone improve) when the data after the cut-off is shuffled."""
    X, y = make_churn_dataset(transactions, cutoff, 60)
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    model = ChurnClassifier(model="logit", splines=False)
    auc_true = roc_auc_score(y, cross_val_predict(model, X, y, cv=cv, method="predict_proba")[:, 1])
    shuffled = transactions.copy()
    future = shuffled["order_date"] >= cutoff
    rng = np.random.default_rng(3)
    shuffled.loc[future, "customer_id"] = rng.permutation(shuffled.loc[future, "customer_id"].to_numpy())
    X_shuffled, _ = make_churn_dataset(shuffled, cutoff, 60)
    auc_shuffled = roc_auc_score(y, cross_val_predict(model, X_shuffled, y, cv=cv, method="predict_proba")[:, 1])
    assert auc_shuffled <= auc_true + 1e-12
    assert auc_true > 0.6  # the features carry real signal on this synthetic data


def test_labels(transactions, cutoff):
    y = churn_labels(transactions, cutoff, 60)
    Y = category_labels(transactions, cutoff, 60)
    assert set(y.unique()) <= {0, 1}
    assert y.index.equals(Y.index)
    # A customer who bought anything in the window is not a churner, and vice versa.
    assert ((Y.sum(axis=1) > 0).astype(int) == 1 - y).all()


def test_clv_summary_conventions():
    tx = pd.DataFrame(
        {
            "customer_id": ["a"] * 3,
            "order_id": ["1", "2", "3"],
            "product_id": ["x"] * 3,
            "quantity": [1, 1, 1],
            "unit_price": [10.0, 20.0, 30.0],
            "order_date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 15:00", "2024-01-11 09:00"]),
        }
    )
    s = clv_summary(tx, "2024-01-31")
    assert s.loc["a", "frequency"] == 1  # two purchase days, one repeat
    assert s.loc["a", "recency"] == 10 and s.loc["a", "T"] == 30
    assert s.loc["a", "monetary_value"] == 30.0


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(columns=["customer_id", "order_id", "product_id", "quantity", "unit_price", "order_date"]),
        pd.DataFrame(
            {
                "customer_id": [None, None],
                "order_id": ["1", "2"],
                "product_id": ["x", "y"],
                "quantity": [1, 1],
                "unit_price": [1.0, 2.0],
                "order_date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            }
        ),
    ],
)
def test_empty_or_guest_only_history_gives_empty_features(frame):
    assert customer_features(frame, "2025-01-01").empty


def test_missing_columns_raise_clear_error():
    with pytest.raises(ValueError, match="required columns"):
        validate_transactions(pd.DataFrame({"customer_id": [1]}))
    with pytest.raises(ValueError, match="DataFrame"):
        validate_transactions([1, 2, 3])


def test_import_cleaning_counts_every_rule():
    raw = pd.DataFrame(
        {
            "InvoiceNo": ["1", "C2", "3", "4", "5", "6"],
            "StockCode": ["A1", "A1", "A1", "POST", "A2", "A3"],
            "Description": ["a"] * 6,
            "Quantity": [1, -1, -2, 1, 1, 3],
            "InvoiceDate": ["2011-01-01 10:00:00"] * 6,
            "UnitPrice": [1.0, 1.0, 1.0, 5.0, 0.0, 2.0],
            "CustomerID": ["17850.0", "17850.0", "1", "1", "1", ""],
            "Country": ["UK"] * 6,
        }
    )
    clean, report = clean_import_rows(raw)
    assert report["cancellations"] == 1
    assert report["non_positive_quantity"] == 1
    assert report["non_positive_price"] == 1
    assert report["non_product_codes"] == 1
    assert report["guest_rows"] == 1
    assert clean["customer_id"].iloc[0] == "17850"
    assert pd.isna(clean["customer_id"].iloc[1])
    assert report["rows_out"] == len(clean) == 2
