"""Actions about orders: status, list, cancel, address change, changes and delivery problems.

Every reply is a response of bot/domain/orders.yml; this module only chooses which, and
fills in the CRM's facts.
"""

import abc
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import CRMAction, Events, latest_intent, order_number, valid_order_number
from actions.confirmation import corrected_order_number, text_of
from actions.context import (
    CONTEXT_ORDER,
    CONTEXT_TICKET,
    by_name,
    discussed_order,
    named_order,
    referred_order,
    slot,
)
from actions.crm_client import (
    ConversationOwnedByAnother,
    CRMClient,
    CRMError,
    CRMUnavailable,
    CustomerNotVerified,
    NotFound,
)
from actions.formatting import describe_order, human_date, money
from actions.identity import crm_client_for
from actions.personalisation import offer_to_stay, sounds_like_leaving
from actions.phrasing import phrase
from actions.safe_forms import (
    CONFIRMED,
    RETRIES,
    SAFE_FORM_SLOTS,
    Reply,
    SafeFormValidation,
    confirmed,
    is_aside,
    user_just_spoke,
)
from actions.sealed import is_sealed, seal, unseal


class ActionOrderStatus(CRMAction):
    """Tell a verified customer where one of their orders is (or list the recent ones)."""

    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_order_status"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        raw = order_number(tracker)
        if raw is None:
            # "when will it arrive?", "my last order": the order being discussed (actions/context.py).
            raw = await discussed_order(tracker, crm)
        if raw is None and latest_intent(tracker) == "inform":
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        if raw is None:
            return await list_recent_orders(crm, dispatcher, tracker, domain)
        number = valid_order_number(raw)
        if number is None:
            dispatcher.utter_message(response="utter_not_an_order_number")
            return []
        try:
            answer = await crm.get_order(number)
        except NotFound:
            dispatcher.utter_message(response="utter_order_not_found", number=number)
            return []
        summary = describe_order(answer["order"], domain, tracker.current_slot_values())
        response, events = by_name(tracker, "utter_order_status", "utter_order_status_named")
        dispatcher.utter_message(response=response, first_name=answer["customer"]["first_name"], order_summary=summary)
        return [*events, slot(CONTEXT_ORDER, number)]


class ActionListOrders(CRMAction):
    def name(self) -> str:
        return "action_list_orders"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        return await list_recent_orders(crm, dispatcher, tracker, domain, limit=5)


async def list_recent_orders(
    crm: CRMClient, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, limit: int = 3
) -> Events:
    """The recent orders, by name the first time in the conversation (returns the slot events)."""
    answer = await crm.list_orders(limit=limit)
    first_name, orders = answer["customer"]["first_name"], answer["orders"]
    if not orders:
        response, events = by_name(tracker, "utter_no_orders", "utter_no_orders_named")
        dispatcher.utter_message(response=response, first_name=first_name)
        return events
    slots = tracker.current_slot_values()
    lines = [
        phrase(domain, slots, "utter_part_order_line", order_summary=describe_order(order, domain, slots))
        for order in orders
    ]
    response, events = by_name(tracker, "utter_recent_orders", "utter_recent_orders_named")
    dispatcher.utter_message(response=response, first_name=first_name, order_lines="\n".join(lines))
    return events


def order_items(order: dict[str, Any]) -> str:
    return ", ".join(f"{item['quantity']} × {item['product_name']}" for item in order["items"])


