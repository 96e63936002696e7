"""Returns and refunds. Whether an order may be returned is the CRM's decision
(/bot/returns/eligibility); this module phrases it with bot/domain/returns.yml."""

import re
from typing import Any

from rasa_sdk import Tracker

from actions.base import CRMAction, Events
from actions.confirmation import corrected_order_number, text_of
from actions.crm_client import Conflict, CRMClient
from actions.formatting import human_date
from actions.orders import OrderFormValidation, order_items
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


class ValidateReturnForm(OrderFormValidation):
    """A return needs an order that the CRM says may be returned now."""

    def name(self) -> str:
        return "validate_return_form"

    async def refusal(self, crm: CRMClient, number: str) -> Reply | None:
        return refusal_for(await crm.return_eligibility(number))

    async def describe(self, crm: CRMClient, tracker: Tracker) -> Reply:
        order = (await crm.get_order(tracker.get_slot("order_id")))["order"]
        values = {"number": order["number"], "items": order_items(order), "reason": tracker.get_slot("return_reason")}
        return "utter_ask_confirm_return", values

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

    reset_slots = ("order_id", "return_reason", *SAFE_FORM_SLOTS)

    def name(self) -> str:
        return "action_start_return"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if not confirmed(dispatcher, tracker):
            return []
        number = tracker.get_slot("order_id")
        try:
            record = await crm.start_return(number, tracker.get_slot("return_reason"))
        except Conflict:
            # Something changed since the form checked (e.g. a return opened elsewhere): say what.
            response, values = refusal_for(await crm.return_eligibility(number)) or ("utter_return_not_started", {})
            dispatcher.utter_message(response=response, **values)
            return []
        dispatcher.utter_message(response="utter_return_registered", number=number, reference=record["reference"])
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
