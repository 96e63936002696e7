"""Linking chat identities to customers with one-time codes, and the channels' outbox.

A shop issues a code for a customer (CLI, console or its own site); the customer sends it to
the bot (Telegram: `/start <code>` deep link or `/link <code>`), and the channel bridge
redeems it for the chat identity. Only the SHA-256 of a code is stored; a code works once
and expires. Failed redemptions are counted in this process's memory (see `LinkThrottle`).
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_backend.core.errors import Gone, Malformed, NotFound, Throttled
from crm_backend.core.security import issue_customer_token
from crm_backend.core.throttle import FailureWindow
from crm_backend.customers.models import ChannelIdentity, Customer
from crm_backend.handoff.models import OutboundMessage
from crm_backend.links.models import LinkCode

# No 0/O, 1/I/L: a code read aloud or typed from a screen is not misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31**10 ≈ 8e14 codes
DEFAULT_TTL_SECONDS = 600
MAX_TTL_SECONDS = 7 * 24 * 3600
# Failed redemptions: per chat identity, and for the whole process (many identities guessing).
MAX_FAILURES_PER_IDENTITY = 5
MAX_FAILURES_GLOBAL = 200
FAILURE_WINDOW_SECONDS = 15 * 60


# A bridge asks for a token per message, so it only needs to live for one turn of Rasa.
CHANNEL_TOKEN_TTL_SECONDS = 300


class LinkCodeError(Exception):
    """Any reason a code could not be redeemed (each kind is also a service error)."""


class MalformedCode(LinkCodeError, Malformed):
    code = "invalid_code"
    message = f"A link code has {CODE_LENGTH} letters and digits."


class UnknownCode(LinkCodeError, NotFound):
    code = "invalid_code"
    message = "This code is not valid."


class ExpiredCode(LinkCodeError, Gone):
    code = "expired_code"
    message = "This code has expired; please ask for a new one."


class UsedCode(LinkCodeError, Gone):
    code = "used_code"
    message = "This code has already been used; please ask for a new one."


class TooManyAttempts(LinkCodeError, Throttled):
    message = "Too many wrong codes; please wait 15 minutes and try again."

    def __init__(self) -> None:
        super().__init__(retry_after=FAILURE_WINDOW_SECONDS)


class NotLinked(NotFound):
    code = "not_linked"
    message = "This chat identity is not linked to a customer."


class OutboundNotFound(NotFound):
    message = "No such outbound message."


def normalize_code(code: str) -> str:
    """Upper case without spaces or dashes, as people type codes in many ways."""
    return "".join(code.split()).replace("-", "").upper()


def code_digest(code: str) -> str:
    """What is stored for a code: the SHA-256 of its normalised form, in hex."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def issue_link_code(
    db_session: Session,
    customer_id: int,
    channel: str,
    ttl: int = DEFAULT_TTL_SECONDS,
    *,
    now: datetime | None = None,
) -> str:
    """A new one-time code linking a `channel` identity to the customer; returned only here."""
    if not 1 <= ttl <= MAX_TTL_SECONDS:
        raise ValueError(f"ttl must be between 1 and {MAX_TTL_SECONDS} seconds")
    issued_at = _now(now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    db_session.add(
        LinkCode(
            code_hash=code_digest(code),
            customer_id=customer_id,
            channel=channel,
            created_at=issued_at,
            expires_at=issued_at + timedelta(seconds=ttl),
        )
    )
    db_session.flush()
    return code


def redeem_link_code(
    *, db_session: Session, channel: str, external_id: str, code: str, now: datetime | None = None
) -> Customer:
    """Link `external_id` on `channel` to the code's customer; raises a `LinkCodeError` otherwise."""
    normalized = normalize_code(code)
    if len(normalized) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in normalized):
        raise MalformedCode()
    moment = _now(now)
    link_code = db_session.scalars(select(LinkCode).where(LinkCode.code_hash == code_digest(normalized))).one_or_none()
    if link_code is None or link_code.channel != channel:
        raise UnknownCode()
    if link_code.used_at is not None:
        raise UsedCode()
    if link_code.expires_at <= moment:
        raise ExpiredCode()
    customer = db_session.get(Customer, link_code.customer_id)
    if customer is None or customer.erased_at is not None:
        raise UnknownCode()
    # Claim the code atomically: of two concurrent redemptions only one updates the row.
    claimed = db_session.execute(
        update(LinkCode).where(LinkCode.id == link_code.id, LinkCode.used_at.is_(None)).values(used_at=moment)
    )
    if claimed.rowcount != 1:
        raise UsedCode()
    _link_identity(db_session=db_session, customer_id=customer.id, channel=channel, external_id=external_id, now=moment)
    return customer


def _link_identity(*, db_session: Session, customer_id: int, channel: str, external_id: str, now: datetime) -> None:
    """Create the identity, or move it to this customer (a chat account can change hands)."""
    statement = select(ChannelIdentity).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
    )
    identity = db_session.scalars(statement).one_or_none()
    if identity is None:
        try:
            with db_session.begin_nested():
                db_session.add(
                    ChannelIdentity(customer_id=customer_id, channel=channel, external_id=external_id, linked_at=now)
                )
            return
        except IntegrityError:  # linked concurrently by another request
            identity = db_session.scalars(statement).one()
    identity.customer_id = customer_id
    identity.linked_at = now
    db_session.flush()