class OrderFormValidation(SafeFormValidation, abc.ABC):
    """Shared by the forms that act on one order: the order must exist, be the customer's,
    and be in a state that allows the change. Otherwise the form ends at once (`request_refused`).
    A correction ("702743 not 702733") replaces the order, and the question is asked anew."""

    refusal_response = "utter_cancel_refused"

    async def extract_order_id(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """ "Cancel it", "return something from my last order": the order being discussed
        (actions/context.py); the validation below checks it like a typed number."""
        if tracker.get_slot("order_id") or tracker.get_slot("requested_slot") not in (None, "order_id"):
            return {}
        try:
            number = await referred_order(tracker, crm_client_for(tracker))
        except CRMError:
            return {}
        return {"order_id": number} if number else {}

    async def refusal(self, crm: CRMClient, number: str) -> Reply | None:
        """Why the CRM will not do this to order `number` (a reply), or None if it will.

        Raises NotFound for an order that is not the customer's."""
        order = (await crm.get_order(number))["order"]
        if order.get("changeable"):
            return None
        return self.refusal_response, {"number": order["number"], "status": order["status"]}

    async def validate_order_id(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(slot_value, list):  # several numbers in one message: the last one given
            slot_value = slot_value[-1] if slot_value else None
        corrected = corrected_order_number(text_of(tracker.latest_message)) if user_just_spoke(tracker) else None
        number = corrected or valid_order_number(str(slot_value) if slot_value else None)
        if number is None:
            dispatcher.utter_message(response="utter_not_an_order_number")
            return {"order_id": None}
        crm = crm_client_for(tracker)
        try:
            refusal = await self.refusal(crm, number)
        except ConversationOwnedByAnother:
            dispatcher.utter_message(response="utter_conversation_belongs_to_another")
            return {"order_id": number, "request_refused": True}
        except CustomerNotVerified:
            dispatcher.utter_message(response="utter_ask_identify")
            return {"order_id": number, "request_refused": True}
        except NotFound:
            dispatcher.utter_message(response="utter_order_not_found", number=number)
            return {"order_id": None}
        except CRMUnavailable:
            dispatcher.utter_message(response="utter_service_unavailable")
            return {"order_id": number, "request_refused": True}
        if refusal is not None:
            response, values = refusal
            dispatcher.utter_message(response=response, **values)
            return {"order_id": number, "request_refused": True}
        # A new order: whatever was confirmed was about the other one.
        return {"order_id": number, CONFIRMED: None, RETRIES: None}


class ValidateChangeAddressForm(OrderFormValidation):
    refusal_response = "utter_address_change_refused"

    def name(self) -> str:
        return "validate_change_address_form"

    async def describe(self, crm: CRMClient, tracker: Tracker) -> Reply:
        order = (await crm.get_order(tracker.get_slot("order_id")))["order"]
        address = unseal(tracker.get_slot("new_address"))
        values = {"number": order["number"], "items": order_items(order), "address": address}
        return "utter_ask_confirm_address", values

    async def extract_new_address(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "new_address" or not user_just_spoke(tracker) or is_aside(tracker):
            return {}
        return {"new_address": text_of(tracker.latest_message)}

    async def validate_new_address(self, slot_value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if is_sealed(slot_value):  # validated on an earlier turn
            return {"new_address": slot_value}
        address = " ".join(str(slot_value or "").split())
        if not 10 <= len(address) <= 300 or not any(ch.isdigit() for ch in address):
            dispatcher.utter_message(response="utter_address_incomplete")
            return {"new_address": None}
        return {"new_address": seal(address)}  # it waits for the yes in the tracker store: sealed


class ValidateCancelOrderForm(OrderFormValidation):
    refusal_response = "utter_cancel_refused"

    def name(self) -> str:
        return "validate_cancel_order_form"

    async def describe(self, crm: CRMClient, tracker: Tracker) -> Reply:
        order = (await crm.get_order(tracker.get_slot("order_id")))["order"]
        values = {"number": order["number"], "items": order_items(order), "amount": money(order)}
        return "utter_ask_cancel_confirmed_order", values


class ActionCancelOrder(CRMAction):
    """The cancel form's end: cancel if the customer confirmed."""

    reset_slots = ("order_id", *SAFE_FORM_SLOTS)

    def name(self) -> str:
        return "action_cancel_order"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if not confirmed(dispatcher, tracker, kept="utter_order_kept"):
            return []
        number = tracker.get_slot("order_id")
        answer = await crm.cancel_order(number)
        amount = f"{answer['refund']['amount']} {answer['order']['currency']}"
        dispatcher.utter_message(response="utter_order_cancelled", number=number, amount=amount)
        return []


class ActionChangeAddress(CRMAction):
    """The address form's end: store the new address."""

    reset_slots = ("order_id", "new_address", *SAFE_FORM_SLOTS)

    def name(self) -> str:
        return "action_change_address"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if not confirmed(dispatcher, tracker):
            return []
        number, address = tracker.get_slot("order_id"), unseal(tracker.get_slot("new_address"))
        if not address:
            dispatcher.utter_message(response="utter_nothing_changed")
            return []
        answer = await crm.change_address(number, address)
        dispatcher.utter_message(
            response="utter_address_changed", number=number, address=answer["order"]["shipping_address"]
        )
        return []


class TicketAction(CRMAction):
    """Hand a case over to a colleague with the customer's own words, once the CRM has checked
    the facts (a parcel not due yet is not late; a dispatched order cannot be changed) and kept
    one ticket per issue: a later message about it is added to the open ticket."""

    category = "general"
    subject = "Customer request"
    priority = "normal"

    def issue(self, text: str) -> str | None:
        """The kind of issue, for the CRM's fact check (e.g. "late")."""
        return None

    @abc.abstractmethod
    def confirmation(self, ticket: dict[str, Any], number: str | None) -> Reply:
        """What to tell the customer once the ticket exists (opened or updated)."""

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        number = await discussed_order(tracker, crm) if crm.is_verified else named_order(tracker)
        text = (tracker.latest_message.get("text") or "")[:5000] or "(no text)"
        ticket = await crm.open_ticket(
            category=self.category,
            subject=self.subject,
            body=text,
            channel=tracker.get_latest_input_channel(),
            conversation_id=tracker.sender_id,
            order_number=number,
            issue=self.issue(text),
            priority=self.priority,
        )
        number = ticket.get("order_number") or number
        outcome = ticket.get("outcome", "opened")
        if outcome == "not_due":
            expected = human_date(ticket.get("expected_on")) or "-"
            dispatcher.utter_message(response="utter_order_not_late", number=number, expected_on=expected)
            return [slot(CONTEXT_ORDER, number)]
        if outcome == "not_changeable":
            dispatcher.utter_message(
                response="utter_order_change_refused", number=number, status=ticket["order_status"]
            )
            return [slot(CONTEXT_ORDER, number)]
        if outcome == "updated":
            dispatcher.utter_message(response="utter_ticket_updated", ticket_id=ticket["id"])
        else:
            response, values = self.confirmation(ticket, number)
            dispatcher.utter_message(response=response, **values)
        if sounds_like_leaving(text):
            await offer_to_stay(dispatcher, tracker, crm)
        return [slot(CONTEXT_TICKET, ticket["id"]), *([slot(CONTEXT_ORDER, number)] if number else [])]


class ActionChangeOrder(TicketAction):
    category = "order_change"
    subject = "Change to an order"
    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_change_order"

    def confirmation(self, ticket: dict[str, Any], number: str | None) -> Reply:
        return "utter_order_change_ticket", {"ticket_id": ticket["id"]}


# "it's late", "still hasn't arrived", "not here yet": the parcel is overdue, which the CRM checks.
LATE_WORDS = re.compile(
    r"\b(?:late|overdue|delayed|delay|(?:has ?n[o']?t|did ?n[o']?t|never|not yet|still not|still has ?n[o']?t)\s+"
    r"(?:arrived?|come|came|received|got(?:ten)?|been delivered|turned up|shown up)|not (?:here|arrived) yet)\b",
    re.IGNORECASE,
)


def late_issue(text: str) -> str | None:
    """ "late" when the message says the parcel is overdue (the CRM then checks the date)."""
    return "late" if LATE_WORDS.search(text) else None


class ActionReportDeliveryProblem(TicketAction):
    category = "delivery_problem"
    subject = "Delivery problem"
    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_report_delivery_problem"

    def issue(self, text: str) -> str | None:
        return late_issue(text)

    def confirmation(self, ticket: dict[str, Any], number: str | None) -> Reply:
        if number:
            return "utter_delivery_problem_ticket_order", {"ticket_id": ticket["id"], "number": number}
        return "utter_delivery_problem_ticket", {"ticket_id": ticket["id"]}
