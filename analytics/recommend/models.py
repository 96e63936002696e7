"""Popularity, item-item cosine kNN and EASE recommenders (numpy/scipy only)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics.recommend.base import BaseRecommender, ItemToItemMixin

logger = logging.getLogger(__name__)


class PopularityRecommender(BaseRecommender):
    """Recency-weighted popularity; within the customer's categories when categories exist.

    Parameters
    ----------
    half_life_days: a purchase ``half_life_days`` before the end of training counts half.
    category_boost: weight of "popular in the customer's categories" over global popularity
        (0 disables it; ignored when transactions carry no ``category``).
    """

    def __init__(self, half_life_days: float = 30.0, category_boost: float = 1.0) -> None:
        self.half_life_days = half_life_days
        self.category_boost = category_boost

    def _fit_model(self, df: pd.DataFrame, X: sp.csr_matrix) -> None:
        self.category_matrix_ = None
        if self.item_categories_ is not None and self.category_boost > 0:
            cats = pd.Index(pd.unique(pd.Series(self.item_categories_).dropna()))
            codes = cats.get_indexer(self.item_categories_)
            ok = codes >= 0
            self.category_matrix_ = sp.csr_matrix(
                (np.ones(ok.sum()), (np.flatnonzero(ok), codes[ok])), shape=(len(self.items_), len(cats))
            )

    def _score(self, rows: np.ndarray) -> np.ndarray:
        scores = np.repeat(self.popularity_[None, :], len(rows), axis=0)
        if self.category_matrix_ is not None:
            user_cats = (self.user_items_[rows] @ self.category_matrix_).toarray()
            user_cats = user_cats / np.maximum(user_cats.sum(axis=1, keepdims=True), 1)
            affinity = user_cats @ self.category_matrix_.T.toarray()
            scores = scores * (1.0 + self.category_boost * affinity)
        return scores


class ItemKNNRecommender(ItemToItemMixin, BaseRecommender):
    """Item-item collaborative filtering: cosine similarity on the sparse customer×item matrix.

    Parameters
    ----------
    n_neighbors: similarities kept per item (the rest are zeroed; keeps ``W`` sparse).
    shrinkage: added to the cosine denominator to damp similarities of rare pairs.
    half_life_days: for the popularity fallback.
    history_half_life_days: when set, a customer's older purchases count less when scoring.
    """

    def __init__(
        self,
        n_neighbors: int = 100,
        shrinkage: float = 10.0,
        half_life_days: float = 30.0,
        history_half_life_days: float | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.shrinkage = shrinkage
        self.half_life_days = half_life_days
        self.history_half_life_days = history_half_life_days

    def _fit_gram(self, gram: sp.csr_matrix) -> None:
        """Cosine similarities from the co-occurrence counts ``XᵀX`` of the binary matrix."""
        co = gram.tocsr()
        co.sort_indices()
        norms = np.sqrt(co.diagonal())
        co = co.tocoo()
        data = co.data / (norms[co.row] * norms[co.col] + self.shrinkage)
        keep = co.row != co.col
        sim = sp.csr_matrix((data[keep], (co.row[keep], co.col[keep])), shape=co.shape)
        self.item_weights_ = _top_n_per_row(sim, self.n_neighbors).T.tocsr()


def _top_n_per_row(M: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Keep the ``n`` largest entries of each row of a CSR matrix."""
    M = M.tocsr()
    rows, cols, vals = [], [], []
    for i in range(M.shape[0]):
        start, end = M.indptr[i], M.indptr[i + 1]
        if end == start:
            continue
        data, idx = M.data[start:end], M.indices[start:end]
        if end - start > n:
            sel = np.argpartition(-data, n - 1)[:n]
            data, idx = data[sel], idx[sel]
        rows.append(np.full(len(idx), i))
        cols.append(idx)
        vals.append(data)
    if not rows:
        return sp.csr_matrix(M.shape)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=M.shape)


class EASERecommender(ItemToItemMixin, BaseRecommender):
    """EASE (Steck 2019): closed-form item-item regression with a zero diagonal.

    ``B = I - P diagMat(1 / diag(P))`` with ``P = (XᵀX + λI)⁻¹``. Only items bought by at
    least ``min_item_buyers`` customers, and at most ``max_items`` of the most bought, get
    weights (the inversion is cubic in the item count); other items fall back to popularity.

    Parameters
    ----------
    l2: the ridge penalty λ.
    min_item_buyers, max_items: item filter for the weight matrix.
    half_life_days: for the popularity fallback.
    history_half_life_days: when set, a customer's older purchases count less when scoring.
    """

    def __init__(
        self,
        l2: float = 250.0,
        min_item_buyers: int = 2,
        max_items: int = 8000,
        half_life_days: float = 30.0,
        history_half_life_days: float | None = None,
    ) -> None:
        self.l2 = l2
        self.min_item_buyers = min_item_buyers
        self.max_items = max_items
        self.half_life_days = half_life_days
        self.history_half_life_days = history_half_life_days

    def _fit_gram(self, gram: sp.csr_matrix) -> None:
        """EASE weights from the co-occurrence counts ``XᵀX`` (its diagonal: buyers per item)."""
        buyers = gram.diagonal()
        eligible = np.flatnonzero(buyers >= self.min_item_buyers)
        if len(eligible) > self.max_items:
            eligible = eligible[np.argsort(-buyers[eligible], kind="stable")[: self.max_items]]
            eligible.sort()
        logger.info("EASE on %d of %d items", len(eligible), gram.shape[1])
        G = gram.tocsr()[eligible][:, eligible].toarray()
        G[np.diag_indices_from(G)] += self.l2
        P = np.linalg.inv(G)
        B = -P / np.diag(P)[None, :]
        B[np.diag_indices_from(B)] = 0.0
        # Embed into the full item space as a sparse matrix (drop tiny weights).
        B[np.abs(B) < 1e-4] = 0.0
        Bs = sp.coo_matrix(B)
        self.item_weights_ = sp.csr_matrix(
            (Bs.data.astype(np.float32), (eligible[Bs.row], eligible[Bs.col])), shape=gram.shape
        )
