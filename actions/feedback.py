"""Complaints. The handoff to a human lives in actions/handoff.py."""

from actions.base import CRMAction, Events, order_number, valid_order_number
from actions.crm_client import CRMClient, CustomerNotVerified
from actions.personalisation import retention_offer


class ActionComplaint(CRMAction):
    """Open a complaint ticket with the customer's words; a customer we may lose gets an offer."""

    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_complaint"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        number = valid_order_number(order_number(tracker))
        ticket = await crm.open_ticket(
            category="complaint",
            subject=f"Complaint (order {number})" if number else "Complaint",
            body=(tracker.latest_message.get("text") or "(no text)")[:5000],
            channel=tracker.get_latest_input_channel(),
            conversation_id=tracker.sender_id,
            priority="high",
        )
        dispatcher.utter_message(
            text=f"I'm really sorry about this. I've opened complaint #{ticket['id']} and a colleague will get back "
            "to you within one working day."
        )
        if not crm.is_verified:
            return []
        try:
            profile = await crm.profile()
        except CustomerNotVerified:
            return []
        offer = retention_offer(profile)
        if offer is not None:
            dispatcher.utter_message(text=offer.text)
            await crm.log_decision(tracker.sender_id, offer.decision, offer.reason)
        return []
