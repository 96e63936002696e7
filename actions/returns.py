"""Returns and refunds. Whether an order may be returned is the CRM's decision
(/bot/returns/eligibility); this module phrases it with bot/domain/returns.yml."""

import re
from typing import Any

from rasa_sdk import Tracker

from actions.base import CRMAction, Events, latest_intent
from actions.confirmation import corrected_order_number, text_of
from actions.crm_client import Conflict, CRMClient, CRMError
from actions.formatting import human_date
from actions.identity import crm_client_for
from actions.orders import OrderFormValidation
from actions.phrasing import phrase
from actions.safe_forms import SAFE_FORM_SLOTS, Reply, confirmed, is_aside, user_just_spoke

# The reply for each of the CRM's verdicts on a return.
REFUSALS = {
    "not_delivered": "utter_return_not_delivered",
    "window_closed": "utter_return_window_closed",
    "already_requested": "utter_return_already_requested",
}
# An opening message that already says why ("..., it arrived broken"): its words are the reason.
_REASON_GIVEN = re.compile(
    r"\b(?:because|since|as\s+it|too\s+(?:small|big|large|tight|short|long)|doesn'?t\s+fit|did\s*n[o']t\s+fit|"
    r"broken|damaged|faulty|defective|cracked|torn|wrong\s+(?:size|colou?r|item)|not\s+as\s+described|"
    r"don'?t\s+like|changed\s+my\s+mind)\b",
    re.IGNORECASE,
)


def refusal_for(eligibility: dict[str, Any]) -> Reply | None:
    """The reply to the CRM's return verdict; None when the order may be returned."""
    if eligibility["eligible"]:
        return None
    values = {
        "number": eligibility["order_number"],
        "status": eligibility["order_status"],
        "window_days": eligibility["window_days"],
        "closed_on": human_date(eligibility["deadline"]),
    }
    return REFUSALS.get(eligibility["verdict"], "utter_return_not_started"), values


ALL_ITEMS = "all"


def chosen_items(order: dict[str, Any], candidates: list[str]) -> list[str] | None:
    """The SKUs of `order` that the candidates name (a button's SKU, "all", or words such as
    "the teapot"); None when one of them names nothing in the order."""
    skus: list[str] = []
    for candidate in candidates:
        if candidate == ALL_ITEMS:
            return [ALL_ITEMS]
        words = set(re.findall(r"[a-z0-9]+", candidate.lower()))
        found = [
            item["sku"]
            for item in order["items"]
            if item["sku"].lower() == candidate.lower()
            or words & set(re.findall(r"[a-z0-9]{3,}", item["product_name"].lower()))
        ]
        if not found:
            return None
        skus += [sku for sku in found if sku not in skus]
    return skus


def items_text(order: dict[str, Any], skus: list[str] | None) -> str:
    """ "1 × Ceramic teapot" for the chosen SKUs (all items for None or ["all"])."""
    every = not skus or skus == [ALL_ITEMS]
    return ", ".join(
        f"{item['quantity']} × {item['product_name']}" for item in order["items"] if every or item["sku"] in skus
    )


