"""Close calls between two intents become `nlu_ambiguous`, a signal of its own.

`FallbackClassifier` turns a low confidence into `nlu_fallback` (which the help-centre
search answers). When the top two intents are nearly tied, though, the customer said
something we understood in two ways: asking "did you mean A or B?" beats searching. This
component runs after `FallbackClassifier` (set its `ambiguity_threshold` to 0 so the tie
reaches us), leaves its fallbacks alone, and predicts `nlu_ambiguous` when the margin
between the top two is below `ambiguity_threshold` and both may be offered as a button.
The two stay next in the intent ranking (the clarification action reads them from there)
and under `ambiguous_between` in the intent itself.

A tie that involves an intent that cannot be a button (retrieval intents such as `faq`,
whose answer needs the response selector; bare dialogue acts such as `affirm`) becomes
`nlu_fallback`, exactly as the `FallbackClassifier`'s own ambiguity check would have done.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.components.config_check import check_number, check_options

logger = logging.getLogger(__name__)

AMBIGUOUS_INTENT = "nlu_ambiguous"
AMBIGUOUS_BETWEEN_KEY = "ambiguous_between"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AmbiguityClassifier(GraphComponent):
    """Predicts `nlu_ambiguous` when the top two intents are within a margin."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [FallbackClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Largest gap between the top two confidences that still counts as a tie
            # (tuned on our own data by bench/nlu/threshold.py, never on the blind set).
            "ambiguity_threshold": 0.1,
            # Intents that are never offered as a button: a tie with one of them falls back.
            "excluded_intents": [],
            # What a tie with an excluded intent becomes: "fallback" (nlu_fallback, as
            # FallbackClassifier's own ambiguity check) or "top" (keep the top intent).
            "excluded_tie": "fallback",
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        check_options(cls.__name__, config, cls.get_default_config())
        check_number(cls.__name__, config, "ambiguity_threshold", 0.0, 1.0)
        excluded = config["excluded_intents"]
        if not isinstance(excluded, list) or not all(isinstance(i, str) for i in excluded):
            raise InvalidConfigException(f"{cls.__name__}: 'excluded_intents' must be a list of intent names.")
        if config["excluded_tie"] not in ("fallback", "top"):
            raise InvalidConfigException(
                f"{cls.__name__}: 'excluded_tie' must be 'fallback' or 'top', got {config['excluded_tie']!r}."
            )

    def __init__(self, config: dict[str, Any]) -> None:
        self.validate_config(config)
        self._margin = float(config["ambiguity_threshold"])
        self._excluded = set(config["excluded_intents"]) | {DEFAULT_NLU_FALLBACK_INTENT_NAME, AMBIGUOUS_INTENT}
        self._excluded_tie = config["excluded_tie"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AmbiguityClassifier:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            ranking = message.get(INTENT_RANKING_KEY) or []
            if intent.get(INTENT_NAME_KEY) in (None, DEFAULT_NLU_FALLBACK_INTENT_NAME) or len(ranking) < 2:
                continue
            first, second = ranking[0], ranking[1]
            gap = first[PREDICTED_CONFIDENCE_KEY] - second[PREDICTED_CONFIDENCE_KEY]
            if gap >= self._margin:
                continue
            names = [first[INTENT_NAME_KEY], second[INTENT_NAME_KEY]]
            confidence = first[PREDICTED_CONFIDENCE_KEY]
            if not self._excluded.intersection(names):
                new = {INTENT_NAME_KEY: AMBIGUOUS_INTENT, PREDICTED_CONFIDENCE_KEY: confidence}
                logger.debug("%s and %s are %.3f apart: %s", *names, gap, AMBIGUOUS_INTENT)
            elif self._excluded_tie == "fallback":
                new = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: confidence}
            else:
                continue
            message.set(INTENT, {**new, AMBIGUOUS_BETWEEN_KEY: names}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [dict(new), *ranking], add_to_output=True)
        return messages
