"""Shared machinery of the recommenders: the customer×item matrix, popularity, exclusion.

Every recommender is fitted on transactions (see :mod:`analytics.features`) and answers
``recommend(customer_ids, k, exclude_bought=True, available_products=None)`` with a
DataFrame of ``customer_id, rank, product_id, score, reason``. Unknown customers (cold
start) and slots a model cannot fill fall back to popularity.
"""

from __future__ import annotations

import abc
import copy
import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from analytics.features import validate_transactions

logger = logging.getLogger(__name__)

POPULAR_NOW = "popular right now"
RECOMMENDATION_COLUMNS = ["customer_id", "rank", "product_id", "score", "reason"]


class BaseRecommender(BaseEstimator, abc.ABC):
    """Base class; subclasses implement ``_fit_model`` and ``_score``.

    Parameters common to all: ``half_life_days`` for the recency-weighted popularity
    used by the fallback, and ``batch_size`` (customers scored per block).
    """

    half_life_days: float = 30.0
    history_half_life_days: float | None = None
    batch_size: int = 512

    # --- fitting -----------------------------------------------------------------
    def fit(self, transactions: pd.DataFrame, y: None = None) -> BaseRecommender:
        """Build the customer×item matrix and popularity, then fit the model."""
        df = validate_transactions(transactions)
        if df.empty:
            raise ValueError("cannot fit a recommender on an empty transaction history")
        stats = interaction_stats(df, half_life_days=self.half_life_days)
        self._set_catalogue(stats)
        self.customers_ = stats["customers"]
        X = stats["user_items"]
        self.user_items_ = X
        rows = self.customers_.get_indexer(df["customer_id"].astype(str))
        cols = self.items_.get_indexer(df["product_id"].astype(str))
        self.user_history_ = self._history_weights(df, rows, cols, X)
        self._fit_model(df, X)
        return self

    def _set_catalogue(self, stats: dict) -> None:
        """Item-level state from (merged) :func:`interaction_stats`."""
        self.items_ = stats["items"]
        pop = stats["popularity"]
        self.popularity_ = pop / pop.max() if pop.max() > 0 else pop
        for attribute, key in (("item_descriptions_", "description"), ("item_categories_", "category")):
            first = stats[key]
            setattr(self, attribute, None if first is None else first.reindex(self.items_).to_numpy(dtype=object))
        self.trained_until_ = stats["end"]

    def fit_from_stats(self, stats: dict) -> BaseRecommender:
        """Fit from merged partition statistics (the distributed path): only item-item models,
        which need nothing but the item×item co-occurrence counts ``stats['gram']``."""
        if not hasattr(self, "_fit_gram"):
            raise ValueError(f"{type(self).__name__} cannot be fitted from co-occurrence counts")
        if self.history_half_life_days is not None:
            raise ValueError("history_half_life_days is not supported on partitioned data")
        self._set_catalogue(stats)
        self._fit_gram(stats["gram"])
        return self

    def for_partition(self, stats: dict) -> BaseRecommender:
        """A shallow copy that knows only the customers of one partition (its user×item rows
        re-indexed to the global catalogue); the item weights are shared, not copied."""
        view = copy.copy(self)
        view.customers_ = stats["customers"]
        X = stats["user_items"].tocoo()
        cols = self.items_.get_indexer(stats["items"][X.col])
        view.user_items_ = sp.csr_matrix((X.data, (X.row, cols)), shape=(X.shape[0], len(self.items_)))
        view.user_history_ = view.user_items_
        return view

    def _history_weights(self, df: pd.DataFrame, rows: np.ndarray, cols: np.ndarray, X: sp.csr_matrix) -> sp.csr_matrix:
        """Customer×item weights used for scoring: 1, or ``0.5 ** (age / history_half_life_days)``
        of the customer's last purchase of the item when a history half-life is set."""
        if self.history_half_life_days is None:
            return X
        last = pd.DataFrame({"r": rows, "c": cols, "d": df["order_date"].to_numpy()}).groupby(["r", "c"])["d"].max()
        end = df["order_date"].max()
        age = (end - last).dt.total_seconds().to_numpy() / 86400.0
        w = 0.5 ** (age / float(self.history_half_life_days))
        r, c = last.index.get_level_values(0).to_numpy(), last.index.get_level_values(1).to_numpy()
        return sp.csr_matrix((w.astype(np.float32), (r, c)), shape=X.shape)

    def _fit_model(self, df: pd.DataFrame, X: sp.csr_matrix) -> None:
        """Fit the model proper; ``X`` is the binary customer×item matrix."""

    # --- scoring -----------------------------------------------------------------
    @abc.abstractmethod
    def _score(self, rows: np.ndarray) -> np.ndarray:
        """Scores (len(rows) × n_items) for known customers; higher is better, 0 = no signal."""

    def _reasons(self, rows: np.ndarray, top: np.ndarray, scores: np.ndarray) -> list[list[str]]:
        """One reason string per recommended item; default: popularity reasons."""
        return [[self._popularity_reason(r, i) for i in items] for r, items in zip(rows, top, strict=True)]

    def item_name(self, item_index: int) -> str:
        """Human name of an item: its description when known, else its product id."""
        if self.item_descriptions_ is not None:
            name = self.item_descriptions_[item_index]
            if isinstance(name, str) and name and name.lower() != "nan":
                return name
        return str(self.items_[item_index])

    def _popularity_reason(self, row: int, item: int) -> str:
        if self.item_categories_ is not None and row >= 0:
            category = self.item_categories_[item]
            bought = self.user_items_[row].indices
            if category is not None and (self.item_categories_[bought] == category).any():
                return f"popular in category {category}"
        return POPULAR_NOW

    def recommend(
        self,
        customer_ids: Iterable,
        k: int = 10,
        exclude_bought: bool = True,
        available_products: Iterable | None = None,
    ) -> pd.DataFrame:
        """Top-``k`` products per customer with a score and a short reason.

        Unknown customers get popular products. Products the customer already bought
        (when ``exclude_bought``) and products outside ``available_products`` (when
        given) are never returned.
        """
        check_is_fitted(self, "user_items_")
        if k <= 0:
            raise ValueError("k must be positive")
        ids = [str(c) for c in customer_ids]
        allowed = np.ones(len(self.items_), dtype=bool)
        if available_products is not None:
            allowed = self.items_.isin([str(p) for p in available_products])
        rows_all = self.customers_.get_indexer(ids)
        out: list[pd.DataFrame] = []
        for start in range(0, len(ids), self.batch_size):
            rows = rows_all[start : start + self.batch_size]
            out.append(self._recommend_block(ids[start : start + self.batch_size], rows, k, exclude_bought, allowed))
        if not out:
            return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
        return pd.concat(out, ignore_index=True)

    def _recommend_block(
        self, ids: list[str], rows: np.ndarray, k: int, exclude_bought: bool, allowed: np.ndarray
    ) -> pd.DataFrame:
        known = rows >= 0
        scores = np.zeros((len(rows), len(self.items_)), dtype=np.float64)
        if known.any():
            scores[known] = np.asarray(self._score(rows[known]), dtype=np.float64)
        scores = np.where(np.isfinite(scores), scores, 0.0)
        # Popularity breaks ties and fills slots where the model has no signal.
        model_part = np.clip(scores, 0, None)
        final = model_part + 1e-6 * self.popularity_[None, :]
        final[:, ~allowed] = -np.inf
        if exclude_bought and known.any():
            bought = self.user_items_[rows[known]].tocoo()
            block = final[known]
            block[bought.row, bought.col] = -np.inf
            final[known] = block
        kk = min(k, len(self.items_))
        top = np.argpartition(-final, kk - 1, axis=1)[:, :kk]
        order = np.take_along_axis(final, top, axis=1).argsort(axis=1)[:, ::-1]
        top = np.take_along_axis(top, order, axis=1)
        top_scores = np.take_along_axis(final, top, axis=1)
        reasons: list[list[str]] = [[POPULAR_NOW] * kk for _ in rows]
        if known.any():
            idx = np.flatnonzero(known)
            model_reasons = self._reasons(rows[known], top[known], model_part[known])
            for j, rr in zip(idx, model_reasons, strict=True):
                reasons[j] = rr
        records = []
        for u, cid in enumerate(ids):
            rank = 0
            for j in range(kk):
                if not np.isfinite(top_scores[u, j]):
                    continue
                rank += 1
                item = top[u, j]
                reason = reasons[u][j]
                if model_part[u, item] <= 0:
                    reason = self._popularity_reason(rows[u], item)
                records.append((cid, rank, self.items_[item], float(top_scores[u, j]), reason))
        return pd.DataFrame.from_records(records, columns=RECOMMENDATION_COLUMNS)


