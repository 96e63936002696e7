"""Who is calling /bot/*: the action server (service token) on behalf of one verified customer,
in one conversation that belongs to that customer."""

from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, Path, Request

from crm_backend.conversations.ownership import ConversationOwnedByAnother, owner_of, require_owner
from crm_backend.core.db import session_scope
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.errors import APIError
from crm_backend.core.security import InvalidCustomerToken, service_token_matches, verify_customer_token
from crm_backend.customers.models import Customer
from crm_backend.customers.service import get_customer
from crm_backend.orders import service as orders_service
from crm_backend.orders.models import Order
from protocol.crm import (
    CONVERSATION_CHANNEL_HEADER,
    CONVERSATION_ID_HEADER,
    CONVERSATION_OWNED_BY_ANOTHER,
    CUSTOMER_TOKEN_HEADER,
)
from protocol.limits import MAX_CONVERSATION_ID_CHARS

CustomerTokenHeader = Annotated[str | None, Header(alias=CUSTOMER_TOKEN_HEADER, max_length=4096)]
# Percent-encoded: up to three characters per character of the id.
ConversationIdHeader = Annotated[
    str | None, Header(alias=CONVERSATION_ID_HEADER, max_length=3 * MAX_CONVERSATION_ID_CHARS)
]
ChannelHeader = Annotated[str | None, Header(alias=CONVERSATION_CHANNEL_HEADER, max_length=20)]


def require_service_token(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """Only the action server, holding the service token, may call /bot/*."""
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not service_token_matches(
        presented, settings.bot_service_token.get_secret_value()
    ):
        raise APIError(401, "invalid_service_token", "A valid service token is required.")


def conversation_of(header: str | None) -> str:
    """The conversation id a customer's call names (percent-decoded), or a clear 400."""
    conversation_id = unquote(header or "")
    if not conversation_id or len(conversation_id) > MAX_CONVERSATION_ID_CHARS or "\x00" in conversation_id:
        raise APIError(
            400,
            "conversation_required",
            f"A customer's call names its conversation in {CONVERSATION_ID_HEADER} "
            f"(percent-encoded, 1 to {MAX_CONVERSATION_ID_CHARS} characters).",
        )
    return conversation_id


def get_verified_customer(
    request: Request,
    settings: SettingsDep,
    db_session: SessionDep,
    x_customer_token: CustomerTokenHeader = None,
    x_conversation_id: ConversationIdHeader = None,
    x_conversation_channel: ChannelHeader = None,
) -> Customer:
    """The customer that the signed token in `X-Customer-Token` vouches for, in the
    conversation `X-Conversation-Id`, which must be theirs.

    A token of an erased customer is refused like a forged one, though its signature holds
    until it expires: otherwise a handoff, a rating, a ticket or a bot decision made with it
    would tie a conversation to the customer again.

    The first verified call in a conversation records its owner, in a transaction of its
    own: it holds whatever the call does next (a 404, a refused change). A token for anyone
    else in that conversation is refused with 403: it would otherwise relabel someone else's
    conversation, and the console, export and erasure would follow the label."""
    if not x_customer_token:
        raise APIError(401, "customer_not_verified", "The conversation has no verified customer.")
    try:
        customer_id = verify_customer_token(x_customer_token, secret=settings.customer_token_secret.get_secret_value())
    except InvalidCustomerToken as error:
        raise APIError(401, "customer_not_verified", "The customer token is not valid.") from error
    customer = get_customer(db_session=db_session, customer_id=customer_id)
    if customer is None or customer.erased_at is not None:
        raise APIError(401, "customer_not_verified", "The customer token is not valid.")
    conversation_id = conversation_of(x_conversation_id)
    if owner_of(db_session=db_session, conversation_id=conversation_id) == customer.id:
        return customer
    try:
        for claim_session in session_scope(request.app.state.session_factory):
            require_owner(
                db_session=claim_session,
                conversation_id=conversation_id,
                customer_id=customer.id,
                channel=x_conversation_channel,
            )
    except ConversationOwnedByAnother as error:
        raise APIError(
            403,
            CONVERSATION_OWNED_BY_ANOTHER,
            "This conversation belongs to another customer; a new conversation is needed.",
        ) from error
    return customer


VerifiedCustomer = Annotated[Customer, Depends(get_verified_customer)]


def get_optional_customer(
    request: Request,
    settings: SettingsDep,
    db_session: SessionDep,
    x_customer_token: CustomerTokenHeader = None,
    x_conversation_id: ConversationIdHeader = None,
    x_conversation_channel: ChannelHeader = None,
) -> Customer | None:
    """The verified customer if the call carries a valid token; None for general questions.

    A valid token in a conversation that belongs to someone else is not taken for "no
    token": it is refused (403) as on every customer route, so that an intruder's handoff,
    rating, ticket or decision never names the owner's conversation under their own id. So is
    a valid token without a conversation (400)."""
    if not x_customer_token:
        return None
    try:
        return get_verified_customer(
            request, settings, db_session, x_customer_token, x_conversation_id, x_conversation_channel
        )
    except APIError as error:
        if error.code != "customer_not_verified":
            raise
        return None


def get_customer_order(
    number: Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")],
    customer: VerifiedCustomer,
    db_session: SessionDep,
) -> Order:
    """The verified customer's order `number`; someone else's order is as unknown as a missing one."""
    order = orders_service.get_customer_order(db_session=db_session, customer_id=customer.id, number=number)
    if order is None:
        raise APIError(404, "order_not_found", "No such order for this customer.")
    return order


OptionalCustomer = Annotated[Customer | None, Depends(get_optional_customer)]
CustomerOrder = Annotated[Order, Depends(get_customer_order)]
