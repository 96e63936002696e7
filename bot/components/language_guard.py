"""Messages in a language the assistant does not answer in yet get the intent `unsupported_language`.

Placed last in the pipeline: when `lingua-language-detector` (its models are compiled into the
wheel; nothing is downloaded at run time) is confident that a long-enough message is in one of a
few other languages, the message's intent becomes `unsupported_language` and the bot answers in
English, saying so and offering a colleague. Only a handful of languages are compared, for speed,
and short or mixed messages ("ok", "merci", an order number) are left to the classifier.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.config_check import check_number, check_options

logger = logging.getLogger(__name__)

INTENT_NAME = "unsupported_language"
# Compared with English: the languages our customers most often write in instead.
OTHER_LANGUAGES = ("GERMAN", "FRENCH", "SPANISH", "ITALIAN", "DUTCH", "PORTUGUESE", "POLISH", "CHINESE", "JAPANESE")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_WORDS = re.compile(r"[a-z]+")  # "what's" -> "what", "s"
# Low-accuracy mode mistakes short English for German or Dutch ("ok I'll check my orders later,
# bye": German 0.99). Two of these common English words in a message keep it English.
ENGLISH_WORDS = frozenset(
    [
        "i",
        "i'll",
        "i'm",
        "i'd",
        "my",
        "me",
        "you",
        "your",
        "the",
        "a",
        "an",
        "is",
        "are",
        "was",
        "it",
        "it's",
        "and",
        "or",
        "but",
        "to",
        "of",
        "for",
        "in",
        "on",
        "with",
        "at",
        "this",
        "that",
        "what",
        "where",
        "when",
        "how",
        "why",
        "can",
        "could",
        "would",
        "will",
        "please",
        "thanks",
        "thank",
        "bye",
        "later",
        "order",
        "orders",
        "check",
        "just",
        "ok",
        "not",
        "no",
        "yes",
        "do",
        "does",
        "did",
        "have",
        "has",
        "get",
    ]
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_detector: Any = None


def detector() -> Any:
    """One detector per process, built when the component is created or loaded."""
    global _detector
    if _detector is None:
        from lingua import Language, LanguageDetectorBuilder

        languages = [Language.ENGLISH, *(getattr(Language, name) for name in OTHER_LANGUAGES)]
        # Low-accuracy mode (trigrams only) preloaded: 0.5 s and ~30 MB at start, well under a
        # millisecond per message; it is only wrong on short texts, which are not judged anyway.
        builder = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode()
        _detector = builder.with_preloaded_language_models().build()
    return _detector


def foreign_language(text: str, min_letters: int, min_confidence: float) -> tuple[str, float] | None:
    """(language, confidence) when `text` is confidently not English, else None."""
    letters = len(_LETTERS.findall(text))
    if letters < (4 if _CJK.search(text) else min_letters):
        return None
    if sum(word in ENGLISH_WORDS for word in _WORDS.findall(text.lower())) >= 2:
        return None
    values = detector().compute_language_confidence_values(text)
    if not values:
        return None
    top = values[0]
    if top.language.name == "ENGLISH" or top.value < min_confidence:
        return None
    return top.language.name.lower(), float(top.value)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageGuard(GraphComponent):
    """Overrides the intent of a confidently foreign message with `unsupported_language`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_letters": 15, "min_confidence": 0.9}

    def __init__(self, config: dict[str, Any]) -> None:
        check_options("LanguageGuard", config, self.get_default_config())
        check_number("LanguageGuard", config, "min_letters", 1, integer=True)
        check_number("LanguageGuard", config, "min_confidence", 0.0, 1.0)
        self.min_letters, self.min_confidence = config["min_letters"], config["min_confidence"]
        detector()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageGuard:
        return cls(config)

    @staticmethod
    def required_packages() -> list[str]:
        return ["lingua"]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue
            found = foreign_language(text, self.min_letters, self.min_confidence)
            if found is None:
                continue
            language, confidence = found
            logger.debug("Message in %s (%.2f): intent %s", language, confidence, INTENT_NAME)
            message.set(
                INTENT, {INTENT_NAME_KEY: INTENT_NAME, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True
            )
            ranking = message.get("intent_ranking") or []
            message.set(
                "intent_ranking", [{INTENT_NAME_KEY: INTENT_NAME, PREDICTED_CONFIDENCE_KEY: confidence}, *ranking]
            )
            message.set("language", language, add_to_output=True)
        return messages
