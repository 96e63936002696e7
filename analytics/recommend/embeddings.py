"""Word2Vec basket embeddings: orders are sentences, products are words (gensim)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics.recommend.base import POPULAR_NOW, BaseRecommender

logger = logging.getLogger(__name__)


class Word2VecRecommender(BaseRecommender):
    """Scores items by cosine between the item vector and the customer's mean item vector.

    Deterministic: fixed ``seed``, ``workers=1`` and baskets sorted by product id. The
    window is wide enough to cover whole baskets, so order inside a basket does not matter.

    Parameters
    ----------
    vector_size, window, min_count, epochs, negative, sg: as in ``gensim.models.Word2Vec``.
    seed: random seed.
    half_life_days: for the popularity fallback.
    """

    def __init__(
        self,
        vector_size: int = 64,
        window: int = 50,
        min_count: int = 2,
        epochs: int = 10,
        negative: int = 10,
        sg: int = 1,
        seed: int = 0,
        half_life_days: float = 30.0,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.epochs = epochs
        self.negative = negative
        self.sg = sg
        self.seed = seed
        self.half_life_days = half_life_days

    def _fit_model(self, df: pd.DataFrame, X: sp.csr_matrix) -> None:
        from gensim.models import Word2Vec

        baskets = (
            df.assign(product_id=df["product_id"].astype(str))
            .sort_values(["order_id", "product_id"])
            .groupby("order_id", sort=True)["product_id"]
            .agg(lambda s: list(dict.fromkeys(s)))
        )
        sentences = [b for b in baskets.tolist() if len(b) > 1]
        vectors = np.zeros((len(self.items_), self.vector_size), dtype=np.float32)
        self.has_vector_ = np.zeros(len(self.items_), dtype=bool)
        if sentences:
            model = Word2Vec(
                sentences=sentences,
                vector_size=self.vector_size,
                window=self.window,
                min_count=self.min_count,
                epochs=self.epochs,
                negative=self.negative,
                sg=self.sg,
                seed=self.seed,
                workers=1,
                sorted_vocab=1,
            )
            for word, idx in model.wv.key_to_index.items():
                j = self.items_.get_loc(word)
                vectors[j] = model.wv.vectors[idx]
                self.has_vector_[j] = True
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.item_vectors_ = vectors / np.where(norms > 0, norms, 1.0)
        logger.info("word2vec vectors for %d of %d items", self.has_vector_.sum(), len(self.items_))

    def _user_vectors(self, rows: np.ndarray) -> np.ndarray:
        U = self.user_items_[rows] @ self.item_vectors_
        U = np.asarray(U)
        norms = np.linalg.norm(U, axis=1, keepdims=True)
        return U / np.where(norms > 0, norms, 1.0)

    def _score(self, rows: np.ndarray) -> np.ndarray:
        S = self._user_vectors(rows) @ self.item_vectors_.T
        S[:, ~self.has_vector_] = 0.0
        return S

    def _reasons(self, rows: np.ndarray, top: np.ndarray, scores: np.ndarray) -> list[list[str]]:
        out: list[list[str]] = []
        for r, items in zip(rows, top, strict=True):
            bought = self.user_items_[r].indices
            bought = bought[self.has_vector_[bought]]
            if len(bought) == 0:
                out.append([POPULAR_NOW] * len(items))
                continue
            sims = self.item_vectors_[bought] @ self.item_vectors_[items].T
            best = bought[sims.argmax(axis=0)]
            out.append([f"often in the same baskets as {self.item_name(b)}" for b in best])
        return out
