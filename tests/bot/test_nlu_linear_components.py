"""LinearIntentClassifier and LinearResponseSelector on the tiny data set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from nlu_helpers import EDGE_TEXTS, Featurized, make_context, make_storage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY

from bot.components.linear_intent_classifier import LinearIntentClassifier
from bot.components.linear_response_selector import LinearResponseSelector

QUERIES = ["hello", "refund order D10001 please", "what are your opening hours", "is delivery free"]


def train_classifier(featurized: Featurized, path: Path, **config) -> LinearIntentClassifier:
    storage = make_storage(path)
    classifier = LinearIntentClassifier.create(
        {**LinearIntentClassifier.get_default_config(), **config},
        storage,
        Resource("intent"),
        make_context("intent"),
    )
    classifier.train(featurized.training_data)
    return classifier


def load_classifier(path: Path, **config) -> LinearIntentClassifier:
    return LinearIntentClassifier.load(
        {**LinearIntentClassifier.get_default_config(), **config},
        make_storage(path),
        Resource("intent"),
        make_context("intent"),
    )


@pytest.fixture(scope="module")
def trained(featurized: Featurized, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("intent")
    return train_classifier(featurized, path), path


def known_intents(featurized: Featurized) -> set[str]:
    return {e.get(INTENT) for e in featurized.training_data.intent_examples}


def test_fits_its_training_data(featurized: Featurized, trained) -> None:
    classifier, _ = trained
    examples = featurized.training_data.intent_examples
    messages = featurized.process([e.get("text") for e in examples])
    classifier.process(messages)
    hits = [m.get(INTENT)["name"] == e.get(INTENT) for m, e in zip(messages, examples, strict=False)]
    assert np.mean(hits) >= 0.9


def test_ranking_is_full_sorted_and_a_distribution(featurized: Featurized, trained) -> None:
    classifier, _ = trained
    messages = featurized.process(QUERIES)
    classifier.process(messages)
    for message in messages:
        ranking = message.get("intent_ranking")
        confidences = [r["confidence"] for r in ranking]
        assert {r["name"] for r in ranking} == known_intents(featurized)
        assert confidences == sorted(confidences, reverse=True)
        assert np.isclose(sum(confidences), 1.0, atol=1e-4)
        assert message.get(INTENT) == {
            "name": ranking[0]["name"],
            "confidence": ranking[0]["confidence"],
        }


def test_persistence_round_trip(featurized: Featurized, trained) -> None:
    classifier, path = trained
    reloaded = load_classifier(path)
    texts = [*QUERIES, EDGE_TEXTS["non_latin"], EDGE_TEXTS["emoji"], EDGE_TEXTS["long"]]
    before = featurized.process(texts)
    after = featurized.process(texts)
    classifier.process(before)
    reloaded.process(after)
    for a, b in zip(before, after, strict=False):
        assert a.get(INTENT)["name"] == b.get(INTENT)["name"]
        np.testing.assert_allclose(
            [r["confidence"] for r in a.get("intent_ranking")],
            [r["confidence"] for r in b.get("intent_ranking")],
            atol=1e-6,
        )


@pytest.mark.parametrize("kind", ["empty", "whitespace"])
def test_blank_message_gets_no_intent(featurized: Featurized, trained, kind: str) -> None:
    classifier, _ = trained
    (message,) = featurized.process([EDGE_TEXTS[kind]])
    classifier.process([message])
    assert message.get(INTENT) == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []


@pytest.mark.parametrize("kind", ["long", "non_latin", "emoji"])
def test_unusual_text_gets_a_valid_intent(featurized: Featurized, trained, kind: str) -> None:
    classifier, _ = trained
    (message,) = featurized.process([EDGE_TEXTS[kind]])
    classifier.process([message])
    intent = message.get(INTENT)
    assert intent["name"] in known_intents(featurized)
    assert 0.0 < intent["confidence"] <= 1.0


def test_message_without_any_features(trained) -> None:
    from rasa.shared.nlu.training_data.message import Message

    classifier, _ = trained
    message = Message.build(text="no featurizer ran on this message")
    classifier.process([message])
    ranking = message.get("intent_ranking")
    assert np.isclose(sum(r["confidence"] for r in ranking), 1.0, atol=1e-4)


def test_ranking_length_and_temperature(featurized: Featurized, tmp_path: Path) -> None:
    sharp = train_classifier(featurized, tmp_path, ranking_length=3)
    soft = load_classifier(tmp_path, ranking_length=3)
    soft._model.temperature_ = 3.0  # softer distribution, same argmax
    a, b = featurized.process(["hello"]), featurized.process(["hello"])
    sharp.process(a)
    soft.process(b)
    assert len(a[0].get("intent_ranking")) == 3
    assert a[0].get(INTENT)["name"] == b[0].get(INTENT)["name"]
    assert a[0].get(INTENT)["confidence"] > b[0].get(INTENT)["confidence"]


def test_untrained_classifier_returns_no_intent(featurized: Featurized, tmp_path: Path) -> None:
    from rasa.shared.nlu.training_data.training_data import TrainingData

    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(),
        make_storage(tmp_path),
        Resource("intent"),
        make_context("intent"),
    )
    classifier.train(TrainingData())
    messages = featurized.process(["hello"])
    load_classifier(tmp_path).process(messages)
    assert messages[0].get(INTENT) == {"name": None, "confidence": 0.0}


@pytest.mark.parametrize(
    "override, fragment",
    [
        ({"c": 1.0}, "unknown option"),
        ({"C": -1}, "'C' must be a number"),
        ({"class_weight": "auto"}, "'class_weight' must be 'balanced' or null"),
        ({"use_sparse_features": False, "use_dense_features": False}, "at least one"),
        ({"ranking_length": 2.5}, "'ranking_length' must be an integer"),
    ],
)
def test_bad_classifier_config(override: dict, fragment: str) -> None:
    config = {**LinearIntentClassifier.get_default_config(), **override}
    with pytest.raises(InvalidConfigException, match=fragment):
        LinearIntentClassifier.validate_config(config)


def test_bad_selector_config() -> None:
    config = {**LinearResponseSelector.get_default_config(), "retrieval_intent": "faq/x"}
    with pytest.raises(InvalidConfigException, match="'retrieval_intent' must be"):
        LinearResponseSelector.validate_config(config)


def make_selector(path: Path, constructor: str) -> LinearResponseSelector:
    build = getattr(LinearResponseSelector, constructor)
    return build(
        {**LinearResponseSelector.get_default_config(), "retrieval_intent": "faq"},
        make_storage(path),
        Resource("selector"),
        make_context("selector"),
    )


def test_response_selector_output_and_round_trip(featurized: Featurized, tmp_path: Path) -> None:
    selector = make_selector(tmp_path, "create")
    selector.train(featurized.training_data)
    reloaded = make_selector(tmp_path, "load")
    texts = ["when do you open", "how much is postage", "", EDGE_TEXTS["emoji"]]
    before, after = featurized.process(texts), featurized.process(texts)
    selector.process(before)
    reloaded.process(after)
    faq_keys = {e.get(INTENT_RESPONSE_KEY) for e in featurized.training_data.intent_examples if e.get(INTENT) == "faq"}
    for a, b in zip(before, after, strict=False):
        assert a.get(RESPONSE_SELECTOR_PROPERTY_NAME) == b.get(RESPONSE_SELECTOR_PROPERTY_NAME)
    assert before[2].get(RESPONSE_SELECTOR_PROPERTY_NAME) is None  # blank text
    for message in (before[0], before[1], before[3]):
        selected = message.get(RESPONSE_SELECTOR_PROPERTY_NAME)
        assert selected["all_retrieval_intents"] == ["faq"]
        response = selected["faq"]["response"]
        assert response["intent_response_key"] in faq_keys
        assert response["utter_action"] == "utter_" + response["intent_response_key"]
        assert response["responses"] == featurized.training_data.responses[response["utter_action"]]
        ranking = selected["faq"]["ranking"]
        assert {r["intent_response_key"] for r in ranking} == faq_keys
        assert np.isclose(sum(r["confidence"] for r in ranking), 1.0, atol=1e-4)
