"""Complaints, and customers who sound like leaving. The handoff to a human lives in actions/handoff.py."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CRMAction, Events
from actions.context import CONTEXT_TICKET, discussed_order, named_order, slot
from actions.crm_client import CRMClient, CustomerNotVerified
from actions.personalisation import retention_offer, sounds_like_leaving


async def offer_to_stay(dispatcher: CollectingDispatcher, tracker: Tracker, crm: CRMClient) -> bool:
    """The CRM's retention voucher (unique, expiring) for a verified customer it says we may lose;
    whether one was offered. The reason, with the factors that raised the risk, is logged."""
    if not crm.is_verified:
        return False
    try:
        offer = retention_offer(await crm.retention_offer())
    except CustomerNotVerified:
        return False
    if offer is None:
        return False
    dispatcher.utter_message(response=offer.response, **offer.values)
    await crm.log_decision(tracker.sender_id, offer.decision, offer.reason)
    return True


class ActionComplaint(CRMAction):
    """Open a complaint ticket with the customer's words (or add them to the open one); a
    customer who sounds like leaving and whom the CRM says we may lose gets its offer."""

    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_complaint"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        number = await discussed_order(tracker, crm) if crm.is_verified else named_order(tracker)
        text = tracker.latest_message.get("text") or "(no text)"
        ticket = await crm.open_ticket(
            category="complaint",
            subject="Complaint",
            body=text[:5000],
            channel=tracker.get_latest_input_channel(),
            conversation_id=tracker.sender_id,
            priority="high",
            order_number=number,
        )
        if ticket.get("outcome") == "updated":
            dispatcher.utter_message(response="utter_ticket_updated", ticket_id=ticket["id"])
        else:
            dispatcher.utter_message(response="utter_complaint_opened", ticket_id=ticket["id"])
        if sounds_like_leaving(text):
            await offer_to_stay(dispatcher, tracker, crm)
        return [slot(CONTEXT_TICKET, ticket["id"])]


class ActionRetention(CRMAction):
    """ "I'm done with you guys, never ordering again": an apology, and the CRM's offer if the
    customer is at high risk of leaving."""

    def name(self) -> str:
        return "action_retention"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        dispatcher.utter_message(response="utter_sorry_to_hear")
        await offer_to_stay(dispatcher, tracker, crm)
        return []
