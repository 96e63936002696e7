"""Who owns a conversation: the first customer verified in it.

The bot API records the owner on the first call that carries a valid customer token for a
conversation, and refuses a token for anyone else there afterwards. The console, the
transcript index and the privacy tools read the owner from here, never from the latest token.
"""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_backend.conversations.models import ConversationOwner

CHUNK = 500


class ConversationOwnedByAnother(Exception):
    """The conversation already belongs to another customer: a token for this one is refused."""

    code = "conversation_owned_by_another"

    def __init__(self, conversation_id: str) -> None:
        super().__init__("This conversation belongs to another customer.")
        self.conversation_id = conversation_id


def owner_of(*, db_session: Session, conversation_id: str) -> int | None:
    """The owner's customer id, or None if nobody was verified in the conversation yet."""
    return db_session.scalar(
        select(ConversationOwner.customer_id).where(ConversationOwner.conversation_id == conversation_id)
    )


def owners_of(*, db_session: Session, conversation_ids: list[str]) -> dict[str, int]:
    """{conversation id: owner} for those of `conversation_ids` that have an owner."""
    owners: dict[str, int] = {}
    ids = sorted(set(conversation_ids))
    for start in range(0, len(ids), CHUNK):
        statement = select(ConversationOwner.conversation_id, ConversationOwner.customer_id).where(
            ConversationOwner.conversation_id.in_(ids[start : start + CHUNK])
        )
        owners.update(db_session.execute(statement).all())
    return owners


def owned_conversation_ids(*, db_session: Session, customer_id: int) -> set[str]:
    """Every conversation the customer owns."""
    statement = select(ConversationOwner.conversation_id).where(ConversationOwner.customer_id == customer_id)
    return set(db_session.scalars(statement))


def claim_conversation(
    *, db_session: Session, conversation_id: str, customer_id: int, channel: str | None = None
) -> int:
    """Record `customer_id` as the owner unless the conversation has one; returns the owner.

    Race-safe: the insert runs in a savepoint, and of concurrent first claims the primary key
    lets one through; the others find that one's row (on PostgreSQL the losing insert waits
    for the winner's commit). The caller commits."""
    owner = owner_of(db_session=db_session, conversation_id=conversation_id)
    if owner is not None:
        return owner
    row = ConversationOwner(
        conversation_id=conversation_id,
        customer_id=customer_id,
        channel=channel[:20] if channel else None,
        first_verified_at=datetime.now(UTC),
    )
    try:
        with db_session.begin_nested():
            db_session.add(row)
    except IntegrityError:
        owner = owner_of(db_session=db_session, conversation_id=conversation_id)
        if owner is None:  # not a lost race: the customer itself is unknown
            raise
        return owner
    return customer_id


def require_owner(*, db_session: Session, conversation_id: str, customer_id: int, channel: str | None = None) -> None:
    """Claim the conversation for the customer, or raise `ConversationOwnedByAnother`."""
    owner = claim_conversation(
        db_session=db_session, conversation_id=conversation_id, customer_id=customer_id, channel=channel
    )
    if owner != customer_id:
        raise ConversationOwnedByAnother(conversation_id)
