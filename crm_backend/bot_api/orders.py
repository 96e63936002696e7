"""/bot/orders: the verified customer's orders."""

from typing import Annotated

from fastapi import APIRouter, Query

from crm_backend.bot_api.deps import CustomerOrder, VerifiedCustomer
from crm_backend.bot_api.schemas import (
    AddressChange,
    BotCancellation,
    BotCustomer,
    BotOrderAnswer,
    BotOrderList,
    BotRefund,
)
from crm_backend.bot_api.views import order_view
from crm_backend.core.deps import SessionDep
from crm_backend.core.errors import APIError
from crm_backend.orders.service import OrderNotChangeable, change_shipping_address, list_customer_orders
from crm_backend.returns.service import cancel_order

router = APIRouter(prefix="/orders")

NOT_CHANGEABLE = {409: {"description": "The order has been dispatched or has ended"}}


@router.get("", response_model=BotOrderList)
def read_my_orders(
    customer: VerifiedCustomer, db_session: SessionDep, limit: Annotated[int, Query(ge=1, le=20)] = 5
) -> BotOrderList:
    """The verified customer's most recent orders."""
    orders = list_customer_orders(db_session=db_session, customer_id=customer.id, limit=limit)
    return BotOrderList(customer=BotCustomer.model_validate(customer), orders=[order_view(o) for o in orders])


@router.get("/{number}", response_model=BotOrderAnswer, responses={404: {"description": "Unknown order"}})
def read_my_order(order: CustomerOrder, customer: VerifiedCustomer) -> BotOrderAnswer:
    """One of the verified customer's orders."""
    return BotOrderAnswer(customer=BotCustomer.model_validate(customer), order=order_view(order))


@router.post("/{number}/cancel", response_model=BotCancellation, responses=NOT_CHANGEABLE)
def cancel_my_order(order: CustomerOrder, db_session: SessionDep) -> BotCancellation:
    """Cancel an order that has not been dispatched; the refund is started."""
    try:
        refund = cancel_order(db_session=db_session, order=order)
    except OrderNotChangeable as error:
        raise APIError(409, "order_not_cancellable", f"The order is {error.status}.") from error
    return BotCancellation(order=order_view(order), refund=BotRefund.model_validate(refund))


@router.put("/{number}/address", response_model=BotOrderAnswer, responses=NOT_CHANGEABLE)
def change_my_address(
    change: AddressChange, order: CustomerOrder, customer: VerifiedCustomer, db_session: SessionDep
) -> BotOrderAnswer:
    """Send an order that has not been dispatched to another address."""
    try:
        change_shipping_address(db_session=db_session, order=order, address=change.address.strip())
    except OrderNotChangeable as error:
        raise APIError(409, "order_already_dispatched", f"The order is {error.status}.") from error
    return BotOrderAnswer(customer=BotCustomer.model_validate(customer), order=order_view(order))
