"""The action server's side of live handoff: queue a conversation (when colleagues are online),
tell a waiting customer their place, let them cancel, store a CSAT rating."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from crm_backend.bot_api.deps import OptionalCustomer
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.errors import Conflict
from crm_backend.handoff import service
from crm_backend.handoff.availability import agents_online, cancel_waiting, place_in_queue
from crm_backend.handoff.models import CsatRating
from crm_backend.handoff.schemas import (
    CsatCreate,
    CsatRead,
    HandoffCancel,
    HandoffCancelled,
    HandoffCreate,
    HandoffPlace,
    HandoffRead,
)
from crm_backend.transcripts.service import record_csat

router = APIRouter()


class AgentsOffline(Conflict):
    code = "agents_offline"
    message = "No colleague is available for live chat right now."


@router.post(
    "/handoffs",
    response_model=HandoffRead,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "Outside agents' hours and nobody logged in (agents_offline)"}},
)
def create_handoff(
    body: HandoffCreate, customer: OptionalCustomer, db_session: SessionDep, settings: SettingsDep
) -> HandoffRead:
    """Queue the conversation for an agent (the bot then pauses it), with its place in the
    queue; 409 `agents_offline` outside agents' hours. The summary is redacted."""
    if not agents_online(db_session=db_session, hours=settings.agent_hours):
        raise AgentsOffline()
    handoff = service.open_handoff(
        db_session=db_session,
        conversation_id=body.conversation_id,
        channel=body.channel,
        channel_address=body.channel_address,
        customer_id=customer.id if customer else None,
        reason=body.reason,
        summary=body.summary,
    )
    place = place_in_queue(db_session=db_session, conversation_id=body.conversation_id)
    return HandoffRead.model_validate(handoff).model_copy(
        update={"position": place.position, "expected_wait_minutes": place.expected_wait_minutes}
    )


@router.get("/handoffs/place", response_model=HandoffPlace)
def read_place(conversation_id: Annotated[str, Query(max_length=255)], db_session: SessionDep) -> HandoffPlace:
    """Where this conversation's request for a colleague stands."""
    place = place_in_queue(db_session=db_session, conversation_id=conversation_id)
    return HandoffPlace(status=place.status, position=place.position, expected_wait_minutes=place.expected_wait_minutes)


@router.post("/handoffs/cancel", response_model=HandoffCancelled)
def cancel_handoff(body: HandoffCancel, db_session: SessionDep) -> HandoffCancelled:
    """The customer would rather go on with the bot: an unclaimed request is withdrawn."""
    return HandoffCancelled(cancelled=cancel_waiting(db_session=db_session, conversation_id=body.conversation_id))


@router.post(
    "/csat",
    response_model=CsatRead,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "No rating was asked for in this conversation, or it was already given"}},
)
def create_csat(body: CsatCreate, customer: OptionalCustomer, db_session: SessionDep) -> CsatRating:
    """Store the 1-5 rating asked for when the conversation's last handoff was handed back
    (for its agent), once; otherwise 409 (`csat_not_requested`, `csat_already_given`)."""
    return record_csat(
        db_session=db_session,
        conversation_id=body.conversation_id,
        score=body.score,
        customer_id=customer.id if customer else None,
    )
