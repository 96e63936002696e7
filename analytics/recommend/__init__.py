"""Recommenders with one interface: ``fit(transactions)`` then
``recommend(customer_ids, k=10, exclude_bought=True, available_products=None)``
returning ``customer_id, rank, product_id, score, reason`` rows.

- :class:`PopularityRecommender`  recency-weighted, category-aware popularity
- :class:`ItemKNNRecommender`     item-item cosine on the sparse customer×item matrix
- :class:`Word2VecRecommender`    gensim Word2Vec basket embeddings (``embeddings`` module)
- :class:`EASERecommender`        closed-form EASE (the strongest single model here)
- :class:`BlendRecommender`       weighted blend of the above
"""

from analytics.recommend.base import BaseRecommender
from analytics.recommend.blend import BlendRecommender
from analytics.recommend.embeddings import Word2VecRecommender
from analytics.recommend.evaluation import evaluate_recommender, temporal_split
from analytics.recommend.models import EASERecommender, ItemKNNRecommender, PopularityRecommender

__all__ = [
    "BaseRecommender",
    "BlendRecommender",
    "EASERecommender",
    "ItemKNNRecommender",
    "PopularityRecommender",
    "Word2VecRecommender",
    "evaluate_recommender",
    "temporal_split",
]
