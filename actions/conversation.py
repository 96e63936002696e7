"""Greeting and the two-stage fallback."""

from rasa_sdk import Action
from rasa_sdk.events import SlotSet

from actions.base import OFFER_SLOT, CRMAction, Events
from actions.context import NAME_USED
from actions.crm_client import CRMClient, CustomerNotVerified
from actions.personalisation import greeting


class ActionGreet(CRMAction):
    """Greet a verified customer by name (and tier); everyone else with the general greeting."""

    def name(self) -> str:
        return "action_greet"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if not crm.is_verified:
            dispatcher.utter_message(response="utter_greet")
            return []
        try:
            profile = await crm.profile()
        except CustomerNotVerified:
            dispatcher.utter_message(response="utter_greet")
            return []
        choice = greeting(profile)
        dispatcher.utter_message(response=choice.response, **choice.values)
        if choice.decision == "vip_greeting":
            await crm.log_decision(tracker.sender_id, choice.decision, choice.reason)
        return [SlotSet(NAME_USED, True)]  # the name once per conversation (actions/context.py)


class ActionHandleFallback(Action):
    """First miss: ask to rephrase. Second miss in a row: offer a human colleague."""

    def name(self) -> str:
        return "action_handle_fallback"

    async def run(self, dispatcher, tracker, domain) -> Events:
        misses = 0
        for event in reversed(tracker.events):
            if event.get("event") != "user":
                continue
            if (event.get("parse_data") or {}).get("intent", {}).get("name") != "nlu_fallback":
                break
            misses += 1
        if misses >= 2:
            dispatcher.utter_message(response="utter_offer_human")
            return [SlotSet(OFFER_SLOT, "human")]  # a typed "yes" takes it (action_accept_offer)
        dispatcher.utter_message(response="utter_ask_rephrase")
        return []


class ActionUnsupportedLanguage(Action):
    """A message in a language we don't answer in yet: say so in English and offer a colleague,
    whom a typed "yes" accepts (action_accept_offer)."""

    def name(self) -> str:
        return "action_unsupported_language"

    async def run(self, dispatcher, tracker, domain) -> Events:
        dispatcher.utter_message(response="utter_unsupported_language")
        return [SlotSet(OFFER_SLOT, "human")]
