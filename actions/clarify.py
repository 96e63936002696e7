"""Which of two close intents did the customer mean? Ask with buttons.

The NLU pipeline's AmbiguityClassifier predicts `nlu_ambiguous` when its top two intents
are nearly tied and keeps them next in the intent ranking (and under `ambiguous_between`).
Each becomes a button titled by the domain response `utter_intent_title_<intent>`, whose
payload sends that intent with the entities already found ("/order_status{"order_id":
"702733"}"), so a press continues exactly as if the message had been understood. A third
button, "something else", sends `clarify_other`.
"""

import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events
from actions.phrasing import MissingResponse, phrase

logger = logging.getLogger(__name__)

AMBIGUOUS = "nlu_ambiguous"
NOT_AN_INTENT = {AMBIGUOUS, "nlu_fallback"}


def offered_intents(latest_message: dict[str, Any]) -> list[str]:
    """The two intents to offer: those the classifier named, else the top of the ranking."""
    named = (latest_message.get("intent") or {}).get("ambiguous_between") or []
    ranked = [r.get("name") for r in latest_message.get("intent_ranking") or []]
    return [n for n in dict.fromkeys([*named, *ranked]) if n and n not in NOT_AN_INTENT][:2]


def payload(intent: str, entities: list[dict[str, Any]]) -> str:
    """`/intent` plus the message's entities (the first value of each type), as Rasa parses it."""
    values: dict[str, Any] = {}
    for entity in entities:
        values.setdefault(entity.get("entity"), entity.get("value"))
    values.pop(None, None)
    return f"/{intent}" + (json.dumps(values, ensure_ascii=False) if values else "")


class ActionClarifyIntent(Action):
    """Offer the two close intents as buttons, plus "something else"."""

    def name(self) -> str:
        return "action_clarify_intent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        message = tracker.latest_message or {}
        intents = offered_intents(message)
        slots = tracker.current_slot_values()
        try:
            buttons = [
                {
                    "title": phrase(domain, slots, f"utter_intent_title_{intent}"),
                    "payload": payload(intent, message.get("entities") or []),
                }
                for intent in intents
            ]
            buttons.append(
                {"title": phrase(domain, slots, "utter_clarify_something_else"), "payload": "/clarify_other"}
            )
        except MissingResponse:
            logger.exception("no button title for one of %s", intents)
            buttons = []
        if len(buttons) < 3:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        dispatcher.utter_message(response="utter_clarify_intent", buttons=buttons)
        return []
