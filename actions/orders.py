"""Actions about orders: status, list, cancel, address change, changes and delivery problems."""

import abc
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import NOT_AN_ORDER_NUMBER, CRMAction, Events, latest_intent, order_number, valid_order_number
from actions.crm_client import ConversationOwnedByAnother, CRMClient, CRMUnavailable, CustomerNotVerified, NotFound
from actions.formatting import describe_order, money
from actions.identity import crm_client_for


def not_found_text(number: str) -> str:
    return (
        f"I couldn't find an order {number} on your account. Please check the number; "
        "it has six digits and is in your confirmation e-mail."
    )


class ActionOrderStatus(CRMAction):
    """Tell a verified customer where one of their orders is (or list the recent ones)."""

    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_order_status"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        raw = order_number(tracker)
        if raw is None and latest_intent(tracker) == "inform":
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        if raw is None:
            await list_recent_orders(crm, dispatcher)
            return []
        number = valid_order_number(raw)
        if number is None:
            dispatcher.utter_message(text=NOT_AN_ORDER_NUMBER)
            return []
        try:
            answer = await crm.get_order(number)
        except NotFound:
            dispatcher.utter_message(text=not_found_text(number))
            return []
        dispatcher.utter_message(text=f"Hi {answer['customer']['first_name']}! {describe_order(answer['order'])}")
        return []


class ActionListOrders(CRMAction):
    def name(self) -> str:
        return "action_list_orders"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        await list_recent_orders(crm, dispatcher, limit=5)
        return []


async def list_recent_orders(crm: CRMClient, dispatcher: CollectingDispatcher, limit: int = 3) -> None:
    answer = await crm.list_orders(limit=limit)
    first_name, orders = answer["customer"]["first_name"], answer["orders"]
    if not orders:
        dispatcher.utter_message(text=f"Hi {first_name}! I can't see any orders on your account yet.")
        return
    lines = "\n".join(f"- {describe_order(order)}" for order in orders)
    dispatcher.utter_message(
        text=f"Hi {first_name}! Here are your most recent orders:\n{lines}\nAsk me about any order by its number."
    )


