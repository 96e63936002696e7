"""Account actions that change CRM data: newsletter consent, only on an explicit yes.

A question about the newsletter ("am I subscribed?", "any discount for signing up?") is
answered with the customer's state and changes nothing; a request for somebody else is
refused (actions/safe_forms.py), and the consent changes only after the confirmation.
"""

from typing import Any

from rasa_sdk import Tracker

from actions.base import CRMAction, Events, latest_intent
from actions.confirmation import asks_about_state, text_of
from actions.crm_client import CRMClient, CRMError
from actions.identity import crm_client_for
from actions.safe_forms import SAFE_FORM_SLOTS, Reply, SafeFormValidation, confirmed, user_just_spoke

CHANGE = "consent_change"
SUBSCRIBE, UNSUBSCRIBE = "subscribe", "unsubscribe"
INTENTS = {"newsletter_subscribe": SUBSCRIBE, "newsletter_unsubscribe": UNSUBSCRIBE}


def status_response(subscribed: bool) -> str:
    return "utter_newsletter_status_subscribed" if subscribed else "utter_newsletter_status_not_subscribed"


class ValidateNewsletterForm(SafeFormValidation):
    """Subscribe or unsubscribe: what the customer asked, unless it is a question or it is
    already so."""

    def name(self) -> str:
        return "validate_newsletter_form"

    async def describe(self, crm: CRMClient, tracker: Tracker) -> Reply:
        subscribe = tracker.get_slot(CHANGE) == SUBSCRIBE
        return ("utter_ask_confirm_subscribe" if subscribe else "utter_ask_confirm_unsubscribe"), {}

    async def extract_consent_change(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if tracker.get_slot(CHANGE) or not user_just_spoke(tracker):
            return {}
        change = INTENTS.get(latest_intent(tracker) or "")
        return {CHANGE: change} if change else {}

    async def validate_consent_change(self, slot_value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        try:
            subscribed = bool((await crm_client_for(tracker).profile())["newsletter"])
        except CRMError:
            dispatcher.utter_message(response="utter_ask_identify")
            return {CHANGE: None, "request_refused": True}
        if asks_about_state(text_of(tracker.latest_message)):
            dispatcher.utter_message(response=status_response(subscribed))
            return {CHANGE: None, "request_refused": True}
        if subscribed == (slot_value == SUBSCRIBE):
            dispatcher.utter_message(response=status_response(subscribed))
            return {CHANGE: None, "request_refused": True}
        return {CHANGE: slot_value}


class ActionNewsletter(CRMAction):
    """The newsletter form's end: store the consent in the CRM if the customer said yes."""

    reset_slots = (CHANGE, *SAFE_FORM_SLOTS)

    def name(self) -> str:
        return "action_newsletter"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if not confirmed(dispatcher, tracker):
            return []
        subscribe = tracker.get_slot(CHANGE) == SUBSCRIBE
        profile = await crm.set_consent("newsletter", subscribe)
        response = "utter_newsletter_subscribed" if subscribe else "utter_newsletter_unsubscribed"
        dispatcher.utter_message(response=response, first_name=profile["customer"]["first_name"])
        return []


class ActionNewsletterStatus(CRMAction):
    """ "Am I subscribed?": the state, nothing changed."""

    def name(self) -> str:
        return "action_newsletter_status"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if not crm.is_verified:
            dispatcher.utter_message(response="utter_newsletter_about")
            return []
        dispatcher.utter_message(response=status_response(bool((await crm.profile())["newsletter"])))
        return []
