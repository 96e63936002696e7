"""Entry points for the CRM jobs: DataFrames in, table-shaped DataFrames out.

The CRM job loads transactions (canonical layout, see :mod:`analytics.features`) and
messages, calls these functions, writes the returned frames to its tables, and may
persist ``insights.models`` with :mod:`analytics.persistence`. Nothing here touches a
database or the network.

- :func:`score_customers`     segments, churn probability, next purchases/CLV, category
                              need and the top reasons, as of a date
- :func:`recommend_products`  top-k products with a reason, per customer
- :func:`analyse_conversations`  sentiment per conversation, topics, unrecognised-message groups
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from analytics.features import clv_summary, customer_features, validate_transactions
from analytics.predict.category_need import CategoryNeedModel, make_category_dataset
from analytics.predict.churn import ChurnClassifier, make_churn_dataset
from analytics.predict.clv import BGNBDGammaGamma
from analytics.segmentation import RFMSegmenter

logger = logging.getLogger(__name__)

RECOMMENDER_NAMES = ("popularity", "itemknn", "word2vec", "ease", "blend")


@dataclass
class CustomerInsights:
    """Result of :func:`score_customers`; every frame is keyed by ``customer_id``."""

    as_of: pd.Timestamp
    scores: pd.DataFrame
    reasons: pd.DataFrame
    category_need: pd.DataFrame | None
    segment_profile: pd.DataFrame
    metrics: dict[str, Any] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)


def score_customers(
    transactions: pd.DataFrame,
    *,
    as_of: pd.Timestamp | str,
    horizon_days: int = 90,
    random_state: int = 0,
    top_n: int = 3,
    churn_params: dict[str, Any] | None = None,
    evaluate: bool = True,
) -> CustomerInsights:
    """Score every customer with a purchase before ``as_of``, using only data before it.

    ``scores`` columns: customer_id, segment, churn_probability, expected_purchases,
    probability_alive, expected_order_value, clv (over ``horizon_days``), plus the RFM
    features. ``reasons``: customer_id, model, rank, feature, value, effect, text.
    ``category_need`` (when transactions have categories): customer_id, category, probability.
    ``churn_params`` go to :class:`ChurnClassifier`; ``evaluate`` adds a 3-fold CV
    ROC-AUC of the churn model to ``metrics``. Models that cannot be trained on the data
    (too few customers, one class) are skipped with a warning and leave NaN columns; ``metrics['skipped']`` lists them.
    """
    as_of = pd.Timestamp(as_of)
    tx = validate_transactions(transactions)
    tx = tx[tx["order_date"] < as_of]
    features = customer_features(tx, as_of)
    if features.empty:
        raise ValueError(f"no customer has a purchase before {as_of.date()}")
    metrics: dict[str, Any] = {
        "customers": len(features),
        "skipped": [],
        "data_range": [str(tx["order_date"].min()), str(tx["order_date"].max())],
    }
    models: dict[str, Any] = {}
    scores = features[["recency_days", "frequency", "monetary"]].copy()
    reasons: list[pd.DataFrame] = []

    try:
        seg = RFMSegmenter(random_state=random_state).fit(features)
        scores["segment"] = seg.predict_names(features)
        profile = seg.profile(features)
        metrics["segment_silhouette"] = seg.silhouette_
        models["segmentation"] = seg
    except ValueError as exc:
        logger.warning("segmentation skipped: %s", exc)
        metrics["skipped"].append("segmentation")
        scores["segment"] = None
        profile = pd.DataFrame()

    scores["churn_probability"] = np.nan
    try:
        X, y = make_churn_dataset(tx, as_of - pd.Timedelta(days=horizon_days), horizon_days)
        if len(X) < 20 or y.nunique() < 2 or y.value_counts().min() < 5:
            raise ValueError("too few labelled customers for a churn model")
        params = {"model": "hgb", "random_state": random_state, **(churn_params or {})}
        churn = ChurnClassifier(**params).fit(X, y)
        if evaluate:
            cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=random_state)
            oof = cross_val_predict(ChurnClassifier(**params), X, y, cv=cv, method="predict_proba")[:, 1]
            metrics["churn_cv_roc_auc"] = float(roc_auc_score(y, oof))
        scores["churn_probability"] = churn.predict_proba(features)[:, 1]
        reasons.append(churn.explain(features, top_n).assign(model="churn"))
        models["churn"] = churn
    except ValueError as exc:
        logger.warning("churn model skipped: %s", exc)
        metrics["skipped"].append("churn")

    try:
        summary = clv_summary(tx, as_of)
        clv = BGNBDGammaGamma().fit(summary)
        pred = clv.predict(summary, days=horizon_days)
        scores = scores.join(pred)
        reasons.append(clv.explain(summary, days=horizon_days, top_n=top_n).assign(model="next_purchase"))
        models["clv"] = clv
    except ValueError as exc:
        logger.warning("CLV model skipped: %s", exc)
        metrics["skipped"].append("clv")

    need = None
    if "category" in tx.columns:
        try:
            Xc, Yc = make_category_dataset(tx, as_of - pd.Timedelta(days=horizon_days), horizon_days)
            cat_model = CategoryNeedModel().fit(Xc, Yc)
            Xnow, _ = make_category_dataset(tx, as_of, horizon_days)
            Xnow = Xnow.reindex(columns=list(cat_model.feature_names_in_), fill_value=0.0)
            wide = cat_model.predict_proba(Xnow)
            need = wide.rename_axis(index="customer_id", columns="category").stack().rename("probability")
            need = need.reset_index()
            models["category_need"] = cat_model
        except ValueError as exc:
            logger.warning("category need skipped: %s", exc)
            metrics["skipped"].append("category_need")

    reason_frame = (
        pd.concat(reasons, ignore_index=True).rename(columns={"id": "customer_id"})
        if reasons
        else pd.DataFrame(columns=["customer_id", "model", "rank", "feature", "value", "effect", "text"])
    )
    return CustomerInsights(
        as_of=as_of,
        scores=scores.reset_index(),
        reasons=reason_frame,
        category_need=need,
        segment_profile=profile,
        metrics=metrics,
        models=models,
    )


def make_recommender(name: str = "ease", **params: Any):
    """A recommender by name: popularity, itemknn, word2vec, ease or blend."""
    from analytics import recommend

    classes = {
        "popularity": recommend.PopularityRecommender,
        "itemknn": recommend.ItemKNNRecommender,
        "word2vec": recommend.Word2VecRecommender,
        "ease": recommend.EASERecommender,
        "blend": recommend.BlendRecommender,
    }
    if name not in classes:
        raise ValueError(f"unknown recommender {name!r}; choose from {sorted(classes)}")
    return classes[name](**params)


def recommend_products(
    transactions: pd.DataFrame,
    *,
    customer_ids: list | None = None,
    k: int = 10,
    model: str = "ease",
    available_products: list | None = None,
    as_of: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Fit the named recommender on transactions before ``as_of`` (default: all) and
    return ``customer_id, rank, product_id, score, reason`` for ``customer_ids``
    (default: every known customer)."""
    tx = validate_transactions(transactions)
    if as_of is not None:
        tx = tx[tx["order_date"] < pd.Timestamp(as_of)]
    if tx.empty:
        raise ValueError("no transactions to learn recommendations from")
    recommender = make_recommender(model).fit(tx)
    ids = list(recommender.customers_) if customer_ids is None else customer_ids
    return recommender.recommend(ids, k=k, available_products=available_products)


