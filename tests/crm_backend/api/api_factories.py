"""Rows for the /api tests: one customer with data in every table that can refer to them
(by `customer_id`, or by the id of one of their conversations)."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_backend.annotations.models import ConversationNote, ConversationTag, NluAnnotation
from crm_backend.audit.service import ActorType, AuditAction, record
from crm_backend.catalogue.models import Product
from crm_backend.conversations.models import BotDecision, ConversationOwner
from crm_backend.customers.models import ChannelIdentity, Consent, Customer, LoyaltyAccount
from crm_backend.handoff.models import CsatRating, Handoff, HandoffStatus, OutboundMessage
from crm_backend.insights.models import ConversationInsight, CustomerScore, Recommendation
from crm_backend.kb.models import ArticleEvent
from crm_backend.links.models import LinkCode
from crm_backend.offers.models import RetentionVoucher
from crm_backend.orders.models import Order, OrderItem, OrderStatus, Shipment
from crm_backend.returns.models import Refund, RefundStatus, Return, ReturnItem, ReturnStatus
from crm_backend.tickets.models import Ticket, TicketMessage
from crm_backend.transcripts.models import ConversationOrder, ConversationSummary


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
    conversation_id: str  # a Telegram conversation: tickets, bot decisions, a handoff name it
    web_conversation_id: str  # a widget conversation, tied to the customer only by its summary
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
            self.web_conversation_id,
            *self.identity_ids,
        ]

    def conversation_ids(self) -> list[str]:
        return [self.conversation_id, self.web_conversation_id]


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
        conversation_id=f"tg-{digits}-{tag}",
        web_conversation_id=f"web-session-{tag}",
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
    add_conversations(db_session, personal, order_number=personal.order_numbers[0])
    return personal


def add_conversations(db_session: Session, personal: PersonalData, *, order_number: str) -> None:
    """The customer's two conversations as the console, the handoff and the indexer leave them."""
    now = datetime.now(UTC)
    name = f"{personal.first_name} {personal.last_name}"
    channels = {personal.conversation_id: "telegram", personal.web_conversation_id: "socketio"}
    for conversation_id, channel in channels.items():
        db_session.add(
            ConversationSummary(
                conversation_id=conversation_id,
                channel=channel,
                customer_id=personal.customer_id,
                segment="loyal",
                started_ts=now.timestamp() - 600,
                last_ts=now.timestamp(),
                turns=3,
                had_fallback=False,
                had_handoff=channel == "telegram",
                intents="greet human_handoff",
                search_text=f"hi i am {name.lower()}\nwhere is order {order_number}",
                first_message=f"hi I am {name}",
                last_event_id=10,
            )
        )
        # The customer was verified in both (the bot API recorded them as the owner).
        db_session.add(
            ConversationOwner(
                conversation_id=conversation_id,
                customer_id=personal.customer_id,
                channel=channel,
                first_verified_at=now,
            )
        )
    db_session.flush()
    db_session.add(ConversationOrder(conversation_id=personal.web_conversation_id, order_number=order_number))
    db_session.add(
        ConversationInsight(
            conversation_id=personal.web_conversation_id,
            model_version="test-1",
            analysed_at=now,
            messages=3,
            sentiment=-0.4,
            sentiment_label="negative",
            topic=2,
            topic_terms="order parcel late",
        )
    )
    # Before signing in on the widget, the customer asked for a ticket there.
    web_ticket = Ticket(
        customer_id=None,
        subject=f"Call {personal.phone}",
        category="handoff",
        channel="socketio",
        conversation_id=personal.web_conversation_id,
    )
    web_ticket.messages.append(TicketMessage(author_type="customer", body=f"This is {name}, {personal.phone}"))
    db_session.add(web_ticket)
    handoff = Handoff(
        conversation_id=personal.conversation_id,
        channel="telegram",
        customer_id=personal.customer_id,
        status=HandoffStatus.ACTIVE,
        reason="customer_asked",
        summary=f"I am {name}",
        created_at=now,
    )
    db_session.add(handoff)
    db_session.flush()
    db_session.add_all(
        [
            OutboundMessage(
                conversation_id=personal.conversation_id, channel="telegram", text=f"Hi {personal.first_name}!"
            ),
            CsatRating(
                conversation_id=personal.conversation_id,
                customer_id=personal.customer_id,
                score=4,
                target="human",
                handoff_id=handoff.id,
            ),
            NluAnnotation(
                conversation_id=personal.web_conversation_id,
                event_id=int(uuid.uuid4().int % 10**12),
                text=f"hi I am {name}",
                intent="greet",
                entities=[],
                created_at=now,
            ),
            ConversationTag(conversation_id=personal.web_conversation_id, tag="vip", created_at=now),
            ArticleEvent(conversation_id=personal.conversation_id, outcome="unanswered", query=f"is {name} in?"),
            LinkCode(
                code_hash=uuid.uuid4().hex * 2,
                customer_id=personal.customer_id,
                channel="telegram",
                expires_at=now + timedelta(minutes=10),
            ),
            RetentionVoucher(
                code=f"STAY-{uuid.uuid4().hex[:8].upper()}",
                customer_id=personal.customer_id,
                percent_off=15,
                reason="churn probability 0.90",
                created_at=now,
                expires_at=now + timedelta(days=30),
            ),
        ]
    )
    note = ConversationNote(conversation_id=personal.web_conversation_id, body=f"{name} sounded upset", created_at=now)
    db_session.add(note)
    db_session.flush()
    # The console's audit entries name conversations (a read, a tag) and a note's conversation.
    for entity_type, entity_id, detail in [
        ("conversation", personal.web_conversation_id, None),
        ("conversation_tag", personal.web_conversation_id, None),
        ("conversation_note", note.id, {"conversation": personal.web_conversation_id}),
    ]:
        record(
            db_session=db_session,
            actor_type=ActorType.AGENT,
            actor_id=None,
            action=AuditAction.READ,
            entity_type=entity_type,
            entity_id=entity_id,
            customer_id=personal.customer_id,
            detail=detail,
        )
