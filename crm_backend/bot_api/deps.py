"""Who is calling /bot/*: the action server (service token) on behalf of one verified customer."""

from typing import Annotated

from fastapi import Depends, Header, Path

from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.errors import APIError
from crm_backend.core.security import InvalidCustomerToken, service_token_matches, verify_customer_token
from crm_backend.customers.models import Customer
from crm_backend.customers.service import get_customer
from crm_backend.orders import service as orders_service
from crm_backend.orders.models import Order


def require_service_token(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """Only the action server, holding the service token, may call /bot/*."""
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not service_token_matches(
        presented, settings.bot_service_token.get_secret_value()
    ):
        raise APIError(401, "invalid_service_token", "A valid service token is required.")


def get_verified_customer(
    settings: SettingsDep,
    db_session: SessionDep,
    x_customer_token: Annotated[str | None, Header(max_length=4096)] = None,
) -> Customer:
    """The customer that the signed token in `X-Customer-Token` vouches for.

    A token of an erased customer is refused like a forged one, though its signature holds
    until it expires: otherwise a handoff, a rating, a ticket or a bot decision made with it
    would tie a conversation to the customer again."""
    if not x_customer_token:
        raise APIError(401, "customer_not_verified", "The conversation has no verified customer.")
    try:
        customer_id = verify_customer_token(x_customer_token, secret=settings.customer_token_secret.get_secret_value())
    except InvalidCustomerToken as error:
        raise APIError(401, "customer_not_verified", "The customer token is not valid.") from error
    customer = get_customer(db_session=db_session, customer_id=customer_id)
    if customer is None or customer.erased_at is not None:
        raise APIError(401, "customer_not_verified", "The customer token is not valid.")
    return customer


VerifiedCustomer = Annotated[Customer, Depends(get_verified_customer)]


def get_optional_customer(
    settings: SettingsDep,
    db_session: SessionDep,
    x_customer_token: Annotated[str | None, Header(max_length=4096)] = None,
) -> Customer | None:
    """The verified customer if the call carries a valid token; None for general questions."""
    if not x_customer_token:
        return None
    try:
        return get_verified_customer(settings, db_session, x_customer_token)
    except APIError:
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