def unlink_identity(*, db_session: Session, channel: str, external_id: str) -> bool:
    """Forget the link of a chat identity; False if it was not linked."""
    identity = db_session.scalars(
        select(ChannelIdentity).where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
    ).one_or_none()
    if identity is None:
        return False
    db_session.delete(identity)
    db_session.flush()
    return True


@dataclass(frozen=True)
class ChannelToken:
    token: str
    customer_id: int
    expires_at: datetime


def issue_channel_token(
    *, db_session: Session, channel: str, external_id: str, secret: str, max_ttl_seconds: int
) -> ChannelToken:
    """A short-lived customer token for the customer linked to this chat identity (at most
    `CHANNEL_TOKEN_TTL_SECONDS`: a bridge asks again for every message); `NotLinked` otherwise."""
    customer = linked_customer(db_session=db_session, channel=channel, external_id=external_id)
    if customer is None:
        raise NotLinked()
    ttl = min(CHANNEL_TOKEN_TTL_SECONDS, max_ttl_seconds)
    now = int(time.time())
    token = issue_customer_token(customer.id, secret=secret, ttl_seconds=ttl, now=now)
    return ChannelToken(token=token, customer_id=customer.id, expires_at=datetime.fromtimestamp(now + ttl, UTC))


def linked_customer(*, db_session: Session, channel: str, external_id: str) -> Customer | None:
    """The (not erased) customer whom this chat identity is linked to, or None."""
    statement = (
        select(Customer)
        .join(ChannelIdentity, ChannelIdentity.customer_id == Customer.id)
        .where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.external_id == external_id,
            Customer.erased_at.is_(None),
        )
    )
    return db_session.scalars(statement).one_or_none()


class LinkThrottle:
    """Failed redemptions per chat identity and in total, in this process's memory.

    Like the agents' login guard: with several CRM worker processes each keeps its own
    counts, and a restart forgets them. With codes of ~50 bits that expire in minutes this
    keeps guessing hopeless; a shared store (a table or Redis) would make the limit exact.
    The global cap means a flood of wrong codes can delay linking for everyone for up to
    15 minutes, which is preferred over letting many accounts guess in parallel.
    """

    GLOBAL_KEY = "*"

    def __init__(
        self,
        *,
        max_per_identity: int = MAX_FAILURES_PER_IDENTITY,
        max_global: int = MAX_FAILURES_GLOBAL,
        window_seconds: float = FAILURE_WINDOW_SECONDS,
    ) -> None:
        self._per_identity = FailureWindow(max_failures=max_per_identity, window_seconds=window_seconds)
        self._global = FailureWindow(max_failures=max_global, window_seconds=window_seconds)

    @staticmethod
    def _key(channel: str, external_id: str) -> str:
        return f"{channel}:{external_id}"

    def is_blocked(self, channel: str, external_id: str, *, now: float | None = None) -> bool:
        return self._per_identity.is_blocked(self._key(channel, external_id), now=now) or self._global.is_blocked(
            self.GLOBAL_KEY, now=now
        )

    def record_failure(self, channel: str, external_id: str, *, now: float | None = None) -> None:
        self._per_identity.record_failure(self._key(channel, external_id), now=now)
        self._global.record_failure(self.GLOBAL_KEY, now=now)

    def reset(self, channel: str, external_id: str) -> None:
        self._per_identity.reset(self._key(channel, external_id))


def redeem_with_throttle(
    *,
    db_session: Session,
    throttle: LinkThrottle,
    channel: str,
    external_id: str,
    code: str,
    now: datetime | None = None,
) -> Customer:
    """`redeem_link_code`, refused while the identity (or everyone) failed too often."""
    if throttle.is_blocked(channel, external_id):
        raise TooManyAttempts()
    try:
        customer = redeem_link_code(db_session=db_session, channel=channel, external_id=external_id, code=code, now=now)
    except LinkCodeError:
        throttle.record_failure(channel, external_id)
        raise
    throttle.reset(channel, external_id)
    return customer


# The outbox: agents' replies (written by the console) waiting for a channel bridge.


def list_undelivered(*, db_session: Session, channel: str, limit: int) -> list[OutboundMessage]:
    """Undelivered messages for `channel`, oldest first."""
    statement = (
        select(OutboundMessage)
        .where(OutboundMessage.channel == channel, OutboundMessage.delivered_at.is_(None))
        .order_by(OutboundMessage.created_at, OutboundMessage.id)
        .limit(limit)
    )
    return list(db_session.scalars(statement))


def mark_delivered(*, db_session: Session, message_id: int, now: datetime | None = None) -> bool:
    """Record that a bridge delivered the message (idempotent); False if there is no such message."""
    message = db_session.get(OutboundMessage, message_id)
    if message is None:
        return False
    if message.delivered_at is None:
        message.delivered_at = _now(now)
        db_session.flush()
    return True