class ItemToItemMixin:
    """Reasons for models that score ``X_u @ W`` with an item×item weight matrix ``W``."""

    def _reasons(self, rows: np.ndarray, top: np.ndarray, scores: np.ndarray) -> list[list[str]]:
        W = self.item_weights_
        out: list[list[str]] = []
        for r, items in zip(rows, top, strict=True):
            bought = self.user_items_[r].indices
            if len(bought) == 0:
                out.append([POPULAR_NOW] * len(items))
                continue
            block = W[bought][:, items]
            block = block.toarray() if sp.issparse(block) else np.asarray(block)
            best = bought[block.argmax(axis=0)]
            strength = block.max(axis=0)
            out.append(
                [
                    f"bought together with {self.item_name(b)}" if s > 0 else POPULAR_NOW
                    for b, s in zip(best, strength, strict=True)
                ]
            )
        return out

    def _fit_model(self, df: pd.DataFrame, X: sp.csr_matrix) -> None:
        Xc = X.tocsc().astype(np.float64)
        self._fit_gram((Xc.T @ Xc).tocsr())

    def _score(self, rows: np.ndarray) -> np.ndarray:
        S = self.user_history_[rows] @ self.item_weights_
        return S.toarray() if sp.issparse(S) else np.asarray(S)


def interaction_stats(df: pd.DataFrame, *, half_life_days: float, gram: bool = False) -> dict:
    """One partition's share of a recommender fit (validated rows; customers are disjoint
    across partitions): its items and customers, the binary customer×item matrix, the
    item×item co-occurrence counts when ``gram``, the recency-weighted buyer counts as of
    the partition's last date, and each item's first description and category."""
    items = pd.Index(np.sort(df["product_id"].astype(str).unique()), name="product_id")
    customers = pd.Index(np.sort(df["customer_id"].astype(str).unique()), name="customer_id")
    rows = customers.get_indexer(df["customer_id"].astype(str))
    cols = items.get_indexer(df["product_id"].astype(str))
    X = sp.csr_matrix((np.ones(len(df), dtype=np.float32), (rows, cols)), shape=(len(customers), len(items)))
    X.data[:] = 1.0  # duplicates were summed: make it binary
    end = df["order_date"].max()
    age = (end - df["order_date"]).dt.total_seconds().to_numpy() / 86400.0
    pairs = pd.DataFrame({"c": rows, "i": cols, "w": 0.5 ** (age / float(half_life_days))})
    per_item = pairs.groupby(["c", "i"])["w"].max().groupby(level="i").sum()
    pop = np.zeros(len(items))
    pop[per_item.index.to_numpy()] = per_item.to_numpy()
    stats = {"items": items, "customers": customers, "user_items": X, "popularity": pop, "end": end}
    stats["half_life_days"] = float(half_life_days)
    for column in ("description", "category"):
        stats[column] = None
        if column in df.columns:
            stats[column] = df.dropna(subset=[column]).groupby(df["product_id"].astype(str))[column].first()
    if gram:
        Xc = X.tocsc().astype(np.float64)
        stats["gram"] = (Xc.T @ Xc).tocsr()
    return stats


def merge_stats(a: dict, b: dict) -> dict:
    """Item-level statistics of two partitions as one (associative, for a tree reduction).
    Customer rows are not merged: they stay with their partition."""
    items = a["items"].union(b["items"])
    end = max(a["end"], b["end"])
    half_life = a["half_life_days"]
    pop = np.zeros(len(items))
    merged = {"items": items, "end": end, "half_life_days": half_life, "customers": None, "user_items": None}
    for part in (a, b):
        at = items.get_indexer(part["items"])
        decay = 0.5 ** ((end - part["end"]).total_seconds() / 86400.0 / half_life)
        np.add.at(pop, at, part["popularity"] * decay)
    merged["popularity"] = pop
    for column in ("description", "category"):
        first, second = a[column], b[column]
        merged[column] = second if first is None else first if second is None else first.combine_first(second)
    if "gram" in a:
        gram = sp.csr_matrix((len(items), len(items)))
        for part in (a, b):
            at = items.get_indexer(part["items"])
            g = part["gram"].tocoo()
            gram = gram + sp.csr_matrix((g.data, (at[g.row], at[g.col])), shape=gram.shape)
        merged["gram"] = gram.tocsr()
    return merged
