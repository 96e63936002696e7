"""Rows for the /api tests: one customer with data in every table that can refer to them."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_backend.catalogue.models import Product
from crm_backend.conversations.models import BotDecision
from crm_backend.customers.models import ChannelIdentity, Consent, Customer, LoyaltyAccount
from crm_backend.insights.models import CustomerScore, Recommendation
from crm_backend.orders.models import Order, OrderItem, OrderStatus, Shipment
from crm_backend.returns.models import Refund, RefundStatus, Return, ReturnItem, ReturnStatus
from crm_backend.tickets.models import Ticket, TicketMessage


@dataclass
class PersonalData:
    """A customer's id and every personal value that erasure must remove."""

    customer_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    external_ref: str
    address: str
    identity_ids: list[str]
    conversation_id: str
    order_numbers: list[str] = field(default_factory=list)

    def values(self) -> list[str]:
        return [
            self.first_name,
            self.last_name,
            self.email,
            self.phone,
            self.external_ref,
            self.address,
            self.conversation_id,
            *self.identity_ids,
        ]


def add_customer_with_everything(db_session: Session) -> PersonalData:
    tag = uuid.uuid4().hex[:10]
    digits = str(uuid.uuid4().int)[:8]
    personal = PersonalData(
        customer_id=0,  # known once the row is inserted
        first_name=f"Zebulon{tag}",
        last_name=f"Quaxley{tag}",
        email=f"zq.{tag}@privacy.example.org",
        phone=f"+44 7911 {digits}",
        external_ref=f"EXT-{tag}",
        address=f"{digits[:3]} Nowhere Lane {tag}, Springfield",
        identity_ids=[f"tg-{tag}", f"web-{tag}"],
        conversation_id=f"conv-{tag}",
    )
    customer = Customer(
        external_ref=personal.external_ref,
        first_name=personal.first_name,
        last_name=personal.last_name,
        email=personal.email,
        phone=personal.phone,
        country="Ireland",
    )
    customer.identities = [
        ChannelIdentity(channel="telegram", external_id=personal.identity_ids[0]),
        ChannelIdentity(channel="web", external_id=personal.identity_ids[1]),
    ]
    customer.consents = [Consent(purpose="newsletter", granted=True, source="web")]
    customer.loyalty = LoyaltyAccount(points=1234, tier="silver")
    db_session.add(customer)
    db_session.flush()
    personal.customer_id = customer_id = customer.id
    products = list(db_session.scalars(select(Product).order_by(Product.id).limit(2)))
    now = datetime.now(UTC)
    for index, status in enumerate([OrderStatus.RETURNED, OrderStatus.PROCESSING]):
        order = Order(
            number=f"T{tag}{index}",
            customer_id=customer_id,
            status=status,
            placed_at=now - timedelta(days=40 - index * 39),
            shipping_address=personal.address,
            total=Decimal("24.90"),
            currency="EUR",
            country="Ireland",
        )
        order.items.append(OrderItem(product=products[index], quantity=1, unit_price=Decimal("24.90")))
        if status == OrderStatus.RETURNED:
            order.shipments.append(
                Shipment(carrier="DHL", tracking_number=f"DH{digits}", shipped_at=now - timedelta(days=39))
            )
        db_session.add(order)
        personal.order_numbers.append(order.number)
        db_session.flush()
        if status == OrderStatus.RETURNED:
            record = Return(
                reference=f"R{tag}",
                order=order,
                customer_id=customer_id,
                status=ReturnStatus.REFUNDED,
                reason=f"Sent to {personal.address} by mistake",
            )
            record.items.append(ReturnItem(order_item=order.items[0], quantity=1))
            record.refunds.append(Refund(order=order, amount=Decimal("24.90"), status=RefundStatus.COMPLETED))
            db_session.add(record)
    ticket = Ticket(
        customer_id=customer_id,
        subject=f"Parcel for {personal.first_name} {personal.last_name}",
        category="delivery",
        channel="telegram",
        conversation_id=personal.conversation_id,
    )
    ticket.messages.append(
        TicketMessage(author_type="customer", body=f"I am {personal.email}, call me on {personal.phone}")
    )
    db_session.add(ticket)
    db_session.add(
        BotDecision(
            customer_id=customer_id,
            conversation_id=personal.conversation_id,
            decision="offer_discount",
            reason="loyal customer",
        )
    )
    db_session.add(
        CustomerScore(
            customer_id=customer_id,
            model_version="test-1",
            scored_at=now,
            segment="loyal",
            churn_probability=0.12,
            expected_value=321.0,
            next_purchase_days=14.0,
            top_factors={"recency": 0.4},
        )
    )
    db_session.add(
        Recommendation(
            customer_id=customer_id,
            product_id=products[1].id,
            rank=1,
            score=0.9,
            reason="goes with your teapot",
            model_version="test-1",
        )
    )
    db_session.flush()
    return personal
