"""The /bot/* write paths: cancel, address change, returns, consents, tickets, decisions, catalogue."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm_backend.catalogue.models import Product
from crm_backend.conversations.models import BotDecision
from crm_backend.customers.models import Consent
from crm_backend.orders.models import Order, OrderItem, Shipment
from crm_backend.returns.models import Refund, Return
from crm_backend.tickets.models import Ticket


def first_order(db_session, *conditions) -> Order:
    statement = select(Order).where(Order.customer_id > 1, *conditions).order_by(Order.id)
    return db_session.scalars(statement).first()


def test_profile_has_name_loyalty_and_consent(client, bot_headers, db_session):
    body = client.get("/bot/profile", headers=bot_headers(1)).json()
    consent = db_session.scalars(select(Consent).where(Consent.customer_id == 1)).one()
    assert body["customer"]["first_name"] == "Ada"
    assert body["loyalty"]["tier"] in {"bronze", "silver", "gold"}
    assert body["newsletter"] is consent.granted
    assert body["insights"] is None  # the analytics job has not run on this database


def test_cancel_an_undispatched_order_starts_a_full_refund(client, bot_headers, db_session):
    order = first_order(db_session, Order.status == "processing")
    response = client.post(f"/bot/orders/{order.number}/cancel", headers=bot_headers(order.customer_id))
    assert response.status_code == 200
    assert response.json()["order"]["status"] == "cancelled"
    db_session.expire_all()
    assert db_session.get(Order, order.id).status == "cancelled"
    refund = db_session.scalars(select(Refund).where(Refund.order_id == order.id)).one()
    assert refund.amount == order.total and refund.status == "pending"


def test_cancel_after_dispatch_is_refused(client, bot_headers, db_session):
    order = first_order(db_session, Order.status == "shipped")
    response = client.post(f"/bot/orders/{order.number}/cancel", headers=bot_headers(order.customer_id))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_not_cancellable"
    db_session.expire_all()
    assert db_session.get(Order, order.id).status == "shipped"


def test_cancel_someone_elses_order_is_refused_as_unknown(client, bot_headers, db_session):
    order = first_order(db_session, Order.status.in_(["pending", "processing"]), Order.customer_id != 3)
    response = client.post(f"/bot/orders/{order.number}/cancel", headers=bot_headers(3))
    assert response.status_code == 404
    db_session.expire_all()
    assert db_session.get(Order, order.id).status == order.status


def test_address_change_before_dispatch(client, bot_headers, db_session):
    order = first_order(db_session, Order.status.in_(["pending", "processing"]))
    new_address = "221B Baker Street, London NW1 6XE, United Kingdom"
    response = client.put(
        f"/bot/orders/{order.number}/address", json={"address": new_address}, headers=bot_headers(order.customer_id)
    )
    assert response.status_code == 200
    db_session.expire_all()
    assert db_session.get(Order, order.id).shipping_address == new_address


def test_address_change_after_dispatch_is_refused(client, bot_headers, db_session):
    order = first_order(db_session, Order.status == "delivered")
    response = client.put(
        f"/bot/orders/{order.number}/address",
        json={"address": "1 New Road, Springfield, Nowhere"},
        headers=bot_headers(order.customer_id),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_already_dispatched"


@pytest.mark.parametrize("address", ["", "short", "x" * 301])
def test_address_must_look_like_an_address(client, bot_headers, db_session, address):
    order = first_order(db_session, Order.status.in_(["pending", "processing"]))
    response = client.put(
        f"/bot/orders/{order.number}/address", json={"address": address}, headers=bot_headers(order.customer_id)
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def recently_delivered(db_session, days: int) -> Order:
    since = datetime.now(UTC) - timedelta(days=days)
    statement = (
        select(Order)
        .join(Shipment)
        .where(Order.status == "delivered", Shipment.delivered_at >= since, Order.customer_id > 1)
        .where(Order.id.not_in(select(Return.order_id)))
        .order_by(Order.id)
    )
    return db_session.scalars(statement).first()


def test_return_inside_the_window_gets_a_reference_stored_in_the_crm(client, bot_headers, db_session):
    order = recently_delivered(db_session, days=20)
    response = client.post(
        "/bot/returns",
        json={"order_number": order.number, "reason": "too small"},
        headers=bot_headers(order.customer_id),
    )
    assert response.status_code == 201, response.json()
    reference = response.json()["reference"]
    stored = db_session.scalars(select(Return).where(Return.reference == reference)).one()
    assert stored.order_id == order.id and stored.reason == "too small" and stored.status == "requested"
    again = client.post(
        "/bot/returns", json={"order_number": order.number, "reason": "again"}, headers=bot_headers(order.customer_id)
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "return_already_requested"
    listed = client.get("/bot/returns", headers=bot_headers(order.customer_id)).json()["returns"]
    assert reference in [r["reference"] for r in listed]


def test_return_after_the_window_is_refused(client, bot_headers, db_session):
    old = datetime.now(UTC) - timedelta(days=120)
    statement = (
        select(Order)
        .join(Shipment)
        .where(Order.status == "delivered", Shipment.delivered_at < old, Order.customer_id > 1)
        .order_by(Order.id)
    )
    order = db_session.scalars(statement).first()
    response = client.post(
        "/bot/returns", json={"order_number": order.number, "reason": "broken"}, headers=bot_headers(order.customer_id)
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "return_window_closed"


def test_return_of_an_undelivered_order_is_refused(client, bot_headers, db_session):
    order = first_order(db_session, Order.status == "shipped")
    response = client.post(
        "/bot/returns",
        json={"order_number": order.number, "reason": "changed mind"},
        headers=bot_headers(order.customer_id),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "return_not_delivered"


def test_return_of_someone_elses_order_is_refused(client, bot_headers, db_session):
    order = recently_delivered(db_session, days=25)
    other = 1 if order.customer_id != 1 else 2
    response = client.post(
        "/bot/returns", json={"order_number": order.number, "reason": "mine now"}, headers=bot_headers(other)
    )
    assert response.status_code == 404


def test_newsletter_consent_is_stored(client, bot_headers, db_session):
    for granted in (True, False):
        response = client.put("/bot/consents/newsletter", json={"granted": granted}, headers=bot_headers(5))
        assert response.status_code == 200 and response.json()["newsletter"] is granted
        db_session.expire_all()
        consent = db_session.scalars(select(Consent).where(Consent.customer_id == 5)).one()
        assert consent.granted is granted and consent.source == "chat"
    assert client.put("/bot/consents/spam", json={"granted": True}, headers=bot_headers(5)).status_code == 422


def test_ticket_and_decision_are_recorded(client, bot_headers, db_session):
    ticket = client.post(
        "/bot/tickets",
        json={
            "category": "complaint",
            "subject": "Broken vase",
            "body": "It arrived broken!",
            "conversation_id": "c-1",
        },
        headers=bot_headers(6),
    ).json()
    stored = db_session.get(Ticket, ticket["id"])
    assert stored.customer_id == 6 and stored.messages[0].body == "It arrived broken!"
    response = client.post(
        "/bot/decisions",
        json={"conversation_id": "c-1", "decision": "retention_offer", "reason": "churn risk 0.8"},
        headers=bot_headers(6),
    )
    assert response.status_code == 204
    decision = db_session.scalars(select(BotDecision).where(BotDecision.conversation_id == "c-1")).one()
    assert decision.customer_id == 6 and decision.reason == "churn risk 0.8"


def test_ticket_from_an_unverified_user_has_no_customer(client, bot_headers, db_session):
    response = client.post(
        "/bot/tickets",
        json={"category": "handoff", "subject": "Help", "body": "human please"},
        headers=bot_headers(None),
    )
    assert response.status_code == 201
    assert db_session.get(Ticket, response.json()["id"]).customer_id is None


def test_product_search_is_open_to_unverified_users(client, bot_headers):
    response = client.get("/bot/products", params={"q": "teapot"}, headers=bot_headers(None))
    assert response.status_code == 200
    assert [p["name"] for p in response.json()] == ["Ceramic teapot"]
    assert client.get("/bot/products", params={"q": "t"}, headers=bot_headers(None)).status_code == 422


def test_recommendations_fall_back_to_unbought_in_stock_best_sellers(client, bot_headers, db_session):
    body = client.get("/bot/recommendations", params={"limit": 3}, headers=bot_headers(1)).json()
    bought = set(db_session.scalars(select(Product.sku).join(OrderItem).join(Order).where(Order.customer_id == 1)))
    assert len(body) == 3
    for suggestion in body:
        assert suggestion["product"]["in_stock"] is True
        assert suggestion["product"]["sku"] not in bought
        assert suggestion["reason"] == "popular with other customers right now"
        assert db_session.scalars(select(Product).where(Product.sku == suggestion["product"]["sku"])).one()
