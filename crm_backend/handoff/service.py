"""The handoff queue, agents' replies, hand back and CSAT. Services flush; callers commit."""

import logging
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent
from crm_backend.core.errors import Conflict, NotFound, Unavailable
from crm_backend.handoff.models import CsatRating, Handoff, HandoffStatus, InboxStatus, OutboundMessage
from crm_backend.handoff.rasa import RasaClient, RasaUnavailable
from redaction import redact

logger = logging.getLogger(__name__)
OUTBOX_CHANNELS = {"telegram"}  # bridges that poll /bot/outbox for agents' replies
CSAT_RESPONSE = "utter_ask_csat"


class HandoffConflict(Conflict):
    """The handoff is not in a state that allows this (already claimed, closed, ...)."""

    code = "handoff_conflict"


class HandoffNotFound(NotFound):
    code = "handoff_not_found"
    message = "No such handoff."


def open_handoff(
    *,
    db_session: Session,
    conversation_id: str,
    channel: str | None,
    customer_id: int | None,
    reason: str,
    summary: str | None,
    channel_address: str | None = None,
) -> Handoff:
    """Queue a conversation; a conversation already waiting or being served keeps its handoff."""
    current = open_handoff_of(db_session=db_session, conversation_id=conversation_id)
    if current is not None:
        return current
    handoff = Handoff(
        conversation_id=conversation_id,
        channel=channel,
        channel_address=channel_address,
        customer_id=customer_id,
        status=HandoffStatus.QUEUED,
        reason=reason,
        summary=redact(summary) if summary else None,
        created_at=datetime.now(UTC),
    )
    db_session.add(handoff)
    db_session.flush()
    return handoff


def open_handoff_of(*, db_session: Session, conversation_id: str) -> Handoff | None:
    statement = select(Handoff).where(
        Handoff.conversation_id == conversation_id, Handoff.status.in_([HandoffStatus.QUEUED, HandoffStatus.ACTIVE])
    )
    return db_session.scalars(statement.order_by(Handoff.id.desc())).first()


def get_handoff(*, db_session: Session, handoff_id: int) -> Handoff | None:
    return db_session.get(Handoff, handoff_id)


def get_handoff_or_raise(*, db_session: Session, handoff_id: int) -> Handoff:
    handoff = get_handoff(db_session=db_session, handoff_id=handoff_id)
    if handoff is None:
        raise HandoffNotFound()
    return handoff


def list_handoffs(*, db_session: Session, status: str, limit: int = 200) -> list[Handoff]:
    statement = select(Handoff).where(Handoff.status == status).order_by(Handoff.created_at, Handoff.id).limit(limit)
    return list(db_session.scalars(statement))


