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

import pandas as pd
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from analytics.features import validate_transactions
from analytics.steps import apply_models, customer_tables, fit_models, history

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
    tx = history(transactions, as_of)
    tables = customer_tables(tx, as_of=as_of, horizon_days=horizon_days)
    if tables["features"].empty:
        raise ValueError(f"no customer has a purchase before {as_of.date()}")
    models, metrics = fit_models(tables, random_state=random_state, churn_params=churn_params)
    metrics = {
        "customers": len(tables["features"]),
        "skipped": metrics.pop("skipped"),
        "data_range": [str(tx["order_date"].min()), str(tx["order_date"].max())],
        **metrics,
    }
    if evaluate and "churn" in models:
        X, y = tables["churn_X"], tables["churn_y"]
        cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=random_state)
        oof = cross_val_predict(clone(models["churn"]), X, y, cv=cv, method="predict_proba")[:, 1]
        metrics["churn_cv_roc_auc"] = float(roc_auc_score(y, oof))
    scores, reasons, need = apply_models(models, tables, horizon_days=horizon_days, top_n=top_n)
    seg = models.get("segmentation")
    profile = seg.profile(tables["features"]) if seg is not None else pd.DataFrame()
    return CustomerInsights(
        as_of=as_of,
        scores=scores,
        reasons=reasons,
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
