"""The language guard: confidently foreign, long-enough messages become `unsupported_language`;
English, short and mixed messages keep the classifier's intent."""

import pytest
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message

from bot.components.language_guard import LanguageGuard


def parsed(text: str, intent: str = "order_status") -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.8}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": 0.8}], add_to_output=True)
    return message


@pytest.mark.parametrize(
    "text",
    [
        "Wo ist meine Bestellung? Ich warte seit einer Woche.",
        "¿Puedo devolver un producto que compré hace dos semanas?",
        "Bonjour, je voudrais annuler ma commande",
        "我的订单什么时候到？",
    ],
)
def test_a_foreign_message_gets_the_unsupported_language_intent(text):
    [message] = LanguageGuard(LanguageGuard.get_default_config()).process([parsed(text)])
    assert message.get("intent")["name"] == "unsupported_language"
    assert message.get("intent_ranking")[1]["name"] == "order_status"  # the classifier's guess is kept


@pytest.mark.parametrize(
    "text",
    [
        "where is my order 702733?",
        "I ordered a Kaffeemaschine last week, where is it?",
        "merci",
        "danke",
        "/affirm",
        "hmm ok",
        "ok I'll check my orders later, bye",  # German 0.99 to lingua's low-accuracy mode
        "thanks a lot, bye bye",
        "what's the wifi password",
    ],
)
def test_english_short_and_button_messages_are_left_alone(text):
    [message] = LanguageGuard(LanguageGuard.get_default_config()).process([parsed(text)])
    assert message.get("intent")["name"] == "order_status"


def test_an_unknown_option_is_refused():
    with pytest.raises(InvalidConfigException, match="min_letter"):
        LanguageGuard({"min_letter": 3, **LanguageGuard.get_default_config()})
