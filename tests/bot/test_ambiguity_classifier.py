"""AmbiguityClassifier: near ties become nlu_ambiguous, low confidence stays nlu_fallback."""

from __future__ import annotations

import pytest
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.ambiguity_classifier import AmbiguityClassifier


def classifier(**config) -> AmbiguityClassifier:
    return AmbiguityClassifier({**AmbiguityClassifier.get_default_config(), "excluded_intents": ["faq"], **config})


def message(*ranking: tuple[str, float]) -> Message:
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={TEXT: "x", INTENT: dict(ranked[0]), INTENT_RANKING_KEY: ranked})


def classify(component: AmbiguityClassifier, *ranking: tuple[str, float]) -> Message:
    (processed,) = component.process([message(*ranking)])
    return processed


def test_a_near_tie_between_two_task_intents_is_ambiguous_and_keeps_both_next():
    result = classify(classifier(), ("request_refund", 0.45), ("refund_status", 0.40), ("get_invoice", 0.15))
    assert result.get(INTENT)["name"] == "nlu_ambiguous"
    assert result.get(INTENT)["ambiguous_between"] == ["request_refund", "refund_status"]
    assert [r["name"] for r in result.get(INTENT_RANKING_KEY)][:3] == [
        "nlu_ambiguous",
        "request_refund",
        "refund_status",
    ]
    assert result.get(INTENT)["confidence"] == pytest.approx(0.45)


def test_a_clear_winner_is_left_alone():
    result = classify(classifier(), ("request_refund", 0.60), ("refund_status", 0.49))
    assert result.get(INTENT)["name"] == "request_refund"
    assert len(result.get(INTENT_RANKING_KEY)) == 2


def test_the_fallback_classifier_s_low_confidence_is_left_alone():
    result = classify(classifier(), ("nlu_fallback", 0.3), ("order_status", 0.2), ("delivery_time", 0.19))
    assert result.get(INTENT)["name"] == "nlu_fallback"
    assert [r["name"] for r in result.get(INTENT_RANKING_KEY)] == ["nlu_fallback", "order_status", "delivery_time"]


def test_a_tie_with_an_excluded_intent_falls_back_or_keeps_the_top_as_configured():
    tie = (("faq", 0.42), ("order_status", 0.40))
    assert classify(classifier(), *tie).get(INTENT)["name"] == "nlu_fallback"
    assert classify(classifier(excluded_tie="top"), *tie).get(INTENT)["name"] == "faq"


def test_the_margin_is_configurable():
    ranking = (("cancel_order", 0.50), ("change_order", 0.30))
    assert classify(classifier(ambiguity_threshold=0.25), *ranking).get(INTENT)["name"] == "nlu_ambiguous"
    assert classify(classifier(ambiguity_threshold=0.0), *ranking).get(INTENT)["name"] == "cancel_order"


def test_a_message_without_an_intent_is_left_alone():
    empty = Message(data={TEXT: "", INTENT: {"name": None, "confidence": 0.0}, INTENT_RANKING_KEY: []})
    (processed,) = classifier().process([empty])
    assert processed.get(INTENT)["name"] is None


@pytest.mark.parametrize(
    "bad",
    [{"ambiguity_threshold": 1.5}, {"excluded_intents": "faq"}, {"excluded_tie": "maybe"}, {"margin": 0.1}],
)
def test_bad_options_are_refused(bad):
    with pytest.raises(InvalidConfigException):
        AmbiguityClassifier({**AmbiguityClassifier.get_default_config(), **bad})
