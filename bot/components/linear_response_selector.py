"""A fast response selector for retrieval intents (``faq/...``, ``chitchat/...``).

It writes the same ``response_selector`` structure as Rasa's ResponseSelector, so
``utter_faq``-style retrieval actions and ``rasa test nlu`` work unchanged.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data import util
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_intent_classifier import (
    LinearModelMixin,
    check_common,
    common_defaults,
    has_content,
)

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearResponseSelector(LinearModelMixin, IntentClassifier, GraphComponent):
    """Picks the response key of a retrieval intent with softmax regression.

    With ``retrieval_intent: null`` one model covers every retrieval intent and its
    output goes under the ``default`` key; with ``retrieval_intent: faq`` the model
    only learns ``faq/...`` keys and answers under ``faq``.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**common_defaults(), "ranking_length": 10, "retrieval_intent": None}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        check_common(cls.__name__, config, cls.get_default_config())
        value = config.get("retrieval_intent")
        if value is not None and (not isinstance(value, str) or "/" in value):
            raise InvalidConfigException(
                f"{cls.__name__}: 'retrieval_intent' must be an intent name such as "
                f"'faq' (or null for all retrieval intents), got {value!r}."
            )

    @staticmethod
    def _initial_extra_meta() -> dict[str, Any]:
        return {"responses": {}, "all_retrieval_intents": []}

    @property
    def _selector_key(self) -> str:
        return self._config["retrieval_intent"] or RESPONSE_SELECTOR_DEFAULT_INTENT

    def train(self, training_data: TrainingData) -> Resource:
        wanted = self._config["retrieval_intent"]
        examples = [
            e
            for e in training_data.intent_examples
            if e.get(INTENT_RESPONSE_KEY) and has_content(e) and (wanted is None or e.get(INTENT) == wanted)
        ]
        self._extra_meta = {
            "responses": dict(training_data.responses),
            "all_retrieval_intents": sorted(training_data.retrieval_intents),
        }
        if not examples:
            logger.warning(
                "%s: no examples of retrieval intent %s; nothing to train.",
                type(self).__name__,
                wanted or "(any)",
            )
        else:
            self._fit(examples, [e.get(INTENT_RESPONSE_KEY) for e in examples])
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        scored = [m for m in messages if has_content(m)]
        if not scored:
            return messages
        probs = self._probabilities(scored)
        responses: dict[str, list] = self._extra_meta["responses"]
        for message, row in zip(scored, probs, strict=False):
            ranking = self._ranking(row)
            key, confidence = ranking[0]
            utter_action = util.intent_response_key_to_template_key(key)
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: responses.get(utter_action) or [{"text": key}],
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {
                        "id": zlib.crc32(name.encode("utf-8")),
                        PREDICTED_CONFIDENCE_KEY: conf,
                        INTENT_RESPONSE_KEY: name,
                    }
                    for name, conf in ranking
                ],
            }
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self._extra_meta["all_retrieval_intents"]
            properties[self._selector_key] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages
