"""The narrow API of the action server. Every answer is about the verified customer only."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from crm_backend.bot_api.deps import VerifiedCustomer, require_service_token
from crm_backend.bot_api.schemas import BotCustomer, BotOrder, BotOrderAnswer, BotOrderItem, BotOrderList
from crm_backend.core.deps import SessionDep
from crm_backend.core.errors import APIError
from crm_backend.orders.models import Order
from crm_backend.orders.service import get_customer_order, list_customer_orders

router = APIRouter(prefix="/bot", tags=["bot"], dependencies=[Depends(require_service_token)])

OrderNumber = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]


def _order_view(order: Order) -> BotOrder:
    shipment = order.shipment
    return BotOrder(
        number=order.number,
        status=order.status,
        placed_at=order.placed_at,
        shipped_at=shipment.shipped_at if shipment else None,
        delivered_at=shipment.delivered_at if shipment else None,
        estimated_delivery=order.estimated_delivery,
        carrier=shipment.carrier if shipment else None,
        tracking_number=shipment.tracking_number if shipment else None,
        total=order.total,
        currency=order.currency,
        items=[
            BotOrderItem(
                product_name=item.product.name,
                sku=item.product.sku,
                quantity=item.quantity,
                unit_price=item.unit_price,
            )
            for item in order.items
        ],
    )


@router.get("/me", response_model=BotCustomer)
def read_me(customer: VerifiedCustomer) -> BotCustomer:
    """Who the verified customer is."""
    return BotCustomer.model_validate(customer)


@router.get("/orders", response_model=BotOrderList)
def read_my_orders(
    customer: VerifiedCustomer, db_session: SessionDep, limit: Annotated[int, Query(ge=1, le=20)] = 5
) -> BotOrderList:
    """The verified customer's most recent orders."""
    orders = list_customer_orders(db_session=db_session, customer_id=customer.id, limit=limit)
    return BotOrderList(
        customer=BotCustomer.model_validate(customer), orders=[_order_view(o) for o in orders]
    )


@router.get("/orders/{number}", response_model=BotOrderAnswer)
def read_my_order(number: OrderNumber, customer: VerifiedCustomer, db_session: SessionDep) -> BotOrderAnswer:
    """One of the verified customer's orders. Someone else's order is as unknown as a missing one."""
    order = get_customer_order(db_session=db_session, customer_id=customer.id, number=number)
    if order is None:
        raise APIError(404, "order_not_found", "No such order for this customer.")
    return BotOrderAnswer(customer=BotCustomer.model_validate(customer), order=_order_view(order))
