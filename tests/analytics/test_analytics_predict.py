from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from analytics.features import clv_summary, future_purchases
from analytics.predict import (
    BGNBDGammaGamma,
    CategoryNeedModel,
    ChurnClassifier,
    make_category_dataset,
    make_churn_dataset,
)


@pytest.fixture(scope="module")
def churn_data(transactions, cutoff):
    return make_churn_dataset(transactions, cutoff, 60)


@pytest.mark.parametrize("kind", ["hgb", "logit", "blend"])
def test_churn_contract(churn_data, kind):
    X, y = churn_data
    model = ChurnClassifier(model=kind, max_iter=50)
    assert model.fit(X, y) is model
    p = model.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(axis=1), 1)
    again = ChurnClassifier(model=kind, max_iter=50).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(p, again)
    factors = model.explain(X.head(5), top_n=2)
    assert set(factors["id"]) <= set(X.index[:5])
    assert (factors.groupby("id").size() <= 2).all()
    assert factors["text"].str.contains("churn risk").all()


def test_churn_explanations_add_up_in_direction(churn_data):
    X, y = churn_data
    model = ChurnClassifier(model="logit", splines=False).fit(X, y)
    factors = model.explain(X, top_n=1)
    recency = factors[factors["feature"] == "recency_days"]
    # Where recency is the main factor, a longer-than-median recency raises churn risk.
    above = recency["value"] > model.baseline_["recency_days"]
    assert ((recency["effect"] > 0) == above).mean() > 0.9


def test_churn_generic_tabular_with_categories_and_missing():
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame(
        {
            "tenure": rng.integers(0, 70, n).astype(float),
            "contract": rng.choice(["monthly", "yearly", None], n),
            "charges": rng.normal(60, 20, n),
        }
    )
    X.loc[:5, "charges"] = np.nan
    logit = -0.05 * X["tenure"] + np.where(X["contract"] == "monthly", 1.5, -0.5)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    model = ChurnClassifier(model="blend", max_iter=50).fit(X, y)
    p = model.predict_proba(X.assign(contract="unknown-plan"))[:, 1]
    assert np.isfinite(p).all()


def test_churn_bad_data(churn_data):
    X, _ = churn_data
    with pytest.raises(NotFittedError):
        ChurnClassifier().predict_proba(X)
    with pytest.raises(ValueError, match="single class"):
        ChurnClassifier().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="zero rows"):
        ChurnClassifier().fit(X.head(0), [])
    empty = pd.DataFrame(columns=["customer_id", "order_id", "product_id", "quantity", "unit_price", "order_date"])
    with pytest.raises(ValueError, match="no customer"):
        make_churn_dataset(empty, "2024-01-01")


def test_clv_fits_and_ranks_buyers(transactions, cutoff):
    summary = clv_summary(transactions, cutoff)
    model = BGNBDGammaGamma()
    assert model.fit(summary) is model
    pred = model.predict(summary, days=60)
    assert (pred["probability_alive"].between(0, 1)).all()
    assert (pred["expected_purchases"] >= 0).all()
    actual = future_purchases(transactions, cutoff, 60)["purchases"].reindex(summary.index, fill_value=0)
    # The model's ranking of future buyers is better than chance on data with real rate differences.
    assert pred["expected_purchases"].corr(actual, method="spearman") > 0.2
    factors = model.explain(summary.head(3))
    assert set(factors["feature"]) <= {"frequency", "recency", "T"}
    with pytest.raises(NotFittedError):
        BGNBDGammaGamma().predict(summary)
    with pytest.raises(ValueError, match="empty"):
        BGNBDGammaGamma().fit(summary.head(0))


@pytest.mark.parametrize("a", [0.1, 0.8, 2.5])
def test_bgnbd_expectation_is_positive_and_grows_with_time(transactions, cutoff, a):
    """The closed form holds on both sides of a = 1 (a < 1 is common on real data)."""
    summary = clv_summary(transactions, cutoff)
    model = BGNBDGammaGamma().fit(summary)
    model.bgnbd_params_ = {**model.bgnbd_params_, "a": a}
    short, long = model.expected_purchases(summary, 30), model.expected_purchases(summary, 90)
    assert (short > 0).all() and (long > short).all()
    # Matches the probability-weighted rate in the limit of a short window.
    r, alpha = model.bgnbd_params_["r"], model.bgnbd_params_["alpha"]
    x, T = summary["frequency"].to_numpy(), summary["T"].to_numpy() / model.time_unit_days
    tiny = model.expected_purchases(summary, 0.07) / (0.07 / model.time_unit_days)
    rate = (r + x) / (alpha + T) * model.probability_alive(summary)
    np.testing.assert_allclose(tiny, rate, rtol=0.05)


def test_category_need(transactions, cutoff):
    X, Y = make_category_dataset(transactions, cutoff, 60)
    model = CategoryNeedModel()
    assert model.fit(X, Y) is model
    P = model.predict_proba(X)
    assert list(P.columns) == list(Y.columns) and ((P >= 0) & (P <= 1)).all().all()
    # The favourite category (largest past share) is, on this data, the likeliest next one.
    share_cols = [f"share_{c}" for c in Y.columns]
    fav = X[share_cols].to_numpy().argmax(axis=1)
    assert (P.to_numpy().argmax(axis=1) == fav).mean() > 0.5
    factors = model.explain(X.head(3), Y.columns[0])
    assert len(factors) > 0
    with pytest.raises(ValueError, match="unknown category"):
        model.explain(X.head(3), "nope")
