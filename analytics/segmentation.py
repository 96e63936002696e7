"""Customer segmentation on RFM/behavioural features with stable human names.

``RFMSegmenter`` log-transforms and standardises the features, runs k-means for
every k in ``k_range`` and keeps the k with the best silhouette (measured on a
fixed-seed sample). Clusters are then named by a deterministic rule on their
centroids: each centroid is placed in a (recency goodness, frequency, monetary)
space of standardised units and matched to name prototypes by a minimum-cost
assignment (Hungarian algorithm). Cluster ids are finally renumbered in the
order of :data:`SEGMENT_NAMES`, so the same data give the same ids and names
on every retrain.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from analytics.features import RFM_COLUMNS

logger = logging.getLogger(__name__)

#: name -> prototype in standardised units of (recency goodness, frequency, monetary).
#: Recency goodness is minus the standardised log recency: recent buyers score high.
SEGMENT_PROTOTYPES: dict[str, tuple[float, float, float]] = {
    "Champions": (1.0, 1.6, 1.6),
    "Loyal": (0.5, 0.8, 0.7),
    "Promising": (0.9, -0.2, -0.1),
    "New": (1.3, -0.9, -0.6),
    "Needs attention": (0.0, 0.0, 0.0),
    "At risk": (-0.9, 0.5, 0.5),
    "About to sleep": (-0.5, -0.5, -0.5),
    "Hibernating": (-1.3, -0.9, -0.9),
}
SEGMENT_NAMES = list(SEGMENT_PROTOTYPES)


class RFMSegmenter(ClusterMixin, BaseEstimator):
    """K-means segmentation with silhouette-chosen k and deterministic names.

    Parameters
    ----------
    features: columns of the input used for clustering (default: RFM).
    k_range: (min_k, max_k) inclusive; a single k when both are equal.
    random_state: seed for k-means and the silhouette sample.
    n_init: k-means restarts per k.
    silhouette_sample: rows sampled for the silhouette (None: all rows).
    """

    def __init__(
        self,
        features: tuple[str, ...] = tuple(RFM_COLUMNS),
        k_range: tuple[int, int] = (3, 8),
        random_state: int = 0,
        n_init: int = 10,
        silhouette_sample: int | None = 5000,
    ) -> None:
        self.features = features
        self.k_range = k_range
        self.random_state = random_state
        self.n_init = n_init
        self.silhouette_sample = silhouette_sample

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        if not isinstance(X, pd.DataFrame):
            raise ValueError("RFMSegmenter expects a DataFrame of customer features")
        missing = [c for c in self.features if c not in X.columns]
        if missing:
            raise ValueError(f"feature table lacks columns: {missing}")
        values = X[list(self.features)].to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise ValueError("feature table contains NaN or infinite values")
        return np.log1p(np.clip(values, 0, None))

    def fit(self, X: pd.DataFrame, y: None = None) -> RFMSegmenter:
        """Choose k, cluster and name the clusters. ``X``: one row per customer."""
        logged = self._matrix(X)
        n = len(logged)
        k_min, k_max = self.k_range
        if n < 3:
            raise ValueError(f"need at least 3 customers to segment, got {n}")
        k_max = min(k_max, n - 1, len(SEGMENT_NAMES))
        k_min = min(k_min, k_max)
        self.scaler_ = StandardScaler().fit(logged)
        Z = self.scaler_.transform(logged)
        rng = np.random.RandomState(self.random_state)
        sample = None
        if self.silhouette_sample is not None and n > self.silhouette_sample:
            sample = np.sort(rng.choice(n, self.silhouette_sample, replace=False))
        self.silhouettes_: dict[int, float] = {}
        best = None
        for k in range(k_min, k_max + 1):
            km = KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state).fit(Z)
            if len(np.unique(km.labels_)) < 2:
                score = -1.0
            else:
                idx = sample if sample is not None else slice(None)
                score = float(silhouette_score(Z[idx], km.labels_[idx]))
            self.silhouettes_[k] = score
            logger.debug("k=%d silhouette=%.4f", k, score)
            if best is None or score > best[0] + 1e-12:
                best = (score, km)
        score, km = best
        self.n_clusters_ = km.n_clusters
        self.silhouette_ = score
        names = self._name_clusters(km.cluster_centers_)
        order = np.argsort([SEGMENT_NAMES.index(nm) for nm in names])
        self.cluster_centers_ = km.cluster_centers_[order]
        self.segment_names_ = [names[i] for i in order]
        self.kmeans_ = km
        self._remap = np.empty(len(order), dtype=int)
        self._remap[order] = np.arange(len(order))
        self.labels_ = self._remap[km.labels_]
        self.n_features_in_ = len(self.features)
        self.feature_names_in_ = np.asarray(self.features, dtype=object)
        return self

    def _name_clusters(self, centers: np.ndarray) -> list[str]:
        cols = list(self.features)
        coords = np.zeros((len(centers), 3))
        for j, (col, sign) in enumerate((("recency_days", -1.0), ("frequency", 1.0), ("monetary", 1.0))):
            if col in cols:
                coords[:, j] = sign * centers[:, cols.index(col)]
        protos = np.array(list(SEGMENT_PROTOTYPES.values()))
        cost = ((coords[:, None, :] - protos[None, :, :]) ** 2).sum(axis=2)
        rows, assigned = linear_sum_assignment(cost)
        names = [""] * len(centers)
        for r, c in zip(rows, assigned, strict=True):
            names[r] = SEGMENT_NAMES[c]
        return names

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Segment ids (0..k-1, in :data:`SEGMENT_NAMES` order) for new customers."""
        check_is_fitted(self, "kmeans_")
        Z = self.scaler_.transform(self._matrix(X))
        return self._remap[self.kmeans_.predict(Z)]

    def predict_names(self, X: pd.DataFrame) -> pd.Series:
        """Segment names indexed like ``X``."""
        ids = self.predict(X)
        return pd.Series([self.segment_names_[i] for i in ids], index=X.index, name="segment")

    def profile(self, X: pd.DataFrame) -> pd.DataFrame:
        """Size, share and median feature values per segment (columns of ``X``)."""
        check_is_fitted(self, "kmeans_")
        names = self.predict_names(X)
        numeric = X.select_dtypes("number")
        table = numeric.groupby(names).median().add_prefix("median_")
        table.insert(0, "share", names.value_counts(normalize=True))
        table.insert(0, "customers", names.value_counts())
        order = [n for n in self.segment_names_ if n in table.index]
        return table.loc[order]


def plot_segments(segmenter: RFMSegmenter, X: pd.DataFrame, path: str | Path, *, title: str = "") -> Path:
    """Write a 2-D PCA scatter of the scaled features coloured by segment to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA

    check_is_fitted(segmenter, "kmeans_")
    Z = segmenter.scaler_.transform(segmenter._matrix(X))
    ids = segmenter.predict(X)
    pca = PCA(n_components=2, random_state=segmenter.random_state).fit(Z)
    P = pca.transform(Z)
    fig, ax = plt.subplots(figsize=(8, 6), dpi=100)
    for i, name in enumerate(segmenter.segment_names_):
        mask = ids == i
        ax.scatter(P[mask, 0], P[mask, 1], s=6, alpha=0.5, label=f"{name} ({mask.sum()})")
    ax.set_xlabel(f"PC1 ({pca.explained_variance_ratio_[0]:.0%})")
    ax.set_ylabel(f"PC2 ({pca.explained_variance_ratio_[1]:.0%})")
    ax.set_title(title or f"Customer segments (k={segmenter.n_clusters_})")
    ax.legend(markerscale=3, fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
