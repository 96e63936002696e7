"""Who is calling /bot/*: the action server (service token) on behalf of one verified customer."""

from typing import Annotated

from fastapi import Depends, Header

from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.core.errors import APIError
from crm_backend.core.security import InvalidCustomerToken, service_token_matches, verify_customer_token
from crm_backend.customers.models import Customer
from crm_backend.customers.service import get_customer


def require_service_token(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
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
    """The customer that the signed token in `X-Customer-Token` vouches for."""
    if not x_customer_token:
        raise APIError(401, "customer_not_verified", "The conversation has no verified customer.")
    try:
        customer_id = verify_customer_token(
            x_customer_token, secret=settings.customer_token_secret.get_secret_value()
        )
    except InvalidCustomerToken as error:
        raise APIError(401, "customer_not_verified", "The customer token is not valid.") from error
    customer = get_customer(db_session=db_session, customer_id=customer_id)
    if customer is None:
        raise APIError(401, "customer_not_verified", "The customer token is not valid.")
    return customer


VerifiedCustomer = Annotated[Customer, Depends(get_verified_customer)]
