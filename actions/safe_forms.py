"""One way for every form that changes a customer's data to ask first and act only on a yes.

Each such form (cancel, address change, return, newsletter consent) ends with the slot
`confirmed`. `action_ask_confirmed` states exactly what will happen (the form's `describe`)
with Yes/No buttons; `extract_confirmed` accepts only the Yes button or a sure, unhedged
affirm (actions/confirmation.py); anything else is asked once more, then the form ends with
`confirmed: "unclear"` and `finish` tells the customer that nothing changed.

On every user turn inside a form, before any slot is filled: "stop" / "never mind" /
"cancel that" leave it, a request about another person is refused, and a question is
answered (by the domain's response for its intent, or by the rules of nlu_data/rules/forms.yml
for FAQ, bot challenge, stop and handoff) and the form asks its question again: a question is
never stored as a slot value.
"""

import abc
import inspect
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import latest_intent
from actions.confirmation import (
    about_someone_else,
    confirmation_verdict,
    corrected_order_number,
    is_question,
    is_stop,
    mentions_email,
    text_of,
)
from actions.crm_client import CRMClient, CRMError
from actions.identity import crm_client_for

logger = logging.getLogger(__name__)

ACTION_LISTEN, EXTRACT_SLOTS = "action_listen", "action_extract_slots"
CONFIRMED, RETRIES, REFUSED, ASIDE = "confirmed", "confirm_retries", "request_refused", "form_aside"
MAX_UNCLEAR_ANSWERS = 2  # the question is asked twice at most
# Intents the rules answer in the middle of a form (nlu_data/rules/forms.yml): never slot values.
RULED_ASIDES = frozenset({"faq", "bot_challenge", "stop", "human_handoff"})
# Never the answer to a form's question (a reason, an address) either.
NOT_ANSWERS = RULED_ASIDES | {"chitchat", "greet", "goodbye", "thanks", "affirm", "deny", "nlu_fallback"}
# Entities that answer a form's question even inside a question.
ANSWER_ENTITIES = ("order_id", "sku", "product")
# The slots every safe form clears when it ends, whatever happened.
SAFE_FORM_SLOTS = (CONFIRMED, RETRIES, REFUSED, ASIDE)

# A response name and the values that fill it in.
Reply = tuple[str, dict[str, Any]]


def safe_form(name: str | None) -> "SafeFormValidation | None":
    """The validation action of the safe form `name` (every concrete subclass is one)."""
    pending, seen = list(SafeFormValidation.__subclasses__()), set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        if not inspect.isabstract(cls) and cls().form_name() == name:
            return cls()
    return None


def user_just_spoke(tracker: Tracker) -> bool:
    """Whether the form runs on the user's latest message, not back from an answer a rule gave.

    Rasa's form hands its validation action a tracker that ends with the form's own
    `ActionExecuted`, so `latest_action_name` is the form's name, never `action_listen`."""
    form = (tracker.active_loop or {}).get("name")
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        name = str(event.get("name") or "")
        skipped = name in (ACTION_LISTEN, EXTRACT_SLOTS, form) or name.endswith("_form")
        if event.get("event") == "action" and not skipped:
            return False  # an answer came in between (e.g. utter_faq)
    return False


def names_an_answer(tracker: Tracker) -> bool:
    """Whether the message carries an order number or an item ("is it 702733?" answers the form)."""
    return any(next(tracker.get_latest_entity_values(entity), None) for entity in ANSWER_ENTITIES)


def is_aside(tracker: Tracker) -> bool:
    """Whether the latest message is something other than an answer to a form's question: a
    question, chitchat, a yes or no, or an intent the rules answer during a form."""
    return latest_intent(tracker) in NOT_ANSWERS or is_question(text_of(tracker.latest_message))


