"""Group unrecognised messages: TF-IDF (or Word2Vec) embeddings + k-means, k by silhouette."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from analytics.text.tokenize import STOP_WORDS, tokenize

logger = logging.getLogger(__name__)


class MessageClusterer(BaseEstimator):
    """Parameters
    ----------
    embedding: "tfidf" (word + bigram TF-IDF) or "word2vec" (mean gensim vectors).
    k_range: (min_k, max_k) tried; the best silhouette wins.
    top_terms: terms listed per cluster; examples: messages shown per cluster.
    random_state: seed.
    """

    def __init__(
        self,
        embedding: str = "tfidf",
        k_range: tuple[int, int] = (2, 10),
        top_terms: int = 5,
        examples: int = 3,
        random_state: int = 0,
    ) -> None:
        self.embedding = embedding
        self.k_range = k_range
        self.top_terms = top_terms
        self.examples = examples
        self.random_state = random_state

    def _embed(self, texts: list[str], fit: bool) -> np.ndarray:
        if self.embedding == "tfidf":
            if fit:
                self.vectorizer_ = TfidfVectorizer(
                    tokenizer=tokenize,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    min_df=1,
                    stop_words=None,
                )
                self.vectorizer_.fit(texts)
            return self.vectorizer_.transform(texts).toarray()
        if self.embedding == "word2vec":
            from gensim.models import Word2Vec

            docs = [tokenize(t) for t in texts]
            if fit:
                self.w2v_ = Word2Vec(
                    sentences=[d for d in docs if d],
                    vector_size=50,
                    window=5,
                    min_count=1,
                    epochs=30,
                    seed=self.random_state,
                    workers=1,
                )
            wv = self.w2v_.wv
            vecs = [
                np.mean([wv[w] for w in d if w in wv.key_to_index], axis=0)
                if any(w in wv.key_to_index for w in d)
                else np.zeros(wv.vector_size)
                for d in docs
            ]
            return normalize(np.asarray(vecs))
        raise ValueError(f"unknown embedding {self.embedding!r}")

    def fit(self, texts: list[str], y: None = None) -> MessageClusterer:
        texts = [str(t) for t in texts]
        if len(texts) < 3:
            raise ValueError("need at least three messages to cluster")
        E = self._embed(texts, fit=True)
        k_min, k_max = self.k_range
        k_max = min(k_max, len(texts) - 1)
        k_min = max(2, min(k_min, k_max))
        self.silhouettes_: dict[int, float] = {}
        best = None
        for k in range(k_min, k_max + 1):
            km = KMeans(n_clusters=k, n_init=10, random_state=self.random_state).fit(E)
            score = float(silhouette_score(E, km.labels_)) if len(set(km.labels_)) > 1 else -1.0
            self.silhouettes_[k] = score
            if best is None or score > best[0]:
                best = (score, km)
        self.silhouette_, self.kmeans_ = best
        self.labels_ = self.kmeans_.labels_
        self.clusters_ = self._describe(texts, E)
        return self

    def _describe(self, texts: list[str], E: np.ndarray) -> pd.DataFrame:
        rows = []
        for c in range(self.kmeans_.n_clusters):
            idx = np.flatnonzero(self.labels_ == c)
            words = pd.Series([w for i in idx for w in set(tokenize(texts[i])) if w not in STOP_WORDS])
            terms = words.value_counts().head(self.top_terms).index.tolist()
            dist = np.linalg.norm(E[idx] - self.kmeans_.cluster_centers_[c], axis=1)
            examples = [texts[i] for i in idx[np.argsort(dist)[: self.examples]]]
            rows.append({"cluster": c, "size": len(idx), "terms": ", ".join(terms), "examples": examples})
        return pd.DataFrame(rows).sort_values("size", ascending=False, kind="stable").reset_index(drop=True)

    def predict(self, texts: list[str]) -> np.ndarray:
        check_is_fitted(self, "kmeans_")
        return self.kmeans_.predict(self._embed([str(t) for t in texts], fit=False))


def group_unrecognised(texts: list[str], **params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster messages; return (per-message table with ``cluster``, per-cluster summary)."""
    model = MessageClusterer(**params).fit(texts)
    messages = pd.DataFrame({"text": list(texts), "cluster": model.labels_})
    return messages, model.clusters_
