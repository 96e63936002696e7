"""What our dense sentence featurizers share: Rasa's create/load, the attributes they read,
and an in-memory cache of recent texts while serving. Subclasses only encode."""

from __future__ import annotations

import abc
from collections import OrderedDict
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import ACTION_TEXT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# Attributes the featurizers read. RESPONSE is left out: our response selector classifies
# the user text, it never embeds the responses themselves.
ATTRIBUTES = (TEXT, ACTION_TEXT)
MAX_REMEMBERED_CHARS = 200


class SentenceFeaturizer(DenseFeaturizer, GraphComponent, abc.ABC):
    """One L2-normalised sentence vector per message (zeros for an empty text).

    While serving, vectors of recent texts up to 200 characters ("hi", "yes", "thanks, bye")
    are kept in memory (`runtime_cache_size`; 0 turns it off): an encoding costs
    milliseconds of CPU, a hit microseconds.
    """

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._remembered: OrderedDict[str, np.ndarray] = OrderedDict()

    @abc.abstractmethod
    def _encode(self, texts: list[str], show_progress: bool) -> np.ndarray:
        """One row per text."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceFeaturizer:
        featurizer = cls(config, execution_context.node_name)
        # Load the encoder now, so the first user message is not slow.
        featurizer._encode(["warm up"], show_progress=False)
        return featurizer

    def _encode_remembered(self, texts: list[str]) -> np.ndarray:
        """`_encode` through the in-memory cache of recent texts (serving only)."""
        size = self._config["runtime_cache_size"]
        cacheable = [len(t) <= MAX_REMEMBERED_CHARS for t in texts]
        missing = list(
            dict.fromkeys(t for t, ok in zip(texts, cacheable, strict=True) if not ok or t not in self._remembered)
        )
        fresh = dict(zip(missing, self._encode(missing, show_progress=False), strict=True)) if missing else {}
        vectors = []
        for text, ok in zip(texts, cacheable, strict=True):
            if text in fresh:
                vector = fresh[text]
                if ok:
                    vector.setflags(write=False)  # shared by later messages: never changed in place
                    self._remembered[text] = vector
            else:
                vector = self._remembered[text]
                self._remembered.move_to_end(text)
            vectors.append(vector)
        while len(self._remembered) > size:
            self._remembered.popitem(last=False)
        return np.stack(vectors)

    def _featurize(self, messages: list[Message], show_progress: bool, serving: bool = False) -> None:
        for attribute in ATTRIBUTES:
            todo = [m for m in messages if isinstance(m.get(attribute), str)]
            if attribute != TEXT:
                todo = [m for m in todo if m.get(attribute)]
            if not todo:
                continue
            texts = [m.get(attribute) for m in todo]
            if serving and self._config["runtime_cache_size"]:
                vectors = self._encode_remembered(texts)
            else:
                vectors = self._encode(texts, show_progress)
            for message, vector in zip(todo, vectors, strict=True):
                self.add_features_to_message(
                    sequence=None, sentence=vector[np.newaxis, :], attribute=attribute, message=message
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples, bool(self._config.get("show_progress")))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages, show_progress=False, serving=True)
        return messages
