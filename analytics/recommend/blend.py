"""A weighted blend of recommenders; each item's reason comes from its strongest part."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone

from analytics.recommend.base import BaseRecommender
from analytics.recommend.embeddings import Word2VecRecommender
from analytics.recommend.models import EASERecommender, ItemKNNRecommender

logger = logging.getLogger(__name__)


def default_parts() -> list[tuple[str, BaseRecommender, float]]:
    """EASE + item-kNN + Word2Vec, weighted towards EASE."""
    return [
        ("ease", EASERecommender(), 0.6),
        ("itemknn", ItemKNNRecommender(), 0.3),
        ("word2vec", Word2VecRecommender(), 0.1),
    ]


class BlendRecommender(BaseRecommender):
    """Sum of per-customer max-normalised scores of several recommenders.

    Parameters
    ----------
    parts: list of ``(name, recommender, weight)``; ``None`` means :func:`default_parts`.
    half_life_days: for the popularity fallback.
    """

    def __init__(
        self, parts: list[tuple[str, BaseRecommender, float]] | None = None, half_life_days: float = 30.0
    ) -> None:
        self.parts = parts
        self.half_life_days = half_life_days

    def _fit_model(self, df: pd.DataFrame, X: sp.csr_matrix) -> None:
        parts = self.parts if self.parts is not None else default_parts()
        if not parts:
            raise ValueError("BlendRecommender needs at least one part")
        self.fitted_parts_ = []
        for name, model, weight in parts:
            fitted = clone(model).fit(df)
            # Parts see the same rows, so their item and customer indexes match ours.
            if not (fitted.items_.equals(self.items_) and fitted.customers_.equals(self.customers_)):
                raise RuntimeError(f"part {name} indexed the data differently")
            self.fitted_parts_.append((name, fitted, float(weight)))

    def _part_scores(self, rows: np.ndarray) -> np.ndarray:
        """Array (parts × customers × items) of weighted, normalised scores."""
        blocks = []
        for _, model, weight in self.fitted_parts_:
            s = np.clip(np.asarray(model._score(rows), dtype=np.float64), 0, None)
            top = s.max(axis=1, keepdims=True)
            blocks.append(weight * s / np.where(top > 0, top, 1.0))
        return np.stack(blocks)

    def _score(self, rows: np.ndarray) -> np.ndarray:
        return self._part_scores(rows).sum(axis=0)

    def _reasons(self, rows: np.ndarray, top: np.ndarray, scores: np.ndarray) -> list[list[str]]:
        parts = self._part_scores(rows)
        per_part = [model._reasons(rows, top, scores) for _, model, _ in self.fitted_parts_]
        out: list[list[str]] = []
        for u in range(len(rows)):
            contrib = parts[:, u, :][:, top[u]]
            best = contrib.argmax(axis=0)
            out.append([per_part[p][u][j] for j, p in enumerate(best)])
        return out
