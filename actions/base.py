"""What every CRM-backed action shares: the client, the customer's token, polite failures."""

import abc
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.confirmation import corrected_order_number
from actions.crm_client import ConversationOwnedByAnother, CRMClient, CRMError, CRMUnavailable, CustomerNotVerified
from actions.identity import crm_client_for
from actions.phrasing import MissingResponse
from protocol.order_numbers import normalise

logger = logging.getLogger(__name__)

Events = list[dict[str, Any]]
OFFER_SLOT = "pending_offer"  # what a "yes" accepts now (actions/handoff.py)
CONTEXT_ORDER_SLOT = "context_order"  # the order being discussed (actions/context.py)


def order_number(tracker: Tracker) -> str | None:
    """The order number of the latest message (the corrected one of "702743 not 702733"), or
    the one the conversation holds."""
    text = str((tracker.latest_message or {}).get("text") or "")
    value = (
        corrected_order_number(text)
        or next(tracker.get_latest_entity_values("order_id"), None)
        or tracker.get_slot("order_id")
    )
    return str(value).strip() if value else None


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the latest user message (Rasa's own helper needs an intent ranking)."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def valid_order_number(value: str | None) -> str | None:
    """'#702733', '702 733', 'ord-702733' -> '702733'; anything that is not an order number
    (the shop's setting, protocol.order_numbers) -> None."""
    return normalise(value)


class CRMAction(Action, abc.ABC):
    """An action that reads or changes CRM data; CRM failures become helpful answers."""

    # Slots to clear whatever happens, so that a stale value never leaks into the next turn.
    reset_slots: tuple[str, ...] = ()

    @abc.abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], crm: CRMClient
    ) -> Events:
        """The action's own work."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        crm = crm_client_for(tracker)
        events: Events = []
        try:
            events = await self.act(dispatcher, tracker, domain, crm)
            # The order a form or action worked on becomes the order being discussed (actions/context.py).
            worked_on = valid_order_number(tracker.get_slot("order_id"))
            if worked_on and not any(e.get("name") == CONTEXT_ORDER_SLOT for e in events):
                events = [*events, {"event": "slot", "timestamp": None, "name": CONTEXT_ORDER_SLOT, "value": worked_on}]
        except ConversationOwnedByAnother:
            dispatcher.utter_message(response="utter_conversation_belongs_to_another")
        except CustomerNotVerified:
            dispatcher.utter_message(response="utter_ask_identify")
        except CRMUnavailable:
            logger.exception("%s: CRM unavailable", self.name())
            dispatcher.utter_message(response="utter_service_unavailable")
        except CRMError:
            logger.exception("%s: CRM refused the request", self.name())
            dispatcher.utter_message(response="utter_something_went_wrong")
        except MissingResponse:
            logger.exception("%s: the domain lacks a response this action needs", self.name())
            dispatcher.utter_message(response="utter_something_went_wrong")
        # An offer ("shall I ...?") holds for the next message only; an action that makes one sets it again.
        expired = [OFFER_SLOT] if tracker.get_slot(OFFER_SLOT) else []

        return [
            *[{"event": "slot", "timestamp": None, "name": n, "value": None} for n in expired],
            *events,
            *[{"event": "slot", "timestamp": None, "name": n, "value": None} for n in self.reset_slots],
        ]
