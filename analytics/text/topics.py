"""LDA topic model over message texts (gensim), with topic coherence reported.

``TopicModel`` tries every topic count in ``n_topics`` (an int or a list) and keeps the
one with the best coherence (``u_mass`` by default: fast and needs no sliding window;
``c_v`` is available). Deterministic with ``random_state``.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from analytics.text.tokenize import tokenize

logger = logging.getLogger(__name__)


class TopicModel(BaseEstimator):
    """Parameters
    ----------
    n_topics: topic count, or a list of counts to choose from by coherence.
    coherence: "u_mass" or "c_v".
    passes, iterations: LDA training effort.
    no_below, no_above: dictionary filter (min documents, max document share).
    top_words: words listed per topic.
    random_state: seed.
    """

    def __init__(
        self,
        n_topics: int | list[int] = 8,
        coherence: str = "u_mass",
        passes: int = 10,
        iterations: int = 100,
        no_below: int = 2,
        no_above: float = 0.5,
        top_words: int = 8,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.coherence = coherence
        self.passes = passes
        self.iterations = iterations
        self.no_below = no_below
        self.no_above = no_above
        self.top_words = top_words
        self.random_state = random_state

    def fit(self, texts: list[str], y: None = None) -> TopicModel:
        from gensim.corpora import Dictionary
        from gensim.models import CoherenceModel, LdaModel

        docs = [tokenize(t) for t in texts]
        docs = [d for d in docs if d]
        if len(docs) < 2:
            raise ValueError("need at least two non-empty texts to fit a topic model")
        dictionary = Dictionary(docs)
        dictionary.filter_extremes(
            no_below=min(self.no_below, max(1, len(docs) // 2)), no_above=self.no_above, keep_n=50000
        )
        if len(dictionary) < 2:
            dictionary = Dictionary(docs)  # tiny corpora: keep every word
        corpus = [dictionary.doc2bow(d) for d in docs]
        counts = [self.n_topics] if isinstance(self.n_topics, int) else list(self.n_topics)
        self.coherence_by_k_: dict[int, float] = {}
        best = None
        for k in counts:
            lda = LdaModel(
                corpus=corpus,
                id2word=dictionary,
                num_topics=k,
                passes=self.passes,
                iterations=self.iterations,
                random_state=self.random_state,
                alpha="auto",
                eta="auto",
            )
            cm = CoherenceModel(
                model=lda, texts=docs, corpus=corpus, dictionary=dictionary, coherence=self.coherence, processes=1
            )
            score = float(np.nan_to_num(cm.get_coherence(), nan=-np.inf))
            self.coherence_by_k_[k] = score
            logger.info("LDA k=%d coherence(%s)=%.4f", k, self.coherence, score)
            if best is None or score > best[0]:
                best = (score, k, lda)
        self.coherence_, self.n_topics_, self.lda_ = best
        self.dictionary_ = dictionary
        return self

    def topics(self) -> pd.DataFrame:
        """One row per topic: topic id and its top words."""
        check_is_fitted(self, "lda_")
        rows = []
        for k in range(self.n_topics_):
            words = [w for w, _ in self.lda_.show_topic(k, topn=self.top_words)]
            rows.append({"topic": k, "words": ", ".join(words)})
        return pd.DataFrame(rows)

    def transform(self, texts: list[str]) -> pd.DataFrame:
        """Documents × topics probabilities, plus the dominant ``topic`` column."""
        check_is_fitted(self, "lda_")
        matrix = np.zeros((len(texts), self.n_topics_))
        for i, text in enumerate(texts):
            bow = self.dictionary_.doc2bow(tokenize(text))
            for k, p in self.lda_.get_document_topics(bow, minimum_probability=0.0):
                matrix[i, k] = p
        out = pd.DataFrame(matrix, columns=[f"topic_{k}" for k in range(self.n_topics_)])
        out["topic"] = matrix.argmax(axis=1)
        return out