def analyse_conversations(
    messages: pd.DataFrame,
    *,
    conversation_col: str = "conversation_id",
    text_col: str = "text",
    unrecognised_col: str | None = None,
    n_topics: int | list[int] = (4, 6, 8),
    random_state: int = 0,
) -> dict[str, pd.DataFrame]:
    """Sentiment per message and conversation, LDA topics, and groups of unrecognised messages.

    ``unrecognised_col`` names a boolean column marking messages the bot did not understand
    (e.g. fallback intent or low confidence). Returns a dict of DataFrames: ``messages``,
    ``conversations``, ``topics`` and, when there are enough unrecognised messages,
    ``unrecognised`` and ``unrecognised_groups``.
    """
    from analytics.text import TopicModel, group_unrecognised, score_conversations, score_messages

    if messages.empty:
        raise ValueError("no messages to analyse")
    texts = messages[text_col].astype(str).tolist()
    out = {
        "messages": pd.concat([messages.reset_index(drop=True), score_messages(texts)[["sentiment", "label"]]], axis=1),
        "conversations": score_conversations(messages, conversation_col=conversation_col, text_col=text_col),
    }
    try:
        topic_model = TopicModel(
            n_topics=list(n_topics) if not isinstance(n_topics, int) else n_topics, random_state=random_state
        ).fit(texts)
        out["topics"] = topic_model.topics().assign(coherence=topic_model.coherence_)
    except ValueError as exc:
        logger.warning("topic model skipped: %s", exc)
    if unrecognised_col is not None:
        unknown = messages.loc[messages[unrecognised_col].astype(bool), text_col].astype(str).tolist()
        if len(unknown) >= 3:
            out["unrecognised"], out["unrecognised_groups"] = group_unrecognised(unknown, random_state=random_state)
    return out
