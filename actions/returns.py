"""Returns and refunds."""

from datetime import UTC, datetime, timedelta
from typing import Any

from actions.base import CRMAction, Events
from actions.crm_client import Conflict, CRMClient
from actions.formatting import human_date
from actions.orders import OrderFormValidation

RETURN_WINDOW_DAYS = 30


class ValidateReturnForm(OrderFormValidation):
    """A return needs a delivered order still inside the return window."""

    def name(self) -> str:
        return "validate_return_form"

    def order_allows(self, order: dict[str, Any]) -> bool:
        return order["status"] == "delivered" and not _window_closed(order)

    def refusal_text(self, order: dict[str, Any]) -> str:
        if order["status"] != "delivered":
            return (
                f"Order {order['number']} is {order['status']}, so it can't be returned yet. "
                "Once it's delivered you have 30 days to return it."
            )
        closed = human_date(_window_end(order).isoformat())
        return f"I'm sorry: the 30-day return window for order {order['number']} closed on {closed}."

    async def validate_return_reason(self, slot_value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        reason = " ".join(str(slot_value or "").split())[:1000]
        if len(reason) < 2:
            dispatcher.utter_message(response="utter_ask_return_reason")
            return {"return_reason": None}
        return {"return_reason": reason}


def _window_end(order: dict[str, Any]) -> datetime:
    delivered = datetime.fromisoformat(order["delivered_at"])
    delivered = delivered if delivered.tzinfo else delivered.replace(tzinfo=UTC)
    return delivered + timedelta(days=RETURN_WINDOW_DAYS)


def _window_closed(order: dict[str, Any]) -> bool:
    return not order.get("delivered_at") or datetime.now(UTC) > _window_end(order)


class ActionStartReturn(CRMAction):
    """The return form's end: register the return in the CRM and give its reference."""

    reset_slots = ("order_id", "return_reason", "request_refused")

    def name(self) -> str:
        return "action_start_return"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if tracker.get_slot("request_refused"):
            return []
        number = tracker.get_slot("order_id")
        try:
            record = await crm.start_return(number, tracker.get_slot("return_reason"))
        except Conflict as error:
            dispatcher.utter_message(text=f"I couldn't start that return: {error}.")
            return []
        dispatcher.utter_message(
            text=f"Your return for order {number} is registered. Your return reference is {record['reference']}. "
            "Print the label from the e-mail we've just sent, and you'll get your refund within 5 working days "
            "of us receiving the parcel."
        )
        return []


class ActionRefundStatus(CRMAction):
    def name(self) -> str:
        return "action_refund_status"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        answer = await crm.list_returns()
        returns = answer["returns"]
        if not returns:
            dispatcher.utter_message(
                text=f"{answer['customer']['first_name']}, I can't see any returns or refunds on "
                "your account. Refunds for cancelled orders appear within 5 working days."
            )
            return []
        lines = [_describe_return(record) for record in returns[:3]]
        dispatcher.utter_message(text="Here is where your returns stand:\n" + "\n".join(f"- {line}" for line in lines))
        return []


def _describe_return(record: dict[str, Any]) -> str:
    refund = record["refunds"][-1] if record["refunds"] else None
    head = f"Return {record['reference']} (order {record['order_number']}) is {record['status']}"
    if refund is None:
        return head + "; the refund starts once we receive the parcel."
    if refund["status"] == "completed":
        return head + f"; {refund['amount']} was refunded on {human_date(refund['completed_at'])}."
    return head + f"; a refund of {refund['amount']} is {refund['status']}."
