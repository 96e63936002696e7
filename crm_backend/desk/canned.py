"""Canned replies: administrators write them, agents insert them with the customer's details
filled in. Only the variables listed here are filled; any other `{...}` stays as typed."""

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent
from crm_backend.core.errors import Conflict, NotFound
from crm_backend.customers.models import Customer
from crm_backend.handoff.models import CannedReply

VARIABLES = ("first_name", "last_name", "agent_name")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(VARIABLES) + r")\}")


class CannedTitleTaken(Conflict):
    code = "canned_title_taken"
    message = "A canned reply with this title exists already."


def list_replies(*, db_session: Session) -> list[CannedReply]:
    return list(db_session.scalars(select(CannedReply).order_by(CannedReply.title)))


def get_reply_or_raise(*, db_session: Session, reply_id: int) -> CannedReply:
    reply = db_session.get(CannedReply, reply_id)
    if reply is None:
        raise NotFound("No such canned reply.", code="canned_not_found")
    return reply


def save_reply(
    *, db_session: Session, title: str, body: str, agent: Agent, reply: CannedReply | None = None
) -> CannedReply:
    """Create a reply, or change `reply`; titles are unique."""
    title, body = title.strip(), body.strip()
    clash = db_session.scalar(select(CannedReply.id).where(CannedReply.title == title))
    if clash is not None and (reply is None or clash != reply.id):
        raise CannedTitleTaken()
    if reply is None:
        reply = CannedReply(created_by=agent.id)
        db_session.add(reply)
    reply.title, reply.body, reply.updated_at = title, body, datetime.now(UTC)
    db_session.flush()
    return reply


def delete_reply(*, db_session: Session, reply: CannedReply) -> None:
    db_session.delete(reply)
    db_session.flush()


def fill(body: str, *, customer: Customer | None, agent: Agent) -> str:
    """The reply for this conversation: `{first_name}` etc.; an unknown customer is "there"."""
    values = {
        "first_name": customer.first_name if customer else "there",
        "last_name": customer.last_name if customer else "",
        "agent_name": agent.name,
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], body)
