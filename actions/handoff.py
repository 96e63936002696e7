"""Live handoff to a colleague, and the satisfaction rating that follows a conversation.

`action_human_handoff` queues the conversation in the CRM and pauses it: Rasa then stores
the customer's messages but the bot stays silent until an agent hands back (the CRM sends
a `resume` event, then runs `utter_ask_csat`). `action_store_csat` records the rating.
"""

import logging
from typing import Any

from rasa_sdk.events import ConversationPaused

from actions.base import CRMAction, Events, latest_intent
from actions.crm_client import Conflict, CRMClient
from protocol.metadata import CHANNEL_ADDRESS, TELEGRAM_CHANNEL

logger = logging.getLogger(__name__)

SUMMARY_MESSAGES = 5
SUMMARY_MAX_CHARS = 2000
# The fallback's second miss offers a human; a handoff soon after it is the bot's failure.
FALLBACK_ACTION = "action_handle_fallback"
FALLBACK_LOOKBACK_EVENTS = 8


def conversation_summary(events: list[dict[str, Any]], limit: int = SUMMARY_MESSAGES) -> str:
    """The customer's last `limit` messages, oldest first, one per line."""
    texts = [str(e.get("text") or "").strip() for e in events if e.get("event") == "user"]
    texts = [text for text in texts if text and not text.startswith("/")]
    return "\n".join(texts[-limit:])[-SUMMARY_MAX_CHARS:]


def bot_failed(events: list[dict[str, Any]]) -> bool:
    """Whether the fallback ran in the last few events (the customer took the human offer)."""
    recent = events[-FALLBACK_LOOKBACK_EVENTS:]
    return any(e.get("event") == "action" and e.get("name") == FALLBACK_ACTION for e in recent)


def channel_address(tracker, channel: str | None) -> str | None:
    """Where the channel delivers agents' replies (Telegram: the chat the message came from)."""
    if channel != TELEGRAM_CHANNEL:
        return None
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    address = metadata.get(CHANNEL_ADDRESS) if isinstance(metadata, dict) else None
    return str(address)[:64] if address not in (None, "") else None


class ActionHumanHandoff(CRMAction):
    """Queue the conversation for a colleague and pause the bot until they hand back."""

    def name(self) -> str:
        return "action_human_handoff"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        # The Rasa input channel that received the message: clients cannot choose it.
        channel = tracker.get_latest_input_channel()
        # The ticket keeps the request when nobody is online: a colleague answers by e-mail.
        ticket = await crm.open_ticket(
            category="handoff",
            subject="Customer asked for a human",
            body=(tracker.latest_message.get("text") or "(no text)")[:5000],
            channel=channel,
            conversation_id=tracker.sender_id,
        )
        handoff = await crm.open_handoff(
            conversation_id=tracker.sender_id,
            channel=channel,
            channel_address=channel_address(tracker, channel),
            reason="bot_failed" if bot_failed(tracker.events) else "customer_asked",
            summary=conversation_summary(tracker.events) or None,
        )
        logger.info("Conversation queued for a human (handoff %s)", handoff.get("id"))
        dispatcher.utter_message(response="utter_handoff_queued", ticket_id=ticket["id"])
        return [ConversationPaused()]


def csat_score(tracker) -> int | None:
    """The 1-5 score of the latest message (the buttons' entity), or None."""
    value = next(tracker.get_latest_entity_values("csat_score"), None)
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return score if 1 <= score <= 5 else None


class ActionStoreCsat(CRMAction):
    """Store the customer's rating; the CRM decides whether it rates the bot or a colleague."""

    def name(self) -> str:
        return "action_store_csat"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        score = csat_score(tracker)
        if score is None or latest_intent(tracker) != "rate_csat":
            dispatcher.utter_message(response="utter_ask_csat")
            return []
        try:
            await crm.store_csat(conversation_id=tracker.sender_id, score=score)
        except Conflict:  # the CRM's rule: only after the question, and only once
            dispatcher.utter_message(response="utter_csat_not_open")
            return []
        dispatcher.utter_message(response="utter_thank_csat")
        return []
