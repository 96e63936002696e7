"""The agents' 360° view of a customer, assembled from every context that knows them."""

from sqlalchemy.orm import Session

from crm_backend.customers import service
from crm_backend.customers.schemas import (
    BotDecisionRead,
    Customer360,
    CustomerProfile,
    OrderItemRead,
    OrderRead,
    RecommendationRead,
    RefundRead,
    ReturnItemRead,
    ReturnRead,
    ScoreRead,
    ShipmentRead,
)
from crm_backend.customers.service import CustomerNotFound
from crm_backend.orders.models import Order
from crm_backend.orders.service import list_customer_orders
from crm_backend.returns.models import Return
from crm_backend.returns.service import list_customer_returns
from crm_backend.tickets.schemas import TicketSummary
from crm_backend.tickets.service import list_customer_tickets

RECENT_ORDERS = 10
RECENT_TICKETS = 20
RECENT_DECISIONS = 50


def order_view(order: Order) -> OrderRead:
    return OrderRead(
        id=order.id,
        number=order.number,
        status=order.status,
        placed_at=order.placed_at,
        estimated_delivery=order.estimated_delivery,
        shipping_address=order.shipping_address,
        total=order.total,
        currency=order.currency,
        country=order.country,
        items=[
            OrderItemRead(
                id=item.id,
                product_id=item.product_id,
                sku=item.product.sku,
                product_name=item.product.name,
                quantity=item.quantity,
                unit_price=item.unit_price,
            )
            for item in order.items
        ],
        shipments=[ShipmentRead.model_validate(shipment) for shipment in order.shipments],
    )


def return_view(record: Return) -> ReturnRead:
    return ReturnRead(
        id=record.id,
        reference=record.reference,
        order_number=record.order.number,
        status=record.status,
        reason=record.reason,
        created_at=record.created_at,
        items=[
            ReturnItemRead(
                order_item_id=item.order_item_id,
                product_name=item.order_item.product.name,
                quantity=item.quantity,
            )
            for item in record.items
        ],
        refunds=[RefundRead.model_validate(refund) for refund in record.refunds],
    )


def build_360(*, db_session: Session, customer_id: int) -> Customer360 | None:
    """The 360° view of a customer who has not been erased, or None."""
    customer = service.load_profile(db_session=db_session, customer_id=customer_id)
    if customer is None or customer.erased_at is not None:
        return None
    score = service.get_score(db_session=db_session, customer_id=customer_id)
    tickets = list_customer_tickets(db_session=db_session, customer_id=customer_id, limit=RECENT_TICKETS)
    return Customer360(
        customer=CustomerProfile.model_validate(customer),
        identities=customer.identities,
        consents=customer.consents,
        loyalty=customer.loyalty,
        order_count=service.count_orders(db_session=db_session, customer_id=customer_id),
        recent_orders=[
            order_view(order)
            for order in list_customer_orders(db_session=db_session, customer_id=customer_id, limit=RECENT_ORDERS)
        ],
        returns=[
            return_view(r) for r in list_customer_returns(db_session=db_session, customer_id=customer_id, limit=None)
        ],
        tickets=[TicketSummary.model_validate(ticket) for ticket in tickets],
        bot_decisions=[
            BotDecisionRead.model_validate(decision)
            for decision in service.list_bot_decisions(
                db_session=db_session, customer_id=customer_id, limit=RECENT_DECISIONS
            )
        ],
        conversation_ids=service.list_conversation_ids(db_session=db_session, customer_id=customer_id),
        score=ScoreRead.model_validate(score) if score else None,
        recommendations=[
            RecommendationRead(
                product_id=recommendation.product_id,
                product_name=product_name,
                rank=recommendation.rank,
                score=recommendation.score,
                reason=recommendation.reason,
                model_version=recommendation.model_version,
            )
            for recommendation, product_name in service.list_recommendations(
                db_session=db_session, customer_id=customer_id
            )
        ],
    )


def get_360(*, db_session: Session, customer_id: int) -> Customer360:
    """`build_360`, or `CustomerNotFound` for an unknown or erased customer."""
    view = build_360(db_session=db_session, customer_id=customer_id)
    if view is None:
        raise CustomerNotFound()
    return view
