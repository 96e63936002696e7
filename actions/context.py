"""What the conversation is about: the order, product and ticket last discussed.

The actions that show an order, a product or a ticket remember it in a slot (`context_order`,
`context_product`, `context_ticket`), so that "what's in it?", "the tracking number", "when
will it arrive?" or "that order" need no number again. "My last order" is the customer's most
recent one, which the CRM knows. The console shows these slots next to the transcript.
"""

import abc
import re
from typing import Any

from rasa_sdk import Tracker

from actions.base import CONTEXT_ORDER_SLOT, CRMAction, Events, valid_order_number
from actions.crm_client import CRMClient, NotFound
from actions.formatting import describe_order, human_date

CONTEXT_ORDER = CONTEXT_ORDER_SLOT
CONTEXT_PRODUCT = "context_product"
CONTEXT_TICKET = "context_ticket"
NAME_USED = "name_used"
# "cancel it", "that order", "this one", "the same order": the order being discussed.
REFERS_BACK = re.compile(
    r"\b(?:it|that(?: one| order)?|this(?: one| order)?|the same(?: one| order)?|the order)\b", re.I
)
# "my last order", "the latest purchase", "most recent parcel" (not "recent orders": a list).
LAST_ORDER = re.compile(r"\b(?:last|latest|most recent|newest)\s+(?:order|purchase|parcel|package|delivery)\b", re.I)


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def named_order(tracker: Tracker) -> str | None:
    """An order number the latest message or the running form names."""
    value = next(tracker.get_latest_entity_values("order_id"), None) or tracker.get_slot("order_id")
    return valid_order_number(str(value)) if value else None


async def discussed_order(tracker: Tracker, crm: CRMClient) -> str | None:
    """The order the customer means: named now, "my last order", or the one being discussed."""
    number = named_order(tracker)
    if number:
        return number
    if LAST_ORDER.search((tracker.latest_message or {}).get("text") or ""):
        orders = (await crm.list_orders(limit=1))["orders"]
        if orders:
            return orders[0]["number"]
    remembered = tracker.get_slot(CONTEXT_ORDER)
    return valid_order_number(str(remembered)) if remembered else None


async def referred_order(tracker: Tracker, crm: CRMClient) -> str | None:
    """For a form's opening message without a number: the order it refers back to ("cancel it",
    "my last order"), or None."""
    text = (tracker.latest_message or {}).get("text") or ""
    if named_order(tracker) or not (REFERS_BACK.search(text) or LAST_ORDER.search(text)):
        return None
    return await discussed_order(tracker, crm)


def by_name(tracker: Tracker, plain: str, named: str) -> tuple[str, Events]:
    """The `named` response ("Hi Ada! ...") the first time in a conversation, then `plain`."""
    if tracker.get_slot(NAME_USED):
        return plain, []
    return named, [slot(NAME_USED, True)]


class OrderContextAction(CRMAction):
    """Answers about the order being discussed; asks which order when there is none."""

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        number = await discussed_order(tracker, crm)
        if number is None:
            dispatcher.utter_message(response="utter_ask_which_order")
            return []
        try:
            order = (await crm.get_order(number))["order"]
        except NotFound:
            dispatcher.utter_message(response="utter_order_not_found", number=number)
            return [slot(CONTEXT_ORDER, None)]
        response, values = self.answer(order)
        dispatcher.utter_message(response=response, **values)
        return [slot(CONTEXT_ORDER, order["number"])]

    @abc.abstractmethod
    def answer(self, order: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The response and its values for this order."""


class ActionOrderItems(OrderContextAction):
    """What is in the order being discussed ("what's in it again?")."""

    def name(self) -> str:
        return "action_order_items"

    def answer(self, order: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        items = ", ".join(f"{item['quantity']} × {item['product_name']}" for item in order["items"])
        return "utter_order_items", {"number": order["number"], "items": items or "-"}


class ActionTrackingNumber(OrderContextAction):
    """The tracking number of the order being discussed, or why there is none yet."""

    def name(self) -> str:
        return "action_tracking_number"

    def answer(self, order: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        values = {
            "number": order["number"],
            "status": order["status"],
            "carrier": order.get("carrier"),
            "tracking_number": order.get("tracking_number"),
            "expected_on": human_date(order.get("estimated_delivery")) or "-",
        }
        if order.get("tracking_number"):
            return "utter_tracking_number", values
        if order["status"] in ("pending", "processing"):
            return "utter_tracking_not_yet", values
        return "utter_tracking_none", values


class ActionDeliveryTime(CRMAction):
    """ "When will it arrive?" about the order being discussed is that order's status; otherwise
    the general delivery times."""

    def name(self) -> str:
        return "action_delivery_time"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        text = (tracker.latest_message or {}).get("text") or ""
        remembered = tracker.get_slot(CONTEXT_ORDER)
        if not (crm.is_verified and remembered and REFERS_BACK.search(text)):
            dispatcher.utter_message(response="utter_delivery_time")
            return []
        try:
            answer = await crm.get_order(str(remembered))
        except NotFound:
            dispatcher.utter_message(response="utter_delivery_time")
            return []
        summary = describe_order(answer["order"], domain, tracker.current_slot_values())
        response, events = by_name(tracker, "utter_order_status", "utter_order_status_named")
        dispatcher.utter_message(response=response, first_name=answer["customer"]["first_name"], order_summary=summary)
        return events
