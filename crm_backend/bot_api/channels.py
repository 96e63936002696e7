"""Channel bridges' endpoints (mounted under /bot, service token required).

- `POST /bot/channel-token`: a short-lived customer token for a linked chat identity.
- `POST /bot/links/redeem`: link a chat identity with a one-time code.
- `DELETE /bot/links/{channel}/{external_id}`: unlink it.
- `GET /bot/outbox`, `POST /bot/outbox/{id}/delivered`: agents' replies to deliver.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from crm_backend.core.deps import SessionDep, SettingsDep, from_state
from crm_backend.core.types import IdPath
from crm_backend.links import service
from crm_backend.links.schemas import (
    Channel,
    ChannelIdentityRef,
    ChannelTokenRead,
    ExternalId,
    OutboxMessageRead,
    RedeemRead,
    RedeemRequest,
)

router = APIRouter()
LinkThrottleDep = Annotated[service.LinkThrottle, Depends(from_state("link_throttle"))]


@router.post("/channel-token", response_model=ChannelTokenRead)
def channel_token(identity: ChannelIdentityRef, db_session: SessionDep, settings: SettingsDep) -> ChannelTokenRead:
    """A customer token for the customer linked to this chat identity; 404 when unlinked."""
    issued = service.issue_channel_token(
        db_session=db_session,
        channel=identity.channel,
        external_id=identity.external_id,
        secret=settings.customer_token_secret.get_secret_value(),
        max_ttl_seconds=settings.customer_token_ttl_seconds,
    )
    return ChannelTokenRead(customer_token=issued.token, customer_id=issued.customer_id, expires_at=issued.expires_at)


@router.post("/links/redeem", response_model=RedeemRead)
def redeem(request: RedeemRequest, db_session: SessionDep, throttle: LinkThrottleDep) -> RedeemRead:
    """Link the chat identity to the customer whose one-time code it presents."""
    customer = service.redeem_with_throttle(
        db_session=db_session,
        throttle=throttle,
        channel=request.channel,
        external_id=request.external_id,
        code=request.code,
    )
    return RedeemRead(customer_id=customer.id, first_name=customer.first_name)


@router.delete("/links/{channel}/{external_id}", status_code=204)
def unlink(
    channel: Annotated[Channel, Path()], external_id: Annotated[ExternalId, Path()], db_session: SessionDep
) -> None:
    """Forget the link of a chat identity; 404 when it was not linked."""
    if not service.unlink_identity(db_session=db_session, channel=channel, external_id=external_id):
        raise service.NotLinked()


@router.get("/outbox", response_model=list[OutboxMessageRead])
def outbox(
    db_session: SessionDep,
    channel: Annotated[Channel, Query()],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[OutboxMessageRead]:
    """Agents' replies waiting for the channel's bridge, oldest first."""
    messages = service.list_undelivered(db_session=db_session, channel=channel, limit=limit)
    return [OutboxMessageRead.model_validate(message) for message in messages]


@router.post("/outbox/{message_id}/delivered", status_code=204)
def delivered(message_id: IdPath, db_session: SessionDep) -> None:
    """The bridge delivered the message; asking again is harmless."""
    if not service.mark_delivered(db_session=db_session, message_id=message_id):
        raise service.OutboundNotFound()