class OrderFormValidation(FormValidationAction, abc.ABC):
    """Shared by the forms that act on one order: the order must exist, be the customer's,
    and be in a state that allows the change. Otherwise the form ends at once (`request_refused`)."""

    refusal_status_text = "can no longer be changed"

    @abc.abstractmethod
    def name(self) -> str:
        """Each form's validation action is named after its form."""

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        return [] if tracker.get_slot("request_refused") else domain_slots

    def order_allows(self, order: dict[str, Any]) -> bool:
        return bool(order.get("changeable"))

    def refusal_text(self, order: dict[str, Any]) -> str:
        return f"Order {order['number']} is already {order['status']}, so it {self.refusal_status_text}."

    async def validate_order_id(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = valid_order_number(str(slot_value) if slot_value else None)
        if number is None:
            dispatcher.utter_message(text=NOT_AN_ORDER_NUMBER)
            return {"order_id": None}
        crm = crm_client_for(tracker)
        try:
            order = (await crm.get_order(number))["order"]
        except ConversationOwnedByAnother:
            dispatcher.utter_message(response="utter_conversation_belongs_to_another")
            return {"order_id": number, "request_refused": True}
        except CustomerNotVerified:
            dispatcher.utter_message(response="utter_ask_identify")
            return {"order_id": number, "request_refused": True}
        except NotFound:
            dispatcher.utter_message(text=not_found_text(number))
            return {"order_id": None}
        except CRMUnavailable:
            dispatcher.utter_message(response="utter_service_unavailable")
            return {"order_id": number, "request_refused": True}
        if not self.order_allows(order):
            dispatcher.utter_message(text=self.refusal_text(order))
            return {"order_id": number, "request_refused": True}
        return {"order_id": number}


class ValidateChangeAddressForm(OrderFormValidation):
    refusal_status_text = (
        "has left our warehouse and I can't change its address any more. "
        "The carrier's tracking page may let you redirect the parcel"
    )

    def name(self) -> str:
        return "validate_change_address_form"

    async def validate_new_address(self, slot_value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        address = " ".join(str(slot_value or "").split())
        if not 10 <= len(address) <= 300 or not any(ch.isdigit() for ch in address):
            dispatcher.utter_message(
                text="That address looks incomplete. Please give street and number, postcode, city and country."
            )
            return {"new_address": None}
        return {"new_address": address}


class ValidateCancelOrderForm(OrderFormValidation):
    refusal_status_text = "can't be cancelled any more. Once it's delivered you can return it free of charge instead"

    def name(self) -> str:
        return "validate_cancel_order_form"


class ActionAskCancelConfirmed(CRMAction):
    """Ask for a yes or no, showing what would be cancelled."""

    def name(self) -> str:
        return "action_ask_cancel_confirmed"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        order = (await crm.get_order(tracker.get_slot("order_id")))["order"]
        items = ", ".join(f"{item['quantity']} × {item['product_name']}" for item in order["items"])
        dispatcher.utter_message(
            text=f"Do you want me to cancel order {order['number']} ({items}, {money(order)})?",
            buttons=[{"title": "Yes, cancel it", "payload": "/affirm"}, {"title": "No, keep it", "payload": "/deny"}],
        )
        return []


class ActionCancelOrder(CRMAction):
    """The cancel form's end: cancel if the customer confirmed."""

    reset_slots = ("order_id", "cancel_confirmed", "request_refused")

    def name(self) -> str:
        return "action_cancel_order"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if tracker.get_slot("request_refused"):
            return []
        number = tracker.get_slot("order_id")
        if not tracker.get_slot("cancel_confirmed"):
            dispatcher.utter_message(text=f"All right, order {number} stays as it is.")
            return []
        answer = await crm.cancel_order(number)
        amount = f"{answer['refund']['amount']} {answer['order']['currency']}"
        dispatcher.utter_message(
            text=f"Done: order {number} is cancelled. The refund of {amount} goes back to your original payment "
            "method within 5 working days."
        )
        return []


class ActionChangeAddress(CRMAction):
    """The address form's end: store the new address."""

    reset_slots = ("order_id", "new_address", "request_refused")

    def name(self) -> str:
        return "action_change_address"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        if tracker.get_slot("request_refused"):
            return []
        number, address = tracker.get_slot("order_id"), tracker.get_slot("new_address")
        answer = await crm.change_address(number, address)
        dispatcher.utter_message(
            text=f"Done: order {number} will be delivered to {answer['order']['shipping_address']}."
        )
        return []


class TicketAction(CRMAction):
    """Hand a case over to a colleague by opening a ticket with the customer's own words."""

    category = "general"
    subject = "Customer request"

    @abc.abstractmethod
    def confirmation(self, ticket: dict[str, Any], number: str | None) -> str:
        """What to tell the customer once the ticket exists."""

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        number = valid_order_number(order_number(tracker))
        subject = f"{self.subject} (order {number})" if number else self.subject
        ticket = await crm.open_ticket(
            category=self.category,
            subject=subject,
            body=(tracker.latest_message.get("text") or "")[:5000] or "(no text)",
            channel=tracker.get_latest_input_channel(),
            conversation_id=tracker.sender_id,
        )
        dispatcher.utter_message(text=self.confirmation(ticket, number))
        return []


class ActionChangeOrder(TicketAction):
    category = "order_change"
    subject = "Change to an order"
    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_change_order"

    def confirmation(self, ticket: dict[str, Any], number: str | None) -> str:
        return (
            f"I've asked a colleague to change your order (ticket #{ticket['id']}). Changes are possible until the "
            "order is dispatched; you'll get an e-mail once it's done."
        )


class ActionReportDeliveryProblem(TicketAction):
    category = "delivery_problem"
    subject = "Delivery problem"
    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_report_delivery_problem"

    def confirmation(self, ticket: dict[str, Any], number: str | None) -> str:
        about = f" with order {number}" if number else ""
        return (
            f"I'm sorry about the problem{about}. I've opened ticket #{ticket['id']} for our delivery team; they "
            "will contact you within one working day, and replace or refund anything damaged or missing."
        )
