"""Complaints. The handoff to a human lives in actions/handoff.py."""

from actions.base import CRMAction, Events, order_number, valid_order_number
from actions.crm_client import CRMClient, CustomerNotVerified
from actions.personalisation import retention_offer


class ActionComplaint(CRMAction):
    """Open a complaint ticket with the customer's words; a customer the CRM says we may lose
    gets its offer."""

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
        dispatcher.utter_message(response="utter_complaint_opened", ticket_id=ticket["id"])
        if not crm.is_verified:
            return []
        try:
            offer = retention_offer(await crm.retention_offer())
        except CustomerNotVerified:
            return []
        if offer is not None:
            dispatcher.utter_message(response=offer.response, **offer.values)
            await crm.log_decision(tracker.sender_id, offer.decision, offer.reason)
        return []
