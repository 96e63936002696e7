"""Payments and invoices."""

from rasa_sdk import Action

from actions.base import CRMAction, Events, order_number, valid_order_number
from actions.crm_client import CRMClient, NotFound
from actions.formatting import human_date
from actions.orders import TicketAction, not_found_text

ACCEPTED = {
    "credit_card": "credit cards (Visa, Mastercard, American Express)",
    "debit_card": "debit cards (Maestro, Visa Debit)",
    "paypal": "PayPal",
    "apple_pay": "Apple Pay",
    "google_pay": "Google Pay",
    "klarna": "Klarna (pay later or in 3 instalments)",
    "gift_card": "our gift cards",
}
NOT_ACCEPTED = {"bank_transfer": "bank transfer"}


class ActionPaymentMethods(Action):
    """List the payment methods, or answer about the one the customer named."""

    def name(self) -> str:
        return "action_payment_methods"

    async def run(self, dispatcher, tracker, domain) -> Events:
        method = next(tracker.get_latest_entity_values("payment_method"), None)
        everything = ", ".join(ACCEPTED.values())
        if method in ACCEPTED:
            dispatcher.utter_message(text=f"Yes, you can pay with {ACCEPTED[method]}. We also accept {everything}.")
        elif method in NOT_ACCEPTED:
            dispatcher.utter_message(
                text=f"Sorry, we don't accept {NOT_ACCEPTED[method]}. You can pay with {everything}."
            )
        else:
            dispatcher.utter_message(text=f"You can pay with {everything}.")
        return [{"event": "slot", "timestamp": None, "name": "payment_method", "value": None}]


class ActionPaymentProblem(TicketAction):
    category = "payment_problem"
    subject = "Payment problem"
    reset_slots = ("order_id", "payment_method")

    def name(self) -> str:
        return "action_payment_problem"

    def confirmation(self, ticket: dict, number: str | None) -> str:
        return (
            f"I'm sorry about that. I've opened ticket #{ticket['id']} for our payments team. If you were charged "
            "twice, the duplicate is refunded automatically within 3 working days; otherwise a colleague will "
            "contact you within one working day."
        )


class ActionGetInvoice(CRMAction):
    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_get_invoice"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        number = valid_order_number(order_number(tracker))
        if number is None:
            dispatcher.utter_message(
                text='Invoices are under "My account" → "My orders" on our website. Tell me the order number '
                "and I'll give you its summary here."
            )
            return []
        try:
            order = (await crm.get_order(number))["order"]
        except NotFound:
            dispatcher.utter_message(text=not_found_text(number))
            return []
        lines = "\n".join(f"- {i['quantity']} × {i['product_name']} at {i['unit_price']}" for i in order["items"])
        dispatcher.utter_message(
            text=f"Invoice summary for order {number} of {human_date(order['placed_at'])}:\n{lines}\n"
            f"Total: {order['total']} {order['currency']} (VAT included). The PDF invoice is under "
            '"My account" → "My orders".'
        )
        return []
