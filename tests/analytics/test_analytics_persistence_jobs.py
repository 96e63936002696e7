from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analytics.features import customer_features
from analytics.jobs import analyse_conversations, make_recommender, recommend_products, score_customers
from analytics.persistence import ModelRegistry, load_model, save_model
from analytics.segmentation import RFMSegmenter


def test_save_and_load_round_trip(transactions, cutoff, tmp_path):
    features = customer_features(transactions, cutoff)
    seg = RFMSegmenter(k_range=(3, 3)).fit(features)
    meta = save_model(
        seg,
        tmp_path / "seg",
        metrics={"silhouette": seg.silhouette_},
        data_range=(transactions["order_date"].min(), cutoff),
    )
    loaded, meta2 = load_model(tmp_path / "seg")
    np.testing.assert_array_equal(loaded.predict(features), seg.predict(features))
    assert meta2 == json.loads(json.dumps(meta))
    assert meta2["metrics"]["silhouette"] == pytest.approx(seg.silhouette_)
    assert meta2["params"]["k_range"] == [3, 3]


def test_registry_versions(tmp_path, transactions, cutoff):
    registry = ModelRegistry(tmp_path / "registry")
    assert registry.versions("segments") == []
    with pytest.raises(FileNotFoundError):
        registry.load("segments")
    features = customer_features(transactions, cutoff)
    v1 = registry.save("segments", RFMSegmenter(k_range=(3, 3)).fit(features))
    v2 = registry.save("segments", RFMSegmenter(k_range=(4, 4)).fit(features))
    assert registry.versions("segments") == sorted([v1, v2])
    model, _ = registry.load("segments")
    assert model.n_clusters_ == 4
    with pytest.raises(ValueError, match="invalid"):
        registry.save("../x", model)


def test_score_customers_end_to_end(transactions, cutoff):
    fast = {"max_iter": 30}
    insights = score_customers(transactions, as_of=cutoff, horizon_days=60, churn_params=fast)
    scores = insights.scores
    assert scores["customer_id"].is_unique
    assert {"segment", "churn_probability", "expected_purchases", "clv"} <= set(scores.columns)
    assert scores["churn_probability"].between(0, 1).all()
    assert {"churn", "next_purchase"} == set(insights.reasons["model"])
    assert insights.category_need is not None and insights.category_need["probability"].between(0, 1).all()
    assert insights.metrics["skipped"] == []
    assert 0 <= insights.metrics["churn_cv_roc_auc"] <= 1
    # Only data before as_of is used: later rows change nothing.
    later = transactions[transactions["order_date"] < cutoff]
    again = score_customers(later, as_of=cutoff, horizon_days=60, churn_params=fast, evaluate=False)
    pd.testing.assert_frame_equal(scores, again.scores)


def test_score_customers_tiny_data_skips_models_without_crashing(transactions):
    one = transactions[transactions["customer_id"] == transactions["customer_id"].iloc[0]]
    insights = score_customers(one, as_of=one["order_date"].max() + pd.Timedelta(days=1))
    assert len(insights.scores) == 1
    assert {"segmentation", "churn"} <= set(insights.metrics["skipped"])
    with pytest.raises(ValueError, match="no customer"):
        score_customers(transactions, as_of="1990-01-01")


def test_recommend_products_entry(transactions):
    recs = recommend_products(transactions, customer_ids=["C0001"], k=4, model="itemknn")
    assert len(recs) == 4
    with pytest.raises(ValueError, match="unknown recommender"):
        make_recommender("nope")


def test_analyse_conversations_entry():
    texts = [
        "parcel delivery late",
        "refund my card payment",
        "great thanks",
        "login password reset",
        "parcel lost by courier",
        "card payment refund please",
        "password login fails",
        "awful service",
    ]
    messages = pd.DataFrame(
        {
            "conversation_id": [1, 1, 2, 2, 3, 3, 4, 4],
            "text": texts,
            "unrecognised": [True, True, False, True, True, True, True, False],
        }
    )
    out = analyse_conversations(messages, unrecognised_col="unrecognised", n_topics=[2])
    assert len(out["messages"]) == 8 and "sentiment" in out["messages"]
    assert len(out["conversations"]) == 4
    assert "coherence" in out["topics"]
    assert out["unrecognised"]["cluster"].notna().all()


def test_all_guest_history_is_a_clear_error(transactions, cutoff):
    guests = transactions.assign(customer_id=None)
    with pytest.raises(ValueError, match="no customer"):
        score_customers(guests, as_of=cutoff)
    with pytest.raises(ValueError, match="no transactions"):
        recommend_products(guests)
