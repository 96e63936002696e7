"""The /bot/* API answers only about the verified customer, on SQLite and PostgreSQL."""

import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crm_backend.audit.service import ActorType
from crm_backend.core.db import session_scope
from crm_backend.customers.loyalty import standing
from crm_backend.customers.models import Customer
from crm_backend.insights.models import CustomerScore
from crm_backend.models import Base
from crm_backend.orders.models import OrderStatus
from crm_backend.privacy.service import erase_customer
from tests.conftest import rows_naming
from tests.factories import add_order


def test_health_reports_database_up(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_order_of_the_verified_customer_is_answered_from_the_database(client, bot_headers, orders_of):
    order = orders_of(1)[0]
    response = client.get(f"/bot/orders/{order.number}", headers=bot_headers(1))
    assert response.status_code == 200
    body = response.json()
    assert body["customer"]["first_name"] == "Ada"
    assert body["order"]["number"] == order.number
    assert body["order"]["status"] == order.status
    assert body["order"]["estimated_delivery"] == order.estimated_delivery.isoformat()
    assert [item["sku"] for item in body["order"]["items"]] == [item.product.sku for item in order.items]


def test_another_customers_order_looks_exactly_like_an_unknown_one(client, bot_headers, orders_of):
    someone_elses = orders_of(2)[0].number
    foreign = client.get(f"/bot/orders/{someone_elses}", headers=bot_headers(1))
    unknown = client.get("/bot/orders/999999", headers=bot_headers(1))
    assert foreign.status_code == unknown.status_code == 404
    assert (
        foreign.json()
        == unknown.json()
        == {"error": {"code": "order_not_found", "message": "No such order for this customer."}}
    )


def test_recent_orders_are_newest_first_and_only_the_customers(client, bot_headers, orders_of):
    response = client.get("/bot/orders", params={"limit": 3}, headers=bot_headers(1))
    assert response.status_code == 200
    numbers = [order["number"] for order in response.json()["orders"]]
    assert numbers == [order.number for order in orders_of(1)[:3]]


@pytest.mark.parametrize(
    "headers_case",
    ["no service token", "wrong service token", "wrong scheme"],
)
def test_service_token_is_required(client, bot_headers, headers_case):
    headers = bot_headers(1)
    if headers_case == "no service token":
        del headers["Authorization"]
    elif headers_case == "wrong service token":
        headers["Authorization"] = "Bearer not-the-token"
    else:
        headers["Authorization"] = headers["Authorization"].replace("Bearer", "Basic")
    response = client.get("/bot/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_service_token"


def test_customer_token_is_required(client, bot_headers):
    response = client.get("/bot/me", headers=bot_headers(None))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "customer_not_verified"


def test_expired_customer_token_is_refused(client, bot_headers):
    headers = bot_headers(1, ttl=60, now=time.time() - 3600)
    response = client.get("/bot/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "customer_not_verified"


def test_token_signed_with_another_secret_is_refused(client, bot_headers):
    from crm_backend.core.security import issue_customer_token

    headers = bot_headers(None)
    headers["X-Customer-Token"] = issue_customer_token(1, secret="x" * 40, ttl_seconds=600)
    response = client.get("/bot/me", headers=headers)
    assert response.status_code == 401


def test_token_for_a_customer_that_does_not_exist_is_refused(client, bot_headers):
    response = client.get("/bot/me", headers=bot_headers(10_000_000))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "customer_not_verified"


@pytest.fixture
def erased_customer(client) -> int:
    """A customer erased a moment ago: a token issued before (or by mistake after) is still validly signed."""
    for db_session in session_scope(client.app.state.session_factory):
        customer = Customer(first_name="Erin", last_name="Gone", email=f"erin-{uuid.uuid4().hex[:8]}@example.org")
        db_session.add(customer)
        db_session.flush()
        erase_customer(db_session=db_session, customer=customer, actor_type=ActorType.SYSTEM, actor_id=None)
    return customer.id


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/bot/me"),
        ("GET", "/bot/profile"),
        ("GET", "/bot/orders"),
        ("GET", "/bot/orders/999999"),
        ("GET", "/bot/returns"),
        ("GET", "/bot/recommendations"),
        ("PUT", "/bot/consents/newsletter"),
    ],
)
def test_an_erased_customers_token_is_refused(client, bot_headers, erased_customer, method, path):
    body = {"granted": True} if method == "PUT" else None
    response = client.request(method, path, headers=bot_headers(erased_customer), json=body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "customer_not_verified"


def test_an_erased_customers_token_links_no_conversation_again(client, bot_headers, erased_customer, db_session):
    """Handoffs, ratings, tickets and decisions take it for an unverified user's: none names the customer."""
    before = rows_naming(db_session, erased_customer)
    headers, conversation = bot_headers(erased_customer), f"after-erasure-{uuid.uuid4().hex[:8]}"
    calls = [
        ("/bot/handoffs", {"conversation_id": conversation, "channel": "rest"}, 201),
        # Nobody asked for a rating here: the CRM stores none (409), whoever the token named.
        ("/bot/csat", {"conversation_id": conversation, "score": 2}, 409),
        (
            "/bot/tickets",
            {"category": "other", "subject": "Me again", "body": "hi", "conversation_id": conversation},
            201,
        ),
        ("/bot/decisions", {"conversation_id": conversation, "decision": "vip_greeting", "reason": "gold tier"}, 204),
    ]
    for path, body, status in calls:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == status, (path, response.text)
    db_session.expire_all()
    assert rows_naming(db_session, erased_customer) == before
    for table in Base.metadata.sorted_tables:
        if {"customer_id", "conversation_id"} <= set(table.c.keys()):
            linked = select(table.c.customer_id).where(table.c.conversation_id == conversation)
            assert set(db_session.scalars(linked)) <= {None}, table.name


def test_bare_customer_id_header_is_not_trusted(client, bot_headers):
    headers = bot_headers(None)
    headers["X-Customer-Token"] = "1"
    response = client.get("/bot/me", headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize("number", ["abc;DROP TABLE orders", "x" * 41, "%00", "1 OR 1=1"])
def test_malformed_order_numbers_get_a_clear_4xx(client, bot_headers, number):
    response = client.get(f"/bot/orders/{number}", headers=bot_headers(1))
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_oversized_body_is_refused_with_413(client, bot_headers):
    response = client.post("/bot/me", content=b"x" * (65 * 1024), headers=bot_headers(1))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_unknown_route_gets_the_common_error_shape(client):
    response = client.get("/no/such/route")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- the business rules' answers -------------------------------------------------------------


def test_return_eligibility_gives_the_verdict_and_deadline(client, bot_headers, db_session):
    fresh = add_order(db_session, customer_id=250, status=OrderStatus.DELIVERED, delivered_days_ago=4)
    late = add_order(db_session, customer_id=250, status=OrderStatus.DELIVERED, placed_days_ago=60,
                     delivered_days_ago=40)  # fmt: skip
    shipped = add_order(db_session, customer_id=250, status=OrderStatus.SHIPPED, placed_days_ago=2)
    answers = {
        order.number: client.get(f"/bot/returns/eligibility/{order.number}", headers=bot_headers(250)).json()
        for order in (fresh, late, shipped)
    }
    assert answers[fresh.number]["eligible"] is True and answers[fresh.number]["verdict"] == "eligible"
    assert answers[fresh.number]["window_days"] == 30 and answers[fresh.number]["deadline"]
    assert answers[late.number]["verdict"] == "window_closed" and answers[late.number]["eligible"] is False
    assert answers[shipped.number] == {
        "order_number": shipped.number, "order_status": "shipped", "eligible": False,
        "verdict": "not_delivered", "window_days": 30, "deadline": None,
    }  # fmt: skip


def test_return_eligibility_of_someone_elses_order_looks_unknown(client, bot_headers, db_session):
    order = add_order(db_session, customer_id=251, status=OrderStatus.DELIVERED, delivered_days_ago=4)
    response = client.get(f"/bot/returns/eligibility/{order.number}", headers=bot_headers(252))
    assert response.status_code == 404 and response.json()["error"]["code"] == "order_not_found"
    assert client.get(f"/bot/returns/eligibility/{order.number}", headers=bot_headers(None)).status_code == 401


def test_profile_carries_the_loyalty_standing_and_the_greeting(client, bot_headers, db_session):
    body = client.get("/bot/profile", headers=bot_headers(1)).json()
    account = db_session.get(Customer, 1).loyalty
    expected = standing(account)
    assert body["loyalty"] == {
        "points": expected.points, "tier": expected.tier, "next_tier": expected.next_tier,
        "points_to_next_tier": expected.points_to_next_tier,
    }  # fmt: skip
    assert body["greeting"]["style"] == ("vip" if expected.tier == "gold" else "personal")


def test_retention_offer_follows_the_customers_score(client, bot_headers, db_session):

    none = client.get("/bot/offers/retention", headers=bot_headers(253)).json()
    assert none == {"applies": False, "voucher": None, "reason": "no analytics score yet"}
    db_session.merge(
        CustomerScore(customer_id=253, model_version="test-1", scored_at=datetime.now(UTC), segment="Loyal",
                      churn_probability=0.7)
    )  # fmt: skip
    db_session.commit()
    offer = client.get("/bot/offers/retention", headers=bot_headers(253)).json()
    assert offer["applies"] is True and offer["voucher"]["percent_off"] == 15
    assert offer["voucher"]["code"].startswith("STAY-")  # the customer's own (test_dialogue_rules.py)
    assert offer["reason"].startswith("churn probability 0.70 >= 0.5")
    assert client.get("/bot/offers/retention", headers=bot_headers(None)).status_code == 401


def test_payment_methods_are_open_to_visitors_and_answer_about_one(client, bot_headers):
    listed = client.get("/bot/payment-methods", headers=bot_headers(None)).json()
    assert listed["verdict"] == "unknown" and listed["method"] is None and len(listed["accepted"]) == 7
    paypal = client.get("/bot/payment-methods", params={"method": "paypal"}, headers=bot_headers(None)).json()
    assert paypal["verdict"] == "accepted" and paypal["method"] == {"key": "paypal", "label": "PayPal"}
    transfer = client.get("/bot/payment-methods", params={"method": "bank_transfer"}, headers=bot_headers(None))
    assert transfer.json()["verdict"] == "not_accepted"
    odd = client.get("/bot/payment-methods", params={"method": "<script>"}, headers=bot_headers(None)).json()
    assert odd["verdict"] == "unknown" and odd["method"] is None
    too_long = client.get("/bot/payment-methods", params={"method": "x" * 41}, headers=bot_headers(None))
    assert too_long.status_code == 422
    assert client.get("/bot/payment-methods").status_code == 401
