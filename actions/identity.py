"""Which customer a conversation speaks for.

The channel (web widget, Telegram bridge, or a REST client) puts a short-lived signed token
into the metadata of each user message. Only the token of the latest message counts, so a
stranger who writes into someone else's conversation id gains nothing from earlier turns.
The CRM, not this code, checks the token's signature and expiry.
"""

from rasa_sdk import Tracker

CUSTOMER_TOKEN_KEY = "customer_token"


def customer_token(tracker: Tracker) -> str | None:
    """The token carried by the latest user message, if any."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    token = metadata.get(CUSTOMER_TOKEN_KEY) if isinstance(metadata, dict) else None
    return token if isinstance(token, str) and token else None
