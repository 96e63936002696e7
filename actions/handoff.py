"""Live handoff to a colleague, and the satisfaction rating that follows a conversation.

`action_human_handoff` queues the conversation in the CRM and pauses it (Rasa's pause: the
bot predicts nothing until an agent hands back; the CRM sends a `resume` event, then runs
`utter_ask_csat`). While it waits, the channel runs `action_handoff_waiting` for each message
(bot/channels/turns.py), so the customer always hears their place in the queue and can go back
to the bot. Outside agents' hours the CRM refuses the queue and the bot offers a ticket; a
"yes" to either offer goes to `action_accept_offer`. `action_store_csat` records the rating.
"""

import logging
import re
from typing import Any

from rasa_sdk.events import ConversationPaused, ConversationResumed, SlotSet

from actions.base import OFFER_SLOT, CRMAction, Events, latest_intent
from actions.context import CONTEXT_TICKET
from actions.crm_client import Conflict, CRMClient
from protocol.metadata import CHANNEL_ADDRESS, TELEGRAM_CHANNEL

logger = logging.getLogger(__name__)

SUMMARY_MESSAGES = 5
SUMMARY_MAX_CHARS = 2000
# The fallback's second miss offers a human; a handoff soon after it is the bot's failure.
FALLBACK_ACTION = "action_handle_fallback"
FALLBACK_LOOKBACK_EVENTS = 8
AGENTS_OFFLINE = "agents_offline"  # the CRM's code outside agents' hours
PENDING_OFFER = OFFER_SLOT  # what a "yes" accepts: "human" or "ticket"
CANCEL_INTENTS = {"stop"}  # and the words of BACK_TO_BOT: no intent of its own (it took "talk to a human")
# "never mind, I'll ask the bot", "forget it", "cancel the request", "I don't need a human any more".
BACK_TO_BOT = re.compile(
    r"\bnever ?mind\b|\bforget (?:it|that|about it)\b|\bcancel (?:the|my|that) (?:request|handoff)\b"
    r"|\b(?:ask|use|back to|stay with|continue with) (?:the )?(?:bot|assistant)\b|\bI'?ll ask you\b"
    r"|\bdon'?t need (?:a|the) (?:human|agent|person|colleague)",
    re.IGNORECASE,
)


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
    """Queue the conversation for a colleague and pause the bot until they hand back; outside
    agents' hours, say so and offer a ticket instead (the CRM knows who is online)."""

    def name(self) -> str:
        return "action_human_handoff"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        # The Rasa input channel that received the message: clients cannot choose it.
        channel = tracker.get_latest_input_channel()
        try:
            handoff = await crm.open_handoff(
                conversation_id=tracker.sender_id,
                channel=channel,
                channel_address=channel_address(tracker, channel),
                reason="bot_failed" if bot_failed(tracker.events) else "customer_asked",
                summary=conversation_summary(tracker.events) or None,
            )
        except Conflict as error:
            if error.code != AGENTS_OFFLINE:
                raise
            dispatcher.utter_message(response="utter_agents_offline")
            return [SlotSet(PENDING_OFFER, "ticket")]
        logger.info("Conversation queued for a human (handoff %s)", handoff.get("id"))
        # The handoff's own ticket, linked by conversation: the console closes both together
        # (crm_backend/desk/linking.py), and it keeps the request if the chat ends unanswered.
        await crm.open_ticket(
            category="handoff",
            subject="Customer asked for a human",
            body=(tracker.latest_message.get("text") or "(no text)")[:5000],
            channel=channel,
            conversation_id=tracker.sender_id,
        )
        dispatcher.utter_message(**wait_reply(("utter_handoff_queued", "utter_handoff_queued_eta"), handoff))
        return [SlotSet(PENDING_OFFER, None), ConversationPaused()]


def wait_reply(responses: tuple[str, str], place: dict[str, Any]) -> dict[str, Any]:
    """The queue reply (without, with the wait) with the place in the queue, and the expected
    wait when the CRM knows it."""
    minutes = place.get("expected_wait_minutes")
    return {"response": responses[bool(minutes)], "position": place.get("position") or 1, "minutes": minutes}


class ActionHandoffWaiting(CRMAction):
    """Every message while the conversation waits for a colleague (run by the channel while
    Rasa is paused: bot/channels/turns.py). "Never mind, I'll ask the bot" withdraws the request
    and resumes the bot; anything else gets the place in the queue. Once a colleague has
    claimed the chat they answer, so the bot stays quiet."""

    def name(self) -> str:
        return "action_handoff_waiting"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        text = tracker.latest_message.get("text") or ""
        wants_bot = latest_intent(tracker) in CANCEL_INTENTS or BACK_TO_BOT.search(text)
        if wants_bot and (await crm.cancel_handoff(tracker.sender_id)).get("cancelled"):
            dispatcher.utter_message(response="utter_handoff_cancelled")
            return [ConversationResumed()]
        place = await crm.handoff_place(tracker.sender_id)
        if place["status"] == "queued":
            dispatcher.utter_message(**wait_reply(("utter_handoff_wait_ack", "utter_handoff_wait_ack_eta"), place))
        elif place["status"] == "none":  # the request ended without a colleague: the bot is back
            dispatcher.utter_message(response="utter_handoff_cancelled")
            return [ConversationResumed()]
        return []


class ActionAcceptOffer(CRMAction):
    """ "Yes" to the bot's own offer: a colleague (queue) or a ticket (outside agents' hours)."""

    def name(self) -> str:
        return "action_accept_offer"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        offer = tracker.get_slot(PENDING_OFFER)
        if offer == "human":
            return await ActionHumanHandoff().act(dispatcher, tracker, domain, crm)
        ticket = await crm.open_ticket(
            category="handoff",
            subject="Customer asked for a human",
            body=conversation_summary(tracker.events) or "(no text)",
            channel=tracker.get_latest_input_channel(),
            conversation_id=tracker.sender_id,
        )
        dispatcher.utter_message(response="utter_handoff_ticket", ticket_id=ticket["id"])
        return [SlotSet(PENDING_OFFER, None), SlotSet(CONTEXT_TICKET, ticket["id"])]


class ActionDeclineOffer(CRMAction):
    """ "No" to the bot's offer: nothing is done, and the offer is gone."""

    def name(self) -> str:
        return "action_decline_offer"

    async def act(self, dispatcher, tracker, domain, crm: CRMClient) -> Events:
        dispatcher.utter_message(response="utter_anything_else")
        return []


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
