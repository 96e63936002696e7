"""Owners of conversations whose messages carried customer tokens in Rasa's stored events.

Conversations are owned by the first customer verified in them (`crm_backend.conversations.
ownership`); the bot API records that as it happens. Older conversations were stored with the
token in each user message's metadata, and no owner record: for those, the first valid token
claims the conversation, once (a conversation that has an owner keeps it). Tokens are no
longer stored, so for new conversations this finds nothing to do.

Reviewing a conversation later, the token has usually expired; its signature still proves
who the customer was, so expiry is not checked here (only signature and audience). The token
is never shown to agents or sent to the browser.
"""

import jwt
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crm_backend.conversations.ownership import claim_conversation
from crm_backend.core.security import TOKEN_ALGORITHM, TOKEN_AUDIENCE
from crm_backend.customers.models import Customer
from crm_backend.transcripts.tracker import StoredEvent, user_messages_after
from protocol.limits import MAX_CONVERSATION_ID_CHARS
from protocol.metadata import CUSTOMER_TOKEN

MAX_TOKEN_LENGTH = 4096


class TokenVerifier:
    """Verifies customer tokens with the CRM's secret, remembering recent answers."""

    def __init__(self, secret: str, cache_size: int = 10_000) -> None:
        self._secret = secret
        self._cache: dict[str, int | None] = {}
        self._cache_size = cache_size

    def customer_id(self, metadata: object) -> int | None:
        """The customer id a message's metadata vouches for, or None."""
        token = metadata.get(CUSTOMER_TOKEN) if isinstance(metadata, dict) else None
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        if token not in self._cache:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[token] = self._verify(token)
        return self._cache[token]

    def _verify(self, token: str) -> int | None:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[TOKEN_ALGORITHM],
                audience=TOKEN_AUDIENCE,
                options={"verify_exp": False, "require": ["sub", "aud"]},
            )
            return int(claims["sub"])
        except (jwt.PyJWTError, ValueError, TypeError):
            return None


def messages_with_tokens(engine: Engine, after_id: int, limit: int) -> list[StoredEvent]:
    """Up to `limit` stored user messages after `after_id` whose metadata may hold a token."""
    return user_messages_after(engine, after_id, limit, containing=f'"{CUSTOMER_TOKEN}"')


def claim_owners_from_tokens(
    *, db_session: Session, events: list[StoredEvent], verifier: TokenVerifier
) -> dict[str, int]:
    """Let the first valid token of each conversation claim it (events in id order); returns
    {conversation id: owner} for the conversations these events name that have an owner now.

    The first validly signed token decides. If it names a customer that does not exist or
    was erased, it claims nothing, and the conversation's later tokens in `events` are not
    asked: the conversation was that customer's, and it becomes nobody else's."""
    first: dict[str, tuple[int, str | None]] = {}
    for event in events:
        conversation_id = event.sender_id[:MAX_CONVERSATION_ID_CHARS]
        if conversation_id in first:
            continue
        customer_id = verifier.customer_id(event.data.get("metadata"))
        if customer_id is not None:
            first[conversation_id] = (customer_id, event.data.get("input_channel"))
    if not first:
        return {}
    status = dict(
        db_session.execute(
            select(Customer.id, Customer.erased_at).where(Customer.id.in_(sorted({c for c, _ in first.values()})))
        ).all()
    )
    owners: dict[str, int] = {}
    for conversation_id, (customer_id, channel) in first.items():
        if customer_id in status and status[customer_id] is None:
            owners[conversation_id] = claim_conversation(
                db_session=db_session,
                conversation_id=conversation_id,
                customer_id=customer_id,
                channel=channel if isinstance(channel, str) else None,
            )
    return owners