class SafeFormValidation(FormValidationAction, abc.ABC):
    """The validation action of a form that changes data: see the module's docstring."""

    @abc.abstractmethod
    def name(self) -> str:
        """Each form's validation action is named after its form."""

    @abc.abstractmethod
    async def describe(self, crm: CRMClient, tracker: Tracker) -> Reply:
        """The confirmation question: exactly what will change (which order, items, address)."""

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        return [] if tracker.get_slot(REFUSED) else domain_slots

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        if user_just_spoke(tracker):
            early = await self.screen(dispatcher, tracker, domain)
            if early is not None:
                return early
        return await super().run(dispatcher, tracker, domain)

    async def screen(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict] | None:
        """Leave, refuse or answer a question before any slot is filled; None to go on."""
        text = text_of(tracker.latest_message)
        in_form = tracker.get_slot("requested_slot") is not None
        if in_form and is_stop(text):
            dispatcher.utter_message(response="utter_form_stopped")
            return self.end()
        if await self.about_someone_else(tracker, text):
            dispatcher.utter_message(response="utter_about_someone_else")
            return self.end()
        intent = latest_intent(tracker)
        if in_form and intent not in RULED_ASIDES and is_question(text) and not names_an_answer(tracker):
            # A question the rules do not answer: answer it here (or say we will after), then ask
            # again. At the yes/no question only a question with an answer is an aside: "ok?" is
            # an unclear answer and counts as one.
            response = f"utter_{intent}"
            answerable = response in (domain.get("responses") or {})
            if answerable or tracker.get_slot("requested_slot") != CONFIRMED:
                dispatcher.utter_message(response=response if answerable else "utter_form_aside_later")
                return [SlotSet(ASIDE, intent or "question")]
        return None

    async def about_someone_else(self, tracker: Tracker, text: str) -> bool:
        own_email = None
        if mentions_email(text):
            try:
                own_email = (await crm_client_for(tracker).profile()).get("email")
            except CRMError:
                own_email = None  # unknown customer: any e-mail is someone else's
        return about_someone_else(text, own_email)

    async def get_validation_events(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        """rasa_sdk keeps only the form's required slots; the form's bookkeeping stays too."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        named = {event["name"] for event in events}
        carried = tracker.slots_to_validate()
        return events + [SlotSet(k, v) for k, v in carried.items() if k in (RETRIES, ASIDE, REFUSED) and k not in named]

    @staticmethod
    def end() -> list[dict]:
        """Leave the form with nothing changed (its final action stays silent)."""
        return [SlotSet(REFUSED, True), SlotSet("requested_slot", None)]

    async def extract_confirmed(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != CONFIRMED or not user_just_spoke(tracker):
            return {}
        if corrected_order_number(text_of(tracker.latest_message)) or tracker.get_slot("order_id") in set(
            tracker.get_latest_entity_values("order_id")
        ):
            return {}  # another order named: validate_order_id takes it, and the question is asked anew
        verdict = confirmation_verdict(tracker.latest_message, self.form_name())
        if verdict == "unclear" and latest_intent(tracker) in RULED_ASIDES:
            return {}  # the rules answer it, then the form asks again
        if verdict != "unclear":
            return {CONFIRMED: verdict}
        retries = int(tracker.get_slot(RETRIES) or 0) + 1
        if retries >= MAX_UNCLEAR_ANSWERS:
            return {CONFIRMED: "unclear", RETRIES: retries}
        return {RETRIES: retries}


class ActionAskConfirmed(Action):
    """The one confirmation question of every safe form (asked again after an unclear answer)."""

    def name(self) -> str:
        return "action_ask_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        form = (tracker.active_loop or {}).get("name")
        validator = safe_form(form)
        if validator is None:
            logger.error("action_ask_confirmed ran outside a safe form (%s)", form)
            dispatcher.utter_message(response="utter_something_went_wrong")
            return [SlotSet(CONFIRMED, "unclear")]
        if tracker.get_slot(RETRIES):
            dispatcher.utter_message(response="utter_confirm_unclear")
        try:
            response, values = await validator.describe(crm_client_for(tracker), tracker)
        except CRMError:
            logger.exception("%s: could not describe the change", form)
            dispatcher.utter_message(response="utter_something_went_wrong")
            return [SlotSet(CONFIRMED, "unclear")]
        dispatcher.utter_message(response=response, **values)
        return []


def confirmed(dispatcher: CollectingDispatcher, tracker: Tracker, kept: str = "utter_nothing_changed") -> bool:
    """At a safe form's end: whether the customer said yes. Otherwise says that nothing changed
    (`kept` after a no; silent when the form already said why it stopped)."""
    if tracker.get_slot(REFUSED):
        return False
    verdict = tracker.get_slot(CONFIRMED)
    if verdict == "yes":
        return True
    if verdict == "no":
        dispatcher.utter_message(response=kept, number=tracker.get_slot("order_id"))
    else:
        dispatcher.utter_message(response="utter_nothing_changed_unclear")
    return False
