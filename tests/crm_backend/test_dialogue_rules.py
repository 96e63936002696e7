"""The CRM's rules behind the dialogue (issue 16): tickets with judgement, one ticket per
issue, retention vouchers of one's own, greetings by tier, and the handoff queue as the
customer sees it. Through /bot/* on SQLite and PostgreSQL (the `client` fixture's database)."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crm_backend.agents.models import AgentSession
from crm_backend.agents.service import create_agent
from crm_backend.customers.models import Customer, LoyaltyAccount
from crm_backend.handoff.availability import agents_online
from crm_backend.insights.models import CustomerScore
from crm_backend.main import create_app
from crm_backend.offers.models import RetentionVoucher
from crm_backend.offers.service import VoucherNotUsable, redeem_voucher
from crm_backend.orders.models import OrderStatus
from crm_backend.tickets.models import Ticket
from tests.factories import add_order


def ticket(client, headers, **body):
    request = {"category": "delivery_problem", "subject": "Delivery problem", "body": "where is it", **body}
    response = client.post("/bot/tickets", json=request, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_parcel_not_yet_due_is_not_late_and_opens_nothing(client, bot_headers, db_session):
    order = add_order(db_session, customer_id=281, status=OrderStatus.SHIPPED, placed_days_ago=1)  # due in 4 days
    headers = bot_headers(281, conversation_id="c-not-due")
    answer = ticket(client, headers, order_number=order.number, issue="late", conversation_id="c-not-due")
    assert answer["outcome"] == "not_due" and answer["id"] is None
    assert answer["expected_on"] == order.estimated_delivery.isoformat()
    assert db_session.scalars(select(Ticket).where(Ticket.conversation_id == "c-not-due")).first() is None


def test_an_overdue_parcel_gets_one_ticket_and_later_messages_join_it(client, bot_headers, db_session):
    order = add_order(db_session, customer_id=282, status=OrderStatus.SHIPPED, placed_days_ago=9)  # due 4 days ago
    headers = bot_headers(282, conversation_id="c-late")
    first = ticket(client, headers, order_number=order.number, issue="late", conversation_id="c-late")
    second = ticket(client, headers, order_number=order.number, body="still nothing!", conversation_id="c-late")
    third = ticket(client, headers, order_number=order.number, body="hello??", conversation_id="c-late")
    assert first["outcome"] == "opened" and (second["outcome"], third["outcome"]) == ("updated", "updated")
    assert first["id"] == second["id"] == third["id"]
    db_session.expire_all()
    kept = db_session.get(Ticket, first["id"])
    assert kept.subject == f"Delivery problem (order {order.number})" and kept.customer_id == 282
    assert [m.body for m in kept.messages] == ["where is it", "still nothing!", "hello??"]
    other_kind = ticket(client, headers, category="complaint", subject="Complaint", conversation_id="c-late")
    assert other_kind["outcome"] == "opened" and other_kind["id"] != first["id"]


def test_an_order_delivered_long_ago_cannot_be_changed(client, bot_headers, db_session):
    order = add_order(
        db_session, customer_id=283, status=OrderStatus.DELIVERED, placed_days_ago=60, delivered_days_ago=55
    )
    headers = bot_headers(283, conversation_id="c-change")
    answer = ticket(client, headers, category="order_change", subject="Change to an order", order_number=order.number)
    assert (answer["outcome"], answer["order_status"], answer["id"]) == ("not_changeable", "delivered", None)
    open_order = add_order(db_session, customer_id=283, status=OrderStatus.PROCESSING, placed_days_ago=0)
    opened = ticket(
        client, headers, category="order_change", subject="Change to an order", order_number=open_order.number
    )
    assert opened["outcome"] == "opened" and opened["id"]


def test_another_customers_order_is_not_looked_at(client, bot_headers, db_session):
    order = add_order(db_session, customer_id=284, status=OrderStatus.SHIPPED, placed_days_ago=1)
    answer = ticket(client, bot_headers(285, conversation_id="c-other"), order_number=order.number, issue="late")
    assert answer["outcome"] == "opened" and answer["order_number"] is None and answer["expected_on"] is None
    stored = db_session.get(Ticket, answer["id"])
    assert order.number not in stored.subject


def high_risk(db_session, customer_id: int) -> None:
    db_session.merge(
        CustomerScore(
            customer_id=customer_id,
            model_version="test",
            scored_at=datetime.now(UTC),
            segment="Loyal",
            churn_probability=0.9,
            top_factors={
                "churn": ["days_since_last = 200 raises churn risk by 0.3", "orders = 9 lowers churn risk by 0.1"]
            },
        )
    )
    db_session.commit()


def test_retention_vouchers_are_unique_stored_expiring_and_single_use(client, bot_headers, db_session):
    high_risk(db_session, 286)
    high_risk(db_session, 287)
    first = client.get("/bot/offers/retention", headers=bot_headers(286)).json()
    again = client.get("/bot/offers/retention", headers=bot_headers(286)).json()
    other = client.get("/bot/offers/retention", headers=bot_headers(287)).json()
    assert first["applies"] and first["voucher"]["code"].startswith("STAY-")
    assert again["voucher"]["code"] == first["voucher"]["code"]  # one open voucher per customer
    assert other["voucher"]["code"] != first["voucher"]["code"]
    assert "days_since_last" in first["reason"] and "orders = 9" not in first["reason"]  # only what raised it
    stored = db_session.scalars(select(RetentionVoucher).where(RetentionVoucher.code == first["voucher"]["code"])).one()
    assert stored.customer_id == 286 and stored.expires_at > datetime.now(UTC) + timedelta(days=20)
    with pytest.raises(VoucherNotUsable):
        redeem_voucher(db_session=db_session, code=stored.code, customer_id=287)  # not theirs
    assert redeem_voucher(db_session=db_session, code=stored.code, customer_id=286).percent_off == 15
    with pytest.raises(VoucherNotUsable):
        redeem_voucher(db_session=db_session, code=stored.code, customer_id=286)  # used once
    later = datetime.now(UTC) + timedelta(days=31)
    with pytest.raises(VoucherNotUsable):
        redeem_voucher(db_session=db_session, code=other["voucher"]["code"], customer_id=287, now=later)
    db_session.rollback()


@pytest.mark.parametrize(
    ("customer_id", "tier", "style"), [(288, "bronze", "personal"), (289, "silver", "vip"), (290, "gold", "vip")]
)
def test_the_vip_greeting_follows_the_tier_only(client, bot_headers, db_session, customer_id, tier, style):
    customer = db_session.get(Customer, customer_id)
    if customer.loyalty is None:
        customer.loyalty = LoyaltyAccount(points=0, tier=tier)
    customer.loyalty.tier, customer.loyalty.points = tier, 0
    db_session.merge(
        CustomerScore(customer_id=customer_id, model_version="t", scored_at=datetime.now(UTC), segment="Champions")
    )
    db_session.commit()
    greeting = client.get("/bot/profile", headers=bot_headers(customer_id)).json()["greeting"]
    assert (greeting["style"], greeting["tier"]) == (style, tier)


def test_the_waiting_customer_hears_their_place_and_can_cancel(client, bot_headers):
    headers = bot_headers(None)
    for conversation in ("q-first", "q-second"):
        created = client.post("/bot/handoffs", json={"conversation_id": conversation}, headers=headers)
        assert created.status_code == 201
    assert created.json()["position"] >= 2
    place = client.get("/bot/handoffs/place", params={"conversation_id": "q-second"}, headers=headers).json()
    assert place["status"] == "queued" and place["position"] == created.json()["position"]
    cancelled = client.post("/bot/handoffs/cancel", json={"conversation_id": "q-first"}, headers=headers).json()
    assert cancelled == {"cancelled": True}
    moved = client.get("/bot/handoffs/place", params={"conversation_id": "q-second"}, headers=headers).json()
    assert moved["position"] == place["position"] - 1
    gone = client.get("/bot/handoffs/place", params={"conversation_id": "q-first"}, headers=headers).json()
    assert gone["status"] == "none"
    client.post("/bot/handoffs/cancel", json={"conversation_id": "q-second"}, headers=headers)


def test_outside_agents_hours_the_queue_is_closed_unless_an_agent_is_logged_in(crm_settings, bot_headers):
    app = create_app(crm_settings.model_copy(update={"agent_hours": "never"}))
    with TestClient(app) as closed, app.state.session_factory() as db_session:
        later = datetime.now(UTC) + timedelta(days=3)  # every console login of this run has expired by then
        assert not agents_online(db_session=db_session, hours="never", now=later)
        assert agents_online(db_session=db_session, hours="always", now=later)
        assert agents_online(db_session=db_session, hours="08:00-18:00", now=later.replace(hour=9))
        assert not agents_online(db_session=db_session, hours="08:00-18:00", now=later.replace(hour=19))
        agent = create_agent(
            db_session=db_session, email="hours@agents.example.com", name="H", password="pw-long-enough", role=None
        )
        db_session.add(
            AgentSession(
                token_hash="h" * 64, agent_id=agent.id, created_at=later, expires_at=later + timedelta(hours=1)
            )
        )
        db_session.flush()
        assert agents_online(db_session=db_session, hours="never", now=later)
        db_session.rollback()
        live = agents_online(db_session=db_session, hours="never")
        answer = closed.post("/bot/handoffs", json={"conversation_id": "q-closed"}, headers=bot_headers(None))
        assert answer.status_code == (201 if live else 409)
        if not live:
            assert answer.json()["error"]["code"] == "agents_offline"
        closed.post("/bot/handoffs/cancel", json={"conversation_id": "q-closed"}, headers=bot_headers(None))
    app.state.engine.dispose()
