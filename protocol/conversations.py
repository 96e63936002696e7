"""Conversation (sender) ids: unguessable, and recognisable by channel.

- Web widget: `web-<random>`, issued by the server when a socket starts a session.
- Telegram: `tg-<keyed hash>` of the chat and user ids with a server secret, so that knowing
  a chat id does not reveal, let alone open, its conversation.
- Trusted servers on the REST channel choose their own ids (at most 255 characters).
"""

import hashlib
import hmac
import re
import secrets

WIDGET_PREFIX = "web-"
TELEGRAM_PREFIX = "tg-"
_WIDGET_ID = re.compile(r"^web-[A-Za-z0-9_-]{32}$")
_TELEGRAM_ID = re.compile(r"^tg-[0-9a-f]{40}$")
MIN_SECRET_CHARS = 32


def new_widget_conversation_id() -> str:
    """A fresh, unguessable id for a widget conversation (192 random bits)."""
    return WIDGET_PREFIX + secrets.token_urlsafe(24)


def telegram_conversation_id(chat_id: int, user_id: int, *, secret: str) -> str:
    """The conversation id of a Telegram user in a chat: a keyed hash, stable for the pair."""
    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(f"the conversation id secret must have at least {MIN_SECRET_CHARS} characters")
    digest = hmac.new(secret.encode(), f"telegram:{int(chat_id)}:{int(user_id)}".encode(), hashlib.sha256)
    return TELEGRAM_PREFIX + digest.hexdigest()[:40]


def is_widget_conversation_id(value: str) -> bool:
    return bool(_WIDGET_ID.match(value))


def is_telegram_conversation_id(value: str) -> bool:
    return bool(_TELEGRAM_ID.match(value))


def session_proof(conversation_id: str, *, secret: str) -> str:
    """A proof, issued by the server with a session, that its holder may rejoin it."""
    return hmac.new(secret.encode(), f"session:{conversation_id}".encode(), hashlib.sha256).hexdigest()


def proof_matches(conversation_id: str, proof: object, *, secret: str) -> bool:
    """Whether `proof` is the server's proof for `conversation_id` (constant-time)."""
    return isinstance(proof, str) and hmac.compare_digest(proof, session_proof(conversation_id, secret=secret))
