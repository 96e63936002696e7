"""Features and a softmax (multinomial logistic) regression shared by our classifiers.

A message becomes two blocks: the TF-IDF-weighted sparse sentence features of
Rasa's featurizers (e.g. CountVectorsFeaturizer word and char_wb n-grams), and the
L2-normalised dense sentence features (MiniLM). The blocks are kept apart so that
the dense block is multiplied by BLAS (fast on many cores) and the sparse block by
scipy; sklearn's LogisticRegression would turn everything into one sparse matrix
and spend most of its time on the dense columns.

The model is stored as plain numpy arrays (no pickle).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.optimize import minimize

logger = logging.getLogger(__name__)


@dataclass
class Features:
    """Sparse and dense blocks of a design matrix (either may have 0 columns)."""

    sparse: sp.csr_matrix
    dense: np.ndarray

    @property
    def n_rows(self) -> int:
        return self.dense.shape[0]


def _sentence_row(feature: object | None) -> object | None:
    if feature is None:
        return None
    return feature.features  # type: ignore[attr-defined]


_CACHE_ATTRIBUTE = "_concierge_sentence_features"


def _sentence_features(message: Message, featurizers: list[str] | None) -> tuple[object | None, object | None]:
    """The message's sparse and dense sentence features, combined across featurizers.

    Rasa combines them anew (a scipy hstack) on every call; the intent classifier and
    both response selectors ask for the same ones, so they are kept on the message,
    keyed by the featurizers and by how many features the message has (a featurizer
    that runs later invalidates the entry).
    """
    key = (tuple(featurizers) if featurizers else None, len(message.features))
    cache = message.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    if key not in cache:
        cache[key] = (
            _sentence_row(message.get_sparse_features(TEXT, featurizers)[1]),
            _sentence_row(message.get_dense_features(TEXT, featurizers)[1]),
        )
    return cache[key]


class FeatureAssembler:
    """Collects sentence features of messages; learns IDF weights on training data."""

    def __init__(
        self,
        featurizers: list[str] | None = None,
        dense_weight: float = 1.0,
        use_sparse: bool = True,
        use_dense: bool = True,
    ) -> None:
        self.featurizers = featurizers or None
        self.dense_weight = dense_weight
        self.use_sparse = use_sparse
        self.use_dense = use_dense
        self.sparse_dim_ = 0
        self.dense_dim_ = 0
        self.idf_: np.ndarray = np.zeros(0, dtype=np.float32)

    def _raw(self, messages: list[Message]) -> tuple[list, list]:
        sparse_rows, dense_rows = [], []
        for message in messages:
            sparse, dense = _sentence_features(message, self.featurizers)
            sparse_rows.append(sparse if self.use_sparse else None)
            dense_rows.append(dense if self.use_dense else None)
        return sparse_rows, dense_rows

    def _stack(self, sparse_rows: list, dense_rows: list) -> Features:
        n = len(sparse_rows)
        blocks = []
        for row in sparse_rows:
            if row is None or row.shape[-1] != self.sparse_dim_:
                if row is not None:
                    logger.warning(
                        "Sparse features have %s columns, the model expects %s; ignoring them for this message.",
                        row.shape[-1],
                        self.sparse_dim_,
                    )
                row = sp.csr_matrix((1, self.sparse_dim_), dtype=np.float32)
            blocks.append(sp.csr_matrix(row, dtype=np.float32))
        if len(blocks) == 1:
            sparse = blocks[0].copy()
        elif blocks:
            sparse = sp.vstack(blocks, format="csr")
        else:
            sparse = sp.csr_matrix((0, self.sparse_dim_), dtype=np.float32)
        dense = np.zeros((n, self.dense_dim_), dtype=np.float32)
        for i, row in enumerate(dense_rows):
            if row is not None and row.shape[-1] == self.dense_dim_:
                dense[i] = np.asarray(row, dtype=np.float32).reshape(-1)
        # Sublinear TF-IDF, then L2 per row (sklearn's TfidfTransformer recipe), on the
        # stored values only: a message at a time costs microseconds, not scipy's
        # element-wise products over every column.
        if sparse.nnz:
            sparse.sum_duplicates()
            rows = np.repeat(np.arange(n), np.diff(sparse.indptr))
            data = (1.0 + np.log(np.maximum(sparse.data, 1e-12))) * self.idf_[sparse.indices]
            norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n))
            sparse.data = (data / np.maximum(norms, 1e-12)[rows]).astype(np.float32)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        dense = dense / np.maximum(norms, 1e-12) * self.dense_weight
        return Features(sparse, dense.astype(np.float32))

    def fit_transform(self, messages: list[Message]) -> Features:
        sparse_rows, dense_rows = self._raw(messages)
        self.sparse_dim_ = next((r.shape[-1] for r in sparse_rows if r is not None), 0)
        self.dense_dim_ = next((r.shape[-1] for r in dense_rows if r is not None), 0)
        self.idf_ = np.ones(self.sparse_dim_, dtype=np.float32)
        if self.sparse_dim_:
            present = [r for r in sparse_rows if r is not None and r.shape[-1] == self.sparse_dim_]
            df = np.zeros(self.sparse_dim_)
            for row in present:
                df[sp.csr_matrix(row).indices] += 1
            n = len(present)
            self.idf_ = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        return self._stack(sparse_rows, dense_rows)

    def transform(self, messages: list[Message]) -> Features:
        return self._stack(*self._raw(messages))

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"idf": self.idf_}

    def meta(self) -> dict:
        return {
            "featurizers": self.featurizers,
            "dense_weight": self.dense_weight,
            "use_sparse": self.use_sparse,
            "use_dense": self.use_dense,
            "sparse_dim": self.sparse_dim_,
            "dense_dim": self.dense_dim_,
        }

    @classmethod
    def from_saved(cls, meta: dict, arrays: dict[str, np.ndarray]) -> FeatureAssembler:
        assembler = cls(meta["featurizers"], meta["dense_weight"], meta["use_sparse"], meta["use_dense"])
        assembler.sparse_dim_ = int(meta["sparse_dim"])
        assembler.dense_dim_ = int(meta["dense_dim"])
        assembler.idf_ = np.asarray(arrays["idf"], dtype=np.float32)
        return assembler


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


class SoftmaxRegression:
    """L2-regularised multinomial logistic regression fitted with L-BFGS.

    Minimises ``sum_i w_i * CE_i / sum_i w_i + ||W||^2 / (2 * C * n)``, which is
    sklearn's ``LogisticRegression(C=C)`` objective divided by ``n``. Probabilities
    come from the softmax of ``X @ W + b`` divided by ``temperature`` (1 unless set).
    """

    def __init__(
        self,
        C: float = 10.0,
        max_iter: int = 300,
        tol: float = 1e-5,
        class_weight: str | None = "balanced",
    ) -> None:
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.classes_: list[str] = []
        self.coef_sparse_ = np.zeros((0, 0), dtype=np.float32)
        self.coef_dense_ = np.zeros((0, 0), dtype=np.float32)
        self.intercept_ = np.zeros(0, dtype=np.float32)
        self.temperature_ = 1.0
        self.n_iter_ = 0

    def fit(self, X: Features, y: list[str]) -> SoftmaxRegression:
        classes, y_idx = np.unique(np.asarray(y, dtype=object), return_inverse=True)
        self.classes_ = [str(c) for c in classes]
        n, k = X.n_rows, len(classes)
        ds, dd = X.sparse.shape[1], X.dense.shape[1]
        if k == 1:
            # A single intent: always predict it.
            self.coef_sparse_ = np.zeros((ds, 1), dtype=np.float32)
            self.coef_dense_ = np.zeros((dd, 1), dtype=np.float32)
            self.intercept_ = np.zeros(1, dtype=np.float32)
            return self
        counts = np.bincount(y_idx, minlength=k).astype(np.float64)
        weights = (n / (k * counts))[y_idx] if self.class_weight == "balanced" else np.ones(n)
        weights = (weights / weights.sum()).astype(np.float32)[:, np.newaxis]
        Y = np.zeros((n, k), dtype=np.float32)
        Y[np.arange(n), y_idx] = 1.0
        Xs, Xd = X.sparse, X.dense
        XsT = Xs.T.tocsr()
        alpha = 1.0 / (self.C * n)
        n_params = (ds + dd + 1) * k

        def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            w = theta.astype(np.float32)
            ws = w[: ds * k].reshape(ds, k)
            wd = w[ds * k : (ds + dd) * k].reshape(dd, k)
            return ws, wd, w[(ds + dd) * k :]

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            ws, wd, b = unpack(theta)
            z = Xd @ wd + b
            if ds:
                z += Xs @ ws
            z -= z.max(axis=1, keepdims=True)
            log_norm = np.log(np.exp(z).sum(axis=1, keepdims=True))
            log_p = z - log_norm
            loss = -float((weights * Y * log_p).sum())
            G = (np.exp(log_p) - Y) * weights
            grad_s = (XsT @ G).ravel() if ds else np.zeros(0, dtype=np.float32)
            grad_d = (Xd.T @ G).ravel()
            grad_b = G.sum(axis=0)
            w_all = theta[: (ds + dd) * k]
            loss += 0.5 * alpha * float(w_all @ w_all)
            grad = np.concatenate([grad_s, grad_d, grad_b]).astype(np.float64)
            grad[: (ds + dd) * k] += alpha * w_all
            return loss, grad

        result = minimize(
            objective,
            np.zeros(n_params),
            jac=True,
            method="L-BFGS-B",
            # maxcor 10 (not 20): L-BFGS keeps 2 x maxcor vectors of all parameters; 10 halves that memory.
            options={"maxiter": self.max_iter, "gtol": self.tol, "maxcor": 10},
        )
        self.n_iter_ = int(result.nit)
        if not result.success:
            logger.debug("L-BFGS stopped after %s iterations: %s", result.nit, result.message)
        ws, wd, b = unpack(result.x)
        self.coef_sparse_, self.coef_dense_, self.intercept_ = ws, wd, b
        return self

    def decision_function(self, X: Features) -> np.ndarray:
        z = X.dense @ self.coef_dense_ + self.intercept_
        if X.sparse.shape[1]:
            z = z + X.sparse @ self.coef_sparse_
        return np.asarray(z, dtype=np.float64)

    def predict_proba(self, X: Features) -> np.ndarray:
        return _softmax(self.decision_function(X) / self.temperature_)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "coef_sparse": self.coef_sparse_,
            "coef_dense": self.coef_dense_,
            "intercept": self.intercept_,
        }

    def meta(self) -> dict:
        return {
            "classes": self.classes_,
            "temperature": self.temperature_,
            "C": self.C,
            "n_iter": self.n_iter_,
        }

    @classmethod
    def from_saved(cls, meta: dict, arrays: dict[str, np.ndarray]) -> SoftmaxRegression:
        model = cls(C=float(meta["C"]))
        model.classes_ = list(meta["classes"])
        model.temperature_ = float(meta["temperature"])
        model.n_iter_ = int(meta.get("n_iter", 0))
        model.coef_sparse_ = np.asarray(arrays["coef_sparse"], dtype=np.float32)
        model.coef_dense_ = np.asarray(arrays["coef_dense"], dtype=np.float32)
        model.intercept_ = np.asarray(arrays["intercept"], dtype=np.float32)
        return model
