"""Payments and invoices. Which methods the shop accepts is the CRM's answer
(/bot/payment-methods); the words are bot/domain/payments.yml's."""

from typing import Any

from actions.base import CRMAction, Events, order_number, valid_order_number
from actions.crm_client import CRMClient, NotFound
from actions.formatting import human_date
from actions.orders import Reply, TicketAction
from actions.phrasing import phrase

METHOD_REPLIES = {"accepted": "utter_payment_method_accepted", "not_accepted": "utter_payment_method_not_accepted"}


class ActionPaymentMethods(CRMAction):
    """List the payment methods, or answer about the one the customer named; open to everyone."""

    reset_slots = ("payment_method",)

    def name(self) -> str:
        return "action_payment_methods"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        named = next(tracker.get_latest_entity_values("payment_method"), None)
        answer = await crm.payment_methods(str(named) if named else None)
        methods = ", ".join(method["label"] for method in answer["accepted"])
        response = METHOD_REPLIES.get(answer["verdict"], "utter_payment_methods")
        method = answer["method"]["label"] if answer.get("method") else None
        dispatcher.utter_message(response=response, method=method, methods=methods)
        return []


class ActionPaymentProblem(TicketAction):
    category = "payment_problem"
    subject = "Payment problem"
    reset_slots = ("order_id", "payment_method")

    def name(self) -> str:
        return "action_payment_problem"

    def confirmation(self, ticket: dict, number: str | None) -> Reply:
        return "utter_payment_problem_ticket", {"ticket_id": ticket["id"]}


class ActionGetInvoice(CRMAction):
    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_get_invoice"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        number = valid_order_number(order_number(tracker))
        if number is None:
            dispatcher.utter_message(response="utter_invoice_where")
            return []
        try:
            order = (await crm.get_order(number))["order"]
        except NotFound:
            dispatcher.utter_message(response="utter_order_not_found", number=number)
            return []
        slots = tracker.current_slot_values()
        lines = [phrase(domain, slots, "utter_part_invoice_line", **_item(item)) for item in order["items"]]
        dispatcher.utter_message(
            response="utter_invoice_summary",
            number=number,
            placed_on=human_date(order["placed_at"]),
            item_lines="\n".join(lines),
            total=order["total"],
            currency=order["currency"],
        )
        return []


def _item(item: dict[str, Any]) -> dict[str, Any]:
    return {"quantity": item["quantity"], "product_name": item["product_name"], "unit_price": item["unit_price"]}
