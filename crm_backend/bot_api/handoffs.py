"""The action server's side of live handoff: queue a conversation, store a CSAT rating."""

from fastapi import APIRouter, status

from crm_backend.bot_api.deps import OptionalCustomer
from crm_backend.core.deps import SessionDep
from crm_backend.handoff import service
from crm_backend.handoff.models import CsatRating, Handoff
from crm_backend.handoff.schemas import CsatCreate, CsatRead, HandoffCreate, HandoffRead
from crm_backend.transcripts.service import record_csat

router = APIRouter()


@router.post("/handoffs", response_model=HandoffRead, status_code=status.HTTP_201_CREATED)
def create_handoff(body: HandoffCreate, customer: OptionalCustomer, db_session: SessionDep) -> Handoff:
    """Queue the conversation for an agent (the bot has paused it). The summary is redacted."""
    return service.open_handoff(
        db_session=db_session,
        conversation_id=body.conversation_id,
        channel=body.channel,
        channel_address=body.channel_address,
        customer_id=customer.id if customer else None,
        reason=body.reason,
        summary=body.summary,
    )


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