def claim(*, db_session: Session, handoff: Handoff, agent: Agent) -> Handoff:
    """Give a queued handoff to `agent`; two agents claiming at once: only one wins."""
    now = datetime.now(UTC)
    result = db_session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.status == HandoffStatus.QUEUED)
        .values(status=HandoffStatus.ACTIVE, agent_id=agent.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise HandoffConflict("This conversation has already been claimed or closed.")
    db_session.refresh(handoff)
    return handoff


def check_serving(handoff: Handoff, agent: Agent) -> None:
    """Only the agent who claimed a handoff (or an admin) replies to it or hands it back."""
    if handoff.status != HandoffStatus.ACTIVE:
        raise HandoffConflict("This conversation is not being served by an agent.")
    if handoff.agent_id != agent.id and agent.role != "admin":
        raise HandoffConflict("Another agent is serving this conversation.")


def queue_outbound(
    *, db_session: Session, handoff: Handoff, text: str, agent_id: int | None, buttons: list[dict] | None = None
) -> OutboundMessage | None:
    """For channels whose bridge polls the outbox, queue the message there too (to the handoff's address)."""
    if handoff.channel not in OUTBOX_CHANNELS:
        return None
    message = OutboundMessage(
        conversation_id=handoff.conversation_id,
        channel=handoff.channel,
        channel_address=handoff.channel_address,
        text=text,
        buttons=buttons or None,
        agent_id=agent_id,
        created_at=datetime.now(UTC),
    )
    db_session.add(message)
    db_session.flush()
    return message


def reply(*, db_session: Session, rasa: RasaClient, handoff: Handoff, agent: Agent, text: str) -> None:
    """The serving agent's message: stored in Rasa's tracker (pushed live to a socket.io
    session) and, for channels whose bridge polls, queued in the outbox. If Rasa refuses it,
    nothing is queued and `Unavailable` says it was not sent."""
    check_serving(handoff, agent)
    text = text.strip()
    try:
        rasa.send_agent_message(
            handoff.conversation_id, text, channel=handoff.channel, agent_id=agent.id, agent_name=agent.name
        )
    except RasaUnavailable as error:
        logger.exception("Could not store an agent's reply in Rasa")
        raise Unavailable("Rasa did not accept the message; it was not sent. Try again.") from error
    queue_outbound(db_session=db_session, handoff=handoff, text=text, agent_id=agent.id)
    if handoff.first_response_at is None:
        handoff.first_response_at = datetime.now(UTC)
    db_session.flush()


def transfer(*, db_session: Session, handoff: Handoff, by: Agent, to: Agent) -> Handoff:
    """Give a served conversation to another agent: its agent or an admin may, to an active
    agent with a role."""
    check_serving(handoff, by)
    if not to.active or to.role is None:
        raise HandoffConflict("That agent cannot take conversations.")
    if to.id == handoff.agent_id:
        raise HandoffConflict("That agent is already serving this conversation.")
    handoff.agent_id = to.id
    db_session.flush()
    return handoff


def set_inbox_status(*, db_session: Session, handoff: Handoff, status: str) -> Handoff:
    """Open or pending (waiting for the customer); a conversation is resolved by handing it back."""
    if status not in (InboxStatus.OPEN, InboxStatus.PENDING):
        raise HandoffConflict("Hand the conversation back to resolve it.")
    if handoff.status == HandoffStatus.CLOSED:
        raise HandoffConflict("This conversation is closed.")
    handoff.inbox_status = status
    db_session.flush()
    return handoff


def hand_back(*, db_session: Session, rasa: RasaClient, handoff: Handoff, agent: Agent) -> None:
    """Resume the bot, close the handoff and ask the customer for a rating (on outbox
    channels the question goes through the outbox, its buttons as data). If Rasa does not
    resume the conversation it stays with the agent (`Unavailable`)."""
    check_serving(handoff, agent)
    try:
        rasa.resume(handoff.conversation_id)
    except RasaUnavailable as error:
        logger.exception("Could not resume a conversation in Rasa")
        raise Unavailable("Rasa did not resume the conversation; it is still yours. Try again.") from error
    close(db_session=db_session, handoff=handoff)
    try:
        messages = rasa.execute(handoff.conversation_id, CSAT_RESPONSE, channel=handoff.channel)
    except RasaUnavailable:
        logger.exception("Could not ask for a rating after hand back")
        messages = []
    for message in messages:
        if message.get("text"):
            buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
            queue_outbound(db_session=db_session, handoff=handoff, text=message["text"], agent_id=None, buttons=buttons)


def close(*, db_session: Session, handoff: Handoff) -> Handoff:
    handoff.status = HandoffStatus.CLOSED
    handoff.inbox_status = InboxStatus.RESOLVED
    handoff.closed_at = datetime.now(UTC)
    db_session.flush()
    return handoff


def store_csat(*, db_session: Session, conversation_id: str, score: int, customer_id: int | None) -> CsatRating:
    """The rating the bot asked for when the conversation's last handoff was handed back: for
    the person who served it (for the bot if nobody did). Only once, and only after that
    question (`Conflict` otherwise): a typed `/rate_csat{...}` cannot make up a rating."""
    handoff = db_session.scalars(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status == HandoffStatus.CLOSED)
        .order_by(Handoff.id.desc())
    ).first()
    if handoff is None:
        raise Conflict("No rating was asked for in this conversation.", code="csat_not_requested")
    already_rated = db_session.scalar(
        select(func.count()).select_from(CsatRating).where(CsatRating.handoff_id == handoff.id)
    )
    if already_rated:
        raise Conflict("This conversation's rating was already given.", code="csat_already_given")
    rating = CsatRating(
        conversation_id=conversation_id,
        customer_id=customer_id,
        score=score,
        target="human" if handoff.agent_id is not None else "bot",
        handoff_id=handoff.id,
        created_at=datetime.now(UTC),
    )
    db_session.add(rating)
    db_session.flush()
    return rating


@dataclass
class AgentLoad:
    agent_id: int
    name: str
    active: int


def agent_load(*, db_session: Session) -> list[AgentLoad]:
    """Active handoffs per agent, busiest first."""
    statement = (
        select(Agent.id, Agent.name, func.count(Handoff.id))
        .join(Handoff, Handoff.agent_id == Agent.id)
        .where(Handoff.status == HandoffStatus.ACTIVE)
        .group_by(Agent.id, Agent.name)
        .order_by(func.count(Handoff.id).desc(), Agent.name)
    )
    return [AgentLoad(agent_id, name, count) for agent_id, name, count in db_session.execute(statement)]


@dataclass
class QueueStats:
    waiting: int
    active: int
    claimed: int
    median_wait_seconds: float | None
    mean_wait_seconds: float | None
    longest_waiting_seconds: float | None


def queue_wait_seconds(handoff: Handoff, now: datetime | None = None) -> float:
    """Queue time: claimed_at - created_at, or how long it has waited so far."""
    end = handoff.claimed_at if handoff.claimed_at else (now or datetime.now(UTC))
    return max(0.0, (end - handoff.created_at).total_seconds())


def queue_stats(*, db_session: Session, since: datetime | None = None) -> QueueStats:
    claimed_statement = select(Handoff).where(Handoff.claimed_at.is_not(None))
    if since is not None:
        claimed_statement = claimed_statement.where(Handoff.created_at >= since)
    waits = [queue_wait_seconds(h) for h in db_session.scalars(claimed_statement)]
    queued = list_handoffs(db_session=db_session, status=HandoffStatus.QUEUED)
    active = db_session.scalar(select(func.count()).select_from(Handoff).where(Handoff.status == HandoffStatus.ACTIVE))
    return QueueStats(
        waiting=len(queued),
        active=active or 0,
        claimed=len(waits),
        median_wait_seconds=statistics.median(waits) if waits else None,
        mean_wait_seconds=statistics.fmean(waits) if waits else None,
        longest_waiting_seconds=max((queue_wait_seconds(h) for h in queued), default=None),
    )
