"""Complaints, and customers who sound like leaving. The handoff to a human lives in actions/handoff.py."""

from typing import Any

from actions.base import CRMAction, Events
from actions.crm_client import CRMClient
from actions.orders import Reply, TicketAction, late_issue
from actions.personalisation import offer_to_stay


class ActionComplaint(TicketAction):
    """A complaint ticket with the customer's words (or they join the open one), after the CRM's
    fact check: "N is late, I want to complain" about a parcel not yet due opens nothing."""

    category = "complaint"
    subject = "Complaint"
    priority = "high"
    reset_slots = ("order_id",)

    def name(self) -> str:
        return "action_complaint"

    def issue(self, text: str) -> str | None:
        return late_issue(text)

    def confirmation(self, ticket: dict[str, Any], number: str | None) -> Reply:
        return "utter_complaint_opened", {"ticket_id": ticket["id"]}


class ActionRetention(CRMAction):
    """ "I'm done with you guys, never ordering again": an apology, and the CRM's offer if the
    customer is at high risk of leaving."""

    def name(self) -> str:
        return "action_retention"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        dispatcher.utter_message(response="utter_sorry_to_hear")
        await offer_to_stay(dispatcher, tracker, crm)
        return []
