"""Which customer a conversation speaks for, and in which conversation.

The channel (web widget, Telegram bridge, or a REST client) puts a short-lived signed token
into the metadata of each user message. Only the token of the latest message counts, so a
stranger who writes into someone else's conversation id gains nothing from earlier turns.
The CRM, not this code, checks the token's signature and expiry, and that the conversation
belongs to the token's customer: every call names its conversation (`tracker.sender_id`).
"""

from rasa_sdk import Tracker

from actions.crm_client import CRMClient
from protocol.metadata import CUSTOMER_TOKEN

CUSTOMER_TOKEN_KEY = CUSTOMER_TOKEN


def customer_token(tracker: Tracker) -> str | None:
    """The token carried by the latest user message, if any."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    token = metadata.get(CUSTOMER_TOKEN) if isinstance(metadata, dict) else None
    return token if isinstance(token, str) and token else None


def crm_client_for(tracker: Tracker) -> CRMClient:
    """A CRM client for the customer of the latest message, in this conversation."""
    return CRMClient(
        customer_token(tracker),
        conversation_id=tracker.sender_id,
        channel=tracker.get_latest_input_channel(),
    )
