"""Request and answer shapes of the channel endpoints under /bot (linking, tokens, outbox)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from crm_backend.core.types import text

Channel = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,19}$")]
ExternalId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:@-]{1,128}$")]


class ChannelIdentityRef(BaseModel):
    """A chat identity, e.g. `{"channel": "telegram", "external_id": "123456789"}`."""

    channel: Channel
    external_id: ExternalId


class ChannelTokenRead(BaseModel):
    """A short-lived customer token for one message of a linked chat identity."""

    customer_token: str
    customer_id: int
    expires_at: datetime


class RedeemRequest(ChannelIdentityRef):
    code: text(40)  # type: ignore[valid-type]


class RedeemRead(BaseModel):
    customer_id: int
    first_name: str


class OutboxMessageRead(BaseModel):
    """An agent's reply that a channel bridge should deliver."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    channel_address: str | None = None
    text: str
    buttons: list[dict] | None = None
