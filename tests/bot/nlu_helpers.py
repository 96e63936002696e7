"""Test helpers for the custom Rasa NLU components: a tiny data set and featurisation."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rasa.engine.graph import (
    ExecutionContext,
    GraphSchema,
)
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.minilm_featurizer import MiniLMFeaturizer

# Written for these tests; deliberately small so that training takes seconds.
NLU_YAML = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hi
    - hello there
    - good morning
    - hey, anyone around?
    - hello, I need some help
    - hiya
- intent: goodbye
  examples: |
    - bye
    - see you later
    - that's all, thanks, goodbye
    - talk to you soon
    - have a nice day, bye
    - cheers, I'm done
- intent: track_order
  examples: |
    - where is my order [A12345](order_id)?
    - has order [B99881](order_id) shipped yet
    - track my parcel please
    - when will my package arrive
    - status of order [C55512](order_id)
    - my delivery is late, where is it
    - I want to know where my [laptop](product) is
- intent: request_refund
  examples: |
    - I want my money back
    - please refund order [D10001](order_id)
    - how do I get a refund for the [headphones](product)
    - the [blender](product) broke, refund me
    - can I return this and be refunded
    - refund my payment please
- intent: out_of_scope
  examples: |
    - what is the capital of peru
    - write me a poem about the sea
    - how tall is mount everest
    - who won the football match yesterday
    - tell me the meaning of life
    - can you fly a plane
- intent: faq/opening_hours
  examples: |
    - when are you open
    - what are your opening hours
    - are you open on sundays
    - what time do you close today
- intent: faq/shipping_cost
  examples: |
    - how much is shipping
    - is delivery free
    - what does postage cost
    - do you charge for shipping abroad
- regex: order_id
  examples: |
    - \\b[A-Z][0-9]{5}\\b
- lookup: product
  examples: |
    - laptop
    - headphones
    - blender
    - phone charger
"""

RESPONSES_YAML = """
version: "3.1"
responses:
  utter_faq/opening_hours:
  - text: We are open 9:00 to 17:00, Monday to Saturday.
  utter_faq/shipping_cost:
  - text: Shipping is free above 50 euros, otherwise 4.90.
"""

EDGE_TEXTS = {
    "empty": "",
    "whitespace": "   ",
    "long": ("where is my order " * 300)[:5000],
    "non_latin": "Где мой заказ? 我的订单在哪里？ طلبي أين",
    "emoji": "📦❓ 🙂🙂",
}


@dataclass
class Featurized:
    """Tokenizer + sparse featurizers + MiniLM, trained on the tiny data set."""

    components: list[Any]
    training_data: TrainingData

    def process(self, texts: list[str]) -> list[Message]:
        messages = [Message.build(text=t) for t in texts]
        for component in self.components:
            component.process(messages)
        return messages


def make_storage(path: Path) -> LocalModelStorage:
    return LocalModelStorage(path)


def make_context(node_name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=node_name)


def load_training_data() -> TrainingData:
    data = RasaYAMLReader().reads(NLU_YAML)
    responses = RasaYAMLReader().reads(RESPONSES_YAML)
    return data.merge(responses)


def dense_sentence(message: Message) -> np.ndarray:
    """The message's dense sentence feature vector (1-D)."""
    _, sentence = message.get_dense_features(TEXT)
    assert sentence is not None, "message has no dense sentence features"
    return np.asarray(sentence.features).reshape(-1)


def build_featurized(storage_path: Path) -> Featurized:
    storage = make_storage(storage_path)
    training_data = load_training_data()
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process_training_data(training_data)
    components: list[Any] = [tokenizer]
    for name, extra in [
        ("cvf_word", {}),
        ("cvf_char", {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}),
    ]:
        config = {**CountVectorsFeaturizer.get_default_config(), **extra}
        cvf = CountVectorsFeaturizer.create(config, storage, Resource(name), make_context(name))
        cvf.train(training_data)
        cvf.process_training_data(training_data)
        components.append(cvf)
    minilm = MiniLMFeaturizer.create(
        {**MiniLMFeaturizer.get_default_config(), "show_progress": False},
        storage,
        Resource("minilm"),
        make_context("minilm"),
    )
    minilm.process_training_data(training_data)
    components.append(minilm)
    return Featurized(components, training_data)