class ValidateReturnForm(OrderFormValidation):
    """A return needs an order that the CRM says may be returned now, and items of that order:
    picked with buttons, or named (an item that is not in the order is refused)."""

    def name(self) -> str:
        return "validate_return_form"

    async def validate_order_id(self, slot_value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        result = await super().validate_order_id(slot_value, dispatcher, tracker, domain)
        if not result.get("order_id") or result.get("request_refused"):
            return result
        order = (await crm_client_for(tracker).get_order(result["order_id"]))["order"]
        if "return_items" in tracker.slots_to_validate():
            return result  # named in this message too: validate_return_items checks them
        named = tracker.get_slot("return_items")
        if named:  # named before the order was known ("the vase, and it's order 702605")
            chosen = chosen_items(order, named)
            if chosen is None:
                dispatcher.utter_message(
                    response="utter_return_item_not_in_order", number=order["number"], items=items_text(order, None)
                )
            return result | {"return_items": chosen}
        if len(order["items"]) == 1:
            return result | {"return_items": [order["items"][0]["sku"]]}
        return result | {"return_items": None}

    async def extract_return_items(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        """A button's SKU, or the products the message names (at any turn: "the teapot from ...")."""
        if not user_just_spoke(tracker) or latest_intent(tracker) in ("faq", "stop"):
            return {}
        skus = list(tracker.get_latest_entity_values("sku"))
        products = list(tracker.get_latest_entity_values("product"))
        if skus or products:
            return {"return_items": skus or products}
        if tracker.get_slot("requested_slot") == "return_items" and not is_aside(tracker):
            return {"return_items": [text_of(tracker.latest_message)]}
        return {}

    async def validate_return_items(self, slot_value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        number = tracker.get_slot("order_id")
        if not number or not slot_value:
            return {"return_items": slot_value or None}  # checked once the order is known
        candidates = [str(value) for value in (slot_value if isinstance(slot_value, list) else [slot_value])]
        try:
            order = (await crm_client_for(tracker).get_order(number))["order"]
        except CRMError:
            return {"return_items": candidates}  # validate_order_id says what is wrong with the order
        chosen = chosen_items(order, candidates)
        if chosen is None:
            dispatcher.utter_message(
                response="utter_return_item_not_in_order", number=order["number"], items=items_text(order, None)
            )
        return {"return_items": chosen}

    async def refusal(self, crm: CRMClient, number: str) -> Reply | None:
        return refusal_for(await crm.return_eligibility(number))

    async def describe(self, crm: CRMClient, tracker: Tracker) -> Reply:
        order = (await crm.get_order(tracker.get_slot("order_id")))["order"]
        items = items_text(order, tracker.get_slot("return_items"))
        return "utter_ask_confirm_return", {
            "number": order["number"],
            "items": items,
            "reason": tracker.get_slot("return_reason"),
        }

    async def extract_return_reason(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        """The answer to "why?", or a reason already given in the opening message; never a
        question, chitchat or a message that only names an order."""
        if not user_just_spoke(tracker) or tracker.get_slot("return_reason") or is_aside(tracker):
            return {}
        text = text_of(tracker.latest_message)
        if tracker.get_slot("requested_slot") == "return_reason":
            if corrected_order_number(text) or next(tracker.get_latest_entity_values("order_id"), None):
                return {}  # an order number (a correction), not a reason
            return {"return_reason": text}
        if tracker.get_slot("requested_slot") is None and _REASON_GIVEN.search(text):
            return {"return_reason": text}
        return {}

    async def validate_return_reason(self, slot_value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        reason = " ".join(str(slot_value or "").split())[:1000]
        if len(reason) < 2:
            dispatcher.utter_message(response="utter_ask_return_reason")
            return {"return_reason": None}
        return {"return_reason": reason}


class ActionStartReturn(CRMAction):
    """The return form's end: register the return in the CRM and give its reference."""

    reset_slots = ("order_id", "return_items", "return_reason", *SAFE_FORM_SLOTS)

    def name(self) -> str:
        return "action_start_return"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if not confirmed(dispatcher, tracker):
            return []
        number = tracker.get_slot("order_id")
        try:
            skus = [sku for sku in tracker.get_slot("return_items") or [] if sku != ALL_ITEMS]
            record = await crm.start_return(number, tracker.get_slot("return_reason"), skus or None)
        except Conflict:
            # Something changed since the form checked (e.g. a return opened elsewhere): say what.
            response, values = refusal_for(await crm.return_eligibility(number)) or ("utter_return_not_started", {})
            dispatcher.utter_message(response=response, **values)
            return []
        dispatcher.utter_message(response="utter_return_registered", number=number, reference=record["reference"])
        return []


class ActionAskReturnItems(CRMAction):
    """Which items of the order: one button per item, and "All of them" (the response's)."""

    def name(self) -> str:
        return "action_ask_return_items"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        order = (await crm.get_order(tracker.get_slot("order_id")))["order"]
        buttons = [
            {"title": item["product_name"], "payload": f'/inform{{"sku": "{item["sku"]}"}}'} for item in order["items"]
        ]
        dispatcher.utter_message(
            response="utter_ask_return_items", number=order["number"], items=items_text(order, None), buttons=buttons
        )
        return []


class ActionRefundStatus(CRMAction):
    def name(self) -> str:
        return "action_refund_status"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        answer = await crm.list_returns()
        returns = answer["returns"]
        if not returns:
            dispatcher.utter_message(response="utter_no_returns", first_name=answer["customer"]["first_name"])
            return []
        slots = tracker.current_slot_values()
        lines = [phrase(domain, slots, name, **values) for name, values in map(_return_line, returns[:3])]
        dispatcher.utter_message(response="utter_returns_list", return_lines="\n".join(lines))
        return []


def _return_line(record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    refund = record["refunds"][-1] if record["refunds"] else None
    values = {"reference": record["reference"], "order_number": record["order_number"], "status": record["status"]}
    if refund is None:
        return "utter_part_return_awaiting_parcel", values
    values |= {"amount": refund["amount"], "refund_status": refund["status"]}
    if refund["status"] == "completed":
        return "utter_part_return_refunded", values | {"refunded_on": human_date(refund["completed_at"])}
    return "utter_part_return_refund_open", values
